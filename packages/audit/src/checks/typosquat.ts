import { npmHighImpact } from "npm-high-impact";
import type { Finding, Severity } from "../model.js";
import type { Check } from "./context.js";
import { createTyposquatIndex, type SquatKind, type TyposquatIndex } from "./typosquat-index.js";

const EXPLAIN: Record<SquatKind, string> = {
  omitted: "is missing one character of",
  repeated: "repeats a character of",
  inserted: "adds one character to",
  swapped: "swaps two adjacent characters of",
  "keyboard-neighbour": "differs by a neighbouring key from",
  substituted: "differs by one character from",
  separator: "differs only in separators from",
  homoglyph: "uses look-alike characters for",
  "word-order": "reorders the words of",
  "scope-confusion": "imitates the scoped package",
  "version-suffix": "adds a version-like suffix to",
};

let sharedIndex: TyposquatIndex | undefined;

/** The index over npm-high-impact's ~17k ranked names, built on first use. */
export function defaultTyposquatIndex(): TyposquatIndex {
  sharedIndex ??= createTyposquatIndex(npmHighImpact);
  return sharedIndex;
}

/**
 * Check `typosquat`: a dependency whose name imitates a popular package. A name that
 * is itself in the ranked list is popular in its own right and never flagged.
 */
export function createTyposquatCheck(index: TyposquatIndex = defaultTyposquatIndex()): Check {
  return function checkTyposquats({ packages }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const pkg of packages) {
      if (seen.has(pkg.name) || pkg.source === "workspace" || pkg.source === "link") continue;
      seen.add(pkg.name);
      if (index.rankOf(pkg.name) !== undefined) continue;
      const match = index.match(pkg.name);
      if (!match) continue;
      const severity: Severity = match.kind === "version-suffix" ? "medium" : "high";
      findings.push({
        checkId: "typosquat",
        severity,
        packageName: pkg.name,
        version: pkg.version,
        message: `"${pkg.name}" ${EXPLAIN[match.kind]} "${match.target}" (npm rank #${match.targetRank + 1}). Check that you meant this package; if you wanted "${match.target}", replace it and rotate any secrets the install could have read.`,
        location: pkg.location,
      });
    }
    return findings;
  };
}
