import { type Logger, messageOf } from "@parapet/core";
import { type Deadline, NO_DEADLINE } from "./deadline.js";
import { settledWithin } from "./settled-within.js";

/**
 * A bounded, batching queue between the request path and a slow sink.
 * `push` never blocks and never throws: when the queue is full the entry is
 * dropped and counted. A timer (or `flush()`) hands batches to the writer one
 * at a time. A batch that fails stays queued and is retried with exponential
 * backoff for as long as the sink keeps failing, so a database outage costs
 * memory up to `capacity`, never the app, and never an entry that fitted
 * (see `retryHead` for the one case where a batch is given up).
 */
export interface BatchQueueOptions<T> {
  readonly write: (batch: readonly T[]) => Promise<void>;
  readonly logger: Logger;
  /** Entries held at most; beyond it new entries are dropped. Default 50,000. */
  readonly capacity?: number;
  /**
   * Room beyond `capacity` that only `push(entry, true)` may use. Default 0. The decision log keeps some for alert
   * rows: the `log_drops` alert is raised exactly when the queue is full, and must not be dropped with the rest.
   */
  readonly reserve?: number;
  /** Entries per write (one transaction). Default 500: short enough not to stall the loop on SQLite. */
  readonly batchSize?: number;
  /** How often the timer flushes. Default 250 ms. */
  readonly intervalMs?: number;
  /**
   * Yield to the event loop between two batches. Default true: on the request thread, requests run between
   * two synchronous SQLite transactions. The log worker has no requests to serve, and yielding there would
   * let incoming batches outrun the writer (one batch written per turn while many arrive), so it passes false.
   */
  readonly yieldBetweenBatches?: boolean;
  /** First delay before a failed batch is retried; it doubles on each failure up to `maxRetryDelayMs`. Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Longest delay between two retries. Default 5,000 ms: a database that comes back is written to within seconds. */
  readonly maxRetryDelayMs?: number;
  /** How long `flush()` retries a failing batch before it returns (the batch stays queued). Default 1,000 ms. */
  readonly flushRetryMs?: number;
  /**
   * How long `close()` retries a failing sink before it counts what is left as dropped. Default 5,000 ms. Also how
   * long flush and close wait for a write that has not answered (at least 1 s): they wait while writes keep
   * answering, however long the backlog, but not for a database that stopped answering.
   */
  readonly closeRetryMs?: number;
  /**
   * How many entries one queued item stands for (default 1). The decision log queues a whole captured batch as
   * one item, so the rows waiting to be written cost the garbage collector one object per batch, not several
   * per row; capacity, batch size and every count in `stats()` are in these units.
   */
  readonly weigh?: (item: T) => number;
  /** Milliseconds, for the retry schedule and its log lines. Default Date.now. */
  readonly now?: () => number;
  /** Called each time the writer stops: the queue ran dry, or the head batch waits for its retry. */
  readonly onIdle?: () => void;
}

/** Counts are in entries (see `weigh`). */
export interface QueueStats {
  readonly accepted: number;
  readonly written: number;
  /** Entries dropped because the queue was full, a batch the sink refused was given up, or the sink still failed at close. */
  readonly dropped: number;
  readonly failedWrites: number;
  readonly pending: number;
}

export interface BatchQueue<T> {
  /**
   * False (and the item's entries counted as dropped) when it does not fit whole or the queue is closed.
   * `reserved` lets it use the `reserve` beyond capacity.
   */
  push(entry: T, reserved?: boolean): boolean;
  /**
   * Writes everything queued so far. A failing batch is retried with backoff for up to `flushRetryMs`; then the
   * flush resolves and the batch stays queued (the timer goes on retrying it), so a flush during an outage ends.
   * Never waits past `deadline` (close()'s, when it flushes).
   */
  flush(deadline?: Deadline): Promise<void>;
  stats(): QueueStats;
  /**
   * Stops the timer after a final flush, retrying a failing sink for up to `retryMs` (default `closeRetryMs`), then
   * counts what is left as dropped. Later pushes are dropped and counted. Every wait ends by `deadline`: what is
   * still queued then is counted and logged as lost, however healthy the sink.
   */
  close(retryMs?: number, deadline?: Deadline): Promise<void>;
  /** True while a write is under way (between a drain's first write and the moment it stops). */
  writing(): boolean;
}

