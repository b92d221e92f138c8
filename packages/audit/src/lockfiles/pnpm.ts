import { parse as parseYaml, YAMLParseError } from "yaml";
import { AuditError, lockfileError } from "../errors.js";
import type { LockedPackage, Lockfile } from "../model.js";
import { isRecord } from "./json.js";
import { createLineIndex, lineStartingWith } from "./lines.js";
import { classifyResolved } from "./source.js";

/**
 * pnpm-lock.yaml, lockfile versions 5.x, 6.x and 9.x.
 * Keys: v5 `/name/1.0.0`, v6 `/name@1.0.0(peer@2)`, v9 `name@1.0.0` (peers only in `snapshots`).
 * Non-registry sources appear in `resolution` as `{tarball}` or `{type: git, repo, commit}`.
 */
export function parsePnpmLockfile(file: string, text: string): Lockfile {
  let doc: unknown;
  try {
    // maxAliasCount bounds YAML alias expansion ("billion laughs").
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false });
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw lockfileError(file, line, `not valid YAML (${reason})`);
  }
  if (!isRecord(doc)) throw lockfileError(file, 1, "expected a YAML mapping at the top level");
  const rawVersion = String(doc.lockfileVersion ?? "");
  const major = Number.parseInt(rawVersion, 10);
  if (![5, 6, 7, 9].includes(major)) {
    throw new AuditError(
      "PARAPET_E_AUDIT_LOCKFILE_VERSION",
      `${file}: unsupported pnpm lockfileVersion "${rawVersion}" (supported: 5.x, 6.x, 9.x). Regenerate it with a current pnpm.`,
    );
  }
  const lineOf = createLineIndex(text);
  // No `packages` (or an empty `packages:`) is a project without dependencies; anything but a mapping is a broken
  // file, and reading it as "no packages" would report a clean audit of a lockfile pnpm itself refuses.
  if (doc.packages != null && !isRecord(doc.packages))
    throw lockfileError(file, lineStartingWith(text, "packages:"), '"packages" is not a mapping');
  const entries = isRecord(doc.packages) ? doc.packages : {};
  const out: LockedPackage[] = [];
  for (const [key, entry] of Object.entries(entries)) {
    if (!isRecord(entry)) continue;
    const line = lineOf(`${key}:`) ?? lineOf(`'${key}':`) ?? lineOf(`"${key}":`);
    const parsed = parseKey(key, major);
    if (!parsed) throw lockfileError(file, line, `cannot read package key "${key}"`);
    const name = typeof entry.name === "string" ? entry.name : parsed.name;
    const version = typeof entry.version === "string" ? entry.version : parsed.version;
    const resolution = isRecord(entry.resolution) ? entry.resolution : {};
    const resolved =
      typeof resolution.tarball === "string"
        ? resolution.tarball
        : resolution.type === "git" && typeof resolution.repo === "string"
          ? `git+${resolution.repo}#${String(resolution.commit ?? "")}`
          : typeof resolution.directory === "string"
            ? `file:${resolution.directory}`
            : undefined;
    const integrity = typeof resolution.integrity === "string" ? resolution.integrity : undefined;
    out.push({
      name,
      version: /^\d/.test(version) ? version : "0.0.0",
      source: classifyResolved(resolved ?? (/^\d/.test(version) ? undefined : version)),
      ...(resolved === undefined ? {} : { resolved }),
      ...(integrity === undefined ? {} : { integrity }),
      ...(entry.requiresBuild === true ? { hasInstallScript: true } : {}),
      ...(entry.dev === true ? { dev: true } : {}),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { file, format: "pnpm", formatVersion: rawVersion, packages: out };
}

/** A semver version at the start of a v5 key's version part; what follows `_` there is the peer suffix. */
const V5_VERSION_WITH_PEERS = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)_/;

/**
 * Splits a pnpm package key into name and version, dropping peer suffixes: v6+ write them
 * in parentheses (`/react-dom@18.2.0(react@18.2.0)`), v5 after an underscore that follows
 * the version (`/react-dom/18.2.0_react@18.2.0`). Underscores elsewhere are part of the
 * name (`string_decoder`) and stay.
 */
export function parseKey(key: string, major: number): { name: string; version: string } | undefined {
  const peers = key.indexOf("(");
  const withoutPeers = peers === -1 ? key : key.slice(0, peers);
  const bare = withoutPeers.startsWith("/") ? withoutPeers.slice(1) : withoutPeers;
  if (major === 5) {
    const at = bare.lastIndexOf("/");
    if (at <= 0) return undefined;
    const version = bare.slice(at + 1);
    return { name: bare.slice(0, at), version: V5_VERSION_WITH_PEERS.exec(version)?.[1] ?? version };
  }
  const at = bare.indexOf("@", 1);
  if (at <= 0) return undefined;
  return { name: bare.slice(0, at), version: bare.slice(at + 1) };
}
