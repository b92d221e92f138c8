/** What one classifier rule reports, and the contexts a value is spliced into. */

/**
 * Where the value lands in a query: a raw (numeric) position, inside a `'…'`
 * or `"…"` literal, or inside a MySQL `` `…` `` quoted identifier (a column or
 * table name taken from the request, e.g. a sort key).
 */
export type Context = "" | "'" | '"' | "`";

export interface SqlSignal {
  readonly score: number;
  readonly technique: string;
  /** Offset in the value where the evidence starts. */
  readonly at: number;
}