/** Failures of the head batch after which the batch behind it is tried, to tell a bad batch from an outage. */
const PROBE_AFTER = 3;
/** While writes keep failing, one log line per minute at most: an outage must not flood the log it cannot write. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Emptied slots at the front of the queue's array before it is cut down to what still waits. */
const COMPACT_AFTER = 1024;

/** Items buffer[start…end) and the entries they weigh. */
interface Slice {
  readonly start: number;
  readonly end: number;
  readonly entries: number;
}

export function createBatchQueue<T>(options: BatchQueueOptions<T>): BatchQueue<T> {
  const capacity = options.capacity ?? 50_000;
  const reserve = options.reserve ?? 0;
  const batchSize = options.batchSize ?? 500;
  const yieldBetweenBatches = options.yieldBetweenBatches ?? true;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  const flushRetryMs = options.flushRetryMs ?? 1_000;
  const closeRetryMs = options.closeRetryMs ?? 5_000;
  /** How long flush and close wait for a write to answer before they leave it running (see drainUntil). */
  const answerWaitMs = Math.max(closeRetryMs, 1_000);
  const weigh = options.weigh ?? (() => 1);
  const now = options.now ?? Date.now;
  const { logger } = options;
  /** Items waiting from `head` on; the slots before it are written and emptied (see `advance`). */
  let buffer: (T | undefined)[] = [];
  let head = 0;
  /** Entries (weights) of buffer[head…]. */
  let pendingEntries = 0;
  let accepted = 0;
  let written = 0;
  let dropped = 0;
  let failedWrites = 0;
  let closed = false;
  let running: Promise<void> | undefined;
  /** Failed writes since the last success; the head batch is retried at `retryAt`. */
  let failures = 0;
  let headFailures = 0;
  /**
   * Items in the head batch when it first failed: its retries keep to them. Grown with each retry up to batchSize,
   * a refused entry took everything queued after it into its batch (nothing was left behind it to probe with), so
   * the log stalled until the batch was full, then lost it whole, 2,000 decisions in the worker.
   */
  let headItems = Number.POSITIVE_INFINITY;
  let retryAt = 0;
  let lastFailureLog = Number.NEGATIVE_INFINITY;
  /** The latest write error, quoted when entries are lost at close: the current reason, not the first one. */
  let lastError: string | undefined;
  /** Set when close() gave up on a write still in flight: whatever that write does later must not touch the counts. */
  let abandoned = false;
  /** Writes that have answered (succeeded or failed): flush and close wait while this moves. */
  let answers = 0;
  /** When the latest write began (performance.now()): how long an unanswered one has waited, for the loss's log line. */
  let attemptStarted = 0;

  const timer = setInterval(() => {
    void drain(false);
  }, options.intervalMs ?? 250);
  // The log must never keep a finished process alive; close() flushes explicitly.
  timer.unref();

  function push(entry: T, reserved = false): boolean {
    const weight = weigh(entry);
    if (closed || pendingEntries + weight > capacity + (reserved ? reserve : 0)) {
      dropped += weight;
      return false;
    }
    buffer.push(entry);
    accepted += weight;
    const before = pendingEntries;
    pendingEntries += weight;
    // Threshold flush: a full batch is written at the next turn of the event loop, not the next tick.
    if (before < batchSize && pendingEntries >= batchSize) setImmediate(() => void drain(false));
    return true;
  }

  /**
   * One writer at a time, until the queue is empty or a batch fails. `immediately` (flush, close) does not wait
   * for the retry delay; the timer does.
   */
  function drain(immediately: boolean): Promise<void> {
    if (running) return immediately ? running.then(() => drain(true)) : running;
    // Also keeps the loop below from ending before its first await, which would leave `running` set for good.
    if (pendingEntries === 0 || (!immediately && failures > 0 && now() < retryAt)) return Promise.resolve();
    running = (async () => {
      try {
        while (pendingEntries > 0 && (await writeHead())) {
          // Let requests run between two synchronous SQLite transactions.
          if (yieldBetweenBatches) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        running = undefined;
        options.onIdle?.();
      }
    })();
    return running;
  }

  /** Up to `batchSize` entries (and `maxItems` items) from buffer[start], at least one item (an item is never split). */
  function sliceFrom(start: number, maxItems = Number.POSITIVE_INFINITY): Slice {
    let end = start;
    let entries = 0;
    do entries += weigh(buffer[end++] as T);
    while (end < buffer.length && end - start < maxItems && entries + weigh(buffer[end] as T) <= batchSize);
    return { start, end, entries };
  }

  /** Writes the head batch; true when the queue moved on (written or given up), false when it must wait. */
  async function writeHead(): Promise<boolean> {
    const batch = sliceFrom(head, headFailures > 0 ? headItems : Number.POSITIVE_INFINITY);
    const error = await attempt(batch);
    if (abandoned) return false;
    if (error === undefined) {
      succeeded(batch);
      return true;
    }
    failed(error);
    headFailures++;
    headItems = batch.end - batch.start;
    return retryHead(batch);
  }

  /**
   * When a failing batch is given up: only when the sink demonstrably works without it. Once the head has failed
   * PROBE_AFTER times, the batch behind it is written; if that succeeds and the head then fails once more, the
   * database works and this batch is what it refuses (a value it rejects, a constraint): kept, it would block the
   * log for good. While every write fails it is an outage, and nothing is given up: the queue fills, and only then
   * are new entries dropped (counted). Why not a time budget per batch: an outage longer than the budget would lose
   * the oldest batches one after another though the queue had room for them, the very loss this queue is for. Why
   * not "give up the oldest when full": a bad batch would stall the log until the queue fills, hours at low traffic,
   * and during an outage it would throw away entries nobody needed the room for. If every batch were refused, that
   * is indistinguishable from an outage, and is handled as one. The batch behind is written first when it probes;
   * a status update in it whose row is in the head is lost only if the head is then given up, with that row.
   */
  async function retryHead(batch: Slice): Promise<boolean> {
    if (headFailures < PROBE_AFTER || batch.end >= buffer.length) return false;
    const behind = sliceFrom(batch.end);
    const probe = await attempt(behind);
    if (abandoned) return false;
    if (probe !== undefined) {
      failedWrites++;
      return false;
    }
    written += behind.entries;
    remove(behind);
    const error = await attempt(batch);
    if (abandoned) return false;
    if (error === undefined) {
      succeeded(batch);
      return true;
    }
    failedWrites++;
    dropped += batch.entries;
    advance(batch);
    headFailures = 0;
    logger.error("decision log: dropped a batch the database refuses while it accepts others", {
      entries: batch.entries,
      error: messageOf(error),
    });
    return true;
  }

  async function attempt(batch: Slice): Promise<unknown> {
    attemptStarted = performance.now();
    try {
      // Slots from the head on always hold an item: only written ones are emptied.
      await options.write(buffer.slice(batch.start, batch.end) as T[]);
      return undefined;
    } catch (error) {
      return error ?? new Error("the write failed");
    } finally {
      answers++;
    }
  }

  function succeeded(batch: Slice): void {
    written += batch.entries;
    advance(batch);
    headFailures = 0;
    if (failures > 0)
      logger.warn("decision log: writes resumed; the entries kept meanwhile are being written", { failures, pending: pendingEntries });
    failures = 0;
  }

  function failed(error: unknown): void {
    lastError = messageOf(error);
    failedWrites++;
    failures++;
    const at = now();
    retryAt = at + Math.min(maxRetryDelayMs, retryDelayMs * 2 ** Math.min(failures - 1, 30));
    if (failures === 1) {
      logger.warn("decision log: write failed; retrying with backoff, entries wait in the queue meanwhile", { error: lastError });
      lastFailureLog = at;
    } else if (at - lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
      logger.warn("decision log: writes still failing", { failures, pending: pendingEntries, error: lastError });
      lastFailureLog = at;
    }
  }

  /**
   * Drops the head slice. Its slots are emptied at once: an item is a whole batch of decisions (see `weigh`), and
   * written ones left in the array until it was compacted kept ~2 million decisions' rows alive, gigabytes under
   * steady traffic. The emptied front is cut off when the queue runs dry, or in bulk once it is the larger part.
   */
  function advance(batch: Slice): void {
    buffer.fill(undefined, batch.start, batch.end);
    head = batch.end;
    pendingEntries -= batch.entries;
    if (head === buffer.length) {
      buffer.length = 0;
      head = 0;
    } else if (head > COMPACT_AFTER && head * 2 > buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
  }

  /** Takes a slice out from behind the head (a probe that was written). */
  function remove(batch: Slice): void {
    buffer.splice(batch.start, batch.end - batch.start);
    pendingEntries -= batch.entries;
  }

  /**
   * Writes what is queued; a failing batch gets more tries on the retry schedule until `until` (in `now()` time). A
   * drain is waited for while its writes keep answering (a long backlog on a healthy database is written whole), up
   * to `deadline`; once none has answered for `closeRetryMs`, it is left running (the timer or a later call sees how
   * it ends). A database that stopped answering (a network drop) held each write up to its query timeout, twice over
   * with the rollback, and a close() waiting for it took 80 s, past the orchestrator's grace: the process was killed
   * before it said what was lost.
   */
  async function drainUntil(until: number, deadline: Deadline): Promise<void> {
    await whileAnswering(drain(true), deadline);
    // A write still under way got no answer: retrying would only queue behind it.
    while (pendingEntries > 0 && now() < until && running === undefined && deadline.left() > 0) {
      // A timer that holds the process while it waits: a flush or close in progress is awaited by someone.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(retryAt, until) - now())));
      await whileAnswering(drain(true), deadline);
    }
  }

  /** `now() + ms`, but no later than the deadline. */
  function until(ms: number, deadline: Deadline): number {
    return now() + Math.min(ms, deadline.left());
  }

  async function close(retryMs = closeRetryMs, deadline = NO_DEADLINE): Promise<void> {
    clearInterval(timer);
    // A sink failing at shutdown gets more tries, with backoff, within a bound the orchestrator's grace allows. A write
    // is waited for up to closeRetryMs even when no retry is wanted (retryMs 0): that one attempt says why it failed.
    const retryUntil = until(retryMs, deadline);
    await whileAnswering(drain(true), deadline);
    closed = true;
    if (running === undefined) await drainUntil(retryUntil, deadline);
    const left = pendingEntries;
    if (left > 0) {
      const unanswered = running !== undefined;
      abandoned = true;
      dropped += left;
      buffer = [];
      head = 0;
      pendingEntries = 0;
      logger.error("decision log: entries lost at close because the sink kept failing or close() ran out of time", {
        entries: left,
        // Counted as lost, though the database may yet commit it: nothing here will hear of it.
        error: unanswered
          ? `the database gave a write no answer for ${Math.round(performance.now() - attemptStarted)} ms, then close() stopped waiting${lastError ? `; before: ${lastError}` : ""}`
          : failures > 0
            ? lastError
            : "close() ran out of time with the database still writing (observe's closeTimeoutMs: raise it if the database is healthy)",
      });
    }
  }

  /**
   * Resolves when `work` (a drain: it never rejects) settles, once no write has answered for `answerWaitMs`, or when
   * the deadline passes, whichever comes first.
   */
  async function whileAnswering(work: Promise<void>, deadline: Deadline): Promise<void> {
    for (;;) {
      const before = answers;
      if (await settledWithin(work, deadline.cap(answerWaitMs))) return;
      if (answers === before || deadline.left() === 0) return;
    }
  }

  return {
    push,
    flush: (deadline = NO_DEADLINE) => drainUntil(until(flushRetryMs, deadline), deadline),
    writing: () => running !== undefined,
    stats: () => ({ accepted, written, dropped, failedWrites, pending: pendingEntries }),
    close,
  };
}
