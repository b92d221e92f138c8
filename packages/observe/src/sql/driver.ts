/**
 * The one seam between the decision log and a database. SQLite and
 * PostgreSQL both implement it, so the writer, retention and query modules
 * are written once. SQL is written with `?` placeholders; the PostgreSQL
 * driver rewrites them to `$1…` (our statements never contain a literal `?`).
 */
export type SqlValue = string | number | null;

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/**
 * How to open the same database again from another thread: the log worker
 * opens its own connection from this (a live connection cannot cross threads).
 * Drivers without it (custom ones, `:memory:`) are written from the main thread.
 */
export type DriverSpec =
  | { readonly kind: "sqlite"; readonly options: { readonly path: string; readonly engine?: "better-sqlite3" | "node:sqlite" } }
  | {
      readonly kind: "postgres";
      readonly options: {
        readonly connectionString: string;
        readonly schema?: string;
        readonly maxConnections?: number;
        readonly connectTimeoutMs?: number;
        readonly queryTimeoutMs?: number;
      };
    };

export interface SqlDriver {
  readonly reopen?: DriverSpec;
  readonly dialect: "sqlite" | "postgres";
  /** A short description for logs and errors ("better-sqlite3 .parapet/decisions.db"). */
  readonly description: string;
  /** Runs the statements in one transaction: all apply or none. */
  transaction(statements: readonly SqlStatement[]): Promise<void>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** `?` → `$1`, `$2`… for PostgreSQL. */
export function toNumberedPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
