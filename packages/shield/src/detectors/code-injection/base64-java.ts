/**
 * Java deserialization gadgets sent base64-encoded: a serialized object
 * carries its class names (`InvokerTransformer`, `ProcessBuilder`) as text,
 * and a cookie, header or parameter carries the object in base64. As in
 * base64-code.ts each name is encoded once, at load, at the three byte
 * offsets it can start at, and values are searched for those fixed strings
 * (CRS 944300 does the same with lower-cased names, which are kept too).
 * Only a value with a run of base64 that mixes cases is searched: prose
 * words and ids never pay for the regex.
 */
import { base64Forms } from "./base64-code.js";
import type { CodeSignal } from "./signal.js";

/** Commons Collections gadget classes: no text but a gadget chain names them. */
const GADGETS = [
  "InvokerTransformer",
  "InstantiateTransformer",
  "ChainedTransformer",
  "ConstantTransformer",
  "CloneTransformer",
  "InstantiateFactory",
  "PrototypeCloneFactory",
  "PrototypeSerializationFactory",
  "WhileClosure",
  "ForClosure",
];

/** What a chain ends in to run a command; a word other text can hold, so it counts only in a short, token-like value. */
const EXECUTORS = ["Runtime", "ProcessBuilder", "getRuntime"];
/** A value longer than this may be an encoded document that mentions a runtime (a bundle, a config); a token is shorter. */
const MAX_EXECUTOR_VALUE = 256;

interface Entry {
  readonly score: number;
  readonly label: string;
  readonly executor: boolean;
}

const FORMS = new Map<string, Entry>();
for (const [words, entry] of [
  [GADGETS, { score: 0.85, label: "base64 java deserialization gadget", executor: false }],
  [EXECUTORS, { score: 0.75, label: "base64 java execution class", executor: true }],
] as const) {
  for (const word of words)
    for (const spelling of [word, word.toLowerCase()]) for (const form of base64Forms(spelling)) FORMS.set(form, entry);
}

const ENCODED = new RegExp([...FORMS.keys()].map((form) => form.replace(/[+/]/g, "\\$&")).join("|"));
const MIN_RUN = Math.min(...[...FORMS.keys()].map((form) => form.length));

export function base64JavaSignal(value: string): CodeSignal | undefined {
  if (!hasMixedCaseRun(value)) return undefined;
  const match = ENCODED.exec(value);
  if (match === null) return undefined;
  const entry = FORMS.get(match[0]) as Entry;
  if (entry.executor && value.length > MAX_EXECUTOR_VALUE) return undefined;
  return { score: entry.score, label: entry.label, index: match.index };
}

/** A run of at least MIN_RUN base64 characters with an upper-case letter after its first character and a lower-case one. */
function hasMixedCaseRun(value: string): boolean {
  let run = 0;
  let upper = false;
  let lower = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const isUpper = c >= 65 && c <= 90;
    const isLower = c >= 97 && c <= 122;
    if (isUpper || isLower || (c >= 48 && c <= 57) || c === 43 || c === 47) {
      if (isUpper && run > 0) upper = true;
      if (isLower) lower = true;
      run++;
      if (run >= MIN_RUN && upper && lower) return true;
    } else {
      run = 0;
      upper = false;
      lower = false;
    }
  }
  return false;
}
