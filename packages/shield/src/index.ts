/**
 * `shield()`: a Protect rule that inspects a request's path, query, selected
 * headers, cookies and body for injection attacks, and denies with the class,
 * the place and the evidence of what it found.
 */
import type { AllowReason, Reason, Rule, RuleContext, RuleEvaluation } from "@parapet/core";
import { type AttackClass, type Detector, PAGE_FILE_DETECTOR, REGISTRY } from "./detectors/index.js";
import { collectCandidates } from "./inspect/index.js";
import { NO_BODY, overLimits, readBody } from "./inspect/read-body.js";
import { resolveShieldOptions, type ShieldOptions } from "./options.js";
import { partialBodyDenial } from "./partial-body.js";
import { MAX_REPORTED_FINDINGS, reportedLocation } from "./reported.js";
import { judgeRichText } from "./rich-text.js";
import { HeaderVerdictCache, type LocatedFinding, scanCandidates } from "./scan.js";

export interface ShieldFinding {
  readonly class: AttackClass;
  /** Where the value was found: `query.id`, `body.user.name`, `header.user-agent`, `cookie.session`, `path`. */
  readonly location: string;
  readonly score: number;
  readonly evidence: string;
}

export interface ShieldReason extends Reason {
  readonly type: "SHIELD";
  /** The strongest finding's class, place, score and evidence. */
  readonly class: AttackClass;
  readonly location: string;
  readonly score: number;
  readonly evidence: string;
  /** The findings at or above the threshold, strongest first: at most MAX_REPORTED_FINDINGS (20). */
  readonly findings: readonly ShieldFinding[];
  /** Findings at or above the threshold beyond those listed; 0 when `findings` holds them all. */
  readonly moreFindings: number;
  /** True when the request was larger than the inspection limits and only its start was inspected. */
  readonly truncated: boolean;
}

export function shield(options: ShieldOptions): Rule {
  const config = resolveShieldOptions(options);
  const detectors = REGISTRY.filter((entry) => config.classes.has(entry.detector.class));
  const anyHeaderDetectors = detectors.filter((entry) => entry.anyHeader);
  const pageFileDetectors = config.classes.has(PAGE_FILE_DETECTOR.detector.class) ? [PAGE_FILE_DETECTOR] : [];
  const detectorsByClass = new Map(detectors.map((entry) => [entry.detector.class, entry.detector]));
  const headerCache = new HeaderVerdictCache();
  const otherHeaderCache = new HeaderVerdictCache();
  const allowed: AllowReason = { type: "ALLOWED", message: "no attack found" };

  async function evaluateShield(context: RuleContext): Promise<RuleEvaluation> {
    const { request } = context;
    const pending = config.limits.body ? readBody(request, await request.body(), config.limits.maxBytes) : NO_BODY;
    const read = pending instanceof Promise ? await pending : pending;
    const inspection = collectCandidates(request, read.body, config.limits);
    const onError = (detector: Detector, error: unknown) =>
      context.logger.error("shield detector threw; it was skipped", { detector: detector.class, error: String(error) });
    let findings = scanCandidates(inspection.candidates, detectors, config.threshold, onError, headerCache);
    // The places some detectors skip, each with its own set; rare, so merged only when they find something.
    if (inspection.otherHeaders.length > 0)
      findings = merged(findings, scanCandidates(inspection.otherHeaders, anyHeaderDetectors, config.threshold, onError, otherHeaderCache));
    if (inspection.pageFiles.length > 0)
      findings = merged(findings, scanCandidates(inspection.pageFiles, pageFileDetectors, config.threshold, onError));
    if (findings.length > 0 && config.richText.length > 0) {
      const values = inspection.pageFiles.length > 0 ? [...inspection.candidates, ...inspection.pageFiles] : inspection.candidates;
      findings = judgeRichText(findings, values, config.richText, detectorsByClass, config.threshold);
    }
    if (findings.length > 0 && config.exclusions.size > 0)
      findings = findings.filter((finding) => !config.exclusions.covers(finding.location, finding.class));
    const top = findings[0];
    if (top) return { conclusion: "DENY", reason: shieldReason(top, findings, inspection.truncated) };
    // An attack found in what was read says more than that the rest was not read: it goes first.
    // So does a request holding more text than the limits: an attack placed past them (after 1,000 junk parameters,
    // 64 KiB of padding, 40 levels deep) passed unread until 2026-11-25.
    const incomplete = read.incomplete ?? (inspection.missedText ? overLimits(config.limits, read.body, request) : undefined);
    const partial = incomplete && partialBodyDenial(config.partialBody, incomplete);
    return partial ? { conclusion: "DENY", reason: partial } : { conclusion: "ALLOW", reason: allowed };
  }

  return {
    type: "SHIELD",
    ...(config.name !== undefined ? { name: config.name } : {}),
    mode: config.mode,
    cost: 20,
    evaluate: evaluateShield,
  };
}

/** Two lists of findings as one, strongest first. */
function merged(findings: LocatedFinding[], more: LocatedFinding[]): LocatedFinding[] {
  return more.length === 0 ? findings : [...findings, ...more].sort((a, b) => b.score - a.score);
}

/** The reason a denial gives, bounded whatever the request held (see reported.ts). */
function shieldReason(top: LocatedFinding, findings: readonly LocatedFinding[], truncated: boolean): ShieldReason {
  const reported = findings
    .slice(0, MAX_REPORTED_FINDINGS)
    .map((f) => ({ class: f.class, location: reportedLocation(f.location), score: f.score, evidence: f.evidence }));
  const first = reported[0] as ShieldFinding;
  return {
    type: "SHIELD",
    message: `blocked: ${top.class} in ${first.location}`,
    class: top.class,
    location: first.location,
    score: top.score,
    evidence: top.evidence,
    findings: reported,
    moreFindings: findings.length - reported.length,
    truncated,
  };
}

export { canonicalize } from "./canonicalize.js";
export { ATTACK_CLASSES, DETECTORS } from "./detectors/index.js";
export type { AttackClass, Candidate, Detector, Finding, InputKind } from "./detectors/types.js";
export type { ExclusionOption } from "./exclusions.js";
export { collectCandidates, type Inspection } from "./inspect/index.js";
export type { InspectLimits } from "./inspect/limits.js";
export type { FileContentPolicy } from "./inspect/upload.js";
export { type InspectOptions, SENSITIVITY_THRESHOLDS, type Sensitivity, type ShieldOptions } from "./options.js";
export type { PartialBodyPolicy, PartialBodyReason } from "./partial-body.js";
