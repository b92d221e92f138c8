import type { AuditReport } from "../audit.js";
import { type Finding, SEVERITIES, type Severity, severityRank } from "../model.js";

const COLORS: Record<Severity, string> = { critical: "\x1b[1;31m", high: "\x1b[31m", medium: "\x1b[33m", low: "\x1b[36m", info: "\x1b[2m" };

/**
 * Package names, versions, URLs and file names come from the lockfile, which a
 * pull request controls: an ESC or CR in them could rewrite the report on screen
 * (erase a finding, fake a clean summary). C0, DEL, C1 and the bidi overrides
 * (Trojan Source) are shown as escapes instead.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface TerminalOptions {
  /** ANSI colours (a TTY). */
  readonly color?: boolean;
  /** Least severe finding listed (default low; info findings are noise for most runs). */
  readonly minSeverity?: Severity;
  /** The exit gate: findings at or above it are always listed, so a failing run shows why. */
  readonly failOn?: Severity;
}

/** What could not be read, by the check id that says so for each package. */
const NOT_READ = [
  ["tarball-unreadable", "the tarballs"],
  ["metadata-unavailable", "the registry metadata"],
] as const;

/** One line when metadata or tarballs could not be read: those findings are info or easy to miss among the rest. */
function unreadWarning(findings: readonly Finding[]): string | undefined {
  const parts: string[] = [];
  const ids: string[] = [];
  for (const [checkId, what] of NOT_READ) {
    const count = findings.filter((f) => f.checkId === checkId).length;
    if (count === 0) continue;
    parts.push(`${what} of ${count} package${count === 1 ? "" : "s"}`);
    ids.push(checkId);
  }
  if (parts.length === 0) return undefined;
  return `warning: could not read ${parts.join(" and ")}, so those were not fully checked (the ${ids.join(" and ")} findings say why).`;
}

/** Human report grouped by severity, most severe first. Colour only when asked (a TTY). */
export function toTerminal(report: AuditReport, options: TerminalOptions = {}): string {
  const paint = (severity: Severity, text: string) => (options.color ? `${COLORS[severity]}${text}\x1b[0m` : text);
  const lines: string[] = [];
  const files = report.lockfiles.map((l) => `${escapeControl(l.file)} (${l.format} ${l.formatVersion})`).join(", ");
  lines.push(`parapet audit: ${report.packages} packages from ${files}`);
  for (const notice of report.notices) lines.push(`note: ${escapeControl(notice)}`);
  const shownFrom = Math.min(severityRank(options.minSeverity ?? "low"), severityRank(options.failOn ?? "critical"));
  for (const severity of [...SEVERITIES].reverse()) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0 || severityRank(severity) < shownFrom) continue;
    lines.push("", paint(severity, `${severity.toUpperCase()} (${group.length})`));
    for (const f of group) {
      const where = `${f.location.file}${f.location.line === undefined ? "" : `:${f.location.line}`}`;
      const subject = f.packageName ? `${f.packageName}@${f.version ?? "?"}` : "";
      lines.push(escapeControl(`  [${f.checkId}] ${subject} — ${f.message}`), escapeControl(`      at ${where}`));
    }
  }
  const counts = SEVERITIES.map((s) => `${report.findings.filter((f) => f.severity === s).length} ${s}`).reverse();
  const hidden = report.findings.filter((f) => severityRank(f.severity) < shownFrom).length;
  const hiddenNote = hidden > 0 ? `; ${hidden} not listed above (--json lists every finding)` : "";
  const warning = unreadWarning(report.findings);
  if (warning) lines.push("", warning);
  lines.push("", `summary: ${counts.join(", ")}${report.suppressed ? `; ${report.suppressed} suppressed by config` : ""}${hiddenNote}`, "");
  return lines.join("\n");
}
