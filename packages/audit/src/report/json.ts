import type { AuditReport } from "../audit.js";
import type { RunFailure } from "../run-failure.js";

/**
 * Machine-readable report: stable keys, one object, newline-terminated. A run that could not
 * finish (exit 2) adds `error: {code, message}`, beside the report when there is one.
 */
export function toJson(report: AuditReport, failure?: RunFailure): string {
  return `${JSON.stringify({ tool: "parapet-audit", ...(failure ? { error: failure } : {}), ...report }, null, 2)}\n`;
}

/**
 * A run that stopped before it had a report: the error alone. No `findings` key, not an empty list,
 * which a consumer would read as a clean project.
 */
export function toFailureJson(failure: RunFailure): string {
  return `${JSON.stringify({ tool: "parapet-audit", error: failure }, null, 2)}\n`;
}
