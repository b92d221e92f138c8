import { Worker } from "node:worker_threads";
import { type Logger, messageOf } from "@parapet/core";
import type { Alert, Finding } from "../alerts/alert.js";
import type { LogBackend } from "../backend.js";
import { type Deadline, NO_DEADLINE } from "../deadline.js";
import type { Migration } from "../migration.js";
import type { AuthInput } from "../pipeline.js";
import type { QueueStats } from "../queue.js";
import { settledWithin } from "../settled-within.js";
import { entriesOf, transferablesOf } from "./columns.js";
import type { FromWorker, ToWorker, WorkerProgress, WorkerSetup } from "./protocol.js";

export interface WorkerBackendOptions {
  readonly setup: WorkerSetup;
  /** The main thread's migration, relayed to the worker after each attempt; undefined without a store. */
  readonly migration: Pick<Migration, "watch"> | undefined;
  readonly logger: Logger;
  readonly report: (finding: Finding, ts: number) => void;
  /** Restarts after a crash before the log gives up (and counts every later decision as dropped). Default 5. */
  readonly maxRestarts?: number;
  /** Called when the worker has caught up after `accepting()` said no: what waits can be sent now. */
  readonly onRoom?: () => void;
}

/**
 * Batches in flight to the worker (sent, not yet acknowledged) before `accepting()` says no. Without a bound the
 * worker fell behind unnoticed: Node hands a worker at least 1,000 queued messages (500,000 decisions) before its
 * event loop turns, so its writes and timers waited out a burst while its queue overflowed and the messages
 * still queued held memory no capacity counted. A few batches keep the worker busy and its loop turning.
 */
const IN_FLIGHT_BATCHES = 8;

/**
 * Of what is left of close()'s deadline, the part the worker does not get: its answer, with the final counts, must
 * reach this thread before the deadline, or what it wrote would be counted here as lost.
 */
const ANSWER_MARGIN_MS = 200;

const WORKER_URL = new URL("./log-worker.js", import.meta.url);
const NO_PROGRESS: WorkerProgress = {
  accepted: 0,
  written: 0,
  dropped: 0,
  failedWrites: 0,
  pending: 0,
  received: 0,
  joined: 0,
  acknowledged: 0,
};

/**
 * The main thread's side of the log worker. Batches go over as columns with
 * their typed-array buffers transferred; the worker answers with findings,
 * log lines and progress. A worker that dies is reported, what it held is
 * counted as dropped, and a new one is started (up to `maxRestarts`); every
 * pending flush or close is released on exit, so nothing waits on a dead thread.
 */
