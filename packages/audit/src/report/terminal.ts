import type { AuditReport } from "../audit.js";
import { SEVERITIES, type Severity } from "../model.js";

const COLORS: Record<Severity, string> = { critical: "\x1b[1;31m", high: "\x1b[31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };

/** Human report grouped by severity, most severe first. Colour only when asked (a TTY). */
export function toTerminal(report: AuditReport, options: { color?: boolean; minSeverity?: Severity } = {}): string {
  const paint = (severity: Severity, text: string) => (options.color ? `${COLORS[severity]}${text}\x1b[0m` : text);
  const lines: string[] = [];
  const files = report.lockfiles.map((l) => `${l.file} (${l.format} ${l.formatVersion})`).join(", ");
  lines.push(`parapet audit: ${report.packages} packages from ${files}`);
  for (const notice of report.notices) lines.push(`note: ${notice}`);
  const shownFrom = SEVERITIES.indexOf(options.minSeverity ?? "low");
  for (const severity of [...SEVERITIES].reverse()) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0 || SEVERITIES.indexOf(severity) < shownFrom) continue;
    lines.push("", paint(severity, `${severity.toUpperCase()} (${group.length})`));
    for (const f of group) {
      const where = `${f.location.file}${f.location.line === undefined ? "" : `:${f.location.line}`}`;
      const subject = f.packageName ? `${f.packageName}@${f.version ?? "?"}` : "";
      lines.push(`  [${f.checkId}] ${subject} — ${f.message}`, `      at ${where}`);
    }
  }
  const counts = SEVERITIES.map((s) => `${report.findings.filter((f) => f.severity === s).length} ${s}`).reverse();
  lines.push("", `summary: ${counts.join(", ")}${report.suppressed ? `; ${report.suppressed} suppressed by config` : ""}`, "");
  return lines.join("\n");
}
