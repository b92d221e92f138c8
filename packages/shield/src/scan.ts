import { classesOf, PLAIN_CLASSES } from "./detectors/char-classes.js";
import type { AttackClass, Candidate, Detector, Finding, PlainGate, RegisteredDetector } from "./detectors/index.js";
import { isSecretField, looksGenerated } from "./generated-secret.js";

/** A finding with the place it was found. */
export interface LocatedFinding extends Finding {
  readonly location: string;
}

const INERT = 0;
const PLAIN = 1;
const SYNTAX = 2;

/**
 * INERT: only ASCII letters and digits (ids, numbers, words), which no
 * detector can flag as a value. PLAIN: also spaces, `_ . , @ - +` and
 * non-ASCII letters. SYNTAX: anything else, or `..`.
 */
function shapeOf(classes: number): number {
  if (classes === 0) return INERT;
  return (classes & ~PLAIN_CLASSES) === 0 ? PLAIN : SYNTAX;
}

/**
 * Header values repeat across requests (a few User-Agent strings make most
 * of the traffic), so their findings are remembered, by value: use one cache
 * per set of detectors. Bounded: the oldest
 * entry goes first, so a client sending random headers costs only misses.
 */
export class HeaderVerdictCache {
  private readonly entries = new Map<string, readonly Finding[]>();

  constructor(private readonly capacity = 512) {}

  get(key: string): readonly Finding[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, findings: readonly Finding[]): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, findings);
  }
}

/** One detector as the scan calls it: its pre-filter flattened to a number (0: none), so every step has the same shape. */
interface Step {
  readonly detector: Detector;
  readonly needs: number;
}

/** The detectors to try, by the shape of a value: built once per registry, not per value. */
interface ScanPlan {
  readonly syntax: readonly Step[];
  readonly plainValues: readonly Step[];
  readonly plainKeys: readonly Step[];
  /** Detectors that skip plain text but admit some of it (`plainGate`): asked per plain value, after the steps above. */
  readonly plainGated: readonly GatedStep[];
  /** Every class some gate may admit: plain text with none of them skips the gates with one test. */
  readonly plainGateClasses: number;
  /** Detectors that see some letters-and-digits values (`RegisteredDetector.inertGate`). */
  readonly inertGated: readonly RegisteredDetector[];
}

interface GatedStep {
  readonly detector: Detector;
  readonly forValues: boolean;
  readonly forKeys: boolean;
  readonly gate: PlainGate;
}

const plans = new WeakMap<readonly RegisteredDetector[], ScanPlan>();

function planFor(registry: readonly RegisteredDetector[]): ScanPlan {
  let plan = plans.get(registry);
  if (plan === undefined) {
    const step = (entry: RegisteredDetector): Step => ({ detector: entry.detector, needs: entry.detector.needs ?? 0 });
    plan = {
      syntax: registry.map(step),
      plainValues: registry.filter((entry) => entry.plainValues).map(step),
      plainKeys: registry.filter((entry) => entry.plainKeys).map(step),
      plainGated: registry.flatMap((entry) =>
        entry.plainGate === undefined || (entry.plainValues && entry.plainKeys)
          ? []
          : [{ detector: entry.detector, forValues: !entry.plainValues, forKeys: !entry.plainKeys, gate: entry.plainGate }],
      ),
      plainGateClasses: registry.reduce((classes, entry) => classes | (entry.plainGate?.anyOf ?? 0), 0),
      inertGated: registry.filter((entry) => entry.inertGate !== undefined),
    };
    plans.set(registry, plan);
  }
  return plan;
}

/** Runs the enabled detectors that can fire on each candidate; returns findings at or above the threshold, strongest first. */
export function scanCandidates(
  candidates: readonly Candidate[],
  registry: readonly RegisteredDetector[],
  threshold: number,
  onDetectorError?: (detector: Detector, error: unknown) => void,
  headerCache?: HeaderVerdictCache,
): LocatedFinding[] {
  const plan = planFor(registry);
  const findings: LocatedFinding[] = [];
  for (const candidate of candidates) {
    // Keyed by the value alone: no detector reads a header's name, and one cache serves one set of detectors. A
    // value with NULs is keyed by its form that keeps them (no canonical form holds a NUL): `a%00b` is not `ab`.
    const cacheKey = headerCache && candidate.kind === "header" ? (candidate.withNul ?? candidate.canonical) : undefined;
    const cached = cacheKey === undefined ? undefined : headerCache?.get(cacheKey);
    const found = cached ?? detectAll(candidate, registry, plan, onDetectorError);
    if (cacheKey !== undefined && cached === undefined) headerCache?.set(cacheKey, found);
    if (found.length === 0) continue;
    const floor = found.some((f) => f.score >= threshold) ? thresholdFor(candidate, threshold) : threshold;
    for (const finding of found) if (finding.score >= floor) findings.push({ ...finding, location: candidate.location });
  }
  return findings.sort((a, b) => b.score - a.score);
}

