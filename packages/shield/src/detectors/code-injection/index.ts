/**
 * Code injection aimed at a language runtime rather than at a query or a
 * shell: Java deserialization gadgets and expression languages, PHP code and
 * serialized objects, server-side JavaScript (with the endless loops sent to
 * stall an `eval`, and JavaScript hidden in a base64 token), and the stream
 * wrappers used for file inclusion. Each check matches the grammar of the
 * language (a call on a dangerous API, a class path, a serialization header),
 * so the words "system", "runtime" or "process" in prose pass.
 */
import { ANGLE, AT, BRACE, BRACKET, COLON, classesOf, DOLLAR, DOT, EQUALS, HASH, PAREN, PLUS, SLASH, UNDERSCORE } from "../char-classes.js";
import { around, evidenceOf } from "../evidence.js";
import { higherScore } from "../score.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { base64CodeSignal, holdsSerializedBase64, mayHoldBase64Code } from "./base64-code.js";
import { base64JavaSignal } from "./base64-java.js";
import { decodeBase64Text } from "./base64-text.js";
import { escapesAsciiLetter } from "./escaped-identifiers.js";
import { javaSignal } from "./java.js";
import { infiniteLoopSignal } from "./js-loops.js";
import { nodeSignal } from "./node.js";
import { phpSignal } from "./php.js";
import { type CodeSignal, followsProseWord, looksLikeProse, PROSE_PENALTY } from "./signal.js";
import { wrapperSignal } from "./wrappers.js";

export const codeInjectionDetector: Detector = {
  class: "code-injection",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const classes = classesOf(candidate);
    const syntax = hasCodeSyntax(value, classes);
    // One regex for both base64 checks: nearly every value holds neither.
    const base64 = mayHoldBase64Code(value);
    // Only letters, digits and `+ / =` can be one base64 token: other values are not decoded or searched for Java gadgets.
    const token = (classes & ~BASE64_CLASSES) === 0;
    const encoded = higherScore(base64 ? base64CodeSignal(value) : undefined, token ? base64JavaSignal(value) : undefined);
    const decoded = token ? decodeBase64Text(value) : undefined;
    if (!syntax && encoded === undefined && !mayHoldPlainCode(value, classes, base64)) {
      const hidden = decoded === undefined ? undefined : decodedSignal(decoded);
      return hidden === undefined ? undefined : finding(hidden, value);
    }
    const java = javaSignal(value, base64);
    const php = syntax ? phpSignal(value, classes) : undefined;
    const wrapper = syntax ? wrapperSignal(value, classes) : undefined;
    const node = escapedIdentifiers(higherScore(nodeSignal(value), syntax ? infiniteLoopSignal(value) : undefined), candidate.raw);
    // Most values that get this far hold no signal at all: done before the prose reader is made.
    if (
      encoded === undefined &&
      java === undefined &&
      php === undefined &&
      wrapper === undefined &&
      node === undefined &&
      decoded === undefined
    )
      return undefined;
    const prose = proseReader(value);
    let signal = higherScore(encoded, weigh(java, prose));
    signal = higherScore(signal, weigh(php, prose));
    signal = higherScore(signal, weigh(wrapper, prose));
    signal = higherScore(signal, weigh(node, prose));
    if (decoded !== undefined) signal = higherScore(signal, decodedSignal(decoded));
    if (signal === undefined) return undefined;
    return finding(signal, value);
  },
};

/** JavaScript in a base64 token, weighed as the text it decodes to; the evidence names the encoding. */
function decodedSignal(text: string): CodeSignal | undefined {
  const signal = weigh(higherScore(nodeSignal(text), infiniteLoopSignal(text)), proseReader(text));
  return signal === undefined ? undefined : { ...signal, label: `base64 ${signal.label}`, index: 0 };
}

/** A Node signal in a value that escapes a letter as received is code, however short: raised, and never lowered as prose. */
function escapedIdentifiers(signal: CodeSignal | undefined, raw: string): CodeSignal | undefined {
  if (signal === undefined || !escapesAsciiLetter(raw)) return signal;
  return { score: Math.max(signal.score, 0.9), label: `${signal.label} (escaped identifier)`, index: signal.index };
}

/** Whether a mention sits in prose: the sentence test runs at most once per value, and only for a mention. */
interface ProseReader {
  readonly value: string;
  sentences: boolean | undefined;
}

function proseReader(value: string): ProseReader {
  return { value, sentences: undefined };
}

function inProse(signal: CodeSignal, prose: ProseReader): boolean {
  if (followsProseWord(prose.value, signal.index)) return true;
  prose.sentences ??= looksLikeProse(prose.value);
  return prose.sentences;
}

/** The classes of base64's punctuation (letters and digits have none). */
const BASE64_CLASSES = PLUS | SLASH | EQUALS;

/** Classes holding `( $ : < [ { @ #` (and their closing partners, hence the exact check after the mask). */
const CODE_SYNTAX_CLASSES = PAREN | DOLLAR | COLON | ANGLE | BRACKET | BRACE | AT | HASH;

/** Characters without which no PHP, wrapper, call or expression can be written. */
function hasCodeSyntax(value: string, classes: number): boolean {
  if ((classes & CODE_SYNTAX_CLASSES) === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // ( $ : < [ { @ #
    if (c === 40 || c === 36 || c === 58 || c === 60 || c === 91 || c === 123 || c === 64 || c === 35) return true;
  }
  return false;
}

/**
 * Without syntax characters only a dotted Java class path, a gadget name, a
 * base64 serialized object, a `child_process` mention or funcster's
 * `__js_function` marker can be code; anything
 * else is words and numbers. `base64`: what `mayHoldBase64Code` said of the value.
 */
function mayHoldPlainCode(value: string, classes: number, base64: boolean): boolean {
  return (
    (classes & DOT) !== 0 ||
    ((classes & UNDERSCORE) !== 0 && (value.indexOf("child_process") !== -1 || value.indexOf("__js_function") !== -1)) ||
    (base64 && holdsSerializedBase64(value))
  );
}

/** A mention written in prose is lowered by PROSE_PENALTY; code grammar is kept as found. */
function weigh(signal: CodeSignal | undefined, prose: ProseReader): CodeSignal | undefined {
  if (signal === undefined || signal.mention !== true || !inProse(signal, prose)) return signal;
  return { ...signal, score: Math.max(0, signal.score - PROSE_PENALTY) };
}

function finding(signal: CodeSignal, value: string): Finding {
  return { class: "code-injection", score: signal.score, evidence: evidenceOf(signal.label, around(value, signal.index)) };
}
