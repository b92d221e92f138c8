import {
  type AuthEvent,
  type Clock,
  consoleLogger,
  type Decision,
  type DecisionObserver,
  type Logger,
  messageOf,
  type NormalizedRequest,
  optionError,
} from "@parapet/core";
import type { Alert, Finding, Severity } from "./alerts/alert.js";
import { type AlertDispatcher, type AlertOptions, createAlertDispatcher } from "./alerts/dispatcher.js";
import { checkAlertOptions, checkBlockKinds } from "./alerts/options.js";
import { inThreadBackend, type LogBackend } from "./backend.js";
import { type BlockList, createBlockList } from "./blocklist.js";
import { authAccountKey, authUserKey } from "./bounded-key.js";
import { CaptureRing } from "./capture.js";
import { type Deadline, deadlineIn, NO_DEADLINE } from "./deadline.js";
import { type AuthDetectorOptions, createAuthDetector } from "./detect/auth.js";
import { DEFAULT_IPV6_PREFIX } from "./detect/client-key.js";
import { createScanDetector, type ScanDetectorOptions } from "./detect/scan.js";
import { createSpikeDetector, type SpikeOptions } from "./detect/spike.js";
import { MIGRATED, startMigration } from "./migration.js";
import type { AuthInput } from "./pipeline.js";
import { createQuery, type DecisionLogQuery } from "./query.js";
import type { QueueStats } from "./queue.js";
import { settledWithin } from "./settled-within.js";
import { flushOnSignals } from "./signals.js";
import type { SqlDriver } from "./sql/driver.js";
import { sqliteLog } from "./sql/sqlite.js";
import { StatusRing } from "./status-ring.js";
import { workerBackend } from "./worker/worker-backend.js";

export interface ObserveOptions {
  /** Where decisions go: `sqliteLog({ path })` (default, `.parapet/decisions.db`), `postgresLog({ … })`, or false for detectors only. */
  readonly store?: SqlDriver | false;
  readonly alerts?: AlertOptions;
  readonly detectors?: {
    readonly spike?: SpikeOptions | false;
    readonly auth?: AuthDetectorOptions | false;
    readonly scan?: ScanDetectorOptions | false;
  };
  /** Which findings put the client's IP on the block list, and for how long. Default scan/brute force/stuffing by IP, 10 minutes. */
  readonly block?: { readonly durationMs?: number; readonly kinds?: readonly Finding["kind"][] } | false;
  readonly retention?: { readonly decisionDays?: number; readonly rollupDays?: number; readonly intervalMs?: number };
  readonly queue?: { readonly capacity?: number; readonly batchSize?: number; readonly intervalMs?: number };
  /**
   * The IPv6 network a client is taken to own, as in `parapet({ ipv6Prefix })`: the detectors count, and the block
   * list blocks, IPv6 clients by this prefix. Default 64; give the same value as the protect client's.
   */
  readonly ipv6Prefix?: number;
  /**
   * Build records, run the detectors and write to the database in a worker thread (default), so that work
   * runs beside the request thread instead of on it. Default: true when the store can be reopened from
   * another thread (sqliteLog on a file, postgresLog, or store: false), false for `:memory:` and custom drivers.
   * false runs everything on this thread: deterministic, for tests that drive a fake clock.
   */
  readonly worker?: boolean;
  /** Flush on SIGTERM/SIGINT. Default true. */
  readonly handleSignals?: boolean;
  /**
   * The most `close()` (and the flush on SIGTERM/SIGINT) takes, in milliseconds: one deadline shared by every step
   * (the last migration attempt, writing what is queued, webhook deliveries, closing the database), each waiting
   * only for what is left of it. Default 10,000: well inside the 30 s Kubernetes grants between SIGTERM and SIGKILL,
   * with room for the app's own shutdown. A healthy log writes a large backlog (10,000 decisions to SQLite or
   * PostgreSQL) in well under a second; what is still unwritten at the deadline (a database that stopped answering,
   * a SQLite file another process holds locked) is counted as dropped in `stats()` and logged as "lost at close",
   * never silently. Raise it for a slow remote database with large bursts; keep it below your orchestrator's grace
   * period minus the app's own shutdown. A blocking SQLite statement on this thread (`worker: false`) cannot be
   * interrupted: close() may then overrun by up to SQLite's 5 s busy timeout.
   */
  readonly closeTimeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
}