/**
 * The score a finding on this candidate needs: GENERATED_SECRET_SCORE for what looks like a generated password in a
 * password or secret field (see generated-secret.ts), the sensitivity's threshold elsewhere.
 */
function thresholdFor(candidate: Candidate, threshold: number): number {
  if (candidate.kind !== "body" && candidate.kind !== "query") return threshold;
  return isSecretField(candidate.name) && looksGenerated(candidate.raw) ? Math.max(threshold, GENERATED_SECRET_SCORE) : threshold;
}
/** What a finding must score in a generated-looking secret: the clearest patterns only (`<?php`, `${jndi:`, stacked queries). */
const GENERATED_SECRET_SCORE = 0.95;

/** Every detector's finding on one candidate, whatever its score. */
function detectAll(
  candidate: Candidate,
  registry: readonly RegisteredDetector[],
  plan: ScanPlan,
  onDetectorError?: (detector: Detector, error: unknown) => void,
): readonly Finding[] {
  const isKey = candidate.kind === "query-key" || candidate.kind === "body-key";
  const classes = classesOf(candidate);
  const shape = shapeOf(classes);
  if (shape === INERT && !isKey && candidate.canonical.length <= 64) {
    const words = detectInertWord(candidate, registry, onDetectorError);
    return words.length > 0 ? words : detectGatedInert(candidate, plan.inertGated, onDetectorError);
  }
  const steps = shape === SYNTAX ? plan.syntax : isKey ? plan.plainKeys : plan.plainValues;
  let found: Finding[] | undefined;
  for (let i = 0; i < steps.length; i++) {
    const { detector, needs } = steps[i] as Step;
    // A long run of letters and digits (classes 0) may be base64 that a detector decodes: it is never screened out.
    if (needs !== 0 && classes !== 0 && (classes & needs) === 0) continue;
    let finding: Finding | undefined;
    try {
      finding = detector.detect(candidate);
    } catch (error) {
      // Detectors promise not to throw; if one does, the others still run.
      onDetectorError?.(detector, error);
      continue;
    }
    if (finding) {
      found ??= [];
      found.push(finding);
    }
  }
  if (shape === PLAIN && (classes & plan.plainGateClasses) !== 0) {
    for (const gated of plan.plainGated) {
      if ((classes & gated.gate.anyOf) === 0 || !(isKey ? gated.forKeys : gated.forValues)) continue;
      if (!gated.gate.admits(candidate.canonical, classes)) continue;
      try {
        const finding = gated.detector.detect(candidate);
        if (finding) {
          found ??= [];
          found.push(finding);
        }
      } catch (error) {
        onDetectorError?.(gated.detector, error);
      }
    }
  }
  return found ?? NONE;
}

const NONE: readonly Finding[] = [];

/** A letters-and-digits value, for the detectors whose `inertGate` admits it. */
function detectGatedInert(
  candidate: Candidate,
  gated: readonly RegisteredDetector[],
  onDetectorError?: (detector: Detector, error: unknown) => void,
): readonly Finding[] {
  let found: Finding[] | undefined;
  for (const { detector, inertGate } of gated) {
    if (inertGate !== undefined && !inertGate(candidate)) continue;
    try {
      const finding = detector.detect(candidate);
      if (finding) {
        found ??= [];
        found.push(finding);
      }
    } catch (error) {
      onDetectorError?.(detector, error);
    }
  }
  return found ?? NONE;
}

/** The longest word any detector asks to see whole; longer inert values skip the lookup. */
const MAX_INERT_WORD = 24;

/** An inert value reaches only the detectors that listed it as a word they flag alone. */
function detectInertWord(
  candidate: Candidate,
  registry: readonly RegisteredDetector[],
  onDetectorError?: (detector: Detector, error: unknown) => void,
): readonly Finding[] {
  const value = candidate.canonical;
  if (value.length < 2 || value.length > MAX_INERT_WORD) return NONE;
  let lower: string | undefined;
  for (const entry of registry) {
    if (entry.inertWords === undefined) continue;
    lower ??= value.toLowerCase();
    if (!entry.inertWords.has(lower)) continue;
    try {
      const finding = entry.detector.detect(candidate);
      if (finding) return [finding];
    } catch (error) {
      onDetectorError?.(entry.detector, error);
    }
  }
  return NONE;
}

export type { AttackClass };
