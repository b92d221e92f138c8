/**
 * Code injection aimed at a language runtime rather than at a query or a
 * shell: Java deserialization gadgets and expression languages, PHP code and
 * serialized objects, server-side JavaScript, and the stream wrappers used
 * for file inclusion. Each check matches the grammar of the language (a call
 * on a dangerous API, a class path, a serialization header), so the words
 * "system", "runtime" or "process" in prose pass.
 */
import { ANGLE, AT, BRACE, BRACKET, COLON, classesOf, DOLLAR, DOT, HASH, PAREN, UNDERSCORE } from "../char-classes.js";
import { around, evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { base64CodeSignal, holdsSerializedBase64, mayHoldBase64Code } from "./base64-code.js";
import { javaSignal } from "./java.js";
import { nodeSignal } from "./node.js";
import { phpSignal } from "./php.js";
import { type CodeSignal, looksLikeProse, PROSE_PENALTY, stronger } from "./signal.js";
import { wrapperSignal } from "./wrappers.js";

export const codeInjectionDetector: Detector = {
  class: "code-injection",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const classes = classesOf(candidate);
    const syntax = hasCodeSyntax(value, classes);
    // One regex for both base64 checks: nearly every value holds neither.
    const base64 = mayHoldBase64Code(value);
    const encoded = base64 ? base64CodeSignal(value) : undefined;
    if (!syntax && encoded === undefined && !mayHoldPlainCode(value, classes, base64)) return undefined;
    const java = javaSignal(value, base64);
    const php = syntax ? phpSignal(value, classes) : undefined;
    const wrapper = syntax ? wrapperSignal(value, classes) : undefined;
    const node = nodeSignal(value);
    // Prose only lowers a mention: most values that get this far have none, and are not read for it.
    const prose = (isMention(java) || isMention(php) || isMention(wrapper) || isMention(node)) && looksLikeProse(value);
    let signal = stronger(encoded, weigh(java, prose));
    signal = stronger(signal, weigh(php, prose));
    signal = stronger(signal, weigh(wrapper, prose));
    signal = stronger(signal, weigh(node, prose));
    if (signal === undefined) return undefined;
    return finding(signal, value);
  },
};

function isMention(signal: CodeSignal | undefined): boolean {
  return signal?.mention === true;
}

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
 * base64 serialized object or a `child_process` mention can be code; anything
 * else is words and numbers. `base64`: what `mayHoldBase64Code` said of the value.
 */
function mayHoldPlainCode(value: string, classes: number, base64: boolean): boolean {
  return (
    (classes & DOT) !== 0 ||
    ((classes & UNDERSCORE) !== 0 && value.indexOf("child_process") !== -1) ||
    (base64 && holdsSerializedBase64(value))
  );
}

function weigh(signal: CodeSignal | undefined, prose: boolean): CodeSignal | undefined {
  if (signal === undefined || !prose || signal.mention !== true) return signal;
  return { ...signal, score: Math.max(0, signal.score - PROSE_PENALTY) };
}

function finding(signal: CodeSignal, value: string): Finding {
  return { class: "code-injection", score: signal.score, evidence: evidenceOf(signal.label, around(value, signal.index)) };
}
