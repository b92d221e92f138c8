import type { Decision } from "@parapet/core";

/** The JSON body sent with a denial. Small on purpose: it goes to untrusted clients. */
export interface DenialBody {
  readonly error: string;
  readonly reason: string;
  readonly rule: string;
}

const TITLES: Readonly<Record<number, string>> = {
  403: "Forbidden",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

// An ERROR reason carries the thrown message (a store's host and port, a
// stack-ish detail): useful in logs, none of a client's business.
const FAILED_CLOSED = "A protection check could not run; try again later.";

// Reasons are one human sentence; a long one is either a bug or a rule
// quoting attacker input, and neither belongs in a response.
const MAX_REASON_LENGTH = 200;

/** What to tell the client about a denial: the status title, the rule's sentence, the rule's id. */
export function denialBody(decision: Decision): DenialBody {
  const deciding = decision.results.find((result) => result.reason === decision.reason);
  const reason = decision.isErrored() ? FAILED_CLOSED : decision.reason.message.slice(0, MAX_REASON_LENGTH);
  return {
    error: TITLES[decision.status] ?? "Forbidden",
    reason,
    rule: deciding?.ruleId ?? decision.reason.type,
  };
}

/**
 * The denial as JSON text. `<`, `>` and `&` are escaped as \u00XX so that even
 * a client that ignores Content-Type and nosniff cannot be made to render
 * markup from a reason that quotes the request.
 */
export function denialJson(decision: Decision): string {
  return JSON.stringify(denialBody(decision)).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** Headers for a denial: the decision's own (RateLimit, Retry-After), or `headers` for them, plus JSON, never cached. */
export function denialHeaders(decision: Decision, headers = decision.headers): Record<string, string> {
  return {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  };
}
