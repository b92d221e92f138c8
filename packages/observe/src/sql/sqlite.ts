import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { ErrorCodes, messageOf, optionError, ParapetError } from "@parapet/core";
import type { SqlDriver, SqlStatement, SqlValue } from "./driver.js";

/**
 * The embedded default: one SQLite file in WAL mode, zero setup.
 *
 * Two engines, both synchronous (the writer keeps each transaction small and
 * yields between batches):
 * - On Node >= 24, Node's built-in `node:sqlite` first: it loads without a
 *   warning there, and better-sqlite3 12 (the last line that runs on Node 20)
 *   can abort a Node 24 process at exit when a statement is finalized after
 *   the environment is gone (`RemoveEnvironmentCleanupHook`, see
 *   WiseLibs/better-sqlite3#1515; 13.x fixes it but needs Node >= 22).
 * - Otherwise better-sqlite3, falling back to `node:sqlite` (Node >= 22.13)
 *   when the addon cannot load (e.g. built for another Node ABI).
 */
export interface SqliteLogOptions {
  /** The database file. Default `.parapet/decisions.db`; its folder is created. `:memory:` for tests. */
  readonly path?: string;
  /**
   * Force one engine instead of the default (node:sqlite on Node >= 24, better-sqlite3 before). better-sqlite3 before
   * 13 is refused on Node >= 24, where it can abort the process.
   */
  readonly engine?: "better-sqlite3" | "node:sqlite";
  /**
   * Open an existing log for reading only (the dashboard): the file and its folder are never created, the journal
   * mode is left as the writer set it, and SQLite refuses every write. Default false.
   */
  readonly readOnly?: boolean;
}

/** The minimum both engines offer. */
interface SqliteEngine {
  readonly name: string;
  prepare(sql: string): { run(...params: SqlValue[]): unknown; all(...params: SqlValue[]): unknown[] };
  exec(sql: string): void;
  close(): void;
}

const require = createRequire(import.meta.url);
/** Prepared statements are cached by SQL text; batches use a handful of shapes, so this bound is generous. */
const MAX_CACHED_STATEMENTS = 64;

export function sqliteLog(options: SqliteLogOptions = {}): SqlDriver {
  const path = options.path ?? ".parapet/decisions.db";
  if (typeof path !== "string" || path.length === 0)
    throw optionError("sqliteLog", "`path` must be a file path such as .parapet/decisions.db");
  const readOnly = options.readOnly === true;
  if (readOnly && path === ":memory:") throw optionError("sqliteLog", "`readOnly` needs a file: an in-memory database starts empty");
  let engine: SqliteEngine;
  try {
    if (!readOnly && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    engine = openEngine(path, options.engine, readOnly);
    // Setting the journal mode writes to the file; a reader keeps the writer's (WAL) and only waits out its locks.
    engine.exec(
      readOnly ? "PRAGMA busy_timeout = 5000;" : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
    );
  } catch (error) {
    if (error instanceof ParapetError) throw error;
    // Fail at construction, not on the first write minutes later: the folder must exist (or be creatable) and be writable.
    throw new ParapetError(
      ErrorCodes.STORE_FAILED,
      readOnly
        ? `sqliteLog cannot open ${path} for reading: ${messageOf(error)}. Point \`path\` at the file observe() writes.`
        : `sqliteLog cannot open ${path}: ${messageOf(error)}. Point \`path\` at a writable folder (default .parapet/decisions.db), or use postgresLog().`,
      // The engine's own words, for callers that give their own advice (the dashboard CLI names its flags).
      { cause: error },
    );
  }
  const cache = new Map<string, ReturnType<SqliteEngine["prepare"]>>();
  let closed = false;

  function prepared(sql: string): ReturnType<SqliteEngine["prepare"]> {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      statement = engine.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }

  return {
    dialect: "sqlite",
    description: `${engine.name} ${path}`,
    // An in-memory database exists only in this connection, so it cannot be handed to the log worker; nor can a
    // read-only one, which no worker may write through.
    ...(path === ":memory:" || readOnly
      ? {}
      : { reopen: { kind: "sqlite" as const, options: { path, ...(options.engine ? { engine: options.engine } : {}) } } }),
    async transaction(statements: readonly SqlStatement[]) {
      engine.exec("BEGIN");
      try {
        for (const { sql, params } of statements) prepared(sql).run(...params);
        engine.exec("COMMIT");
      } catch (error) {
        engine.exec("ROLLBACK");
        throw error;
      }
    },
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepared(sql).all(...params) as T[];
    },
    async exec(script: string) {
      engine.exec(script);
    },
    async close() {
      // Twice is harmless, as with better-sqlite3: node:sqlite throws "database is not open" on a second close.
      if (closed) return;
      closed = true;
      cache.clear();
      engine.close();
    },
  };
}

/**
 * Node >= 24 ships node:sqlite without an experimental warning, and is where better-sqlite3 before 13 can abort the
 * process (refuseAbortingAddon).
 */
const PREFER_BUILTIN = Number(process.versions.node.split(".")[0]) >= 24;

type Engine = Omit<SqliteEngine, "name">;

function openEngine(path: string, forced: SqliteLogOptions["engine"], readOnly: boolean): SqliteEngine {
  let betterError: unknown;
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const builtin = getBuiltin?.("node:sqlite") as
    | { DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => Engine }
    | undefined;
  // Without the flag the engines create a missing file; with it they open an existing one or fail.
  const openBuiltin = (db: NonNullable<typeof builtin>) => wrap("node:sqlite", new db.DatabaseSync(path, readOnly ? { readOnly } : {}));
  if (builtin && forced === undefined && PREFER_BUILTIN) return openBuiltin(builtin);
  if (forced !== "node:sqlite") {
    // Only a failure to load the addon falls back; a file that cannot be opened is reported as such.
    let Database: (new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Engine) | undefined;
    try {
      Database = require("better-sqlite3") as NonNullable<typeof Database>;
      if (forced === "better-sqlite3") refuseAbortingAddon();
    } catch (error) {
      if (error instanceof ParapetError) throw error;
      if (forced === "better-sqlite3") throw error;
      betterError = error;
    }
    if (Database) return wrap("better-sqlite3", new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {}));
  }
  if (!builtin) {
    throw optionError(
      "sqliteLog",
      `no SQLite engine could load: better-sqlite3 failed (${String(betterError)}) and node:sqlite needs Node >= 22.13. ` +
        "Rebuild better-sqlite3 for this Node (`npm rebuild better-sqlite3`) or use postgresLog().",
    );
  }
  return openBuiltin(builtin);
}

/**
 * better-sqlite3 before 13 wraps its objects in Node's raw ObjectWrap, whose destructor on Node >= 24 asserts that a
 * JavaScript environment is current: a statement or database collected by an idle GC, or at exit, aborts the whole
 * process (SIGABRT, no stack, no chance to flush the log). Node >= 24 defaults to node:sqlite for that reason; forcing
 * the old addon there is refused at construction rather than left to crash the app some hours later.
 */
function refuseAbortingAddon(): void {
  if (!PREFER_BUILTIN) return;
  const { version } = require("better-sqlite3/package.json") as { version: string };
  if (Number(version.split(".")[0]) >= 13) return;
  throw optionError(
    "sqliteLog",
    `engine "better-sqlite3" ${version} can abort a Node ${process.versions.node} process when the garbage collector frees ` +
      "one of its statements (WiseLibs/better-sqlite3#1515). Leave `engine` unset (node:sqlite is the default here) " +
      "or install better-sqlite3 >= 13.",
  );
}

function wrap(name: string, db: Engine): SqliteEngine {
  return {
    name,
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}
