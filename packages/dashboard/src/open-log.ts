import { existsSync, statSync } from "node:fs";
import { messageOf } from "@parapet/core";
import { postgresLog, SCHEMA_VERSION, type SqlDriver, sqliteLog } from "@parapet/observe";

/**
 * How `parapet dashboard` opens the log it was pointed at. The dashboard is a reader of someone else's database:
 * opened read-only, and never migrated. Opening a writable log and migrating it made `--schema <typo>` create the
 * schema and every Parapet table in that database, and `--db <some other SQLite file>` add the tables to it.
 * Errors are worded in this command's flags, not in the library options they map to.
 */
export interface LogFlags {
  readonly db?: string | undefined;
  readonly postgres?: string | undefined;
  readonly schema?: string | undefined;
}

export const DEFAULT_DB = ".parapet/decisions.db";

export function openLog(flags: LogFlags): SqlDriver {
  if (flags.postgres !== undefined) {
    try {
      return postgresLog({
        connectionString: flags.postgres,
        readOnly: true,
        ...(flags.schema !== undefined ? { schema: flags.schema } : {}),
      });
    } catch (error) {
      throw new Error(`${messageOf(error)}. Check --postgres <url> and --schema <name>`);
    }
  }
  const path = flags.db ?? DEFAULT_DB;
  if (!existsSync(path)) throw new Error(`no file at ${path}; run the app with observe() first or pass --db <file>`);
  return followFile(path);
}

/**
 * A SQLite log read through the file now at `path`. An open connection keeps reading the file it opened even once
 * that is deleted or replaced (the app's log deleted to start afresh, a restore from backup): the dashboard showed
 * the old data for good, with a silent live tail. Before each read the file is checked: a new file is opened in
 * place of the old one, and a missing file is an error (a 503 and an "unreadable" live tail) until it is back.
 */
function followFile(path: string): SqlDriver {
  const open = () => {
    try {
      return sqliteLog({ path, readOnly: true });
    } catch (error) {
      throw new Error(notReadable(path, error));
    }
  };
  let current = open();
  let opened = fileIdentity(path);
  const reader = (): SqlDriver => {
    const now = fileIdentity(path);
    if (now === undefined) throw new Error(`${path} was deleted; the dashboard reads it again once the app has written a new one`);
    if (now !== opened) {
      const previous = current;
      current = open();
      opened = now;
      void previous.close().catch(() => {});
    }
    return current;
  };
  return {
    dialect: "sqlite",
    get description() {
      return current.description;
    },
    transaction: async (statements) => reader().transaction(statements),
    all: async (sql, params) => reader().all(sql, params),
    exec: async (script) => reader().exec(script),
    close: () => current.close(),
  };
}

function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Checks that the log holds Parapet's tables before the dashboard serves it, so a wrong name is a clear error at
 * start rather than a page of 503s. Returns a warning when the log is older than this dashboard expects.
 */
export async function checkDecisionLog(log: SqlDriver, flags: LogFlags): Promise<string | undefined> {
  let version: number;
  try {
    const [row] = await log.all<{ version: number | string | null }>("SELECT MAX(version) AS version FROM parapet_migrations");
    version = Number(row?.version ?? 0);
  } catch (error) {
    if (!isMissingTable(error)) throw new Error(log.dialect === "sqlite" ? notReadable(flags.db ?? DEFAULT_DB, error) : messageOf(error));
    version = 0;
  }
  if (version === 0) throw new Error(log.dialect === "postgres" ? await noPostgresLog(log, flags) : noSqliteLog(flags));
  if (version < SCHEMA_VERSION) {
    return (
      `the log is at schema version ${version} and this dashboard reads version ${SCHEMA_VERSION}; ` +
      "it does not migrate someone else's database, so views that need the newer tables may fail until the app runs this version of @parapet/observe (it migrates the log when it starts)"
    );
  }
  return undefined;
}

function isMissingTable(error: unknown): boolean {
  // PostgreSQL's undefined_table; SQLite says it in words.
  return (error as { code?: unknown })?.code === "42P01" || /no such table/i.test(messageOf(error));
}

function notReadable(path: string, error: unknown): string {
  const reason = error instanceof Error && error.cause !== undefined ? messageOf(error.cause) : messageOf(error);
  return `${path} is not a readable decision log (${reason}); pass --db with the file observe() writes, or --postgres <url>`;
}

function noSqliteLog(flags: LogFlags): string {
  return (
    `no Parapet decision log in ${flags.db ?? DEFAULT_DB}: the file has no parapet_migrations table. ` +
    "Check --db (the file the app gives sqliteLog(), default .parapet/decisions.db) and that the app has started with observe(), which creates the tables"
  );
}

async function noPostgresLog(log: SqlDriver, flags: LogFlags): Promise<string> {
  const schema = flags.schema ?? "public";
  const found = await log.all("SELECT 1 FROM pg_namespace WHERE nspname = ?", [schema]).catch(() => undefined);
  const where =
    found === undefined ? "" : found.length === 0 ? " (there is no such schema)" : " (the schema has no parapet_migrations table)";
  return (
    `no Parapet decision log in PostgreSQL schema "${schema}"${where}. ` +
    "Check --schema (the schema the app gives postgresLog(), default public) and that the app has started with observe(), which creates the tables; the dashboard only reads"
  );
}
