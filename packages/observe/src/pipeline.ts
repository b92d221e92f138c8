import { type AuthEvent, type Logger, messageOf } from "@parapet/core";
import type { Alert, Finding } from "./alerts/alert.js";
import { type Deadline, NO_DEADLINE } from "./deadline.js";
import { type ArrivingDecision, type BatchStatuses, DecisionBatch } from "./decision-batch.js";
import { type AuthDetectorOptions, createAuthDetector, NETWORK_PREFIX } from "./detect/auth.js";
import { clientKeyFor, DEFAULT_IPV6_PREFIX } from "./detect/client-key.js";
import { createScanDetector, type ScanDetectorOptions } from "./detect/scan.js";
import { createSpikeDetector, type SpikeOptions } from "./detect/spike.js";
import { toTrafficEvent } from "./detect/traffic.js";
import { IpMinuteTracker } from "./ip-minutes.js";
import { entriesIn, type LogEntry, statementsFor } from "./log-writer.js";
import type { SchemaState } from "./migration.js";
import { createBatchQueue, type QueueStats } from "./queue.js";
import { applyRetention } from "./retention.js";
import { settledWithin } from "./settled-within.js";
import { BoundedMap } from "./sketch/bounded-map.js";
import type { SqlDriver } from "./sql/driver.js";
import { HOUR_MS, ROLLUP_GRACE_MS, rollUpClosedHours } from "./top-rollup.js";
import type { DecisionColumns } from "./worker/columns.js";

/**
 * Everything observe() defers off the request path: reading captured
 * batches, feeding the detectors, queueing rows, retention. The same code runs in the
 * log worker (worker/log-worker.ts, the default) or on the main thread
 * (`worker: false`, `:memory:` databases, custom drivers); only the transport
 * in front of it differs.
 */
export interface PipelineOptions {
  readonly driver: SqlDriver | undefined;
  /** Whether the tables exist yet: until then writes fail (the queue keeps them and retries) and retention waits. */
  readonly schema: SchemaState;
  readonly logger: Logger;
  readonly queue: {
    readonly capacity?: number;
    readonly batchSize?: number;
    readonly intervalMs?: number;
    readonly yieldBetweenBatches?: boolean;
    /** See BatchQueueOptions.onIdle (a function: the log worker sets it on its side, it does not cross threads). */
    readonly onIdle?: () => void;
  };
  readonly detectors: {
    readonly spike?: SpikeOptions | false;
    readonly auth?: AuthDetectorOptions | false;
    readonly scan?: ScanDetectorOptions | false;
  };
  /** IPv6 clients are counted by this prefix (observe's `ipv6Prefix`, default 64). */
  readonly ipv6Prefix?: number;
  readonly retention: { readonly decisionDays: number; readonly rollupDays: number; readonly intervalMs: number };
  readonly report: (finding: Finding, ts: number) => void;
}

/** What the auth detector reads of an AuthEvent (the request is not needed, and does not cross threads). */
export type AuthInput = Pick<AuthEvent, "type" | "timestamp" | "ip" | "user"> & {
  /** The account the user names (authAccountKey), worked out before the name was bounded. */
  readonly account?: string | undefined;
};

