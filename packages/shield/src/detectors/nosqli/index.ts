/**
 * NoSQL operator injection: a MongoDB query operator where the app expected a
 * scalar (`password[$ne]=x` becomes `{ password: { $ne: "x" } }` after qs or
 * a JSON body), and JavaScript injected into `$where`/`mapReduce` strings.
 */
import { classesOf, PLAIN_CLASSES } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { djangoLookupLeak, djangoLookupLeakInText, type OrmLeak, PRISMA_COMPARISONS, prismaFilterLeak } from "./orm-leak.js";

/**
 * MongoDB query and update operators an attacker uses to change a query's meaning. Not `$comment`: it only
 * annotates a query, and it is a JSON Schema keyword, so schemas posted to an API carry it as a key.
 */
const OPERATORS = new Set([
  "$ne",
  "$eq",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$regex",
  "$where",
  "$exists",
  "$or",
  "$and",
  "$nor",
  "$not",
  "$expr",
  "$function",
  "$accumulator",
  "$elemmatch",
  "$size",
  "$type",
  "$all",
  "$mod",
  "$text",
  "$search",
  "$set",
  "$unset",
  "$push",
  "$lookup",
  "$jsonschema",
]);

/** An operator written as a key inside a value: `[$ne]=`, `{$gt: ''}`, `"$where":`, `$where: '1 == 1'`. */
const OPERATOR_IN_TEXT =
  /(?:\[\s*|["'{,]\s*|^\s*)\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|function|accumulator|elemmatch|size|all|mod|text|lookup|jsonschema|comment)\b\s*(?:["']\s*)?[\]:]/i;
/** `&exists` style: operators spelled with a different sigil inside JSON keys. */
const SIGIL_OPERATOR = /["']\s*[&$](?:ne|gt|lt|exists|where|regex)["']\s*:/i;

/** JavaScript that only makes sense inside a `$where` or mapReduce string. */
const JS_INJECTION = [
  {
    pattern: /['"]\s*(?:;|\|\||&&)\s*(?:return\b|sleep\s*\(|this\.|db\.|while\s*\(|it\s*=|[a-z]+\s*=\s*new\s+date)/i,
    label: "javascript after closing quote",
  },
  { pattern: /(?:^|;)\s*return\s*(?:\(\s*)?(?:true|false|1|0|['"][^'"]{0,20}['"]\s*==)/i, label: "return in query string" },
  { pattern: /\bthis\.[a-z_$][\w$]{0,40}\.match\s*\(/i, label: "this.field.match" },
  {
    pattern: /\bdb\.[a-z_$][\w$]{0,40}\.(?:insert|find|update|remove|drop|mapreduce|aggregate|count)\w*\s*\(/i,
    label: "db collection call",
  },
  // The mongo shell's database methods: `db.getCollectionNames()`, `db.getSiblingDB('admin')`, `db.runCommand(…)`.
  {
    pattern: /\bdb\.(?:getcollectionnames|getcollectioninfos|getsiblingdb|getmongo|dropdatabase|runcommand|admincommand|eval)\s*\(/i,
    label: "mongo shell call",
  },
  { pattern: /do\s*\{[^}]{0,100}\}\s*while\s*\(/i, label: "busy loop" },
];

export const nosqliDetector: Detector = {
  class: "nosqli",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const isKey = candidate.kind === "query-key" || candidate.kind === "body-key";
    if (isKey) {
      // A plain key (words, `_ . - @`; see char-classes.ts) holds no operator (`$`) and no script: only an ORM
      // filter can be spelled in it, and most keys of most requests are plain.
      const plain = (classesOf(candidate) & ~PLAIN_CLASSES) === 0;
      const operator = plain ? undefined : operatorInKey(value);
      if (operator) return finding(0.95, "query operator in key", operator);
      const leak = ormLeakInKey(candidate);
      if (leak) return finding(leak.score, leak.label, value);
      if (plain) return undefined;
    }
    const dollar = value.indexOf("$");
    if (dollar !== -1 || value.indexOf("&") !== -1) {
      const match = OPERATOR_IN_TEXT.exec(value) ?? SIGIL_OPERATOR.exec(value);
      if (match) return finding(0.9, "query operator", match[0]);
    }
    const textLeak = isKey ? undefined : djangoLookupLeakInText(value);
    if (textLeak) return finding(textLeak.score, textLeak.label, value);
    if (!/['";|&]|return|this\.|db\.|while/.test(value)) return undefined;
    for (const { pattern, label } of JS_INJECTION) {
      const match = pattern.exec(value);
      if (match) return finding(0.8, label, match[0]);
    }
    const tautology = javascriptTautology(value);
    return tautology === undefined ? undefined : finding(0.8, "javascript tautology", tautology);
  },
};

/** `|| 1==1`, `&& 'a'=='a'`: a comparison joined by `||` or `&&`, its two sides captured. */
const JOINED_COMPARISON = /(?:\|\||&&)\s*(['"]?)(\w{1,20})['"]?\s*===?\s*(['"]?)(\w{1,20})/;

/**
 * `|| 1==1`, `' && 'a'=='a`, `|| x==x`: a condition that is always true, joined to the `$where` string it lands
 * in. Both sides constants (numbers or quoted) or the same name: `status != "done" && priority == "high"` compares
 * a field with a value, as filter expressions (CEL, JMESPath, Grafana) do, and tests nothing.
 */
function javascriptTautology(value: string): string | undefined {
  const match = JOINED_COMPARISON.exec(value);
  if (match === null) return undefined;
  const [, leftQuote, left, rightQuote, right] = match as unknown as [string, string, string, string, string];
  const constant = (quote: string, side: string) => quote !== "" || /^\d+$/.test(side);
  return left === right || (constant(leftQuote, left) && constant(rightQuote, right)) ? match[0] : undefined;
}

/**
 * An ORM filter in a parameter name (see ./orm-leak.ts): a Django lookup
 * (`password__startswith`), or a Prisma comparison key whose place names a
 * secret (`where[password][startsWith]`, or in JSON `where.password.startsWith`).
 */
function ormLeakInKey(candidate: Candidate): OrmLeak | undefined {
  const key = candidate.canonical;
  const django = djangoLookupLeak(key);
  if (django) return django;
  // Only a key whose last name is a comparison can be a Prisma filter: every other key stops here, unsplit.
  if (!PRISMA_COMPARISONS.has(lastName(key))) return undefined;
  // `where[password][startsWith]`, or with qs's `allowDots`, `where.password.startsWith`.
  const parts = key.split(/[[\].]+/).filter((part) => part !== "");
  const last = parts[parts.length - 1];
  if (last === undefined || !PRISMA_COMPARISONS.has(last)) return undefined;
  // A JSON key arrives alone: the keys above it are read from its location (read only for these few names).
  const path = parts.length > 1 || candidate.kind !== "body-key" ? parts : candidate.location.split(".");
  return prismaFilterLeak(path);
}

/** The last name in a key path: `startsWith` of `where[password][startsWith]` or `where.password.startsWith`. */
function lastName(key: string): string {
  const end = key.endsWith("]") ? key.length - 1 : key.length;
  let start = end;
  while (start > 0) {
    const c = key.charCodeAt(start - 1);
    if (c === 91 /* [ */ || c === 93 /* ] */ || c === 46 /* . */) break;
    start--;
  }
  return start === 0 && end === key.length ? key : key.slice(start, end);
}

/** `$ne`, `password[$ne]`, `a.$gt`: the key's last segment (or any bracket segment) is an operator. */
function operatorInKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (OPERATORS.has(lower)) return lower;
  if (lower.indexOf("$") === -1) return undefined;
  for (const segment of lower.split(/[[\].]/)) if (OPERATORS.has(segment)) return segment;
  return undefined;
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "nosqli", score, evidence: evidenceOf(label, excerpt) };
}
