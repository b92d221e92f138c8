import { type AuthEvent, type Logger, messageOf } from "@parapet/core";
import type { Alert, Finding } from "./alerts/alert.js";
import type { CapturedDecision } from "./capture.js";
import { type AuthDetectorOptions, createAuthDetector } from "./detect/auth.js";
import { createScanDetector, type ScanDetectorOptions } from "./detect/scan.js";
import { createSpikeDetector, type SpikeOptions } from "./detect/spike.js";
import { toTrafficEvent } from "./detect/traffic.js";
import { IpMinuteTracker } from "./ip-minutes.js";
import { type LogEntry, statementsFor } from "./log-writer.js";
import { createBatchQueue, type QueueStats } from "./queue.js";
import { type DecisionRecord, fromCaptured } from "./record.js";
import { applyRetention } from "./retention.js";
import { BoundedMap } from "./sketch/bounded-map.js";
import type { SqlDriver } from "./sql/driver.js";
import { HOUR_MS, ROLLUP_GRACE_MS, rollUpClosedHours } from "./top-rollup.js";

/**
 * Everything observe() defers off the request path: building records,
 * feeding the detectors, queueing rows, retention. The same code runs in the
 * log worker (worker/log-worker.ts, the default) or on the main thread
 * (`worker: false`, `:memory:` databases, custom drivers); only the transport
 * in front of it differs.
 */
export interface PipelineOptions {
  readonly driver: SqlDriver | undefined;
  /** Resolves once the schema is migrated; writes wait for it (and fail, then drop, if it rejects). */
  readonly ready: Promise<void>;
  readonly logger: Logger;
  readonly queue: {
    readonly capacity?: number;
    readonly batchSize?: number;
    readonly intervalMs?: number;
    readonly yieldBetweenBatches?: boolean;
  };
  readonly detectors: {
    readonly spike?: SpikeOptions | false;
    readonly auth?: AuthDetectorOptions | false;
    readonly scan?: ScanDetectorOptions | false;
  };
  readonly retention: { readonly decisionDays: number; readonly rollupDays: number; readonly intervalMs: number };
  /** When the pipeline started (retention runs `intervalMs` after it). */
  readonly startedAt: number;
  readonly report: (finding: Finding, ts: number) => void;
}

/** What the auth detector reads of an AuthEvent (the request is not needed, and does not cross threads). */
export type AuthInput = Pick<AuthEvent, "type" | "timestamp" | "ip" | "user">;

export interface Pipeline {
  ingest(entry: CapturedDecision): void;
  status(id: string, status: number, ts: number): void;
  auth(event: AuthInput): void;
  recordAlert(alert: Alert): void;
  /** Closes detector windows up to `now` and runs retention when due. */
  tick(now: number): void;
  flush(): Promise<void>;
  stats(): QueueStats;
  /** Flushes, then closes the driver. */
  close(): Promise<void>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { driver, ready, logger, report } = options;
  const ipMinutes = new IpMinuteTracker();
  const queue = createBatchQueue<LogEntry>({
    logger,
    ...options.queue,
    write: async (batch) => {
      // From here on a status can no longer ride on the INSERT: later ones become UPDATEs, queued after it.
      for (const entry of batch) if (entry.kind === "decision") entry.record.sealed = true;
      if (driver) {
        await ready;
        const { statements, ipMinutes: stored } = statementsFor(batch, ipMinutes);
        await driver.transaction(statements);
        ipMinutes.remember(stored);
      }
    },
  });
  // Recent decisions by id: a status arriving before the INSERT is set on the row itself (saving an UPDATE), and
  // the 404-scan detector learns which IP and path a status belongs to.
  // Statuses come moments after their decision, almost always in the same batch; 20,000 covers a slow response
  // at a high rate, and a smaller map is cheaper to fill than a large one (later statuses still land, as UPDATEs).
  const recent = new BoundedMap<string, DecisionRecord>(20_000);
  const fingerprints = new BoundedMap<string, string>(10_000);
  const detectors = options.detectors;
  const spike = detectors.spike === false ? undefined : createSpikeDetector(detectors.spike ?? {}, report);
  const auth = detectors.auth === false ? undefined : createAuthDetector(detectors.auth ?? {}, report);
  const scan = detectors.scan === false ? undefined : createScanDetector(detectors.scan ?? {}, report);

  let lastRetention = options.startedAt;
  let retentionRun: Promise<void> = Promise.resolve();
  // The hour the top-list rollup last caught up to; NaN so the first tick catches up on what is already stored.
  let rolledUpTo = Number.NaN;

  return {
    ingest(entry) {
      try {
        const record = fromCaptured(entry, fingerprints);
        queue.push({ kind: "decision", record });
        // A status that rode along is the decision's one status: only a decision still without one waits in `recent`.
        if (entry.status === undefined) recent.set(record.id, record);
        else record.status = entry.status;
        if (!spike && !scan) return;
        const event = toTrafficEvent(record);
        spike?.observe(event);
        scan?.observeRequest(record.ip, record.path, event.authenticated, record.ts);
        if (record.attackClass !== null) scan?.observeShieldHit(record.ip, record.attackClass, record.ts);
        if (entry.status !== undefined) scan?.observeStatus(record.ip, record.path, entry.status, entry.statusTs ?? record.ts);
      } catch (error) {
        logger.error("observe: could not record a decision", { error: messageOf(error) });
      }
    },
    status(id, status, ts) {
      const record = recent.peek(id);
      if (record && !record.sealed) record.status = status;
      else queue.push({ kind: "status", id, status, ts });
      if (record) scan?.observeStatus(record.ip, record.path, status, ts);
    },
    auth(event) {
      try {
        auth?.observe(event as AuthEvent);
      } catch (error) {
        logger.error("observe: could not process an auth event", { error: messageOf(error) });
      }
    },
    recordAlert(alert) {
      queue.push({ kind: "alert", alert });
    },
    tick(now) {
      spike?.tick(now);
      if (driver && now - lastRetention >= options.retention.intervalMs) {
        lastRetention = now;
        retentionRun = retentionRun
          .then(() => ready)
          .then(() => applyRetention(driver, options.retention, now))
          .catch((error) => logger.error("decision log: retention failed", { error: messageOf(error) }));
      }
      const closedHour = Math.floor((now - ROLLUP_GRACE_MS) / HOUR_MS);
      if (driver && !(closedHour <= rolledUpTo)) {
        rolledUpTo = closedHour;
        // Chained after retention and any previous run, so two runs never overlap.
        retentionRun = retentionRun
          .then(() => ready)
          // Rows of the closing hour still queued are written first, so the hour is counted whole.
          .then(() => queue.flush())
          .then(() => rollUpClosedHours(driver, now))
          .then((rolled) => {
            // A long backlog is done MAX_HOURS_PER_RUN at a time: come back on the next tick.
            if (rolled > 0) rolledUpTo = Number.NaN;
          })
          .catch((error) => logger.error("decision log: the hourly top-list rollup failed", { error: messageOf(error) }));
      }
    },
    flush: async () => {
      await queue.flush();
      await retentionRun;
    },
    stats: () => queue.stats(),
    async close() {
      await queue.close();
      await retentionRun;
      await driver?.close();
    },
  };
}
