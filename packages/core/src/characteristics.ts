import { ErrorCodes, ParapetError } from "./errors.js";
import type { ClientIpResolver } from "./ip/client-ip.js";
import type { NormalizedRequest } from "./types.js";

/**
 * A characteristic names what a rule counts by:
 * - "ip": the client IP (IPv6 by its /64 prefix by default);
 * - "userId", "apiKey": values passed in `protect(req, { userId, apiKey })`
 *   (`apiKey` falls back to the `x-api-key` header);
 * - "header:<name>": a request header;
 * - any other name: the value passed under that name in `extra`.
 */
export type Characteristic = "ip" | "userId" | "apiKey" | `header:${string}` | (string & {});

export const DEFAULT_CHARACTERISTICS: readonly Characteristic[] = ["ip"];

/**
 * A key must not grow with attacker input, so a longer value keeps its first
 * KEPT_PREFIX units and a hash of the whole. Cutting alone made two long
 * tokens that share their first 256 characters (JWTs with the same header and
 * claims prefix, API keys of one format) one client.
 */
const MAX_VALUE_LENGTH = 256;
const KEPT_PREFIX = 200;

export function characteristicValue(name: Characteristic, request: NormalizedRequest, resolver: ClientIpResolver): string | undefined {
  if (name === "ip") return request.ip === "unknown" ? undefined : resolver.keyOf(request.ip);
  if (name.startsWith("header:")) return request.headers[name.slice(7).toLowerCase()];
  const raw = request.extra[name];
  const fromExtra = extraText(raw);
  if (fromExtra !== undefined) return fromExtra;
  // Only an absent value falls back to the header: an array passed as apiKey is refused (see unusableValue), not
  // replaced by a header the same client also writes.
  if (name === "apiKey" && unusableValue(raw) === undefined) return request.header("x-api-key");
  return undefined;
}

/**
 * What kind of unusable value `value` is ("an array", "an object"…), or undefined when it is usable or absent.
 * An app that passes a body field (`{ userId: req.body.user }`) lets the client choose its type: `["victim"]`
 * or `{"$ne": null}` where a name was expected. Counted as missing, it made an ERROR, which fails open: the
 * client switched the per-account limit off by choosing the JSON shape. Keyed by its JSON text, each reshaping
 * (`[["victim"]]`, `["victim", 1]`…) would be a fresh counter for the same account, as the app's String() or
 * query sees it. So such a value is refused: buildKey throws CHARACTERISTIC_INVALID and the rule denies.
 * Absent values (undefined, null, "", NaN) stay missing: they name no account to attack.
 */
export function unusableValue(value: unknown): string | undefined {
  switch (typeof value) {
    case "object":
      if (value === null) return undefined;
      return Array.isArray(value) ? "an array" : "an object";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return undefined;
  }
}

/**
 * A value from `protect(req, extra)` as key text: strings, finite numbers,
 * booleans and bigints. Anything else (an object, an array) has no faithful
 * text — String() made every object "[object Object]", one client for all —
 * so it has none here, and buildKey refuses it (see unusableValue).
 */
function extraText(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value === "" ? undefined : value;
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return undefined;
  }
}

/**
 * The value as it goes into a key: `|` (which separates the pairs) and `%`
 * (the escape itself) are percent-encoded, so no value can spell another
 * pair (userId "a|apiKey=b" vs userId "a" with apiKey "b"); long values are
 * shortened with a hash (see MAX_VALUE_LENGTH).
 */
function keyText(value: string): string {
  let text = value.indexOf("|") === -1 && value.indexOf("%") === -1 ? value : value.replace(/%/g, "%25").replace(/\|/g, "%7C");
  if (text.length > MAX_VALUE_LENGTH) text = detached(`${text.slice(0, KEPT_PREFIX)}~${fnv1a64(text)}`);
  return text;
}

/**
 * `text` as a string of its own. V8 makes a slice of 13 or more characters a
 * view of its parent, so a shortened key would keep the whole attacker-sized
 * value alive as long as the store keeps the key: 10,000 keys from 16 KB API
 * keys held 200 MB. Slicing a concatenation makes V8 flatten it into a new
 * string first, which is the copy wanted.
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

/**
 * FNV-1a over UTF-16 code units, 64 bits from two 32-bit lanes, as hex. Not a
 * cryptographic hash: it only has to keep distinct long values apart, and a
 * client that could aim a collision at another's value would need that value.
 */
function fnv1a64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** `ruleId|name=value|…`; throws CHARACTERISTIC_MISSING naming the one that is absent. */
export function buildKey(
  ruleId: string,
  characteristics: readonly Characteristic[],
  request: NormalizedRequest,
  resolver: ClientIpResolver,
): string {
  let key = ruleId;
  for (const name of characteristics) {
    const value = characteristicValue(name, request, resolver);
    if (value === undefined) {
      const unusable = name === "ip" || name.startsWith("header:") ? undefined : unusableValue(request.extra[name]);
      if (unusable !== undefined) {
        throw new ParapetError(
          ErrorCodes.CHARACTERISTIC_INVALID,
          `characteristic "${name}" is ${unusable}, not a string or a number, so the request is refused: counted, its sender could start a new count by reshaping it; check its type before protect()`,
        );
      }
      throw new ParapetError(
        ErrorCodes.CHARACTERISTIC_MISSING,
        name === "ip"
          ? "the client IP is unknown; pass a request with a socket address, or set `proxies`/`platform` if the app runs behind one"
          : `characteristic "${name}" has no value for this request; pass it as protect(req, { ${name.startsWith("header:") ? "…" : name}: … }) (a string or a number) or send the header`,
      );
    }
    key += `|${name}=${keyText(value)}`;
  }
  return key;
}
