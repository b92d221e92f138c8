import yarnLockfile from "@yarnpkg/lockfile";
import { parseSyml } from "@yarnpkg/parsers";
import { lockfileError } from "../errors.js";
import type { LockedPackage, Lockfile, SourceKind } from "../model.js";
import { isRecord } from "./json.js";
import { lineStartingWith } from "./lines.js";
import { classifyResolved } from "./source.js";

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

function parseClassic(file: string, text: string): Lockfile {
  let parsed: { type: string; object: unknown };
  try {
    parsed = yarnLockfile.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw lockfileError(file, errorLine(message), `not a valid yarn.lock (${message})`);
  }
  if (parsed.type === "conflict") throw lockfileError(file, lineStartingWith(text, "<<<<<<<"), "has unresolved merge conflict markers");
  if (!isRecord(parsed.object)) throw lockfileError(file, 1, "is empty or not a yarn lockfile");
  const seen = new Set<string>();
  const out: LockedPackage[] = [];
  for (const [descriptor, entry] of Object.entries(parsed.object)) {
    if (!isRecord(entry) || typeof entry.version !== "string") continue;
    const name = nameOfDescriptor(descriptor);
    const resolved = typeof entry.resolved === "string" ? entry.resolved : undefined;
    const dedupe = `${name}@${entry.version}@${resolved ?? ""}`;
    if (seen.has(dedupe)) continue; // one entry lists several ranges ("a@^1, a@^1.2")
    seen.add(dedupe);
    const line = lineStartingWith(text, descriptor) ?? lineStartingWith(text, `"${descriptor}`);
    out.push({
      name,
      version: entry.version,
      source: classifyResolved(resolved?.replace(/#[0-9a-f]{40}$/, "")),
      ...(resolved === undefined ? {} : { resolved }),
      ...(typeof entry.integrity === "string" ? { integrity: entry.integrity } : {}),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { file, format: "yarn-classic", formatVersion: "1", packages: out };
}

function berrySource(resolution: string): SourceKind {
  const protocol = resolution.slice(resolution.indexOf("@", 1) + 1);
  if (protocol.startsWith("npm:")) return "registry";
  if (protocol.startsWith("workspace:")) return "workspace";
  if (protocol.startsWith("patch:")) return berrySource(decodeURIComponent(protocol.slice("patch:".length)).replace(/#.*$/, ""));
  if (protocol.startsWith("link:") || protocol.startsWith("portal:")) return "link";
  if (protocol.startsWith("file:")) return "file";
  return classifyResolved(protocol);
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
  const out: LockedPackage[] = [];
  for (const [descriptor, entry] of Object.entries(doc)) {
    if (descriptor === "__metadata" || !isRecord(entry) || typeof entry.version !== "string") continue;
    const resolution = typeof entry.resolution === "string" ? entry.resolution : descriptor;
    const source = berrySource(resolution);
    if (source === "workspace") continue;
    const line = lineStartingWith(text, `"${descriptor}`) ?? lineStartingWith(text, descriptor);
    out.push({
      name: nameOfDescriptor(resolution),
      version: entry.version,
      source,
      resolved: resolution,
      ...(typeof entry.checksum === "string" ? { checksum: entry.checksum } : {}),
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { file, format: "yarn-berry", formatVersion: String(metadata.version ?? "unknown"), packages: out };
}
