/**
 * Prototype pollution: `__proto__` or `constructor.prototype` used as a
 * property path. Deep-merge and query parsers that follow such a key write
 * onto Object.prototype and change every object in the process (CVE-2019-10744
 * in lodash, CVE-2022-24999 in qs).
 */
import { BRACKET, DOT, DOUBLE_QUOTE, QUOTE, UNDERSCORE } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";

/**
 * As a path step: `__proto__`, `[__proto__]`, `.__proto__`, `"__proto__":`, `__proto__ =`. A word after a space
 * (`__proto__ explained`, `what is __proto__ in JS`) makes it a mention in prose, scored below the threshold.
 */
const PROTO_STEP = /(?:^|[.[\]"'\s{,&;])__proto__(?:$|[.[\]"'=:]|\s(?![\s\p{L}]))/u;
const CONSTRUCTOR_PROTOTYPE = /constructor\s*(?:\.\s*|\[\s*(?:["']\s*)?|["']?\]\s*\[\s*(?:["']\s*)?|"\s*:\s*\{\s*"\s*)prototype/;

export const protoPollutionDetector: Detector = {
  class: "proto-pollution",
  // `__proto__`, or `constructor` joined to `prototype` by `.`, `[`, or a quoted JSON key. A parsed body's
  // `{"constructor":{"prototype":…}}` arrives as the key path `constructor.prototype` (inspect/json.ts): a bare
  // `prototype` key is an ordinary word (a product's prototype) and is not judged alone.
  needs: UNDERSCORE | DOT | BRACKET | DOUBLE_QUOTE | QUOTE,
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const proto = value.indexOf("__proto__");
    const ctor = value.indexOf("constructor");
    if (proto === -1 && ctor === -1) return undefined;
    const isKey = candidate.kind === "query-key" || candidate.kind === "body-key";
    if (proto !== -1) {
      if (isKey && (value === "__proto__" || PROTO_STEP.test(value))) return finding(0.98, "__proto__ key", value);
      if (PROTO_STEP.test(value)) return finding(isKey ? 0.98 : 0.9, "__proto__ path", value);
      return finding(0.6, "__proto__ mention", value);
    }
    const match = CONSTRUCTOR_PROTOTYPE.exec(value);
    if (match) return finding(isKey ? 0.98 : 0.9, "constructor.prototype path", match[0]);
    return undefined;
  },
};

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "proto-pollution", score, evidence: evidenceOf(label, excerpt) };
}
