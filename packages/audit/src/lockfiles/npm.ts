import { AuditError, lockfileError } from "../errors.js";
import type { LockedPackage, Lockfile } from "../model.js";
import { isRecord, parseJsonFile } from "./json.js";
import { createLineIndex } from "./lines.js";
import { classifyResolved } from "./source.js";

/**
 * package-lock.json / npm-shrinkwrap.json, versions 1, 2 and 3.
 * v2/v3 list every install location under `packages` ("node_modules/a/node_modules/b");
 * v1 nests `dependencies` recursively. Workspace links and the root entry are skipped:
 * they are the project's own code, not something installed from elsewhere.
 */
export function parseNpmLockfile(file: string, text: string): Lockfile {
  const doc = parseJsonFile(file, text);
  if (!isRecord(doc)) throw lockfileError(file, 1, "expected a JSON object at the top level");
  const version = doc.lockfileVersion;
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new AuditError(
      "PARAPET_E_AUDIT_LOCKFILE_VERSION",
      `${file}: unsupported lockfileVersion ${JSON.stringify(version)} (supported: 1, 2, 3). Regenerate it with npm 7 or later.`,
    );
  }
  const lineOf = createLineIndex(text);
  const packages = version === 1 ? fromV1(file, doc, lineOf) : fromPackages(file, doc, lineOf);
  return { file, format: "npm", formatVersion: String(version), packages };
}

function nameFromPath(path: string): string {
  const index = path.lastIndexOf("node_modules/");
  return path.slice(index + "node_modules/".length);
}

function fromPackages(file: string, doc: Record<string, unknown>, lineOf: (l: string) => number | undefined): LockedPackage[] {
  const entries = doc.packages;
  if (!isRecord(entries)) throw lockfileError(file, undefined, 'missing the "packages" object of a v2/v3 lockfile');
  const out: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(entries)) {
    if (path === "" || !isRecord(entry)) continue;
    if (entry.link === true) continue; // a workspace symlink; the workspace itself is listed separately
    if (!path.includes("node_modules/")) continue; // a workspace folder: our own code
    const name = typeof entry.name === "string" ? entry.name : nameFromPath(path);
    const line = lineOf(`${JSON.stringify(path)}: {`);
    if (typeof entry.version !== "string") throw lockfileError(file, line, `entry "${path}" has no version`);
    const resolved = typeof entry.resolved === "string" ? entry.resolved : undefined;
    out.push({
      name,
      version: entry.version,
      source: classifyResolved(resolved),
      ...(resolved === undefined ? {} : { resolved }),
      ...(typeof entry.integrity === "string" ? { integrity: entry.integrity } : {}),
      ...(entry.hasInstallScript === true ? { hasInstallScript: true } : {}),
      ...(entry.dev === true ? { dev: true } : {}),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return out;
}

function fromV1(file: string, doc: Record<string, unknown>, lineOf: (l: string) => number | undefined): LockedPackage[] {
  const out: LockedPackage[] = [];
  // Iterative walk: a hostile lockfile cannot blow the stack with deep nesting.
  const stack: Array<Record<string, unknown>> = [];
  if (isRecord(doc.dependencies)) stack.push(doc.dependencies);
  while (stack.length > 0) {
    const deps = stack.pop()!;
    for (const [name, entry] of Object.entries(deps)) {
      if (!isRecord(entry)) continue;
      const line = lineOf(`${JSON.stringify(name)}: {`);
      if (typeof entry.version !== "string") throw lockfileError(file, line, `dependency "${name}" has no version`);
      // v1 puts non-registry specs in `version` itself (e.g. "github:user/repo#sha", "file:../x").
      const spec = entry.version;
      const isSpec = /^(git|github:|file:|link:|https?:)/.test(spec) || spec.includes("/");
      const resolved = typeof entry.resolved === "string" ? entry.resolved : isSpec ? spec : undefined;
      out.push({
        name,
        version: isSpec ? "0.0.0" : spec,
        source: classifyResolved(resolved),
        ...(resolved === undefined ? {} : { resolved }),
        ...(typeof entry.integrity === "string" ? { integrity: entry.integrity } : {}),
        ...(entry.dev === true ? { dev: true } : {}),
        location: { file, ...(line === undefined ? {} : { line }) },
      });
      if (isRecord(entry.dependencies)) stack.push(entry.dependencies);
    }
  }
  return out;
}
