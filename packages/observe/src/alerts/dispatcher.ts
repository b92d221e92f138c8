import { randomUUID } from "node:crypto";
import type { Logger } from "@parapet/core";
import { BoundedMap } from "../sketch/bounded-map.js";
import { type Alert, type Finding, SEVERITY_RANK, type Severity } from "./alert.js";
import { type DeliveryOptions, deliver, type WebhookTarget } from "./webhook.js";

/**
 * Turns findings into alerts without drowning anyone: one alert per
 * kind + subject per `cooldownMs` (default 10 minutes; repeats are counted and
 * the count rides on the next alert), every alert is logged as a row, and only
 * alerts at or above `minSeverity` (default "warning") go to webhooks.
 * Deliveries run in the background, at most `maxPendingDeliveries` at once.
 */
export interface AlertOptions {
  readonly webhooks?: readonly WebhookTarget[];
  readonly cooldownMs?: number;
  readonly minSeverity?: Severity;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly maxPendingDeliveries?: number;
}

export interface AlertDispatcher {
  raise(finding: Finding, ts: number): Alert | undefined;
  /** Alerts raised so far in this process (most recent last, bounded to 1,000). */
  recent(): readonly Alert[];
  /** Waits for deliveries in flight. */
  settle(): Promise<void>;
  stats(): { raised: number; suppressed: number; delivered: number; failedDeliveries: number; droppedDeliveries: number };
}

export function createAlertDispatcher(
  options: AlertOptions,
  deps: { record: (alert: Alert) => void; logger: Logger; delivery: DeliveryOptions },
): AlertDispatcher {
  const cooldownMs = options.cooldownMs ?? 10 * 60_000;
  const minRank = SEVERITY_RANK[options.minSeverity ?? "warning"];
  const maxPending = options.maxPendingDeliveries ?? 100;
  const lastRaised = new BoundedMap<string, { ts: number; suppressed: number }>(10_000);
  const recent: Alert[] = [];
  const inFlight = new Set<Promise<void>>();
  const counts = { raised: 0, suppressed: 0, delivered: 0, failedDeliveries: 0, droppedDeliveries: 0 };

  function raise(finding: Finding, ts: number): Alert | undefined {
    const dedupKey = `${finding.kind}|${finding.subject}`;
    const last = lastRaised.get(dedupKey);
    if (last && ts - last.ts < cooldownMs) {
      last.suppressed++;
      counts.suppressed++;
      return undefined;
    }
    const alert: Alert = {
      ...finding,
      evidence: last?.suppressed ? { ...finding.evidence, suppressedSinceLast: last.suppressed } : finding.evidence,
      id: randomUUID(),
      ts,
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
      if (inFlight.size >= maxPending) {
        counts.droppedDeliveries++;
        deps.logger.error("alert webhook backlog full; alert not sent (it is still in the decision log)", { alert: alert.id });
        continue;
      }
      const job = deliver(target, alert, deps.delivery).then((outcome) => {
        if (outcome.ok) counts.delivered++;
        else {
          counts.failedDeliveries++;
          deps.logger.error("alert webhook failed", { url: target.url, attempts: outcome.attempts, error: outcome.error });
        }
      });
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    }
  }

  return {
    raise,
    recent: () => recent,
    settle: async () => {
      await Promise.allSettled([...inFlight]);
    },
    stats: () => ({ ...counts }),
  };
}
