import { type Logger, messageOf } from "@parapet/core";

/**
 * A bounded, batching queue between the request path and a slow sink.
 * `push` never blocks and never throws: when the queue is full the entry is
 * dropped and counted. A timer (or `flush()`) hands batches to the writer one
 * at a time; a failed batch is retried on the next tick and dropped (counted)
 * only after `maxAttempts`, so a database outage costs memory up to
 * `capacity`, never the app.
 */
export interface BatchQueueOptions<T> {
  readonly write: (batch: readonly T[]) => Promise<void>;
  readonly logger: Logger;
  /** Entries held at most; beyond it new entries are dropped. Default 50,000. */
  readonly capacity?: number;
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
  /** Attempts per batch before it is dropped. Default 5. */
  readonly maxAttempts?: number;
  /**
   * How many entries one queued item stands for (default 1). The decision log queues a whole captured batch as
   * one item, so the rows waiting to be written cost the garbage collector one object per batch, not several
   * per row; capacity, batch size and every count in `stats()` are in these units.
   */
  readonly weigh?: (item: T) => number;
}

/** Counts are in entries (see `weigh`). */
export interface QueueStats {
  readonly accepted: number;
  readonly written: number;
  /** Entries dropped because the queue was full or a batch kept failing. */
  readonly dropped: number;
  readonly failedWrites: number;
  readonly pending: number;
}

export interface BatchQueue<T> {
  /** False (and the item's entries counted as dropped) when it does not fit whole or the queue is closed. */
  push(entry: T): boolean;
  /** Writes everything queued so far; resolves when done (or when the writer gave up). */
  flush(): Promise<void>;
  stats(): QueueStats;
  /** Stops the timer after a final flush. Later pushes are dropped and counted. */
  close(): Promise<void>;
}

export function createBatchQueue<T>(options: BatchQueueOptions<T>): BatchQueue<T> {
  const capacity = options.capacity ?? 50_000;
  const batchSize = options.batchSize ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const yieldBetweenBatches = options.yieldBetweenBatches ?? true;
  const weigh = options.weigh ?? (() => 1);
  let buffer: T[] = [];
  let head = 0;
  /** Entries (weights) of buffer[head…]. */
  let pendingEntries = 0;
  let accepted = 0;
  let written = 0;
  let dropped = 0;
  let failedWrites = 0;
  let attempts = 0;
  let closed = false;
  let running: Promise<void> | undefined;

  const timer = setInterval(() => {
    void drain(false);
  }, options.intervalMs ?? 250);
  // The log must never keep a finished process alive; close() flushes explicitly.
  timer.unref();

  function pending(): number {
    return pendingEntries;
  }

  function push(entry: T): boolean {
    const weight = weigh(entry);
    if (closed || pendingEntries + weight > capacity) {
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

  /** One writer at a time; `untilEmpty` keeps going (yielding between batches) until nothing is left. */
  function drain(untilEmpty: boolean): Promise<void> {
    if (running) return untilEmpty ? running.then(() => drain(true)) : running;
    running = (async () => {
      try {
        do {
          if (!(await writeOne())) break;
          // Let requests run between two synchronous SQLite transactions.
          if (yieldBetweenBatches) await new Promise((resolve) => setImmediate(resolve));
        } while (pending() > 0);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  /** Writes one batch; false when there was nothing to write or the write failed. */
  async function writeOne(): Promise<boolean> {
    if (buffer.length === head) return false;
    // Items up to `batchSize` entries, at least one (an item is never split).
    let end = head;
    let entries = 0;
    do entries += weigh(buffer[end++] as T);
    while (end < buffer.length && entries + weigh(buffer[end] as T) <= batchSize);
    const batch = buffer.slice(head, end);
    try {
      await options.write(batch);
      written += entries;
      attempts = 0;
      advance(batch.length, entries);
      return true;
    } catch (error) {
      failedWrites++;
      attempts++;
      if (attempts >= maxAttempts) {
        dropped += entries;
        attempts = 0;
        advance(batch.length, entries);
        options.logger.error("decision log: dropped a batch after repeated write failures", {
          entries,
          error: messageOf(error),
        });
        return true;
      }
      options.logger.warn("decision log: write failed, will retry", { attempt: attempts, error: messageOf(error) });
      return false;
    }
  }

  function advance(count: number, entries: number): void {
    head += count;
    pendingEntries -= entries;
    // Compact now and then so the array does not grow without bound.
    if (head > 4096 && head * 2 > buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
  }

  async function flush(): Promise<void> {
    // A failing batch is retried up to maxAttempts, then dropped: a flush always ends.
    let failures = 0;
    while (pending() > 0 && failures <= maxAttempts) {
      const before = written + dropped;
      await drain(true);
      failures = written + dropped === before ? failures + 1 : 0;
    }
  }

  return {
    push,
    flush,
    stats: () => ({ accepted, written, dropped, failedWrites, pending: pending() }),
    async close() {
      clearInterval(timer);
      await flush();
      closed = true;
      await flush();
      const left = pending();
      if (left > 0) {
        dropped += left;
        buffer = [];
        head = 0;
        pendingEntries = 0;
        options.logger.error("decision log: entries lost at close because the sink kept failing", { entries: left });
      }
    },
  };
}
