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
/** Every telltale word's encoded forms. */
export const ENCODED_FORMS: readonly string[] = FORMS.map(({ form }) => form);
/** One alternation of fixed strings: linear time, one pass. */
const ENCODED_CODE = new RegExp(ENCODED_FORMS.map(escapeForRegExp).join("|"));
const BY_FORM = new Map(FORMS.map(({ form, entry }) => [form, entry]));

/** Base64 of a Java serialized stream's magic (`aced0005`) at each of the three byte alignments (the Java check is java.ts's). */
export const SERIALIZED_FORMS: readonly string[] = ["rO0AB", "KztAA", "Cs7QA"];
const SERIALIZED_BASE64 = new RegExp(SERIALIZED_FORMS.join("|"));

/** Shortest forms: values shorter than these cannot hold one. */
const MIN_ENCODED_LENGTH = Math.min(...ENCODED_FORMS.map((form) => form.length));
const MIN_SERIALIZED_LENGTH = Math.min(...SERIALIZED_FORMS.map((form) => form.length));

/**
 * Both sets of forms in one alternation: it matches exactly when one of the
 * two regexes above would, so a value it turns away (nearly every value) costs
 * one regex instead of two. Plain words and ids are what the detector sees
 * most, and for those both questions are asked.
 */
const ANY_FORM = new RegExp([...ENCODED_FORMS, ...SERIALIZED_FORMS].map(escapeForRegExp).join("|"));

/** Whether `value` holds any encoded form, of exploit code or of a serialized object; false means both checks below find nothing. */
export function mayHoldBase64Code(value: string): boolean {
  // Too short for exploit code: only the (shorter) serialized header can be there, and its own regex is the smaller one.
  if (value.length < MIN_ENCODED_LENGTH) return value.length >= MIN_SERIALIZED_LENGTH && SERIALIZED_BASE64.test(value);
  return ANY_FORM.test(value);
}

/** Node exploit code in base64 (ask `mayHoldBase64Code` first: it answers for this and the serialized check at once). */
export function base64CodeSignal(value: string): CodeSignal | undefined {
  if (value.length < MIN_ENCODED_LENGTH) return undefined;
  const match = ENCODED_CODE.exec(value);
  if (match === null) return undefined;
  const entry = BY_FORM.get(match[0]);
  return entry === undefined ? undefined : { score: entry.score, label: entry.label, index: match.index };
}

/** Whether `value` holds the base64 of a Java serialization header (ask `mayHoldBase64Code` first). */
export function holdsSerializedBase64(value: string): boolean {
  return SERIALIZED_BASE64.test(value);
}
