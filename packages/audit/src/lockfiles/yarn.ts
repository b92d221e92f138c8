import yarnLockfile from "@yarnpkg/lockfile";
import { parseSyml } from "@yarnpkg/parsers";
import { lockfileError } from "../errors.js";
import type { LockedPackage, Lockfile, SourceKind } from "../model.js";
import { isRecord } from "./json.js";
import { createYarnEntryIndex, lineStartingWith } from "./lines.js";
import { aliasTarget, classifyResolved } from "./source.js";

/** yarn.lock: classic (v1, its own format) or berry (YAML-like with a `__metadata` block). */
export function parseYarnLockfile(file: string, text: string): Lockfile {
  return /^__metadata:/m.test(text) ? parseBerry(file, text) : parseClassic(file, text);
}

function errorLine(message: string): number | undefined {
  const match = /(?:^|\s|\()(\d+):(\d+)\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function nameOfDescriptor(descriptor: string): string {
  const at = descriptor.indexOf("@", 1);
  return at === -1 ? descriptor : descriptor.slice(0, at);
}

function rangeOfDescriptor(descriptor: string): string {
  const at = descriptor.indexOf("@", 1);
  return at === -1 ? "" : descriptor.slice(at + 1);
}

/** The package a classic descriptor installs: `alias@npm:real@^1` installs `real`. */
function installedName(descriptor: string): string {
  return aliasTarget(rangeOfDescriptor(descriptor))?.name ?? nameOfDescriptor(descriptor);
}

/**
 * yarn classic writes a local folder dependency with no `resolved` at all
 * (`"localdep@file:../localdep": version "1.0.0"`): the range is the only sign that
 * it comes from the filesystem, not from the registry.
 */
function localFolder(descriptor: string): string | undefined {
  const range = rangeOfDescriptor(descriptor);
  return /^(file|link):/.test(range) ? range : undefined;
}

/** berry's `patch:` resolutions are percent-encoded; a malformed one is kept as written rather than crash the audit. */
function decodePatch(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The resolution without its `#…` part (a patch's hash and options); indexOf rather than `/#.*$/`, which is quadratic. */
function withoutFragment(text: string): string {
  const hash = text.indexOf("#");
  return hash === -1 ? text : text.slice(0, hash);
}

/**
 * @yarnpkg/lockfile 1.1's tokenizer reads a comment until a newline and a
 * quoted string until its closing quote, past the end of the text if there is
 * none, appending "undefined" until V8's string limit: a yarn.lock cut short
 * inside a string, or ending in a comment without a newline, cost ~10 s and
 * ~1 GB before its "Invalid string length". A final newline ends any comment,
 * and a closing quote in a comment line after it ends any string that was left
 * open, which then fails as the invalid token it is, at its own line. A
 * complete lockfile reads the same: one more comment line changes nothing.
 */
function withRunawayStop(text: string): string {
  return `${text}${text.endsWith("\n") ? "" : "\n"}#"\n`;
}

/**
 * The file line of a line number in @yarnpkg/lockfile 1.1's errors. Its
 * tokenizer takes a line break and the "\n" after it as one (a check meant for
 * "\r\n" that never looks at the first character), so every blank line puts
 * its positions a line earlier. Replays that count: breaks only occur between
 * tokens, never inside a comment or a string.
 */
function classicFileLine(text: string, tokenizerLine: number): number {
  let counted = 1;
  let line = 1;
  for (let i = 0; i < text.length && counted < tokenizerLine; i++) {
    const code = text.charCodeAt(i);
    if (code !== LF && code !== CR) continue;
    if (code === LF) line++;
    if (text.charCodeAt(i + 1) === LF) {
      line++;
      i++;
    }
    counted++;
  }
  return line;
}

const LF = 10;
const CR = 13;

function parseClassic(file: string, text: string): Lockfile {
  let parsed: { type: string; object: unknown };
  try {
    parsed = yarnLockfile.parse(withRunawayStop(text));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = errorLine(message);
    // The library's own position ("{ line: 2, col: 2, type: 'INVALID', … } 2:2 in lockfile") would contradict the
    // file line reported: keep only what it found.
    const detail = message
      .replace(/ ?\{ line: \d+, col: \d+, type: '(\w+)'[^}\n]*\}/, (_, type: string) => ` ${type.toLowerCase()}`)
      .replace(/ \d+:\d+ in lockfile$/, "");
    throw lockfileError(file, line === undefined ? undefined : classicFileLine(text, line), `not a valid yarn.lock (${detail})`);
  }
  if (parsed.type === "conflict") throw lockfileError(file, lineStartingWith(text, "<<<<<<<"), "has unresolved merge conflict markers");
  if (!isRecord(parsed.object)) throw lockfileError(file, 1, "is empty or not a yarn lockfile");
  const lineOf = createYarnEntryIndex(text);
  const seen = new Set<string>();
  const out: LockedPackage[] = [];
  for (const [descriptor, entry] of Object.entries(parsed.object)) {
    if (!isRecord(entry) || typeof entry.version !== "string") continue;
    const name = installedName(descriptor);
    const folder = localFolder(descriptor);
    const resolved = typeof entry.resolved === "string" ? entry.resolved : folder;
    const integrity = typeof entry.integrity === "string" ? entry.integrity : undefined;
    // One entry lists several ranges ("a@^1, a@^1.2"), and an alias repeats its target's
    // entry; only an identical artifact is folded, so a tampered twin is still checked.
    const dedupe = `${name}@${entry.version}@${resolved ?? ""}@${integrity ?? ""}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const line = lineOf(descriptor);
    out.push({
      name,
      version: entry.version,
      source: classifyResolved(resolved?.replace(/#[0-9a-f]{40}$/, "")),
      ...(resolved === undefined ? {} : { resolved }),
      ...(integrity === undefined ? {} : { integrity }),
      ...(folder === undefined ? {} : { installPath: folder.slice(folder.indexOf(":") + 1) }),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { file, format: "yarn-classic", formatVersion: "1", packages: out };
}

function berrySource(resolution: string): SourceKind {
  const protocol = resolution.slice(resolution.indexOf("@", 1) + 1);
  if (protocol.startsWith("npm:")) return "registry";
  if (protocol.startsWith("workspace:")) return "workspace";
  if (protocol.startsWith("patch:")) return berrySource(withoutFragment(decodePatch(protocol.slice("patch:".length))));
  if (protocol.startsWith("link:") || protocol.startsWith("portal:")) return "link";
  if (protocol.startsWith("file:")) return "file";
  return classifyResolved(protocol);
}

/**
 * An `npm:` resolution, `name@npm:1.2.3`, optionally with `::` parameters
 * (`::__archiveUrl=<percent-encoded URL>`, written for tarballs not at the registry's usual path).
 */
function npmResolution(resolution: string): { version: string; archiveUrl?: string } | undefined {
  const protocol = resolution.slice(resolution.indexOf("@", 1) + 1);
  if (!protocol.startsWith("npm:")) return undefined;
  const rest = protocol.slice("npm:".length);
  const params = rest.indexOf("::");
  const version = params === -1 ? rest : rest.slice(0, params);
  const archiveUrl = params === -1 ? null : new URLSearchParams(rest.slice(params + 2)).get("__archiveUrl");
  return { version, ...(archiveUrl === null ? {} : { archiveUrl }) };
}

function parseBerry(file: string, text: string): Lockfile {
  let doc: unknown;
  try {
    doc = parseSyml(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw lockfileError(file, errorLine(message), `not a valid yarn berry lockfile (${message})`);
  }
  if (!isRecord(doc)) throw lockfileError(file, 1, "is empty or not a yarn lockfile");
  const metadata = isRecord(doc.__metadata) ? doc.__metadata : {};
  const lineOf = createYarnEntryIndex(text);
  const out: LockedPackage[] = [];
  for (const [descriptor, entry] of Object.entries(doc)) {
    if (descriptor === "__metadata" || !isRecord(entry) || typeof entry.version !== "string") continue;
    const resolution = typeof entry.resolution === "string" ? entry.resolution : descriptor;
    const npm = npmResolution(resolution);
    const source = npm?.archiveUrl === undefined ? berrySource(resolution) : classifyResolved(npm.archiveUrl);
    if (source === "workspace") continue;
    const line = lineOf(descriptor);
    out.push({
      name: nameOfDescriptor(resolution),
      // yarn installs what the resolution names; `version` is only a label, and a hand-edited one
      // must not make every check read another version than the one installed.
      version: npm?.version ?? entry.version,
      source,
      // `::__archiveUrl=` makes yarn download from that URL instead of the registry: its host is what to check.
      resolved: npm?.archiveUrl ?? resolution,
      ...(typeof entry.checksum === "string" ? { checksum: entry.checksum } : {}),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { file, format: "yarn-berry", formatVersion: String(metadata.version ?? "unknown"), packages: out };
}
