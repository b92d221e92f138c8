import { parentPort, workerData } from "node:worker_threads";
import { type Logger, messageOf } from "@parapet/core";
import { deadlineIn, NO_DEADLINE } from "../deadline.js";
import { relayedSchema } from "../migration.js";
import { createPipeline } from "../pipeline.js";
import type { SqlDriver } from "../sql/driver.js";
import { postgresLog } from "../sql/postgres.js";
import { sqliteLog } from "../sql/sqlite.js";
import { forEachStatus } from "./columns.js";
import type { FromWorker, ToWorker, WorkerProgress, WorkerSetup } from "./protocol.js";

/**
 * The decision log's worker thread: owns its own database connection, the
 * detectors and the write queue, so records, JSON, SQL and detector state cost
 * the request thread nothing. Findings and log lines go back as messages; the
 * main thread owns the block list, the alert dispatcher and the webhooks.
 */
/** Rows per transaction in the worker: fewer commits and rollup upserts; a longer transaction blocks no request here. */
const WORKER_BATCH = 2_000;
const port = parentPort;
if (!port) throw new Error("log-worker.js runs as a worker thread started by observe()");
const setup = workerData as WorkerSetup;
const send = (message: FromWorker) => port.postMessage(message);

/**
 * Every log line carries the counts as they are when it is written, in the same message: a line about entries lost
 * at close and the drop count that includes them reach the main thread together or not at all. Sent apart, the main
 * thread could hear the line, give up on the worker at its deadline before the count arrived, and count the same
 * entries lost a second time.
 */
let countsReady = false;
const logLine = (level: "warn" | "error", message: string, fields: Record<string, unknown> | undefined) =>
  send({ type: "log", level, message, fields, ...(countsReady ? { progress: progress() } : {}) });
const logger: Logger = {
  debug() {},
  warn: (message, fields) => logLine("warn", message, fields),
  error: (message, fields) => logLine("error", message, fields),
};

let driver: SqlDriver | undefined;
try {
  driver = setup.store ? openDriver(setup.store) : undefined;
} catch (error) {
  // Writes then fail and are counted as drops; the main thread hears why.
  logger.error("decision log worker: cannot open the database", { error: messageOf(error) });
}
function openDriver(spec: NonNullable<WorkerSetup["store"]>): SqlDriver {
  return spec.kind === "sqlite" ? sqliteLog(spec.options) : postgresLog(spec.options);
}

// The main thread migrates the schema (retrying while the database is down) and tells us how each attempt went.
const schema = relayedSchema();

const pipeline = createPipeline({
  driver: setup.store && !driver ? failingDriver() : driver,
  schema,
  logger,
  // No requests to keep responsive here: write until the queue is empty, in bigger transactions.
  // The capture ring is drained into the worker at once, so the worker's queue also holds the ring's share:
  // the same bound on memory as before (ring + queue), spent where the backlog actually waits.
  queue: {
    ...setup.queue,
    capacity: 2 * (setup.queue.capacity ?? 50_000),
    yieldBetweenBatches: false,
    batchSize: Math.max(setup.queue.batchSize ?? 500, WORKER_BATCH),
    onIdle: () => {
      if (ackOwed) acknowledge();
    },
  },
  detectors: setup.detectors,
  ...(setup.ipv6Prefix === undefined ? {} : { ipv6Prefix: setup.ipv6Prefix }),
  retention: setup.retention,
  report: (finding, ts) => send({ type: "finding", finding, ts }),
});

let received = 0;
let joined = 0;
let lastWritten = -1;
let lastDropped = -1;
let lastJoined = -1;
let acknowledged = 0;
function progress(): WorkerProgress {
  return { ...pipeline.stats(), received, joined, acknowledged };
}
countsReady = true;
// Written and dropped counts go back as they change, so a crash loses track of nothing already written.
const reporter = setInterval(() => {
  const now = progress();
  if (now.written !== lastWritten || now.dropped !== lastDropped || now.joined !== lastJoined) {
    lastWritten = now.written;
    lastDropped = now.dropped;
    lastJoined = now.joined;
    send({ type: "progress", progress: now });
  }
}, 50);

/**
 * Batches wait here until the event loop's next check phase. Node hands a worker every queued message (at least
 * 1,000 of them) before its event loop turns again: batches processed right in the handler kept the loop from
 * turning while the main thread kept sending, so no write, timer or database reply ran during a burst (the queue
 * overflowed with the database idle). Taking a message is now cheap, the loop turns between groups of them, and the
 * acknowledgement the main thread paces itself by (see worker-backend.ts) goes once a group is processed.
 */
let inbox: Extract<ToWorker, { type: "batch" }>[] = [];
/**
 * Batches were taken while a write was under way: their acknowledgement waits until the writer stops. A write to
 * PostgreSQL is a dozen round trips, each waiting its turn of the loop behind the batches being taken; acknowledged
 * at once, a burst kept the worker taking batches and writing 2,000 rows a second. Held back, the main thread stops
 * sending (keeping them in its ring) until the rows are in. A write to SQLite is over before the next turn.
 */
let ackOwed = false;

function processInbox(): void {
  if (inbox.length === 0) return;
  const batches = inbox;
  inbox = [];
  for (const message of batches) {
    received += message.entries;
    for (const event of message.auth) pipeline.auth(event);
    if (message.decisions) pipeline.ingest(message.decisions);
    if (message.statuses) forEachStatus(message.statuses, joinOrQueue);
    for (const alert of message.alerts) pipeline.recordAlert(alert);
  }
  if (pipeline.writing()) ackOwed = true;
  else acknowledge();
}

function acknowledge(): void {
  ackOwed = false;
  acknowledged = received;
  send({ type: "progress", progress: progress() });
}

port.on("message", (message: ToWorker) => {
  if (message.type === "batch") {
    if (inbox.push(message) === 1) setImmediate(processInbox);
    return;
  }
  // Everything else comes after the batches sent before it.
  processInbox();
  switch (message.type) {
    case "schema":
      schema.relay(message.error);
      break;
    case "tick":
      pipeline.tick(message.now);
      break;
    case "flush":
      void pipeline.flush(deadlineOf(message)).then(() => send({ type: "done", id: message.id, progress: progress() }));
      break;
    case "close":
      // The reporter keeps running while closing: the count of entries lost at close reaches the main thread with
      // their log line, even if the main thread stops waiting (its deadline) before "done".
      void pipeline
        .close(deadlineOf(message))
        .catch((error) => logger.error("decision log worker: close failed", { error: messageOf(error) }))
        .then(() => {
          clearInterval(reporter);
          send({ type: "done", id: message.id, progress: progress() });
          port.close();
        });
      break;
  }
});

function deadlineOf(message: { readonly budgetMs: number | undefined }) {
  return message.budgetMs === undefined ? NO_DEADLINE : deadlineIn(message.budgetMs);
}

function joinOrQueue(id: string, status: number, ts: number): void {
  if (pipeline.status(id, status, ts)) joined++;
}

function failingDriver(): SqlDriver {
  const fail = () => Promise.reject(new Error("the decision log worker could not open the database"));
  return { dialect: "sqlite", description: "unavailable", transaction: fail, all: fail, exec: fail, close: async () => {} };
}
