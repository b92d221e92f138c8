/** What detectors find and alerts carry. One shape for the log, webhooks and the dashboard. */
export type AlertKind = "spike" | "credential_stuffing" | "brute_force" | "scan" | "attack_campaign" | "log_drops";
export type Severity = "info" | "warning" | "critical";

export const ALERT_KINDS: readonly AlertKind[] = ["spike", "credential_stuffing", "brute_force", "scan", "attack_campaign", "log_drops"];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

export interface Alert {
  readonly id: string;
  readonly ts: number;
  readonly kind: AlertKind;
  readonly severity: Severity;
  /** What the alert is about: an IP, a user, "traffic" for a global spike. Dedup is by kind + subject. */
  readonly subject: string;
  /** One sentence for a human. */
  readonly summary: string;
  /** The numbers behind the call, JSON-serialisable. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A finding before it becomes an alert (the dispatcher assigns id and time). */
export type Finding = Omit<Alert, "id" | "ts">;
