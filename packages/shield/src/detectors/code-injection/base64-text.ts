/**
 * A value that is wholly base64 of readable text: exploit code sent encoded
 * (`d2hpbGUodHJ1ZSk7Cg==` is `while(true);`), to reach an `eval(atob(x))` or
 * `Buffer.from(x, "base64")` sink, or just past filters. Random tokens and
 * session ids decode to bytes that are not printable text: the decoder below
 * stops at the first such byte (most tokens within their first four
 * characters), so a token costs next to nothing and no pattern runs on it.
 */

/** One base64 token, padded or not; long enough for the shortest payload (`while(1);` is 12 characters). */
const BASE64_VALUE = /^[A-Za-z0-9+/]{12,4096}={0,2}$/;
const MIN_LENGTH = 12;

/** JavaScript `\uXXXX` / `\u{XX}` escapes of ASCII: a decoded payload may still spell its identifiers with them. */
const JS_ESCAPE = /\\u(?:00([0-7][0-9a-fA-F])|\{0{0,4}([0-7][0-9a-fA-F])\})/g;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Each base64 character's 6 bits, by character code (-1: not base64). */
const SEXTETS: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** The text `value` encodes, with JavaScript escapes of ASCII undone; undefined when it is not base64 of printable text. */
export function decodeBase64Text(value: string): string | undefined {
  if (value.length < MIN_LENGTH || !BASE64_VALUE.test(value)) return undefined;
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 61 /* = */) end--;
  // A length of 4n+1 is no base64 at all.
  if (end % 4 === 1) return undefined;
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  for (let i = 0; i < end; i++) {
    bits = (bits << 6) | (SEXTETS[value.charCodeAt(i)] as number);
    count += 6;
    if (count >= 8) {
      count -= 8;
      const byte = (bits >> count) & 0xff;
      if (!isPrintable(byte)) return undefined;
      bytes.push(byte);
    }
  }
  const text = String.fromCharCode(...bytes);
  return text.indexOf("\\u") === -1
    ? text
    : text.replace(JS_ESCAPE, (_, short: string | undefined, braced: string | undefined) =>
        String.fromCharCode(Number.parseInt(short ?? braced ?? "0", 16)),
      );
}

/** Printable ASCII, tabs and line breaks: what source code is written in. */
function isPrintable(byte: number): boolean {
  return (byte >= 32 && byte <= 126) || byte === 9 || byte === 10 || byte === 13;
}
