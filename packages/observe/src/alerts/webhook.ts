import { createHmac, timingSafeEqual } from "node:crypto";
import type { Alert } from "./alert.js";

/**
 * Webhook delivery. Each POST carries
 *   x-parapet-timestamp: <unix seconds>
 *   x-parapet-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 * (the Stripe/Slack scheme): the receiver recomputes the HMAC over the raw
 * body and rejects stale timestamps, which stops forgery and replay.
 * `format: "slack"` sends Slack's incoming-webhook shape ({ text, blocks }).
 * Redirects are not followed (the delivery fails, not retried: configure the
 * final URL); a URL with `user:password@` is refused at construction; logs name
 * a webhook by its origin only.
 */
export interface WebhookTarget {
  readonly url: string;
  /** Shared secret for the signature. Required: an unsigned alert could be forged. */
  readonly secret: string;
  readonly format?: "json" | "slack";
}

export const SIGNATURE_HEADER = "x-parapet-signature";
export const TIMESTAMP_HEADER = "x-parapet-timestamp";

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** For receivers: checks signature and freshness (default 5 minutes) in constant time. */
export function verifySignature(
  secret: string,
  body: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds || !headers.signature) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function payloadFor(alert: Alert, format: "json" | "slack"): string {
  if (format === "json") return JSON.stringify({ source: "parapet", alert });
  const icon = alert.severity === "critical" ? ":rotating_light:" : alert.severity === "warning" ? ":warning:" : ":information_source:";
  const text = `${icon} *Parapet ${alert.kind.replaceAll("_", " ")}* (${alert.severity}) — ${slackEscape(alert.subject)}\n${slackEscape(alert.summary)}`;
  return JSON.stringify({
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "context", elements: [{ type: "mrkdwn", text: `alert ${alert.id} at ${new Date(alert.ts).toISOString()}` }] },
    ],
  });
}

export interface DeliveryOptions {
  readonly fetch: typeof fetch;
  /** Attempts per webhook. Default 4. */
  readonly attempts: number;
  /** First retry delay; doubles each time. Default 1,000 ms. */
  readonly backoffMs: number;
  /** Per-attempt timeout. Default 5,000 ms. */
  readonly timeoutMs: number;
  readonly nowSeconds: () => number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborts the attempt in flight and every later one (the dispatcher's close). */
  readonly signal?: AbortSignal;
}

/** Posts one alert; retries network errors, 429 and 5xx with exponential backoff. Resolves to the final outcome, never rejects. */
export async function deliver(
  target: WebhookTarget,
  alert: Alert,
  options: DeliveryOptions,
): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const body = payloadFor(alert, target.format ?? "json");
  let error = "";
  let retryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (options.signal?.aborted) return { ok: false, attempts: attempt - 1, error: "abandoned" };
    const timestamp = options.nowSeconds();
    try {
      const response = await options.fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(target.secret, timestamp, body),
        },
        body,
        // Not followed: a 301/302/303 turned the POST into a GET without the alert (answered 200, counted as
        // delivered), and a 307/308 re-sent the signed alert to whatever host the Location names.
        redirect: "manual",
        signal: options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
          : AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      if (response.status >= 300 && response.status < 400) {
        return { ok: false, attempts: attempt, error: `${error}, a redirect: not followed. Configure the URL the receiver redirects to` };
      }
      // Other 4xx mean the request itself is wrong (bad URL, bad secret): retrying will not help.
      if (response.status < 500 && response.status !== 429) return { ok: false, attempts: attempt, error };
      // A receiver that says when to come back (Slack's 429s do) is not asked again sooner: the backoff alone sent
      // the next three attempts within 7 s of a "Retry-After: 10". Longer than MAX_RETRY_AFTER_MS is given up.
      retryAfterMs = retryAfterOf(response.headers.get("retry-after"), timestamp);
      if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
        return { ok: false, attempts: attempt, error: `${error}, retry after ${Math.ceil(retryAfterMs / 1000)} s: not retried` };
      }
    } catch (cause) {
      error = fetchErrorText(cause);
    }
    if (attempt < options.attempts) {
      await options.sleep(Math.max(options.backoffMs * 2 ** (attempt - 1), retryAfterMs ?? 0), options.signal);
    }
    retryAfterMs = undefined;
  }
  return { ok: false, attempts: options.attempts, error };
}

/**
 * fetch rejects with "fetch failed" and keeps the reason (refused, DNS, a bad certificate) in `cause`: without it the
 * log said only "fetch failed" for a receiver with an expired certificate.
 */
function fetchErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const code = (cause as { code?: unknown }).code;
  return `${error.message}: ${cause.message}${typeof code === "string" && !cause.message.includes(code) ? ` (${code})` : ""}`;
}

/**
 * A webhook's URL for the logs: origin only. The rest may be the credential itself (a Slack incoming-webhook URL is
 * its own secret, a token may ride in the query) and logs travel further than the configuration.
 */
export function describeWebhook(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === "/" && parsed.search === "" ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return "(unreadable URL)";
  }
}

/** The longest Retry-After a delivery waits for; an alert later than a minute is better given up (it is in the log). */
const MAX_RETRY_AFTER_MS = 60_000;

/** A Retry-After header (delay-seconds or an HTTP date, RFC 9110 §10.2.3) in ms from `nowSeconds`; undefined if absent or unreadable. */
function retryAfterOf(header: string | null, nowSeconds: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowSeconds * 1000);
}

/**
 * Subjects and summaries carry attacker-chosen text (user names, paths). Slack
 * reads `<…>` as links and mentions (`<!channel>`), so the three control
 * characters are escaped as Slack documents (api.slack.com "Escaping text").
 */
function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
