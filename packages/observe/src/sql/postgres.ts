import { optionError } from "@parapet/core";
import pg from "pg";
import { settledWithin } from "../settled-within.js";
import { type SqlDriver, type SqlStatement, type SqlValue, toNumberedPlaceholders } from "./driver.js";

/**
 * The decision log at scale: PostgreSQL through a small `pg` pool. Same
 * schema and migrations as SQLite. `schema` lets several apps (or test runs)
 * share one database; it is created if missing, unless `readOnly`. Text
 * values are stored with U+0000 as U+FFFD (PostgreSQL text cannot hold it).
 */
export interface PostgresLogOptions {
  readonly connectionString: string;
  /** A schema name (letters, digits, underscore). Default `public`. */
  readonly schema?: string;
  /** Pool size. Default 4: writes are batched, queries are few. */
  readonly maxConnections?: number;
  /** How long to wait for a connection (from the pool, or a new one) before the write or query fails. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How long one statement may wait for its answer. Default 30,000 ms. A server that vanished without closing
   * the connection (a network drop, a failover) would otherwise hold a write until TCP gives up, minutes later;
   * a timed-out connection is discarded and the batch retried. Migrations are not bounded (a backfill may be long),
   * but their wait for another session's lock is.
   */
  readonly queryTimeoutMs?: number;
  /**
   * Read an existing log only (the dashboard): the schema is never created, and every connection runs with
   * `default_transaction_read_only`, so the server itself refuses writes. Default false.
   */
  readonly readOnly?: boolean;
}

