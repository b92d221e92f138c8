import type { TarballFile } from "./extract.js";

/** Lifecycle hooks npm runs on install, in its order. */
const HOOKS = ["preinstall", "install", "postinstall"] as const;

/** A `*.gyp` file at a package's root: npm then runs `node-gyp rebuild` (macOS and Windows match it case-insensitively). */
const GYP_FILE = /^[^./][^/]*\.gyp$/i;

/**
 * The folder of a package shipped inside this one, from the path of its manifest:
 * `node_modules/a/package.json` → `node_modules/a/`, `node_modules/@s/b/node_modules/c/package.json` →
 * `node_modules/@s/b/node_modules/c/`. Walked segment by segment (a scope is the one segment starting with `@`).
 */
function bundledFolder(path: string): string | undefined {
  const parts = path.split("/");
  if (parts.length < 3 || parts[parts.length - 1] !== "package.json") return undefined;
  let i = 0;
  while (i < parts.length - 1) {
    if (parts[i] !== "node_modules") return undefined;
    i += parts[i + 1]?.startsWith("@") ? 3 : 2;
  }
  return i === parts.length - 1 ? `${parts.slice(0, i).join("/")}/` : undefined;
}

/** How much of a package.json is read (whole, unlike code files): padding must not push its `scripts` out of sight. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** Whether a path in the tarball is a package.json: the package's own, or a bundled dependency's. */
export function isManifestPath(path: string): boolean {
  return path === "package.json" || path.endsWith("/package.json");
}

/** A package.json's text as npm parses it (BOM stripped); {} when absent or not a JSON object. */
function parseManifest(file: TarballFile | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    // npm's parser (json-parse-even-better-errors) strips a leading BOM; JSON.parse would throw on it.
    const parsed: unknown = JSON.parse(file.text.replace(/^\uFEFF/, ""));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {}; // npm reads an unparseable package.json as one without scripts
  }
}

/** The root package.json as npm reads it: of two entries at one path, unpacking leaves the last on disk. */
export function readManifest(files: readonly TarballFile[]): Record<string, unknown> {
  return parseManifest(files.findLast((f) => f.path === "package.json"));
}

/**
 * The install hooks of one package folder (`""` for the root, `node_modules/x/` for a bundled one), as
 * @npmcli/package-json normalizes them: the scripts, plus an implicit `node-gyp rebuild` when a `*.gyp`
 * file sits at the folder's root, no install or preinstall script is set, and `gypfile` is not false.
 */
function hooksOf(manifest: Record<string, unknown>, gypFile: string | undefined): Record<string, string> {
  const scripts = typeof manifest.scripts === "object" && manifest.scripts !== null ? (manifest.scripts as Record<string, unknown>) : {};
  const hooks: Record<string, string> = {};
  for (const hook of HOOKS) if (typeof scripts[hook] === "string") hooks[hook] = scripts[hook] as string;
  if (hooks.install === undefined && hooks.preinstall === undefined && manifest.gypfile !== false && gypFile !== undefined)
    hooks.install = `node-gyp rebuild (implicit: ${gypFile})`;
  return hooks;
}

/**
 * Every install hook npm runs for this tarball: the package's own, keyed by hook (`postinstall`), and
 * those of the packages bundled inside it, keyed by folder and hook (`node_modules/x postinstall`):
 * npm rebuilds bundled dependencies from the files unpacked, whatever the lockfile says of them.
 * One pass indexes the files, so thousands of bundled folders cost no more than one.
 */
export function installHooks(files: readonly TarballFile[], root: Record<string, unknown>): Record<string, string> {
  const bundledManifests = new Map<string, TarballFile>();
  const gypFiles = new Map<string, string>();
  for (const file of files) {
    const folder = bundledFolder(file.path);
    if (folder !== undefined) bundledManifests.set(folder, file); // the last copy wins, as on disk
    const slash = file.path.lastIndexOf("/") + 1;
    const base = file.path.slice(slash);
    if (GYP_FILE.test(base) && !gypFiles.has(file.path.slice(0, slash))) gypFiles.set(file.path.slice(0, slash), base);
  }
  const out: Record<string, string> = hooksOf(root, gypFiles.get(""));
  for (const folder of [...bundledManifests.keys()].sort()) {
    for (const [hook, command] of Object.entries(hooksOf(parseManifest(bundledManifests.get(folder)), gypFiles.get(folder))))
      out[`${folder.slice(0, -1)} ${hook}`] = command;
  }
  return out;
}

/** A key of `installHooks` split back: `node_modules/x postinstall` → folder `node_modules/x/`, hook `postinstall`. */
export function parseHookKey(key: string): { readonly folder: string; readonly hook: string } {
  const space = key.lastIndexOf(" ");
  return space === -1 ? { folder: "", hook: key } : { folder: `${key.slice(0, space)}/`, hook: key.slice(space + 1) };
}

/**
 * Paths of `package.json` copies that disagree: two entries at one path, or names differing only in case
 * (`PACKAGE.JSON`), which a case-insensitive disk (macOS, Windows) writes over package.json while Linux keeps
 * both. Which manifest npm then reads depends on entry order and the machine, so the scripts the audit reads
 * may not be the ones that run; `npm pack` never writes such an archive.
 */
export function conflictingManifests(files: readonly TarballFile[]): string[] {
  const texts = new Map<string, { paths: Set<string>; texts: Set<string> }>();
  for (const file of files) {
    const key = file.path.toLowerCase();
    if (!isManifestPath(key)) continue;
    const group = texts.get(key) ?? { paths: new Set<string>(), texts: new Set<string>() };
    group.paths.add(file.path);
    group.texts.add(file.text);
    texts.set(key, group);
  }
  return [...texts.values()].filter((g) => g.texts.size > 1).flatMap((g) => [...g.paths]);
}
