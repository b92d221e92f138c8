/**
 * ORM leak (elttam, "plORMbing your Django ORM" / "ORM Leak" research, 2024;
 * OWASP CRS 934210/934220): an API that passes the client's filter straight
 * to the ORM lets the client filter on fields it should never read, one
 * character at a time (`password__startswith=a`, then `ab`…), and walk
 * relations to reach other users' secrets
 * (`created_by__user__reset_token__startswith=x`).
 *
 * Django spells a lookup in a parameter name (`field__relation__lookup`);
 * Prisma spells it as nested JSON (`{"where": {"password": {"startsWith":
 * "a"}}}`). Filter APIs are legitimate (`?created__gte=2024-01-01` is
 * django-filter's everyday syntax), so a lookup is an attack only when it
 * reaches a secret, or when it climbs two relations or more, which no public
 * filter form offers. A single lookup on a plain field is reported under the
 * default threshold, for "high" sensitivity.
 */

/** Django's field lookups and transforms (django.db.models.lookups, contrib.postgres). */
const DJANGO_LOOKUPS = new Set([
  "exact",
  "iexact",
  "contains",
  "icontains",
  "in",
  "gt",
  "gte",
  "lt",
  "lte",
  "startswith",
  "istartswith",
  "endswith",
  "iendswith",
  "range",
  "isnull",
  "regex",
  "iregex",
  "search",
  "date",
  "year",
  "month",
  "day",
  "week",
  "week_day",
  "iso_year",
  "iso_week_day",
  "quarter",
  "time",
  "hour",
  "minute",
  "second",
  "has_key",
  "has_keys",
  "has_any_keys",
  "contained_by",
  "overlap",
  "len",
  "keys",
  "values",
  "unaccent",
  "trigram_similar",
]);

/** Prisma's filter operators that compare a field with the client's text: each answers a guess about the field. */
export const PRISMA_COMPARISONS: ReadonlySet<string> = new Set(["startsWith", "endsWith", "contains", "gt", "gte", "lt", "lte", "search"]);

/** Words in a field name that make it a secret (`password`, `reset_token`, `resetToken`, `api_key`, `otp_secret`). */
const SECRET_WORDS = new Set(["password", "passwd", "pwd", "token", "secret", "hash", "salt", "otp", "totp", "apikey", "reset"]);

const ORM_SECRET_SCORE = 0.85;
const ORM_TRAVERSAL_SCORE = 0.75;
/** One lookup on one plain field: a filter API's ordinary syntax, reported only for "high" sensitivity. */
const ORM_PLAIN_SCORE = 0.55;

export interface OrmLeak {
  readonly score: number;
  readonly label: string;
}

/** One Django field name: lowercase words joined by single underscores. */
const DJANGO_FIELD = /^[a-z][a-z0-9]{0,63}(?:_[a-z0-9]{1,63}){0,8}$/;

/** A quoted key with a double underscore, in a body sent as text (`{"username__startswith": "p"}`). */
const QUOTED_LOOKUP_KEY = /["']([A-Za-z][A-Za-z0-9]{0,63}(?:_{1,2}[A-Za-z0-9]{1,63}){1,12})["']\s{0,8}:/g;

/** The longest key read: real lookups are a few fields deep. */
const MAX_KEY = 256;

/**
 * A Django lookup in a parameter name (`balance__gte`,
 * `created_by__user__password__startswith`), or in the last bracketed part of
 * one (`filter[user__password__startswith]`).
 */
export function djangoLookupLeak(key: string): OrmLeak | undefined {
  if (key.length > MAX_KEY || key.indexOf("__") === -1) return undefined;
  const name = lastBracketPart(key).toLowerCase();
  const steps = name.split("__");
  if (steps.length < 2) return undefined;
  for (const step of steps) if (!DJANGO_FIELD.test(step)) return undefined;
  const last = steps[steps.length - 1] as string;
  const explicitLookup = DJANGO_LOOKUPS.has(last);
  const fields = explicitLookup ? steps.slice(0, -1) : steps;
  // `password__startswith` asks about a secret; `password__confirm` is only a form's field name, unless it climbs a relation first.
  if ((explicitLookup || steps.length >= 3) && fields.some(isSecretField)) {
    return { score: ORM_SECRET_SCORE, label: "ORM lookup on a secret field" };
  }
  // `created__gte` and `author__name` are a filter form's one step; two or more steps climb where forms rarely go.
  if (steps.length >= 3) return { score: ORM_TRAVERSAL_SCORE, label: "ORM lookup across relations" };
  if (explicitLookup) return { score: ORM_PLAIN_SCORE, label: "ORM field lookup" };
  return undefined;
}

/**
 * A Prisma comparison on a secret field: `path` is where the operator key was
 * found, its parts from the outermost (`["where", "password", "startsWith"]`
 * or `["where", "createdBy", "resetToken", "startsWith"]`).
 */
export function prismaFilterLeak(path: readonly string[]): OrmLeak | undefined {
  const operator = path[path.length - 1];
  if (operator === undefined || !PRISMA_COMPARISONS.has(operator)) return undefined;
  // The field compared is the part above the operator; `not: {startsWith}` and `is: {…}` sit between.
  for (let i = path.length - 2; i >= 0 && i >= path.length - 4; i--) {
    const field = path[i] as string;
    if (isSecretField(field)) return { score: ORM_SECRET_SCORE, label: "ORM filter on a secret field" };
  }
  return undefined;
}

/** `password`, `password_hash`, `resetToken`, `api_key`: split on `_` and camelCase humps, any word a secret. */
export function isSecretField(field: string): boolean {
  if (field.length > 64) return false;
  const words = field
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[_-]/);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (SECRET_WORDS.has(word)) return true;
    // `api_key`, `apiKey`, `private_key`: a key is a secret when it names one.
    if (word === "key" && i > 0 && (words[i - 1] === "api" || words[i - 1] === "private" || words[i - 1] === "secret")) return true;
  }
  return false;
}

function lastBracketPart(key: string): string {
  const open = key.lastIndexOf("[");
  if (open === -1) return key;
  const close = key.indexOf("]", open);
  return close === -1 ? key.slice(open + 1) : key.slice(open + 1, close);
}

/** The strongest Django lookup among the quoted keys of JSON text in a value. */
export function djangoLookupLeakInText(value: string): OrmLeak | undefined {
  if (value.indexOf("__") === -1) return undefined;
  let strongest: OrmLeak | undefined;
  QUOTED_LOOKUP_KEY.lastIndex = 0;
  for (let match = QUOTED_LOOKUP_KEY.exec(value); match !== null; match = QUOTED_LOOKUP_KEY.exec(value)) {
    const leak = djangoLookupLeak(match[1] as string);
    if (leak !== undefined && (strongest === undefined || leak.score > strongest.score)) strongest = leak;
  }
  return strongest;
}