export function workerBackend(options: WorkerBackendOptions): LogBackend & { readonly threadId: () => number } {
  const { logger } = options;
  const maxRestarts = options.maxRestarts ?? 5;
  // The latest word on the schema, also given to a worker started after a crash.
  let schemaState: ToWorker | undefined;

  // Counts of workers that are gone, plus what the current one has reported.
  const base = { accepted: 0, written: 0, dropped: 0, failedWrites: 0 };
  let progress = NO_PROGRESS;
  let sent = 0;
  /** Sent to a worker that crashed, or that had not finished writing by close()'s deadline. */
  let lostUnwritten = 0;
  let droppedWithoutWorker = 0;
  let restarts = 0;
  let closing = false;
  /** accepting() said no since the last acknowledgement: onRoom is owed once there is room. */
  let heldBack = false;
  const maxInFlight = IN_FLIGHT_BATCHES * (options.setup.queue.batchSize ?? 500);
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  let worker: Worker | undefined = start();
  options.migration?.watch((error) => announce({ type: "schema", error }));

  function start(): Worker {
    const started = new Worker(WORKER_URL, { workerData: options.setup });
    // Like the old timers, the log never keeps a finished process alive; flush and close hold a ref while they wait.
    started.unref();
    started.on("message", (message: FromWorker) => receive(message));
    started.on("error", (error) => logger.error("decision log worker crashed", { error: messageOf(error) }));
    started.on("exit", (code) => exited(started, code));
    if (schemaState) started.postMessage(schemaState);
    return started;
  }

  function announce(message: ToWorker): void {
    schemaState = message;
    worker?.postMessage(message);
  }

  function receive(message: FromWorker): void {
    switch (message.type) {
      case "finding":
        options.report(message.finding, message.ts);
        break;
      case "progress":
        progress = message.progress;
        offerRoom();
        break;
      case "done":
        progress = message.progress;
        waiting.get(message.id)?.();
        waiting.delete(message.id);
        offerRoom();
        break;
      case "log":
        // Taken with the line: a loss the worker logs is then in `progress` before giveUp() could count it again.
        if (message.progress) progress = message.progress;
        logger[message.level](message.message, message.fields);
        break;
    }
  }

  function hasRoom(): boolean {
    // Without a worker nothing is held back: what is sent is counted as dropped at once.
    return worker === undefined || sent - progress.acknowledged < maxInFlight;
  }

  function offerRoom(): void {
    if (!heldBack || !hasRoom()) return;
    heldBack = false;
    options.onRoom?.();
  }

  function exited(gone: Worker, code: number): void {
    if (gone !== worker) return;
    const lost = retire();
    if (closing && lost === 0) return;
    lostUnwritten += lost;
    logger.error("decision log worker stopped; the decisions it held are counted as dropped", { code, lost });
    if (!closing && restarts < maxRestarts) {
      restarts++;
      worker = start();
    } else if (!closing) {
      logger.error("decision log worker keeps failing; decisions are now dropped and counted. Check the database and the logs above.");
    }
    // Nothing is in flight to a new worker (and without one nothing is held back): what waited can go.
    offerRoom();
  }

  /**
   * Takes the current worker's counts into `base` and lets go of it (every pending flush or close is released);
   * returns what it had been sent and not written, dropped or joined: lost with it.
   */
  function retire(): number {
    worker = undefined;
    const lost = sent - progress.written - progress.dropped - progress.joined;
    base.accepted += progress.accepted + Math.max(0, sent - progress.received);
    base.written += progress.written;
    base.dropped += progress.dropped;
    base.failedWrites += progress.failedWrites;
    progress = NO_PROGRESS;
    sent = 0;
    for (const release of waiting.values()) release();
    waiting.clear();
    return Math.max(0, lost);
  }

  function post(message: ToWorker): boolean {
    if (!worker) return false;
    try {
      worker.postMessage(message, message.type === "batch" ? transferablesOf(message.decisions, message.statuses) : []);
      return true;
    } catch (error) {
      if (message.type !== "batch" || !message.decisions) throw error;
      // A rule put something into its result that cannot cross threads (a function, a socket): send its JSON form.
      const objectResults = message.decisions.objectResults.map((list) => JSON.parse(JSON.stringify(list)) as typeof list);
      worker.postMessage({ ...message, decisions: { ...message.decisions, objectResults } });
      return true;
    }
  }

  /**
   * Resolves to true once the worker has done `type`; with a deadline, to false if it has not answered by then (it
   * is blocked: a SQLite file another process holds locked keeps its thread in the busy wait, 5 s per statement).
   */
  function roundTrip(type: "flush" | "close", deadline: Deadline): Promise<boolean> {
    const current = worker;
    if (!current) return Promise.resolve(true);
    const id = ++nextId;
    const left = deadline.left();
    const budgetMs = Number.isFinite(left) ? Math.max(0, left - ANSWER_MARGIN_MS) : undefined;
    current.ref();
    const answered = new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      current.postMessage({ type, id, budgetMs } satisfies ToWorker);
    });
    return settledWithin(answered, deadline.left()).finally(() => {
      waiting.delete(id);
      current.unref();
    });
  }

  /**
   * close()'s deadline passed before the worker answered: what it holds is counted and logged here, as lost (it may
   * yet be written, if the worker gets to it before it is terminated; nothing here will hear of it). Its later
   * messages are ignored, so its own count of the same entries is not added to this one.
   */
  function giveUp(current: Worker): void {
    current.removeAllListeners("message");
    const lost = retire();
    lostUnwritten += lost;
    if (lost > 0) {
      logger.error(
        "decision log: entries lost at close; the log worker had not written them when close() ran out of time (closeTimeoutMs)",
        {
          entries: lost,
        },
      );
    }
  }

  return {
    accepting() {
      if (hasRoom()) return true;
      heldBack = true;
      return false;
    },
    send(decisions, statuses, auth: AuthInput[], alerts: Alert[]) {
      // Alert rows are queue entries too: left out, a written alert made the count of lost entries negative.
      const entries = entriesOf(decisions, statuses) + alerts.length;
      try {
        if (post({ type: "batch", decisions, statuses, auth, alerts, entries })) sent += entries;
        else droppedWithoutWorker += entries;
      } catch (error) {
        droppedWithoutWorker += entries;
        logger.error("observe: could not hand a batch to the log worker", { error: messageOf(error) });
      }
    },
    tick(now) {
      post({ type: "tick", now });
    },
    flush: async (deadline = NO_DEADLINE) => {
      await roundTrip("flush", deadline);
    },
    stats(): QueueStats {
      const inFlight = Math.max(0, sent - progress.received);
      return {
        accepted: base.accepted + progress.accepted + inFlight,
        written: base.written + progress.written,
        dropped: base.dropped + progress.dropped + lostUnwritten + droppedWithoutWorker,
        failedWrites: base.failedWrites + progress.failedWrites,
        pending: progress.pending + inFlight,
      };
    },
    async close(deadline = NO_DEADLINE) {
      closing = true;
      const current = worker;
      if (!current) return;
      if (!(await roundTrip("close", deadline)) && worker === current) giveUp(current);
      // The worker has flushed and closed its connection (or died, or was given up on, already accounted for): end the
      // thread now. A thread blocked in a synchronous call ends only once the call returns: not waited for past the deadline.
      await settledWithin(current.terminate(), deadline.left());
    },
    threadId: () => worker?.threadId ?? -1,
  };
}