export interface Pipeline {
  /** A batch of captured decisions: detectors now, the rows queued as the batch (see decision-batch.ts). */
  ingest(columns: DecisionColumns): void;
  /** True when the status joined its decision's row, still waiting to be written; false when queued as an UPDATE. */
  status(id: string, status: number, ts: number): boolean;
  auth(event: AuthInput): void;
  recordAlert(alert: Alert): void;
  /** Closes detector windows up to `now` and runs retention when due: on the first tick once the tables exist, then every interval. */
  tick(now: number): void;
  /** Writes what is queued (see BatchQueue.flush); close() passes its deadline, which no wait goes past. */
  flush(deadline?: Deadline): Promise<void>;
  stats(): QueueStats;
  /** True while the queue is writing to the database. */
  writing(): boolean;
  /** Flushes, then closes the driver; every wait ends by `deadline`, and what is not written by then is counted as lost. */
  close(deadline?: Deadline): Promise<void>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { driver, schema, logger, report } = options;
  const ipMinutes = new IpMinuteTracker();
  const queue = createBatchQueue<LogEntry>({
    logger,
    ...options.queue,
    reserve: ALERT_RESERVE,
    weigh: entriesIn,
    write: async (batch) => {
      // Before sealing: while the tables do not exist yet, statuses still join their rows.
      if (driver) await schema.check();
      // From here on a status can no longer ride on the INSERT: later ones become UPDATEs, queued after it.
      for (const entry of batch) if (entry.kind === "decisions") entry.batch.statuses.sealed = true;
      if (driver) {
        const { statements, ipMinutes: stored } = statementsFor(batch, ipMinutes);
        await driver.transaction(statements);
        ipMinutes.remember(stored);
      }
    },
  });
  // Decisions still waiting for their status, by id: a status arriving before the INSERT is set on the row itself
  // (saving an UPDATE), and the 404-scan detector learns which IP and path a status belongs to.
  // Statuses come moments after their decision, almost always in the same batch; 20,000 covers a slow response
  // at a high rate, and a smaller map is cheaper to fill than a large one (later statuses still land, as UPDATEs).
  const awaitingStatus = new BoundedMap<string, AwaitingStatus>(20_000);
  const fingerprints = new BoundedMap<string, string>(10_000);
  const detectors = options.detectors;
  const ipv6Prefix = options.ipv6Prefix ?? DEFAULT_IPV6_PREFIX;
  const clientKey = clientKeyFor(ipv6Prefix);
  const spike = detectors.spike === false ? undefined : createSpikeDetector(detectors.spike ?? {}, report);
  // The network bucket only when it is wider than a client (ipv6Prefix 48 or less keys clients that wide already).
  const networkKey = ipv6Prefix > NETWORK_PREFIX ? clientKeyFor(NETWORK_PREFIX) : undefined;
  const auth = detectors.auth === false ? undefined : createAuthDetector(detectors.auth ?? {}, report, clientKey, networkKey);
  const scan = detectors.scan === false ? undefined : createScanDetector(detectors.scan ?? {}, report, clientKey);

  // Retention runs on the first tick once the tables exist: a process that lives less than an interval runs it too.
  let lastRetention = Number.NEGATIVE_INFINITY;
  let retentionRun: Promise<void> = Promise.resolve();
  let closing = false;
  // The hour the top-list rollup last caught up to; NaN so the first tick catches up on what is already stored.
  let rolledUpTo = Number.NaN;

  /** Retention when due (on the first run, then every interval) and the hourly top-list rollup of closed hours. */
  async function maintainTables(driver: SqlDriver, now: number): Promise<void> {
    // Also when the clock went back: waiting for it to catch up with the last run left the log unpruned that long.
    if (now - lastRetention >= options.retention.intervalMs || now < lastRetention) {
      lastRetention = now;
      // Chunked (see retention.ts); a close ends the run between two chunks rather than wait out a backlog.
      await applyRetention(driver, options.retention, now, { stopped: () => closing }).catch((error) => {
        // Tried again in a minute, not an interval: a run that met an outage must not leave the log unbounded for an hour.
        lastRetention = now - options.retention.intervalMs + Math.min(options.retention.intervalMs, RETENTION_RETRY_MS);
        logger.error("decision log: retention failed; retrying in a minute", { error: messageOf(error) });
      });
    }
    const closedHour = Math.floor((now - ROLLUP_GRACE_MS) / HOUR_MS);
    // Not `<=`: after the clock was stepped back, that waited for it to catch up with the hour last rolled up.
    if (closedHour === rolledUpTo) return;
    rolledUpTo = closedHour;
    try {
      // Rows of the closing hour still queued are written first, so the hour is counted whole.
      await queue.flush();
      // A long backlog is done MAX_HOURS_PER_RUN at a time: come back on the next tick.
      if ((await rollUpClosedHours(driver, now)) > 0) rolledUpTo = Number.NaN;
    } catch (error) {
      logger.error("decision log: the hourly top-list rollup failed", { error: messageOf(error) });
    }
  }

