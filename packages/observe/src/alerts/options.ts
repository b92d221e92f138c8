import { optionError, parseDuration } from "@parapet/core";
import { ALERT_KINDS, type AlertKind, SEVERITY_RANK } from "./alert.js";
import type { AlertOptions } from "./dispatcher.js";

/**
 * Checks `alerts` and `block.kinds` at observe() construction. A typo here fails silently otherwise: an unknown
 * minSeverity ranked below nothing and no webhook ever fired, `attempts: 0` never sent, `timeoutMs: "5s"` aborted
 * every request at once. Each message names the field and what to write instead.
 */
export function checkAlertOptions(alerts: AlertOptions | undefined): void {
  if (alerts === undefined) return;
  if (!alerts || typeof alerts !== "object") throw fail("`alerts` must be an object: alerts: { webhooks: [{ url, secret }] }");
  checkWebhooks(alerts.webhooks);
  const severities = Object.keys(SEVERITY_RANK);
  if (alerts.minSeverity !== undefined && !severities.includes(alerts.minSeverity)) {
    throw fail(`alerts.minSeverity must be ${quotedList(severities)} (default "warning"), not ${JSON.stringify(alerts.minSeverity)}`);
  }
  positiveInteger("alerts.attempts", alerts.attempts, "tries per webhook, default 4");
  positiveInteger("alerts.maxPendingDeliveries", alerts.maxPendingDeliveries, "deliveries in flight at once, default 100");
  milliseconds("alerts.timeoutMs", alerts.timeoutMs, { positive: true });
  milliseconds("alerts.backoffMs", alerts.backoffMs);
  milliseconds("alerts.cooldownMs", alerts.cooldownMs);
  milliseconds("alerts.closeTimeoutMs", alerts.closeTimeoutMs);
}

export function checkBlockKinds(kinds: readonly AlertKind[] | undefined): void {
  if (kinds === undefined) return;
  if (!Array.isArray(kinds)) throw fail(`block.kinds must be an array of finding kinds, e.g. ["scan", "brute_force"]`);
  for (const kind of kinds) {
    if (!ALERT_KINDS.includes(kind))
      throw fail(`block.kinds has ${JSON.stringify(kind)}; the finding kinds are ${quotedList(ALERT_KINDS)}`);
  }
}

function checkWebhooks(webhooks: AlertOptions["webhooks"]): void {
  if (webhooks === undefined) return;
  if (!Array.isArray(webhooks)) throw fail("alerts.webhooks must be an array: webhooks: [{ url, secret }]");
  for (const hook of webhooks) {
    if (!hook || typeof hook.url !== "string" || !/^https?:\/\//.test(hook.url))
      throw fail("each alerts.webhooks entry needs an http(s) `url`");
    checkWebhookUrl(hook.url);
    if (typeof hook.secret !== "string" || hook.secret.length < 16) {
      throw fail("each webhook needs a `secret` of at least 16 characters to sign alerts (e.g. openssl rand -hex 32)");
    }
    if (hook.format !== undefined && hook.format !== "json" && hook.format !== "slack") {
      throw fail(`a webhook's \`format\` must be "json" (default) or "slack", not ${JSON.stringify(hook.format)}`);
    }
  }
}

/**
 * A URL fetch cannot send is refused here, not at the first alert: with `user:password@` every delivery failed, and
 * each failure logged the URL, password included. The message never repeats the URL for the same reason.
 */
function checkWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail("an alerts.webhooks `url` is not a valid URL; write it in full, e.g. https://hooks.example.com/parapet");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw fail(
      `the webhook URL for ${parsed.host} includes credentials (user:password@), which fetch refuses to send; remove them: ` +
        "the receiver authenticates alerts by their signature (`secret`), or put its token in the path",
    );
  }
}

function positiveInteger(name: string, value: number | undefined, meaning: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw fail(`${name} must be a positive integer (${meaning}), not ${JSON.stringify(value)}`);
  }
}

/** A number of milliseconds; a duration string gets the number to write instead (these fields are numbers, like every `…Ms`). */
function milliseconds(name: string, value: number | undefined, { positive = false } = {}): void {
  if (value === undefined) return;
  if (typeof value === "string") {
    const ms = toMilliseconds(value);
    throw fail(`${name} is a number of milliseconds: write ${ms === undefined ? "e.g. 5000" : ms} instead of ${JSON.stringify(value)}`);
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw fail(`${name} must be a ${positive ? "positive" : "non-negative"} number of milliseconds, not ${JSON.stringify(value)}`);
  }
}

function toMilliseconds(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function quotedList(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  return `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

function fail(message: string) {
  return optionError("observe", message);
}