export interface ObserveStats {
  readonly queue: QueueStats;
  readonly alerts: ReturnType<AlertDispatcher["stats"]>;
}

export interface Observed {
  /** Pass to `parapet({ observers: [observed.observer] })`. */
  readonly observer: DecisionObserver;
  /** The HTTP status the app answered with; feeds the 404-scan detector and the log's status column. Never throws. */
  recordStatus(decision: Decision | string, status: number): void;
  readonly blockList: BlockList;
  /** Read the log (undefined with `store: false`). */
  readonly query: DecisionLogQuery | undefined;
  /**
   * Resolves once the schema is migrated. While the database is unreachable the migration is retried (0.5 s
   * doubling to 30 s) and decisions wait in the queue; rejects only if the log is closed first.
   */
  readonly ready: Promise<void>;
  /** Alerts raised in this process, most recent last. */
  alerts(): readonly Alert[];
  /** Closes detector windows up to `now`, raises drop alerts and runs retention when due (a timer does it every 10 s; call it when driving a fake clock). */
  tick(now?: number): void;
  flush(): Promise<void>;
  stats(): ObserveStats;
  /**
   * Flushes everything queued, waits for webhook deliveries (at most `alerts.closeTimeoutMs`), closes the store; all
   * within `closeTimeoutMs` (default 10 s), after which what is unwritten is counted as dropped and logged. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };
const MAINTENANCE_INTERVAL_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export function observe(options: ObserveOptions = {}): Observed {
  if (!options || typeof options !== "object") throw optionError("observe", "pass an options object: observe({ store: sqliteLog() })");
  const clock = wholeMilliseconds(options.clock ?? systemClock);
  const logger = options.logger ?? consoleLogger;
  const decisionDays = options.retention?.decisionDays ?? 7;
  const rollupDays = options.retention?.rollupDays ?? 90;
  if (!(decisionDays > 0) || !(rollupDays >= decisionDays)) {
    throw optionError("observe", "retention needs decisionDays > 0 and rollupDays >= decisionDays (defaults 7 and 90)");
  }
  const retentionIntervalMs = options.retention?.intervalMs ?? 3_600_000;
  // Compared with `>=` on every tick: NaN (a Number() of an unset variable) or "1h" was never due, and retention
  // silently never ran, leaving the log to grow without bound.
  if (typeof retentionIntervalMs !== "number" || !Number.isFinite(retentionIntervalMs) || retentionIntervalMs <= 0) {
    throw optionError(
      "observe",
      `retention.intervalMs must be a positive number of milliseconds (default 3600000, an hour), not ${typeof retentionIntervalMs === "string" ? JSON.stringify(retentionIntervalMs) : String(retentionIntervalMs)}`,
    );
  }
  const blockMs = options.block === false ? 0 : (options.block?.durationMs ?? 10 * 60_000);
  if (!Number.isFinite(blockMs) || blockMs < 0)
    throw optionError("observe", "block.durationMs must be a non-negative number of milliseconds");
  if (options.block !== false) checkBlockKinds(options.block?.kinds);
  const blockKinds = new Set(options.block === false ? [] : (options.block?.kinds ?? ["scan", "brute_force", "credential_stuffing"]));
  checkAlertOptions(options.alerts);
  const queueOptions = options.queue ?? {};
  for (const [name, value] of Object.entries(queueOptions)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw optionError("observe", `queue.${name} must be a positive integer`);
  }
  if (options.worker !== undefined && typeof options.worker !== "boolean") throw optionError("observe", "`worker` must be true or false");
  const ipv6Prefix = options.ipv6Prefix ?? DEFAULT_IPV6_PREFIX;
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 1 || ipv6Prefix > 128)
    throw optionError("observe", "`ipv6Prefix` must be an integer from 1 to 128, the same as parapet({ ipv6Prefix }) (default 64)");
  const detectors = options.detectors ?? {};
  checkDetectorOptions(detectors);
  const closeTimeoutMs = checkCloseTimeout(options.closeTimeoutMs);

  const driver = options.store === false ? undefined : (options.store ?? sqliteLog());
  // The worker needs a driver it can reopen and options that cross threads; otherwise the log runs here.
  const useWorker = options.worker ?? (driver === undefined || driver.reopen !== undefined);
  if (useWorker && driver && !driver.reopen) {
    throw optionError("observe", `this store (${driver.description}) cannot be opened from the log worker; pass worker: false`);
  }
  // Retried until it succeeds (or close): a database that is down at start-up costs no decision once it is back.
  const migration = driver ? startMigration(driver, { logger, clock }) : undefined;
  const capacity = queueOptions.capacity ?? 50_000;
  const batchSize = queueOptions.batchSize ?? 500;
  // The request path only writes into these rings; `pump` hands them, as columns, to the backend.
  const captured = new CaptureRing(capacity, batchSize);
  const statuses = new StatusRing(capacity);
  const blockList = createBlockList(clock, undefined, ipv6Prefix);
  let pendingAlerts: Alert[] = [];
  let pendingAuth: AuthInput[] = [];
  const dispatcher = createAlertDispatcher(options.alerts ?? {}, {
    logger,
    record: (alert) => {
      pendingAlerts.push(alert);
      schedulePump();
    },
    delivery: {
      fetch: options.fetch ?? fetch,
      attempts: options.alerts?.attempts ?? 4,
      backoffMs: options.alerts?.backoffMs ?? 1_000,
      timeoutMs: options.alerts?.timeoutMs ?? 5_000,
      nowSeconds: () => Math.floor(clock.now() / 1000),
      sleep: abortableSleep,
    },
  });
  function report(finding: Finding, ts: number): void {
    const alert = dispatcher.raise(finding, ts);
    const ip =
      typeof finding.evidence.ip === "string"
        ? finding.evidence.ip
        : finding.subject.startsWith("ip:")
          ? finding.subject.slice(3)
          : undefined;
    // Block only findings about one IP; blocking a user or "site" would punish the victims.
    if (blockMs > 0 && blockKinds.has(finding.kind) && finding.subject.startsWith("ip:") && ip) {
      blockList.add(ip, blockMs, alert?.summary ?? finding.summary);
    }
  }

  const retention = { decisionDays, rollupDays, intervalMs: retentionIntervalMs };
  const pipelineQueue = { ...queueOptions, capacity, batchSize };
  const backend: LogBackend = useWorker
    ? startWorker({
        setup: { store: driver?.reopen, queue: pipelineQueue, detectors, ipv6Prefix, retention },
        migration,
        logger,
        report,
        onRoom: () => schedulePump(),
      })
    : inThreadBackend({ driver, schema: migration ?? MIGRATED, logger, queue: pipelineQueue, detectors, ipv6Prefix, retention, report });

  /**
   * Hands what was captured to the backend, in batches: everything on timers and before flush/tick; only full
   * batches when a batch has just filled (`onlyFull`). The batch still filling waits: sent along, it would be a
   * message and a transaction for a handful of rows (half the messages under load were), and the statuses of its
   * decisions could no longer ride along with them.
   */
  function pump(onlyFull = false): void {
    pumpScheduled = false;
    const auth = pendingAuth;
    const alerts = pendingAlerts;
    pendingAuth = [];
    pendingAlerts = [];
    // While the backend has enough in flight, decisions and statuses wait in their rings (bounded, drops counted)
    // and go when it has caught up (onRoom); auth events and alerts are few and go at once.
    const drainable = () => backend.accepting() && (onlyFull ? captured.fullBatches > 0 : captured.size > 0);
    const statusesDrainable = () => statuses.size > 0 && backend.accepting();
    let first = true;
    do {
      const decisions = drainable() ? captured.drainColumns() : undefined;
      // Statuses go with the last batch of decisions to send, after the decisions they belong to.
      const statusColumns = !drainable() && statusesDrainable() ? statuses.drainColumns() : undefined;
      if (!first && !decisions && !statusColumns) break;
      if (first && !decisions && !statusColumns && auth.length === 0 && alerts.length === 0) break;
      backend.send(decisions, statusColumns, first ? auth : [], first ? alerts : []);
      sends++;
      first = false;
    } while (drainable() || statusesDrainable());
  }
  const pumpFull = () => pump(true);
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pumpFull);
  }
  let pumpScheduled = false;
  /** Messages handed to the backend so far: flush() knows from it whether one went after its round trip began. */
  let sends = 0;
  const pumpTimer = setInterval(() => pump(), queueOptions.intervalMs ?? 250);
  pumpTimer.unref();

  let lastDropped = 0;
  /** Detector windows, drop alerts and retention; every 10 s on a timer, or driven by `tick(now)`. */
  function maintain(now = clock.now()): void {
    pump();
    backend.tick(now);
    const dropped = backend.stats().dropped + captured.dropped + statuses.dropped + lateDrops;
    if (dropped > lastDropped) {
      // Drops are never silent: a warning now and an alert row (deduplicated) for the dashboard.
      logger.warn("decision log is falling behind; decisions were dropped", { dropped: dropped - lastDropped, total: dropped });
      report(
        {
          kind: "log_drops",
          severity: "warning",
          subject: "decision-log",
          summary: `${dropped - lastDropped} decisions were dropped because the decision log fell behind.`,
          evidence: { dropped: dropped - lastDropped, totalDropped: dropped },
        },
        now,
      );
      lastDropped = dropped;
    }
  }
  const maintenance = setInterval(() => maintain(), MAINTENANCE_INTERVAL_MS);
  maintenance.unref();

  const observer: DecisionObserver = {
    // The hot path: a few stores into a preallocated ring, then return. A full batch is processed on the next turn.
    onDecision(decision: Decision, request: NormalizedRequest) {
      try {
        if (closed) {
          lateDrops++;
          return;
        }
        captured.push(decision, request);
        if (captured.size >= batchSize) schedulePump();
      } catch (error) {
        logger.error("observe: could not record a decision", { error: messageOf(error) });
      }
    },
    onAuthEvent(event: AuthEvent) {
      try {
        // Only what the auth detector reads: the request object stays on this thread, the user name is bounded.
        const user = authUserKey(event.user);
        const account = authAccountKey(event.user);
        pendingAuth.push({ type: event.type, timestamp: event.timestamp, ip: event.ip, account, ...(user === undefined ? {} : { user }) });
        if (pendingAuth.length >= batchSize) schedulePump();
      } catch (error) {
        logger.error("observe: could not process an auth event", { error: messageOf(error) });
      }
    },
    close: () => close(),
  };

  function recordStatus(decision: Decision | string, status: number): void {
    const given = typeof decision === "string" ? decision.length > 0 : typeof decision === "object" && decision !== null;
    if (!given || !Number.isInteger(status) || status < 100 || status > 599) {
      warnRecordStatusUsage(status);
      return;
    }
    const now = clock.now();
    // Most statuses follow their decision before it leaves the capture ring: they ride along with it, found by
    // identity, and the id text is not needed (nor built) on this thread.
    if (captured.attachStatus(decision, status, now)) return;
    // Otherwise it travels alone, by id; an object without one (not a decision) is the caller's mistake.
    const id = typeof decision === "string" ? decision : decision.id;
    if (typeof id === "string" && id.length > 0) statuses.push(id, status, now);
    else warnRecordStatusUsage(status);
  }
  function warnRecordStatusUsage(status: unknown): void {
    logger.warn("observe.recordStatus: pass a decision (or its id) and an HTTP status 100-599", { status });
  }

  let closing: Promise<void> | undefined;
  let closed = false;
  let lateDrops = 0;
  /** Captured, so counted as accepted, but never taken by the backend before close (discardUnsent). */
  let unsentAtClose = 0;
  const detachSignals = options.handleSignals === false ? () => {} : flushOnSignals(() => close());
  async function flushAll(deadline: Deadline = NO_DEADLINE): Promise<void> {
    // Findings from one round trip raise alerts that need another: a few rounds settle it. The log worker takes a
    // few batches per round trip (see accepting()), so a full ring takes more rounds; each one sends some.
    for (let round = 0; round < MAX_FLUSH_ROUNDS && deadline.left() > 0; round++) {
      const sentBefore = sends;
      const movedBefore = moved();
      pump();
      const covered = sends;
      await backend.flush(deadline);
      // A pump that ran meanwhile (the worker made room) sent batches this round trip does not cover.
      const rest = captured.size + statuses.size + (sends - covered);
      if (rest === 0 && (pendingAlerts.length === 0 || round >= 2)) break;
      // The backend took nothing and wrote nothing (a database that stopped answering holds its write): another round
      // would wait the same again. Each one took seconds, and 20,000 decisions waiting took close() 87 s.
      if (sends === sentBefore && moved() === movedBefore) break;
    }
  }
  /** Entries the backend has finished with, written or dropped: whether a flush round got anywhere. */
  function moved(): number {
    const stats = backend.stats();
    return stats.written + stats.dropped;
  }
  /** What the backend never took (it stopped answering): counted as dropped and said, not left as "pending" for ever. */
  function discardUnsent(): void {
    const left = captured.size + statuses.size;
    if (left === 0) return;
    while (captured.size > 0) captured.drainColumns();
    while (statuses.size > 0) statuses.drainColumns();
    unsentAtClose += left;
    logger.error("decision log: decisions lost at close; the log did not take them in time", { entries: left });
  }
  function close(): Promise<void> {
    closing ??= (async () => {
      // One deadline for every step below: each waits for what is left of it, never for a bound of its own on top.
      const deadline = deadlineIn(closeTimeoutMs);
      detachSignals();
      clearInterval(maintenance);
      clearInterval(pumpTimer);
      maintain();
      closed = true;
      // One last migration attempt if the tables are still missing, so the final flush can write what waited for them.
      await migration?.close(deadline);
      // Findings from the last batches come back from the worker before their alerts are delivered and logged.
      await flushAll(deadline);
      // Decisions are written first; webhooks then get a bounded wait, so a hanging receiver cannot hold shutdown.
      await dispatcher.close(deadline);
      pump();
      // Only when flushAll gave up on a backend that took nothing, or ran out of time: said now, before the worker goes.
      discardUnsent();
      await backend.close(deadline);
      // In-thread, the pipeline closed the driver; with a worker, this connection only served migrations and queries.
      if (useWorker && driver) await settledWithin(driver.close(), deadline.left());
    })();
    return closing;
  }

  return {
    observer,
    recordStatus,
    blockList,
    query: driver ? createQuery(driver) : undefined,
    ready: migration?.done ?? Promise.resolve(),
    alerts: () => dispatcher.recent(),
    tick: (now = clock.now()) => maintain(Math.floor(now)),
    flush: flushAll,
    stats: () => {
      const q = backend.stats();
      const waiting = captured.size + statuses.size;
      const lost = captured.dropped + statuses.dropped + lateDrops + unsentAtClose;
      return {
        queue: { ...q, accepted: q.accepted + waiting + unsentAtClose, dropped: q.dropped + lost, pending: q.pending + waiting },
        alerts: dispatcher.stats(),
      };
    },
    close,
  };
}