/** A statement with its own read timeout: `pg` honours `query_timeout` on a query's config (its types omit it). */
interface TimedQuery extends pg.QueryConfig {
  readonly query_timeout: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** How long close() waits for the pool to end once the connections in use are ended (one still connecting is not waited for). */
const CLOSE_WAIT_MS = 2_000;
/** Statement texts converted to `$n` placeholders, by their `?` form; writes use a few hundred shapes at most. */
const MAX_CONVERTED = 512;

export function postgresLog(options: PostgresLogOptions): SqlDriver {
  if (!options || typeof options.connectionString !== "string" || options.connectionString.length === 0) {
    throw optionError("postgresLog", "pass `connectionString`, e.g. postgres://postgres@127.0.0.1:5432/parapet");
  }
  const schema = options.schema ?? "public";
  // The schema name is interpolated into SQL (identifiers cannot be parameters), so it is checked strictly.
  if (!SCHEMA_NAME.test(schema)) throw optionError("postgresLog", "`schema` must be lowercase letters, digits or _ (max 63), e.g. parapet");
  const max = options.maxConnections ?? 4;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw optionError("postgresLog", "`maxConnections` must be an integer from 1 to 100");
  const connectTimeoutMs = timeoutOption("connectTimeoutMs", options.connectTimeoutMs, 10_000);
  const queryTimeoutMs = timeoutOption("queryTimeoutMs", options.queryTimeoutMs, 30_000);
  const readOnly = options.readOnly === true;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    // Idle pooled connections to a server that went away are noticed by TCP keepalive rather than by the next write.
    keepAlive: true,
    // Every connection works inside the schema, so the shared SQL needs no prefix.
    // Quoted, here and in CREATE SCHEMA: the pattern admits reserved words ("user", "order", "select"), which
    // unquoted made every statement a syntax error, retried forever with nothing saying what to change.
    options: `-c search_path="${schema}"${readOnly ? " -c default_transaction_read_only=on" : ""}`,
    // Our own pool only: BIGINT (20) and NUMERIC (1700, what SUM returns) as numbers,
    // since timestamps in ms and counts fit well within 2^53.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (server restart) must not crash the app; the next query reconnects.
  pool.on("error", () => {});
  // A reader has nothing to create: a schema that is missing is the caller's to report, not ours to make.
  let schemaReady: Promise<unknown> | undefined = readOnly ? Promise.resolve() : undefined;
  // A 50-row INSERT has 850 placeholders: rewriting its text on every statement cost more than binding its values.
  const converted = new Map<string, string>();
  const numbered = (sql: string): string => {
    let text = converted.get(sql);
    if (text === undefined) {
      if (converted.size >= MAX_CONVERTED) converted.clear();
      text = toNumberedPlaceholders(sql);
      converted.set(sql, text);
    }
    return text;
  };

  const timed = (client: pg.PoolClient, sql: string, params: readonly SqlValue[] = []) =>
    client.query({ text: sql, values: withoutNul(params), query_timeout: queryTimeoutMs } as TimedQuery);

  /** Connections checked out: close() ends them, so a statement the server never answers cannot hold it. */
  const active = new Set<pg.PoolClient>();
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    active.add(client);
    let failure: Error | undefined;
    // A checked-out client emits "error" when the server goes away; without a listener that is an
    // uncaught exception that kills the app. The failed query rejects too, and that is what we act on.
    const onError = (error: Error) => {
      failure ??= error;
    };
    client.on("error", onError);
    try {
      // A failure is not cached: the next call tries again (the server may be back).
      schemaReady ??= timed(client, `CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((error: unknown) => {
        schemaReady = undefined;
        throw error;
      });
      await schemaReady;
      return await work(client);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A connection that failed may be broken (server gone, restarted): destroy it rather than reuse it.
      client.off("error", onError);
      active.delete(client);
      client.release(failure);
    }
  }

  return {
    dialect: "postgres",
    description: `postgres schema ${schema}`,
    // The log worker writes through its own small pool; this one then serves queries. A reader has no worker.
    ...(readOnly
      ? {}
      : {
          reopen: {
            kind: "postgres" as const,
            options: { connectionString: options.connectionString, schema, maxConnections: 2, connectTimeoutMs, queryTimeoutMs },
          },
        }),
    transaction: (statements: readonly SqlStatement[]) =>
      withClient(async (client) => {
        await timed(client, "BEGIN");
        try {
          for (const { sql, params } of statements) await timed(client, numbered(sql), params);
          await timed(client, "COMMIT");
        } catch (error) {
          // Bounded too: after a timeout the connection may be dead, and it is discarded on release anyway.
          await timed(client, "ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    all: <T>(sql: string, params: readonly SqlValue[] = []) =>
      withClient(async (client) => (await timed(client, numbered(sql), params)).rows as T[]),
    exec: (script: string) =>
      withClient(async (client) => {
        // Migrations run as long as a backfill needs, but do not queue behind another session's lock for ever: a
        // long transaction holding parapet_decisions left the migration waiting, unlogged, with ready() pending and
        // close() stuck. Timed out, the attempt fails, is logged, and retried. SET LOCAL lasts this script only.
        await client.query(`SET LOCAL lock_timeout = ${queryTimeoutMs}; ${script}`);
      }),
    close: async () => {
      const ended = pool.end();
      // pool.end() waits for every checked-out connection; one whose statement never gets an answer (a server gone
      // silent) held it for the query timeout, or for ever in a migration. Callers close after their own bounded wait:
      // pg ends a connection with a statement under way by destroying its socket, so the statement fails now.
      for (const client of active) void (client as pg.PoolClient & { end(): Promise<void> }).end().catch(() => {});
      // A connection still being opened cannot be ended from here; it gives up at connectTimeoutMs on its own.
      await settledWithin(ended, CLOSE_WAIT_MS);
    },
  };
}

/**
 * PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"), and one such value failed its
 * whole transaction: a user id, a rule's key or an alert subject carrying a NUL (attacker-chosen text) cost every row
 * of its batch, and the rows queued behind it, since the failing batch kept absorbing them (2,000 decisions in the
 * worker) before it was given up. The character becomes U+FFFD, as a lone surrogate does on the way to UTF-8, and
 * in queries too, so a search for the stored value finds it. SQLite keeps NUL as it is. Copies only when needed.
 */
function withoutNul(params: readonly SqlValue[]): SqlValue[] {
  let clean: SqlValue[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (typeof value === "string" && value.includes("\0")) {
      clean ??= params.slice();
      clean[i] = value.replaceAll("\0", "\uFFFD");
    }
  }
  return clean ?? (params as SqlValue[]);
}

/** Whole milliseconds from 1 to one hour: 0 would mean "wait forever" to pg, the thing these options exist to prevent. */
function timeoutOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 3_600_000) {
    throw optionError("postgresLog", `\`${name}\` must be whole milliseconds from 1 to 3,600,000, e.g. ${fallback}; got ${String(value)}`);
  }
  return value;
}
