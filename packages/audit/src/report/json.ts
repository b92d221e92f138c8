import type { AuditReport } from "../audit.js";

/** Machine-readable report: stable keys, one object, newline-terminated. */
export function toJson(report: AuditReport): string {
  return `${JSON.stringify({ tool: "parapet-audit", ...report }, null, 2)}\n`;
}
