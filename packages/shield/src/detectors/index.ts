import { cmdiDetector } from "./cmdi/index.js";
import { jndiDetector } from "./jndi/index.js";
import { nosqliDetector } from "./nosqli/index.js";
import { protoPollutionDetector } from "./proto-pollution/index.js";
import { sqliDetector } from "./sqli/index.js";
import { ssrfDetector } from "./ssrf/index.js";
import { sstiDetector } from "./ssti/index.js";
import { traversalDetector } from "./traversal/index.js";
import type { AttackClass, Detector } from "./types.js";
import { xssDetector } from "./xss/index.js";

/** Every detector the shield ships, one per attack class. */
export const DETECTORS: readonly Detector[] = [
  sqliDetector,
  xssDetector,
  traversalDetector,
  cmdiDetector,
  ssrfDetector,
  jndiDetector,
  protoPollutionDetector,
  nosqliDetector,
  sstiDetector,
];

export const ATTACK_CLASSES: readonly AttackClass[] = DETECTORS.map((d) => d.class);

export type { AttackClass, Candidate, Detector, Finding, InputKind } from "./types.js";
