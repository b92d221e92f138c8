import { createReadStream } from "node:fs";

/** What the eval tells a user who gave it something else; the one description of the format. */
export const CORPUS_FORMAT =
  'A shield corpus is JSON Lines (UTF-8): one JSON object a line, with "class" and a string "payload" or an object "request".';

/** The file cannot be a corpus at all (binary, compressed, UTF-16): no line of it is worth reporting. */
export class CorpusFileError extends Error {
  override readonly name = "CorpusFileError";
}

/**
 * The longest case is a whole request with its body; the dev corpus's longest line is 9 KB and the
 * shield reads 128 KiB of a body by default. A longer line is skipped without being held: a multi-GB
 * file with no newline (a database dump, a minified array) would otherwise be read into one string.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** git and grep call a file binary when a NUL byte appears in its first 8,000 bytes; JSON text never holds one. */
const SNIFF_BYTES = 8000;

export type CorpusLine = { readonly number: number; readonly text: string } | { readonly number: number; readonly tooLong: true };

/** Why the start of a file shows it is not UTF-8 text, if it does. */
function notText(head: Buffer): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return "is gzip-compressed: decompress it first (gunzip)";
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    return "is UTF-16 text: save it as UTF-8 (PowerShell: Out-File -Encoding utf8)";
  if (head.subarray(0, SNIFF_BYTES).includes(0)) return "is a binary file, not a JSON Lines corpus";
  return undefined;
}

/**
 * The lines of a corpus file, numbered from 1, read as a stream: memory stays at one chunk plus one
 * line of at most `maxLineBytes`. Throws CorpusFileError when the file's first bytes show it is not
 * text, and the file system's error when it cannot be read.
 */
export async function* readCorpusLines(file: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<CorpusLine> {
  const decoder = new TextDecoder("utf-8");
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let number = 0;
  let first = true;
  const lineOf = (): CorpusLine => {
    number++;
    if (tooLong) return { number, tooLong: true };
    let text = decoder.decode(Buffer.concat(pending, pendingBytes));
    if (text.endsWith("\r")) text = text.slice(0, -1);
    // A UTF-8 byte order mark (Notepad writes one) is not part of the first object.
    if (number === 1 && text.startsWith("\uFEFF")) text = text.slice(1);
    return { number, text };
  };
  const append = (part: Buffer) => {
    if (tooLong) return;
    if (pendingBytes + part.length > maxLineBytes) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    if (first) {
      const problem = notText(chunk);
      if (problem) throw new CorpusFileError(problem);
      first = false;
    }
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      append(chunk.subarray(start, newline));
      yield lineOf();
      pending = [];
      pendingBytes = 0;
      tooLong = false;
      start = newline + 1;
    }
    if (start < chunk.length) append(chunk.subarray(start));
  }
  if (pendingBytes > 0 || tooLong) yield lineOf();
}
