import type { Alert, Finding } from "../alerts/alert.js";
import type { AuthInput, PipelineOptions } from "../pipeline.js";
import type { QueueStats } from "../queue.js";
import type { DriverSpec } from "../sql/driver.js";
import type { DecisionColumns, StatusColumns } from "./columns.js";

/** The log worker's start-up data: everything must survive structured clone (no functions, no connections). */
export interface WorkerSetup {
  readonly store: DriverSpec | undefined;
  readonly queue: PipelineOptions["queue"];
  readonly detectors: PipelineOptions["detectors"];
  readonly ipv6Prefix?: number;
  readonly retention: PipelineOptions["retention"];
}

/** Main thread → worker, processed in order. */
export type ToWorker =
  | {
      readonly type: "batch";
      readonly decisions: DecisionColumns | undefined;
      readonly statuses: StatusColumns | undefined;
      readonly auth: readonly AuthInput[];
      readonly alerts: readonly Alert[];
      /** Entries in this message that count in queue stats (decisions, separate statuses, alerts). */
      readonly entries: number;
    }
  /** After each migration attempt: undefined once the tables exist, otherwise why not yet (retried). */
  | { readonly type: "schema"; readonly error: string | undefined }
  | { readonly type: "tick"; readonly now: number }
  /**
   * `budgetMs`: what is left of close()'s deadline, which the worker's waits keep to (a duration, not a time: the
   * threads' monotonic clocks start at different moments). Undefined for a flush outside close().
   */
  | { readonly type: "flush"; readonly id: number; readonly budgetMs: number | undefined }
  | { readonly type: "close"; readonly id: number; readonly budgetMs: number | undefined };

/** Progress the main thread needs for `stats()` and crash accounting. */
export interface WorkerProgress extends QueueStats {
  /** Entries received from the main thread so far. */
  readonly received: number;
  /** Separate statuses that joined their decision's row (received, but never an entry of the queue). */
  readonly joined: number;
  /**
   * Entries the worker lets the main thread count as taken when it decides whether to send more: `received`, but
   * held back while a write is under way (see log-worker.ts).
   */
  readonly acknowledged: number;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: "finding"; readonly finding: Finding; readonly ts: number }
  | { readonly type: "progress"; readonly progress: WorkerProgress }
  | { readonly type: "done"; readonly id: number; readonly progress: WorkerProgress }
  | {
      readonly type: "log";
      readonly level: "warn" | "error";
      readonly message: string;
      readonly fields: Record<string, unknown> | undefined;
      /** The counts when the line was written (absent before the pipeline exists): see log-worker.ts. */
      readonly progress?: WorkerProgress;
    };
