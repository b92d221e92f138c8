import { existsSync } from "node:fs";
import { join } from "node:path";
import { AuditError, readError } from "./errors.js";
import { isSeverity, type Severity } from "./model.js";
import { MAX_CONFIG_BYTES, readProjectFile } from "./project-file.js";

/**
 * `.parapet-audit.json` in the audited directory. Every allowance needs a
 * reason, because an allowlist entry is a security decision someone will
 * review later. Unknown keys are an error: a typo must not silently disable a check.
 */
export interface AuditConfig {
  /** Scopes (`@acme`) and names that exist only on the private registry. */
  readonly internalScopes: readonly string[];
  readonly internalPackages: readonly string[];
  /** Hosts lockfile `resolved` URLs may point at. */
  readonly allowedHosts: readonly string[];
  /** Package name → reason its install script is accepted. */
  readonly allowInstallScripts: Readonly<Record<string, string>>;
  /** Findings to suppress: check id + package name (+ optional version), each with a reason. */
  readonly ignore: readonly IgnoreRule[];
  /** Versions younger than this many days are flagged (0 disables). */
  readonly minReleaseAgeDays: number;
  readonly failOn: Severity;
}

export interface IgnoreRule {
  readonly check: string;
  readonly package: string;
  readonly version?: string;
  readonly reason: string;
}

export const CONFIG_FILE = ".parapet-audit.json";

/**
 * Registries anyone can publish to: npm itself and its public mirrors, which serve the
 * same names. An internal package resolved from any of them is public. None of them
 * lives under a path prefix, so a tarball path there starts with the package name.
 */
export const PUBLIC_REGISTRY_HOSTS: readonly string[] = [
  "registry.npmjs.org",
  "registry.npmjs.com",
  "registry.yarnpkg.com",
  "registry.npmmirror.com",
  "registry.npm.taobao.org",
  "r.cnpmjs.org",
  "registry.cnpmjs.org",
];

export const DEFAULT_CONFIG: AuditConfig = {
  internalScopes: [],
  internalPackages: [],
  allowedHosts: ["registry.npmjs.org", "registry.yarnpkg.com", "registry.npmmirror.com"],
  allowInstallScripts: {},
  ignore: [],
  // Two days: hijacked releases are typically pulled within hours (chalk/debug 2025,
  // nx 2025, ua-parser-js 2021), and a longer wait delays security fixes for little gain.
  minReleaseAgeDays: 2,
  failOn: "high",
};

const KEYS = new Set(Object.keys(DEFAULT_CONFIG).concat("$schema"));

function fail(file: string, problem: string): never {
  throw new AuditError("PARAPET_E_AUDIT_CONFIG", `${file}: ${problem}. See the "Configuration" section of packages/audit/README.md.`);
}

function stringList(file: string, key: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== ""))
    fail(file, `"${key}" must be an array of non-empty strings`);
  return value as string[];
}

const IGNORE_KEYS = ["check", "package", "version", "reason"];
const IGNORE_SHAPE = '{ "check": "<id>", "package": "<name>", "version": "<exact version, optional>", "reason": "<why>" }';

/**
 * One `ignore` rule. Its keys are checked as strictly as the top level: a misspelt or
 * mistyped `version` would otherwise widen the rule to every version of the package.
 */
function parseIgnoreRule(file: string, i: number, rule: unknown): IgnoreRule {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) fail(file, `ignore[${i}] must be ${IGNORE_SHAPE}`);
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r))
    if (!IGNORE_KEYS.includes(key)) fail(file, `ignore[${i}] has unknown key "${key}" (allowed: ${IGNORE_KEYS.join(", ")})`);
  return {
    check: ruleString(file, i, r, "check"),
    package: ruleString(file, i, r, "package"),
    reason: ruleString(file, i, r, "reason"),
    ...(r.version === undefined ? {} : { version: ruleString(file, i, r, "version") }),
  };
}

function ruleString(file: string, i: number, rule: Record<string, unknown>, key: string): string {
  const value = rule[key];
  if (typeof value !== "string" || value.trim() === "") {
    const got = value === undefined ? "it is missing" : `got ${JSON.stringify(value)}`;
    fail(file, `ignore[${i}].${key} must be a non-empty string (${got}); write ${IGNORE_SHAPE}`);
  }
  return value;
}

export function parseConfig(file: string, raw: unknown): AuditConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(file, "must be a JSON object");
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!KEYS.has(key)) fail(file, `unknown key "${key}" (known: ${[...KEYS].join(", ")})`);
  const config = { ...DEFAULT_CONFIG } as { -readonly [K in keyof AuditConfig]: AuditConfig[K] };
  if (input.internalScopes !== undefined) {
    config.internalScopes = stringList(file, "internalScopes", input.internalScopes);
    for (const scope of config.internalScopes)
      if (!/^@[a-z0-9][\w.-]*$/i.test(scope)) fail(file, `internal scope "${scope}" must look like "@acme"`);
  }
  if (input.internalPackages !== undefined) config.internalPackages = stringList(file, "internalPackages", input.internalPackages);
  if (input.allowedHosts !== undefined) config.allowedHosts = stringList(file, "allowedHosts", input.allowedHosts);
  if (input.allowInstallScripts !== undefined) {
    const value = input.allowInstallScripts;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      fail(file, '"allowInstallScripts" must map package names to reasons');
    for (const [name, reason] of Object.entries(value)) {
      if (typeof reason !== "string" || reason.trim() === "")
        fail(file, `allowInstallScripts["${name}"] needs a reason (a non-empty string)`);
    }
    config.allowInstallScripts = value as Record<string, string>;
  }
  if (input.ignore !== undefined) {
    if (!Array.isArray(input.ignore)) fail(file, '"ignore" must be an array of { check, package, reason }');
    config.ignore = input.ignore.map((rule, i) => parseIgnoreRule(file, i, rule));
  }
  if (input.minReleaseAgeDays !== undefined) {
    const days = input.minReleaseAgeDays;
    if (typeof days !== "number" || !Number.isFinite(days) || days < 0 || days > 3650)
      fail(file, '"minReleaseAgeDays" must be a number of days between 0 and 3650');
    config.minReleaseAgeDays = days;
  }
  if (input.failOn !== undefined) {
    if (typeof input.failOn !== "string" || !isSeverity(input.failOn))
      fail(file, '"failOn" must be one of info, low, medium, high, critical');
    config.failOn = input.failOn;
  }
  return config;
}

export function readConfig(dir: string, explicitPath?: string): AuditConfig {
  const path = explicitPath ?? join(dir, CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicitPath !== undefined) fail(explicitPath, "not found");
    return DEFAULT_CONFIG;
  }
  let text: string;
  try {
    // The config in the project is the project's (a pull request's); one named on the command line is the user's own.
    text = readProjectFile(path, { maxBytes: MAX_CONFIG_BYTES, ...(explicitPath === undefined ? { within: dir } : {}) }).toString("utf8");
  } catch (error) {
    throw readError(path, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseConfig(path, raw);
}