  function arrive(decision: ArrivingDecision, batch: DecisionBatch): void {
    // A status that rode along is the decision's one status: only a decision still without one waits for it.
    if (decision.status === 0) {
      awaitingStatus.set(decision.id, { statuses: batch.statuses, index: decision.index, ip: decision.ip, path: decision.path });
    }
    if (!spike && !scan) return;
    try {
      spike?.observe(toTrafficEvent(decision, ipv6Prefix));
      scan?.observeRequest(decision.ip, decision.path, decision.apiKey !== null || decision.userId !== null, decision.ts);
      if (decision.attackClass !== null) {
        const context = { path: decision.path, userAgent: decision.userAgent ?? undefined };
        scan?.observeShieldHit(decision.ip, decision.attackClass, decision.ts, context);
      }
      if (decision.status !== 0) {
        spike?.observeStatus(decision.status);
        scan?.observeStatus(decision.ip, decision.path, decision.status, decision.statusTs);
      }
    } catch (error) {
      logger.error("observe: could not record a decision", { error: messageOf(error) });
    }
  }

  return {
    ingest(columns) {
      if (columns.count === 0) return;
      try {
        queue.push({ kind: "decisions", batch: DecisionBatch.receive(columns, fingerprints, arrive) });
      } catch (error) {
        // Only malformed columns get here (a bug): say so, and keep the pump, and the app, running.
        logger.error("observe: could not read a batch of decisions; it is lost", { decisions: columns.count, error: messageOf(error) });
      }
    },
    status(id, status, ts) {
      const awaiting = awaitingStatus.peek(id);
      const joined = awaiting?.statuses.set(awaiting.index, status) === true;
      if (!joined) queue.push({ kind: "status", id, status, ts });
      spike?.observeStatus(status);
      if (awaiting) scan?.observeStatus(awaiting.ip, awaiting.path, status, ts);
      return joined;
    },
    auth(event) {
      try {
        auth?.observe(event as AuthEvent);
      } catch (error) {
        logger.error("observe: could not process an auth event", { error: messageOf(error) });
      }
    },
    recordAlert(alert) {
      queue.push({ kind: "alert", alert }, true);
    },
    tick(now) {
      spike?.tick(now);
      if (!driver) return;
      // One chain, so two runs never overlap. A tick while the tables are being created waits for them; a tick
      // without them (the database was down at start-up) does nothing, and a later one looks again.
      retentionRun = retentionRun
        .then(() => schema.check())
        .then(
          () => maintainTables(driver, now),
          () => {},
        );
    },
    flush: async (deadline = NO_DEADLINE) => {
      await queue.flush(deadline);
      await settledWithin(retentionRun, deadline.cap(MAINTENANCE_WAIT_MS));
    },
    stats: () => queue.stats(),
    writing: () => queue.writing(),
    async close(deadline = NO_DEADLINE) {
      // Without tables (the migration gave up at close) no retry can succeed: what is left is counted at once.
      closing = true;
      await queue.close(driver && !schema.isMigrated() ? 0 : undefined, deadline);
      // Bounded like the queue: a retention chunk or rollup on a database that stopped answering held close() for its
      // query timeout. Closing the driver then ends what is still running.
      await settledWithin(retentionRun, deadline.cap(MAINTENANCE_CLOSE_WAIT_MS));
      // The pool ends its connections at once; waiting for it to report so is not worth going past the deadline.
      if (driver) await settledWithin(driver.close(), deadline.left());
    },
  };
}

const RETENTION_RETRY_MS = 60_000;
/** How long flush() and close() wait for a retention run or top-list rollup under way (it never rejects). */
const MAINTENANCE_WAIT_MS = 5_000;
/** At close, retention stops between two chunks (see `closing`): only one chunk, or a rollup, is waited for. */
const MAINTENANCE_CLOSE_WAIT_MS = 2_000;

/**
 * Queue room beyond capacity for alert rows alone: the `log_drops` alert is raised when the queue is full, and the
 * dashboard must still show it. Alerts are deduplicated per kind and subject: an outage raises a handful, not 1,000.
 */
const ALERT_RESERVE = 1_000;

/** A decision logged without a status yet: where its status goes, and what the 404-scan detector needs of it. */
interface AwaitingStatus {
  readonly statuses: BatchStatuses;
  readonly index: number;
  readonly ip: string;
  readonly path: string;
}
