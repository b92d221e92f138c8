/**
 * Log4Shell (CVE-2021-44228) and its relatives: a `${jndi:…}` lookup makes
 * Log4j 2 fetch and run a remote class. Payloads hide the keyword in nested
 * lookups (`${${lower:j}ndi:…}`, `${::-j}`, `${env:X:-j}`), so lookups are
 * evaluated innermost first, as Log4j does, before checking the result.
 */
import { DOLLAR } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";

/** Nested lookups resolved per value; each round is one linear pass, so the bound keeps the whole linear. */
const MAX_ROUNDS = 16;
/** An innermost lookup: `${` then anything without `$`, `{` or `}` then `}`. */
const INNERMOST = /\$\{([^${}]{0,500})\}/g;
const JNDI = /\$\{\s*jndi\s*:/;
/** Lookups that leak secrets through a DNS query even without JNDI (`${env:AWS_SECRET_ACCESS_KEY}`). */
const LEAKING_LOOKUP = /\$\{\s*(?:env|sys|java|ctx|main|bundle|k8s|docker|spring|web|log4j|jvmrunargs|sd|marker|map):[^}]*\}/;

export const jndiDetector: Detector = {
  class: "jndi",
  needs: DOLLAR,
  detect(candidate: Candidate): Finding | undefined {
    const raw = candidate.canonical;
    if (raw.indexOf("${") === -1 && raw.indexOf("$\u007b") === -1) return undefined;
    const value = raw.toLowerCase();
    if (JNDI.test(value)) return finding(0.98, "jndi lookup", value);
    const resolved = resolveLookups(value);
    if (resolved.jndi) return finding(0.98, "obfuscated jndi lookup", value);
    if (/\$\{\s*j\s*n\s*d\s*i/.test(resolved.text)) return finding(0.9, "jndi lookup", resolved.text);
    if (LEAKING_LOOKUP.test(value)) return finding(0.8, "log4j lookup", value);
    return undefined;
  },
};

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "jndi", score, evidence: evidenceOf(label, excerpt) };
}

/** Evaluates `${prefix:arg}` lookups innermost first; reports whether any resolved to a `jndi:` lookup. */
function resolveLookups(value: string): { text: string; jndi: boolean } {
  let text = value;
  let jndi = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    const next = text.replace(INNERMOST, (_whole, body: string) => {
      changed = true;
      if (/^\s*jndi\s*:/.test(body)) {
        jndi = true;
        return "";
      }
      return resolveOne(body);
    });
    if (jndi) return { text: next, jndi };
    if (!changed) break;
    text = next;
  }
  return { text, jndi };
}

/** `lower:j` → j, `upper:J` or `upper:ı` → j or i, `::-j` or `env:X:-j` → j (the default), `date:'j'` → j; anything else → "". */
function resolveOne(body: string): string {
  const fallback = body.indexOf(":-");
  if (fallback !== -1) return body.slice(fallback + 2);
  const colon = body.indexOf(":");
  if (colon === -1) return "";
  const prefix = body.slice(0, colon).trim();
  const arg = body.slice(colon + 1);
  if (prefix === "lower") return arg;
  // Java upper-cases the dotless `ı` to `I` and the long `ſ` to `S`: `${upper:ı}` spells the `i` of `jndi`.
  if (prefix === "upper") return arg.toUpperCase().toLowerCase();
  if (prefix === "date") return arg.replace(/'/g, "");
  return "";
}