/**
 * The log stores times as whole milliseconds (BIGINT in PostgreSQL, which refuses "1735732800000.5"): a clock read
 * with fractions (performance.timeOrigin + performance.now()) failed every write, retention and rollup there.
 */
function wholeMilliseconds(clock: Clock): Clock {
  return { now: () => Math.floor(clock.now()) };
}

/** `closeTimeoutMs`, checked at construction: a typo must not leave shutdown unbounded, or cut to nothing. */
function checkCloseTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_CLOSE_TIMEOUT_MS;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    const hint = typeof value === "string" ? `; write it as a number, e.g. closeTimeoutMs: 10000 for ${JSON.stringify(value)}` : "";
    throw optionError(
      "observe",
      `closeTimeoutMs must be a positive number of milliseconds (default 10000, below the orchestrator's grace period), not ${String(value)}${hint}`,
    );
  }
  return value;
}

/** Round trips flush() may take: enough to move two full rings a few batches at a time; a bound, not a target. */
const MAX_FLUSH_ROUNDS = 1_000;

/**
 * The pipeline builds the detectors, in the worker or on this thread; build them once here first, so bad options
 * throw at construction, as themselves, before a database is opened.
 */
function checkDetectorOptions(detectors: NonNullable<ObserveOptions["detectors"]>): void {
  if (detectors.spike !== false) createSpikeDetector(detectors.spike ?? {}, () => {});
  if (detectors.auth !== false) createAuthDetector(detectors.auth ?? {}, () => {});
  if (detectors.scan !== false) createScanDetector(detectors.scan ?? {}, () => {});
}

/** Starts the log worker; only a failure to start the thread itself is reported as such (option errors throw as themselves). */
function startWorker(options: Parameters<typeof workerBackend>[0]): LogBackend {
  try {
    return workerBackend(options);
  } catch (error) {
    throw optionError(
      "observe",
      `the log worker cannot start (${messageOf(error)}); detector options must be plain data (no functions or class instances), or pass worker: false`,
    );
  }
}

/** The webhook retry delay; close() ends it early, so an abandoned delivery keeps no timer alive. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

export type { Severity };
