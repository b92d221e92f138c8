import type { Alert } from "./alerts/alert.js";
import type { Deadline } from "./deadline.js";
import { type AuthInput, createPipeline, type PipelineOptions } from "./pipeline.js";
import type { QueueStats } from "./queue.js";
import { type DecisionColumns, forEachStatus, type StatusColumns } from "./worker/columns.js";

/**
 * Where observe() sends what it captured: the log worker (worker/worker-backend.ts,
 * the default) or the pipeline on this thread. Sending never throws and never waits.
 */
export interface LogBackend {
  /**
   * False while the backend holds as much as it should in flight: the caller keeps what it captured (its ring is
   * bounded and counts what it must drop) and sends it when there is room again.
   */
  accepting(): boolean;
  send(decisions: DecisionColumns | undefined, statuses: StatusColumns | undefined, auth: AuthInput[], alerts: Alert[]): void;
  tick(now: number): void;
  /** Writes what was sent; with close()'s deadline, waits no longer than it. */
  flush(deadline?: Deadline): Promise<void>;
  stats(): QueueStats;
  /** Writes what is left, then closes; ends by `deadline`, counting (and logging) what was not written as dropped. */
  close(deadline?: Deadline): Promise<void>;
}

/** The pipeline on the request thread: deterministic (tests driving a fake clock), and for drivers that cannot be reopened. */
export function inThreadBackend(options: PipelineOptions): LogBackend {
  const pipeline = createPipeline(options);
  return {
    // The pipeline's own queue bounds what it holds (and counts its drops): it always takes more.
    accepting: () => true,
    send(decisions, statuses, auth, alerts) {
      for (const event of auth) pipeline.auth(event);
      if (decisions) pipeline.ingest(decisions);
      if (statuses) forEachStatus(statuses, (id, status, ts) => void pipeline.status(id, status, ts));
      for (const alert of alerts) pipeline.recordAlert(alert);
    },
    tick: (now) => pipeline.tick(now),
    flush: (deadline) => pipeline.flush(deadline),
    stats: () => pipeline.stats(),
    close: (deadline) => pipeline.close(deadline),
  };
}
