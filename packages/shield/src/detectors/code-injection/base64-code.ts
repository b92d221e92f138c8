/**
 * Node.js exploit code sent base64-encoded, as deserialization exploits put
 * it in cookies and tokens (`Y2hpbGRfcHJvY2Vzcw` is `child_process`).
 * Decoding every token-like value would cost on every session cookie, so the
 * check is the other way round: each telltale word is encoded once, at load,
 * at the three byte offsets it can start at, and the value is searched for
 * those fixed strings. A random session id holds a given 10-character run
 * with odds of about 64^-10 per position.
 */
import type { CodeSignal } from "./signal.js";

/** Words that only exploit code puts side by side with base64 transport (each long enough to be unmistakable). */
const ENCODED_WORDS: readonly { readonly word: string; readonly label: string; readonly score: number }[] = [
  { word: "_$$ND_FUNC$$_", label: "base64 node-serialize function", score: 0.95 },
  { word: "child_process", label: "base64 child_process", score: 0.9 },
  { word: "require(", label: "base64 require() call", score: 0.85 },
  { word: "mainModule", label: "base64 process.mainModule", score: 0.9 },
  { word: "constructor.constructor", label: "base64 constructor.constructor", score: 0.9 },
];

/** The part of `word`'s base64 that is the same whatever bytes come before and after it, for each of the 3 offsets. */
export function base64Forms(word: string): string[] {
  // btoa rather than Buffer: this runs at import, also in edge runtimes without Buffer. The words are ASCII.
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = btoa("\0".repeat(offset) + word);
    const total = offset + word.length;
    // Character i holds bits 6i..6i+5: keep those made only of the word's bits.
    forms.push(encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * total) / 6)));
  }
  return forms;
}

const escapeForRegExp = (text: string) => text.replace(/[+/]/g, "\\$&");

const FORMS = ENCODED_WORDS.flatMap((entry) => base64Forms(entry.word).map((form) => ({ form, entry })));
/** One alternation of fixed strings: linear time, one pass. */
const ENCODED_CODE = new RegExp(FORMS.map(({ form }) => escapeForRegExp(form)).join("|"));
const BY_FORM = new Map(FORMS.map(({ form, entry }) => [form, entry]));

/** Shortest form: values shorter than this cannot hold any. */
const MIN_LENGTH = Math.min(...FORMS.map(({ form }) => form.length));

export function base64CodeSignal(value: string): CodeSignal | undefined {
  if (value.length < MIN_LENGTH) return undefined;
  const match = ENCODED_CODE.exec(value);
  if (match === null) return undefined;
  const entry = BY_FORM.get(match[0]);
  return entry === undefined ? undefined : { score: entry.score, label: entry.label, index: match.index };
}
