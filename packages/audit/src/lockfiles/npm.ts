import { AuditError, lockfileError } from "../errors.js";
import type { LockedPackage, Lockfile } from "../model.js";
import { isRecord, parseJsonFile } from "./json.js";
import { createLineIndex } from "./lines.js";
import { aliasTarget, classifyResolved } from "./source.js";
import { type WorkspaceMatcher, workspaceMatcher } from "./workspace-glob.js";

type LineOf = (trimmedLine: string) => number | undefined;

/**
 * package-lock.json / npm-shrinkwrap.json, versions 1, 2 and 3.
 * v2/v3 list every install location under `packages` ("node_modules/a/node_modules/b");
 * v1 nests `dependencies` recursively. Every location is kept: npm installs each one
 * from its own `resolved`/`integrity`. Workspaces and the root entry are skipped: they
 * are the project's own code, not something installed from elsewhere.
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

function fromPackages(file: string, doc: Record<string, unknown>, lineOf: LineOf): LockedPackage[] {
  const entries = doc.packages;
  if (!isRecord(entries)) throw lockfileError(file, undefined, 'missing the "packages" object of a v2/v3 lockfile');
  const out: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(entries)) {
    if (path === "" || !isRecord(entry)) continue;
    if (entry.link === true) continue; // a symlink; what it points at is read by localPackages
    if (!path.includes("node_modules/")) continue; // a link target (workspace or file: folder), see localPackages
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
      ...(entry.inBundle === true ? { bundled: true } : {}),
      installPath: path,
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return out.concat(localPackages(file, entries, lineOf));
}

/** The matchers of npm `workspaces` globs (`packages/*`, `apps/**`), an array or `{ packages: [...] }`. */
function workspaceMatchers(workspaces: unknown): WorkspaceMatcher[] {
  const globs = Array.isArray(workspaces)
    ? workspaces
    : isRecord(workspaces) && Array.isArray(workspaces.packages)
      ? workspaces.packages
      : [];
  return globs.filter((glob): glob is string => typeof glob === "string").map(workspaceMatcher);
}

/**
 * A `file:` folder dependency is written as a link (`"node_modules/x": {link: true,
 * resolved: "../x"}`) plus an entry for the folder (`"../x": {version, hasInstallScript}`).
 * Workspaces are written the same way but are the project's own code; any other folder is
 * installed from the local filesystem, possibly from outside the project, and npm runs its
 * install scripts, so it is reported like any other package, located by its folder.
 */
function localPackages(file: string, entries: Record<string, unknown>, lineOf: LineOf): LockedPackage[] {
  const root = entries[""];
  const workspaces = workspaceMatchers(isRecord(root) ? root.workspaces : undefined);
  const out: LockedPackage[] = [];
  const seen = new Set<string>();
  for (const [path, link] of Object.entries(entries)) {
    if (!isRecord(link) || link.link !== true || typeof link.resolved !== "string") continue;
    const folder = link.resolved;
    if (seen.has(folder) || workspaces.some((matches) => matches(folder))) continue;
    seen.add(folder);
    const target = isRecord(entries[folder]) ? (entries[folder] as Record<string, unknown>) : {};
    const line = lineOf(`${JSON.stringify(folder)}: {`) ?? lineOf(`${JSON.stringify(path)}: {`);
    out.push({
      name: typeof target.name === "string" ? target.name : nameFromPath(path),
      version: typeof target.version === "string" ? target.version : "0.0.0",
      source: "file",
      resolved: `file:${folder}`,
      ...(target.hasInstallScript === true ? { hasInstallScript: true } : {}),
      ...(target.dev === true || link.dev === true ? { dev: true } : {}),
      installPath: folder,
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return out;
}

/** v1 `version`: an exact version, an alias (`npm:real@1.0.0`), or a non-registry spec. */
function readV1Version(name: string, spec: string): { name: string; version: string; spec?: string } {
  const alias = aliasTarget(spec);
  if (alias?.range !== undefined && /^\d/.test(alias.range)) return { name: alias.name, version: alias.range };
  // v1 puts non-registry specs in `version` itself (e.g. "github:user/repo#sha", "file:../x").
  const isSpec = /^(git|github:|file:|link:|https?:)/.test(spec) || spec.includes("/");
  return isSpec ? { name, version: "0.0.0", spec } : { name, version: spec };
}

/**
 * Linux's PATH_MAX: no npm could create a folder deeper than this. v1 spells install paths by nesting, so
 * without a bound a 1 MB file 20,000 levels deep names 20,000 paths of 300 KB each (gigabytes in memory).
 */
const MAX_INSTALL_PATH = 4096;

function fromV1(file: string, doc: Record<string, unknown>, lineOf: LineOf): LockedPackage[] {
  const out: LockedPackage[] = [];
  // Iterative walk: a hostile lockfile cannot blow the stack with deep nesting.
  const stack: Array<{ deps: Record<string, unknown>; parent: string }> = [];
  // Absent: no dependencies. Anything but an object is a broken file, not a clean project (as v2/v3's "packages").
  if (doc.dependencies !== undefined && !isRecord(doc.dependencies))
    throw lockfileError(file, undefined, 'the "dependencies" of a v1 lockfile is not an object');
  if (isRecord(doc.dependencies)) stack.push({ deps: doc.dependencies, parent: "" });
  while (stack.length > 0) {
    const { deps, parent } = stack.pop()!;
    for (const [folderName, entry] of Object.entries(deps)) {
      if (!isRecord(entry)) continue;
      const line = lineOf(`${JSON.stringify(folderName)}: {`);
      if (typeof entry.version !== "string") throw lockfileError(file, line, `dependency "${folderName}" has no version`);
      const { name, version, spec } = readV1Version(folderName, entry.version);
      const resolved = typeof entry.resolved === "string" ? entry.resolved : spec;
      const installPath = `${parent}node_modules/${folderName}`;
      if (installPath.length > MAX_INSTALL_PATH)
        throw lockfileError(
          file,
          line,
          `dependency "${folderName}" is nested ${installPath.split("node_modules/").length - 1} levels deep, past any path a filesystem holds (${MAX_INSTALL_PATH} characters); npm could not install it`,
        );
      out.push({
        name,
        version,
        source: classifyResolved(resolved),
        ...(resolved === undefined ? {} : { resolved }),
        ...(typeof entry.integrity === "string" ? { integrity: entry.integrity } : {}),
        ...(entry.dev === true ? { dev: true } : {}),
        ...(entry.bundled === true ? { bundled: true } : {}),
        installPath,
        location: { file, ...(line === undefined ? {} : { line }) },
      });
      if (isRecord(entry.dependencies)) stack.push({ deps: entry.dependencies, parent: `${installPath}/` });
    }
  }
  return out;
}
