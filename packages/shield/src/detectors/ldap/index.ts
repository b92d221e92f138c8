/**
 * LDAP filter injection (RFC 4515). An app that builds a search filter from
 * input, `(&(uid=${user})(userPassword=${password}))`, lets a value close
 * the item it lands in and add filters of its own: `*)(uid=*))(|(uid=*`
 * matches every account, `admin)(&)` makes the rest always true, and
 * `*)(|(objectClass=*)` lists the directory. The detector looks for the
 * grammar such a value must write: a filter opened right after a close, or
 * a composite `(|(`, `(&(`, `(!(` with an attribute test inside. Prose and
 * code write neither (`if (!(a && b))` has no `attr=` after the parenthesis).
 */
import { PAREN } from "../char-classes.js";
import { around, evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";

/** An attribute test: `uid=`, `cn~=`, `age>=`, `objectClass=`, `1.2.840.113556.1.4.803:=` style names kept short. */
const ATTRIBUTE_TEST = String.raw`[a-z][\w.;:-]{0,63}\s{0,4}[~<>]?=`;

/**
 * `)(uid=`, `)(|`, `)(&)`, `)(!(`: one filter closed and the next opened by the
 * value. Each match starts at a `)` and reads at most ~80 characters: linear.
 */
const FILTER_AFTER_CLOSE = new RegExp(String.raw`\)\s{0,4}\(\s{0,4}(?:[&|!]|${ATTRIBUTE_TEST})`, "i");

/** `(|(objectClass=`, `(&(uid=`, `(!(cn=`: a composite filter written into the value. */
const COMPOSITE_FILTER = new RegExp(String.raw`\(\s{0,4}[&|!]\s{0,4}\(\s{0,4}${ATTRIBUTE_TEST}`, "i");

export const ldapDetector: Detector = {
  class: "ldap",
  needs: PAREN,
  detect(candidate: Candidate): Finding | undefined {
    // Header values (User-Agent comments) are not search input; cookies and parameters are.
    if (candidate.kind === "header") return undefined;
    const value = candidate.canonical;
    if (value.indexOf("(") === -1) return undefined;
    const breakout = FILTER_AFTER_CLOSE.exec(value);
    if (breakout) return finding("filter opened after a close", value, breakout.index);
    const composite = COMPOSITE_FILTER.exec(value);
    if (composite) return finding("composite filter", value, composite.index);
    return undefined;
  },
};

function finding(label: string, value: string, index: number): Finding {
  return { class: "ldap", score: 0.85, evidence: evidenceOf(`LDAP ${label}`, around(value, index)) };
}
