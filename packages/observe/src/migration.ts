import { type Clock, type Logger, messageOf } from "@parapet/core";
import { type Deadline, NO_DEADLINE } from "./deadline.js";
import { settledWithin } from "./settled-within.js";
import type { SqlDriver } from "./sql/driver.js";
import { migrate } from "./sql/schema.js";

/** What the writer and retention need to know of the schema: whether its tables exist yet. */
export interface SchemaState {
  isMigrated(): boolean;
  /** Resolves once the tables exist; until then rejects with the latest reason (an attempt under way is waited for). */
  check(): Promise<void>;
}

/** For a log whose tables are known to exist (tests, or no store at all). */
export const MIGRATED: SchemaState = { isMigrated: () => true, check: () => Promise.resolve() };

/**
 * The schema migration, retried until it succeeds: an app that starts while
 * its database is down (a deploy racing the database, a failover) logs every
 * decision once the database is back, instead of none until a restart.
 */
export interface Migration extends SchemaState {
  /** Resolves once migrated; rejects only if the log closed first. */
  readonly done: Promise<void>;
  /** Called after every attempt: undefined once migrated, otherwise its error (the log worker is told both). */
  watch(listener: (error: string | undefined) => void): void;
  /**
   * Stops retrying after one last attempt, so decisions queued while the database came back are still written. The
   * attempt is waited for up to 5 s, and never past `deadline`.
   */
  close(deadline?: Deadline): Promise<void>;
}

export interface MigrationOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** First retry delay; doubles up to `maxDelayMs`. Default 500 ms. */
  readonly minDelayMs?: number;
  /** Default 30 s: a database back from an outage is noticed within half a minute, at two connections a minute. */
  readonly maxDelayMs?: number;
}

/** How long close() waits for its last migration attempt. */
const LAST_ATTEMPT_WAIT_MS = 5_000;

/** A database down for hours must not write a line per retry: the first failure, then one line per 5 minutes. */
const REPEAT_LOG_MS = 5 * 60_000;

export function startMigration(driver: SqlDriver, options: MigrationOptions): Migration {
  const { logger, clock } = options;
  const minDelayMs = options.minDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const listeners: ((error: string | undefined) => void)[] = [];
  let migrated = false;
  let stopped = false;
  let failures = 0;
  let lastError: string | undefined;
  let lastLog = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } = { resolve() {}, reject() {} };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Awaited by callers who care; a rejection at close is not an unhandled one.
  done.catch(() => {});

  function attempt(): Promise<void> {
    timer = undefined;
    running ??= migrate(driver)
      .then(succeeded, failed)
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function succeeded(): void {
    migrated = true;
    if (failures > 0) {
      logger.warn("decision log: tables created after the database came back; the decisions kept meanwhile are being written", {
        failedAttempts: failures,
      });
    }
    lastError = undefined;
    settle.resolve();
    notify(undefined);
  }

  function failed(error: unknown): void {
    failures++;
    lastError = messageOf(error);
    notify(lastError);
    if (stopped) return;
    const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failures - 1, 30));
    const now = clock.now();
    if (failures === 1 || now - lastLog >= REPEAT_LOG_MS) {
      lastLog = now;
      logger.error("decision log: cannot create its tables; retrying with backoff, decisions wait in the queue meanwhile", {
        error: lastError,
        attempts: failures,
        retryInMs: delay,
      });
    }
    timer = setTimeout(attempt, delay);
    // Retries never keep a finished process alive.
    timer.unref();
  }

  function notify(error: string | undefined): void {
    for (const listener of listeners) listener(error);
  }

  void attempt();

  return {
    done,
    isMigrated: () => migrated,
    async check() {
      if (running) await running;
      if (!migrated) throw notYet(lastError);
    },
    watch(listener) {
      listeners.push(listener);
      if (migrated || lastError !== undefined) listener(lastError);
    },
    async close(deadline = NO_DEADLINE) {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // Bounded: an attempt waiting on a lock another session holds (or a server gone silent) never answers, and
      // close() waited with it for as long. Closing the driver afterwards ends the statement.
      const waitMs = Math.round(deadline.cap(LAST_ATTEMPT_WAIT_MS));
      if (!migrated) await settledWithin(attempt(), waitMs);
      if (!migrated) {
        const reason = running ? `no answer within ${waitMs} ms${lastError ? `; before: ${lastError}` : ""}` : lastError;
        settle.reject(new Error(`the decision log closed before its tables could be created (${reason})`));
      }
    },
  };
}

/**
 * The log worker's view of the migration the main thread runs: the state it last heard. Until it hears anything,
 * the first attempt is under way, and writes wait for it as they would on the main thread.
 */
export function relayedSchema(): SchemaState & { relay(error: string | undefined): void } {
  let migrated = false;
  let lastError: string | undefined;
  let heard: () => void = () => {};
  const firstWord = new Promise<void>((resolve) => {
    heard = resolve;
  });
  return {
    isMigrated: () => migrated,
    async check() {
      await firstWord;
      if (!migrated) throw notYet(lastError);
    },
    relay(error) {
      migrated = error === undefined;
      lastError = error;
      heard();
    },
  };
}

/** What a write waiting for the tables fails with: the current reason, never a stale one from start-up. */
function notYet(reason: string | undefined): Error {
  return new Error(`the decision log's tables are not created yet: ${reason ?? "no attempt has finished"}`);
}
