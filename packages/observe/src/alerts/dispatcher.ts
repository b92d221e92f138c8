import { randomUUID } from "node:crypto";
import type { Logger } from "@parapet/core";
import { type Deadline, NO_DEADLINE } from "../deadline.js";
import { settledWithin } from "../settled-within.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import { type Alert, type Finding, SEVERITY_RANK, type Severity } from "./alert.js";
import { type DeliveryOptions, deliver, describeWebhook, type WebhookTarget } from "./webhook.js";

/**
 * Turns findings into alerts without drowning anyone: one alert per
 * kind + subject per `cooldownMs` (default 10 minutes; repeats are counted and
 * the count rides on the next alert), every alert is logged as a row, and only
 * alerts at or above `minSeverity` (default "warning") go to webhooks.
 * Deliveries run in the background, at most `maxPendingDeliveries` at once;
 * `close()` waits for them at most `closeTimeoutMs`.
 */
export interface AlertOptions {
  readonly webhooks?: readonly WebhookTarget[];
  readonly cooldownMs?: number;
  readonly minSeverity?: Severity;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly maxPendingDeliveries?: number;
  /**
   * How long close() (and SIGTERM) waits for deliveries still in flight, then abandons them. Default 5,000 ms:
   * a receiver that hangs would otherwise hold shutdown for every attempt's timeout and backoff (about 27 s by default).
   * Never longer than what is left of observe's `closeTimeoutMs`, the bound on the whole close.
   */
  readonly closeTimeoutMs?: number;
}

export interface AlertDispatcher {
  raise(finding: Finding, ts: number): Alert | undefined;
  /** Alerts raised so far in this process (most recent last, bounded to 1,000). */
  recent(): readonly Alert[];
  /**
   * Waits for deliveries in flight, at most `closeTimeoutMs` and never past `deadline`; then abandons the rest (counted
   * in droppedDeliveries). Alerts raised later are not sent.
   */
  close(deadline?: Deadline): Promise<void>;
  stats(): { raised: number; suppressed: number; delivered: number; failedDeliveries: number; droppedDeliveries: number };
}

export function createAlertDispatcher(
  options: AlertOptions,
  deps: { record: (alert: Alert) => void; logger: Logger; delivery: DeliveryOptions },
): AlertDispatcher {
  const cooldownMs = options.cooldownMs ?? 10 * 60_000;
  const minRank = SEVERITY_RANK[options.minSeverity ?? "warning"];
  const maxPending = options.maxPendingDeliveries ?? 100;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  // Aborted at close: attempts in flight end, and no retry starts.
  const abandon = new AbortController();
  const lastRaised = new BoundedMap<string, { ts: number; suppressed: number }>(10_000);
  const recent: Alert[] = [];
  const inFlight = new Set<Promise<void>>();
  const counts = { raised: 0, suppressed: 0, delivered: 0, failedDeliveries: 0, droppedDeliveries: 0 };

  function raise(finding: Finding, ts: number): Alert | undefined {
    const dedupKey = `${finding.kind}|${finding.subject}`;
    const last = lastRaised.get(dedupKey);
    // Both ways: after the clock was stepped back (NTP, a VM restored) `ts - last.ts` stayed negative, and a day's
    // step silenced this kind and subject for a day and the cooldown. Findings a little out of order are repeats.
    if (last && Math.abs(ts - last.ts) < cooldownMs) {
      last.suppressed++;
      counts.suppressed++;
      return undefined;
    }
    const alert: Alert = {
      ...finding,
      evidence: last?.suppressed ? { ...finding.evidence, suppressedSinceLast: last.suppressed } : finding.evidence,
      id: randomUUID(),
      // A BIGINT in the log: a fractional clock reading (or finding time) must not make PostgreSQL refuse the row.
      ts: Math.floor(ts),
    };
    lastRaised.set(dedupKey, { ts, suppressed: 0 });
    counts.raised++;
    recent.push(alert);
    if (recent.length > 1_000) recent.shift();
    deps.record(alert);
    if (SEVERITY_RANK[alert.severity] >= minRank) send(alert);
    return alert;
  }

  function send(alert: Alert): void {
    for (const target of options.webhooks ?? []) {
      if (abandon.signal.aborted) {
        counts.droppedDeliveries++;
        deps.logger.warn("alert raised after close; not sent (it is still in the decision log)", { alert: alert.id });
        continue;
      }
      if (inFlight.size >= maxPending) {
        counts.droppedDeliveries++;
        deps.logger.error("alert webhook backlog full; alert not sent (it is still in the decision log)", { alert: alert.id });
        continue;
      }
      const job = deliver(target, alert, { ...deps.delivery, signal: abandon.signal }).then((outcome) => {
        if (outcome.ok) counts.delivered++;
        // Counted and logged once, as a whole, by close().
        else if (abandon.signal.aborted) counts.droppedDeliveries++;
        else {
          counts.failedDeliveries++;
          deps.logger.error("alert webhook failed", { url: describeWebhook(target.url), attempts: outcome.attempts, error: outcome.error });
        }
      });
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    }
  }

  return {
    raise,
    recent: () => recent,
    close: async (deadline = NO_DEADLINE) => {
      const waitedMs = Math.round(deadline.cap(closeTimeoutMs));
      const left = await settleWithin([...inFlight], waitedMs);
      abandon.abort();
      if (left > 0) {
        deps.logger.warn("alert webhooks: deliveries still in flight at close were abandoned (the alerts are in the decision log)", {
          abandoned: left,
          waitedMs,
        });
      }
    },
    stats: () => ({ ...counts }),
  };
}

/** Waits for the jobs, at most `ms`; resolves to how many had not settled by then. */
async function settleWithin(jobs: readonly Promise<void>[], ms: number): Promise<number> {
  let settled = 0;
  await settledWithin(Promise.allSettled(jobs.map((job) => job.finally(() => settled++))), ms);
  return jobs.length - settled;
}
