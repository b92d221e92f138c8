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

/** Values longer than this are hashed-down by truncation: a key must not grow with attacker input. */
const MAX_VALUE_LENGTH = 256;

export function characteristicValue(name: Characteristic, request: NormalizedRequest, resolver: ClientIpResolver): string | undefined {
  if (name === "ip") return request.ip === "unknown" ? undefined : resolver.keyOf(request.ip);
  if (name.startsWith("header:")) return request.headers[name.slice(7).toLowerCase()];
  const fromExtra = request.extra[name];
  if (fromExtra !== undefined && fromExtra !== null && fromExtra !== "") return String(fromExtra);
  if (name === "apiKey") return request.header("x-api-key");
  return undefined;
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
      throw new ParapetError(
        ErrorCodes.CHARACTERISTIC_MISSING,
        name === "ip"
          ? "the client IP is unknown; pass a request with a socket address, or set `proxies`/`platform` if the app runs behind one"
          : `characteristic "${name}" has no value for this request; pass it as protect(req, { ${name.startsWith("header:") ? "…" : name}: … }) or send the header`,
      );
    }
    key += `|${name}=${value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value}`;
  }
  return key;
}
