/**
 * Code injection aimed at a language runtime rather than at a query or a
 * shell: Java deserialization gadgets and expression languages, PHP code and
 * serialized objects, server-side JavaScript, and the stream wrappers used
 * for file inclusion. Each check matches the grammar of the language (a call
 * on a dangerous API, a class path, a serialization header), so the words
 * "system", "runtime" or "process" in prose pass.
 */
import { around, evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { javaSignal } from "./java.js";
import { nodeSignal } from "./node.js";
import { phpSignal } from "./php.js";
import { type CodeSignal, looksLikeProse, PROSE_PENALTY, stronger } from "./signal.js";
import { wrapperSignal } from "./wrappers.js";

export const codeInjectionDetector: Detector = {
  class: "code-injection",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const syntax = hasCodeSyntax(value);
    if (!syntax && !mayHoldPlainCode(value)) return undefined;
    const prose = looksLikeProse(value);
    let signal = weigh(javaSignal(value), prose);
    if (syntax) {
      signal = stronger(signal, weigh(phpSignal(value), prose));
      signal = stronger(signal, weigh(wrapperSignal(value), prose));
    }
    signal = stronger(signal, weigh(nodeSignal(value), prose));
    if (signal === undefined) return undefined;
    return finding(signal, value);
  },
};

/** Characters without which no PHP, wrapper, call or expression can be written. */
function hasCodeSyntax(value: string): boolean {
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
 * else is words and numbers.
 */
function mayHoldPlainCode(value: string): boolean {
  return (
    value.indexOf(".") !== -1 ||
    value.indexOf("rO0AB") !== -1 ||
    value.indexOf("KztAA") !== -1 ||
    value.indexOf("Cs7QA") !== -1 ||
    value.indexOf("child_process") !== -1 ||
    value.indexOf("XyQkTkRfRlVOQyQk") !== -1
  );
}

function weigh(signal: CodeSignal | undefined, prose: boolean): CodeSignal | undefined {
  if (signal === undefined || !prose || signal.mention !== true) return signal;
  return { ...signal, score: Math.max(0, signal.score - PROSE_PENALTY) };
}

function finding(signal: CodeSignal, value: string): Finding {
  return { class: "code-injection", score: signal.score, evidence: evidenceOf(signal.label, around(value, signal.index)) };
}
