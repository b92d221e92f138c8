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
import { type BlockList, createBlockList } from "./blocklist.js";
import { CaptureRing } from "./capture.js";
import { type AuthDetectorOptions, createAuthDetector } from "./detect/auth.js";
import { createScanDetector, type ScanDetectorOptions } from "./detect/scan.js";
import { createSpikeDetector, type SpikeOptions } from "./detect/spike.js";
import { toTrafficEvent } from "./detect/traffic.js";
import { type LogEntry, statementsFor } from "./log-writer.js";
import { createQuery, type DecisionLogQuery } from "./query.js";
import { createBatchQueue, type QueueStats } from "./queue.js";
import { type DecisionRecord, fromCaptured } from "./record.js";
import { applyRetention } from "./retention.js";
import { flushOnSignals } from "./signals.js";
import { BoundedMap } from "./sketch/bounded-map.js";
import type { SqlDriver } from "./sql/driver.js";
import { migrate } from "./sql/schema.js";
import { sqliteLog } from "./sql/sqlite.js";
import { StatusRing } from "./status-ring.js";

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
  /** Flush on SIGTERM/SIGINT. Default true. */
  readonly handleSignals?: boolean;
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
  /** Resolves once the schema is migrated; rejects if it could not be (writes are then retried, then dropped and counted). */
  readonly ready: Promise<void>;
  /** Alerts raised in this process, most recent last. */
  alerts(): readonly Alert[];
  /** Closes detector windows up to `now`, raises drop alerts and runs retention when due (a timer does it every 10 s; call it when driving a fake clock). */
  tick(now?: number): void;
  flush(): Promise<void>;
  stats(): ObserveStats;
  /** Flushes everything queued, waits for webhook deliveries, closes the store. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };
const MAINTENANCE_INTERVAL_MS = 10_000;

export function observe(options: ObserveOptions = {}): Observed {
  if (!options || typeof options !== "object") throw optionError("observe", "pass an options object: observe({ store: sqliteLog() })");
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const decisionDays = options.retention?.decisionDays ?? 7;
  const rollupDays = options.retention?.rollupDays ?? 90;
  if (!(decisionDays > 0) || !(rollupDays >= decisionDays)) {
    throw optionError("observe", "retention needs decisionDays > 0 and rollupDays >= decisionDays (defaults 7 and 90)");
  }
  const blockMs = options.block === false ? 0 : (options.block?.durationMs ?? 10 * 60_000);
  if (!Number.isFinite(blockMs) || blockMs < 0)
    throw optionError("observe", "block.durationMs must be a non-negative number of milliseconds");
  const blockKinds = new Set(options.block === false ? [] : (options.block?.kinds ?? ["scan", "brute_force", "credential_stuffing"]));
  for (const hook of options.alerts?.webhooks ?? []) {
    if (!hook || !/^https?:\/\//.test(hook.url ?? "")) throw optionError("observe", "each alerts.webhooks entry needs an http(s) `url`");
    if (typeof hook.secret !== "string" || hook.secret.length < 16) {
      throw optionError("observe", "each webhook needs a `secret` of at least 16 characters to sign alerts (e.g. openssl rand -hex 32)");
    }
  }
  const queueOptions = options.queue ?? {};
  for (const [name, value] of Object.entries(queueOptions)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw optionError("observe", `queue.${name} must be a positive integer`);
  }

  const driver = options.store === false ? undefined : (options.store ?? sqliteLog());
  const ready = driver ? migrate(driver) : Promise.resolve();
  ready.catch((error) => logger.error("decision log: migration failed; check the database", { error: messageOf(error) }));
  const capacity = queueOptions.capacity ?? 50_000;
  const batchSize = queueOptions.batchSize ?? 500;
  const queue = createBatchQueue<LogEntry>({
    logger,
    ...queueOptions,
    write: async (batch) => {
      // From here on a status can no longer ride on the INSERT: later ones become UPDATEs, queued after it.
      for (const entry of batch) if (entry.kind === "decision") entry.record.sealed = true;
      if (driver) {
        await ready;
        await driver.transaction(statementsFor(batch));
      }
    },
  });
  // The request path only writes into these rings; `pump` turns them into records, detector input and log entries.
  const captured = new CaptureRing(capacity);
  const statuses = new StatusRing(capacity);
  // Recent decisions by id: a status arriving before the INSERT is set on the row itself (saving an UPDATE), and
  // the 404-scan detector learns which IP and path a status belongs to.
  // Statuses come moments after their decision, almost always in the same pump; 20,000 covers a slow response
  // at a high rate, and a smaller map is cheaper to fill than a large one (later statuses still land, as UPDATEs).
  const recent = new BoundedMap<string, DecisionRecord>(20_000);
  const fingerprints = new BoundedMap<string, string>(10_000);
  const blockList = createBlockList(clock);
  const dispatcher = createAlertDispatcher(options.alerts ?? {}, {
    logger,
    record: (alert) => queue.push({ kind: "alert", alert }),
    delivery: {
      fetch: options.fetch ?? fetch,
      attempts: options.alerts?.attempts ?? 4,
      backoffMs: options.alerts?.backoffMs ?? 1_000,
      timeoutMs: options.alerts?.timeoutMs ?? 5_000,
      nowSeconds: () => Math.floor(clock.now() / 1000),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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

  const detectors = options.detectors ?? {};
  const spike = detectors.spike === false ? undefined : createSpikeDetector(detectors.spike ?? {}, report);
  const auth = detectors.auth === false ? undefined : createAuthDetector(detectors.auth ?? {}, report);
  const scan = detectors.scan === false ? undefined : createScanDetector(detectors.scan ?? {}, report);

  /** Moves everything captured into records, detectors and the write queue; runs on timers and before flush/tick. */
  function pump(): void {
    pumpScheduled = false;
    while (captured.size > 0) captured.drain(batchSize, ingest);
    statuses.drain(applyStatus);
  }
  function ingest(entry: Parameters<Parameters<CaptureRing["drain"]>[1]>[0]): void {
    try {
      const record = fromCaptured(entry, fingerprints);
      queue.push({ kind: "decision", record });
      recent.set(record.id, record);
      if (!spike && !scan) return;
      const event = toTrafficEvent(record);
      spike?.observe(event);
      scan?.observeRequest(record.ip, record.path, event.authenticated, record.ts);
      if (record.attackClass !== null) scan?.observeShieldHit(record.ip, record.attackClass, record.ts);
    } catch (error) {
      logger.error("observe: could not record a decision", { error: messageOf(error) });
    }
  }
  function applyStatus(id: string, status: number, ts: number): void {
    const record = recent.peek(id);
    if (record && !record.sealed) record.status = status;
    else queue.push({ kind: "status", id, status, ts });
    if (record) scan?.observeStatus(record.ip, record.path, status, ts);
  }
  let pumpScheduled = false;
  const pumpTimer = setInterval(pump, queueOptions.intervalMs ?? 250);
  pumpTimer.unref();

  let lastDropped = 0;
  let lastRetention = clock.now();
  const retentionEvery = options.retention?.intervalMs ?? 3_600_000;
  let retentionRun: Promise<void> = Promise.resolve();
  /** Detector windows, drop alerts and retention; every 10 s on a timer, or driven by `tick(now)`. */
  function maintain(now = clock.now()): void {
    pump();
    spike?.tick(now);
    const dropped = queue.stats().dropped + captured.dropped + statuses.dropped + lateDrops;
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
    if (driver && now - lastRetention >= retentionEvery) {
      lastRetention = now;
      retentionRun = retentionRun
        .then(() => ready)
        .then(() => applyRetention(driver, { decisionDays, rollupDays }, now))
        .catch((error) => logger.error("decision log: retention failed", { error: messageOf(error) }));
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
        if (captured.size >= batchSize && !pumpScheduled) {
          pumpScheduled = true;
          setImmediate(pump);
        }
      } catch (error) {
        logger.error("observe: could not record a decision", { error: messageOf(error) });
      }
    },
    onAuthEvent(event: AuthEvent) {
      try {
        auth?.observe(event);
      } catch (error) {
        logger.error("observe: could not process an auth event", { error: messageOf(error) });
      }
    },
    close: () => close(),
  };

  function recordStatus(decision: Decision | string, status: number): void {
    const id = typeof decision === "string" ? decision : decision?.id;
    if (typeof id !== "string" || id.length === 0 || !Number.isInteger(status) || status < 100 || status > 599) {
      logger.warn("observe.recordStatus: pass a decision (or its id) and an HTTP status 100-599", { status });
      return;
    }
    statuses.push(id, status, clock.now());
  }

  let closing: Promise<void> | undefined;
  let closed = false;
  let lateDrops = 0;
  const detachSignals = options.handleSignals === false ? () => {} : flushOnSignals(() => close());
  function close(): Promise<void> {
    closing ??= (async () => {
      detachSignals();
      clearInterval(maintenance);
      clearInterval(pumpTimer);
      maintain();
      closed = true;
      await dispatcher.settle();
      await queue.close();
      await retentionRun;
      await driver?.close();
    })();
    return closing;
  }

  return {
    observer,
    recordStatus,
    blockList,
    query: driver ? createQuery(driver) : undefined,
    ready,
    alerts: () => dispatcher.recent(),
    tick: (now = clock.now()) => maintain(now),
    flush: async () => {
      pump();
      await queue.flush();
      await retentionRun;
    },
    stats: () => {
      const q = queue.stats();
      const waiting = captured.size + statuses.size;
      const lost = captured.dropped + statuses.dropped + lateDrops;
      return {
        queue: { ...q, accepted: q.accepted + waiting, dropped: q.dropped + lost, pending: q.pending + waiting },
        alerts: dispatcher.stats(),
      };
    },
    close,
  };
}

export type { Severity };
