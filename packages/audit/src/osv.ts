import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { AuditError } from "./errors.js";
import type { Severity } from "./model.js";
import { readZipEntries } from "./zip.js";

/** The subset of the OSV schema (https://ossf.github.io/osv-schema/) used for npm matching. */
export interface OsvRecord {
  readonly id: string;
  readonly summary?: string;
  readonly aliases?: readonly string[];
  readonly affected?: ReadonlyArray<{
    readonly package?: { readonly ecosystem?: string; readonly name?: string };
    readonly ranges?: ReadonlyArray<{ readonly type?: string; readonly events?: ReadonlyArray<Record<string, string>> }>;
    readonly versions?: readonly string[];
  }>;
  readonly database_specific?: { readonly severity?: string };
}

/** Records indexed by npm package name. */
export type OsvIndex = ReadonlyMap<string, readonly OsvRecord[]>;

function osvError(path: string, problem: string): AuditError {
  return new AuditError(
    "PARAPET_E_AUDIT_OSV",
    `${path}: ${problem}. Pass an OSV JSON file, a folder of them, or the OSV export zip (https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip).`,
  );
}

function addRecord(index: Map<string, OsvRecord[]>, record: unknown): void {
  if (typeof record !== "object" || record === null || typeof (record as OsvRecord).id !== "string") return;
  const osv = record as OsvRecord;
  for (const affected of osv.affected ?? []) {
    if (affected.package?.ecosystem !== "npm" || typeof affected.package.name !== "string") continue;
    const list = index.get(affected.package.name) ?? [];
    if (!list.includes(osv)) list.push(osv);
    index.set(affected.package.name, list);
  }
}

function addJson(index: Map<string, OsvRecord[]>, path: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw osvError(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  for (const record of Array.isArray(parsed) ? parsed : [parsed]) addRecord(index, record);
}

/** Loads OSV records from a `.json` file (one record or an array), a folder of them, or a `.zip` export. */
export function loadOsv(path: string): OsvIndex {
  const index = new Map<string, OsvRecord[]>();
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw osvError(path, "not found");
  }
  if (stat.isDirectory()) {
    for (const name of readdirSync(path))
      if (name.endsWith(".json")) addJson(index, join(path, name), readFileSync(join(path, name), "utf8"));
  } else if (path.endsWith(".zip")) {
    try {
      for (const entry of readZipEntries(readFileSync(path)))
        if (entry.name.endsWith(".json")) addJson(index, `${path}!${entry.name}`, entry.data.toString("utf8"));
    } catch (error) {
      if (error instanceof AuditError) throw error;
      throw osvError(path, error instanceof Error ? error.message : String(error));
    }
  } else {
    addJson(index, path, readFileSync(path, "utf8"));
  }
  // An empty folder (a download step that failed) or another ecosystem's export would turn the
  // known-malware check off without a word: say so instead of reporting a clean match.
  if (index.size === 0) throw osvError(path, 'holds no OSV record for an npm package (ecosystem "npm")');
  return index;
}

/**
 * OSV range semantics: events sorted by version; `introduced` opens, `fixed` closes
 * (exclusive), `last_affected` closes (inclusive). `introduced: "0"` means from the
 * first version; with no closing event every later version is affected.
 */
export function isAffected(record: OsvRecord, name: string, version: string): boolean {
  const v = semver.valid(version);
  if (!v) return false;
  for (const affected of record.affected ?? []) {
    if (affected.package?.ecosystem !== "npm" || affected.package.name !== name) continue;
    if (affected.versions?.includes(version)) return true;
    for (const range of affected.ranges ?? []) {
      if (range.type !== "SEMVER" && range.type !== "ECOSYSTEM") continue;
      const events = (range.events ?? [])
        .map((e) => {
          const [kind, at] = Object.entries(e)[0] ?? ["", ""];
          return { kind, at: at === "0" ? "0.0.0-0" : at };
        })
        .filter((e) => semver.valid(e.at));
      events.sort((a, b) => semver.compare(a.at, b.at));
      let inside = false;
      for (const event of events) {
        if (event.kind === "introduced" && semver.gte(v, event.at)) inside = true;
        else if (event.kind === "fixed" && semver.gte(v, event.at)) inside = false;
        else if (event.kind === "last_affected" && semver.gt(v, event.at)) inside = false;
      }
      if (inside) return true;
    }
  }
  return false;
}

/** OpenSSF malicious-packages records use `MAL-` ids: those are malware, always critical. */
export function severityOf(record: OsvRecord): Severity {
  if (record.id.startsWith("MAL-")) return "critical";
  switch (record.database_specific?.severity?.toUpperCase()) {
    case "CRITICAL":
      return "critical";
    case "HIGH":
      return "high";
    case "LOW":
      return "low";
    default:
      return "medium";
  }
}
