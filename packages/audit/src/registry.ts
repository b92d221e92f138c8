import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MAX_CONFIG_BYTES, readProjectFile } from "./project-file.js";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

type Env = Readonly<Record<string, string | undefined>>;

/** A login from .npmrc, bound to the URL prefix it was written for. */
export interface RegistryCredential {
  /** npm's "nerf dart": `//host[:port]/path/`, scheme dropped. */
  readonly prefix: string;
  /** The `authorization` header value. Never printed. */
  readonly authorization: string;
}

/** What the audit needs from npm's configuration: where each package comes from, and how to log in there. */
export interface NpmrcSettings {
  /** Default registry, with a trailing slash. */
  readonly registry: string;
  /** `@scope` → registry URL (trailing slash), from `@scope:registry=` lines; see scopesFrom for a value that is not a URL. */
  readonly scopes: Readonly<Record<string, string>>;
  readonly credentials: readonly RegistryCredential[];
}

/** The part of the settings that routes a request; `registry` alone may come from `--registry`. */
export type RegistryRoutes = Pick<NpmrcSettings, "scopes" | "credentials">;

/**
 * `${VAR}` → its value, as npm does (`${VAR?}` may be unset and becomes empty).
 * Returns undefined when a required variable is unset (parseNpmrc then keeps the
 * text as written, as npm does).
 */
export function expandEnv(text: string, env: Env): string | undefined {
  let missing = false;
  const expanded = text.replace(/\$\{([^${}?]+)(\?)?\}/g, (_, name: string, optional: string | undefined) => {
    const value = env[name];
    if (value === undefined && optional === undefined) missing = true;
    return value ?? "";
  });
  return missing ? undefined : expanded;
}

/** Text still holding a `${VAR}` whose variable was unset. */
function isUnexpanded(text: string): boolean {
  return /\$\{[^${}?]+\}/.test(text);
}

function unquote(value: string): string {
  if (value.length >= 2 && value[0] === value.at(-1) && (value[0] === '"' || value[0] === "'")) return value.slice(1, -1);
  return value;
}

/**
 * key → value of an .npmrc (ini: `key = value`, `;`/`#` comments), with variables
 * expanded in keys and values. An unset variable stays as written, as in npm 7+:
 * `@acme:registry=${ACME_REGISTRY}` must still route @acme away from the default registry.
 */
export function parseNpmrc(text: string, env: Env = {}): Map<string, string> {
  const entries = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = unquote(line.slice(eq + 1).trim());
    entries.set(expandEnv(key, env) ?? key, expandEnv(value, env) ?? value);
  }
  return entries;
}

/** An http(s) URL with a trailing slash; undefined for anything else, including a URL with an unset `${VAR}` in it. */
function asRegistryUrl(value: string | undefined): string | undefined {
  if (value === undefined || !/^https?:\/\/[^/\s]/.test(value) || isUnexpanded(value)) return undefined;
  return value.endsWith("/") ? value : `${value}/`;
}

/** `//host/path/` for a URL, the form .npmrc keys credentials by. */
function nerfDart(url: URL): string {
  return `//${url.host}${url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1)}`;
}

/** Credentials from `//host/:_authToken`, `//host/:_auth`, and `//host/:username` + `//host/:_password` (base64). */
function credentialsFrom(entries: ReadonlyMap<string, string>): RegistryCredential[] {
  const found = new Map<string, string>();
  for (const [key, value] of entries) {
    const match = /^(\/\/[^:]+(?::\d+(?:[^:\d][^:]*)?)?):(_authToken|_auth|_password)$/.exec(key);
    // npm would send an unset `${NPM_TOKEN}` as written; it cannot log in, so send nothing.
    if (!match || value === "" || isUnexpanded(key) || isUnexpanded(value)) continue;
    const prefix = match[1]!.endsWith("/") ? match[1]! : `${match[1]}/`;
    const normalized = prefix.replace(/^\/\/[^/]+/, (host) => host.toLowerCase());
    if (match[2] === "_authToken") found.set(normalized, `Bearer ${value}`);
    else if (match[2] === "_auth" && !found.has(normalized)) found.set(normalized, `Basic ${value}`);
    else if (match[2] === "_password" && !found.has(normalized)) {
      const username = entries.get(`${match[1]}:username`);
      if (username !== undefined)
        found.set(normalized, `Basic ${Buffer.from(`${username}:${Buffer.from(value, "base64").toString("utf8")}`).toString("base64")}`);
    }
  }
  return [...found].map(([prefix, authorization]) => ({ prefix, authorization }));
}

/** The files npm reads, most specific last: global, user, project (`npm help npmrc`). */
function npmrcFiles(dir: string, env: Env, home: string): string[] {
  const prefix = env.npm_config_prefix ?? (process.platform === "win32" ? dirname(process.execPath) : dirname(dirname(process.execPath)));
  return [
    env.npm_config_globalconfig ?? join(prefix, "etc", "npmrc"),
    env.npm_config_userconfig ?? join(home, ".npmrc"),
    join(dir, ".npmrc"),
  ];
}

/** `npm_config_registry` and `npm_config_@scope:registry` (any case): npm ranks the environment above every file. */
function fromEnvironment(env: Env): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const match = /^npm_config_((?:@[\w.-]+:)?registry)$/i.exec(name);
    if (match) entries.set(match[1]!.toLowerCase(), value);
  }
  return entries;
}

export interface NpmrcSources {
  readonly env?: Env;
  /** The user's home directory, for ~/.npmrc (default: $HOME, else os.homedir()). */
  readonly home?: string;
  /** An explicit default registry (`--registry`): it wins, and npm is not asked. */
  readonly registry?: string;
  /** Asks npm itself; used only when no file and no variable names a registry (npm's builtin config). */
  readonly runNpm?: (args: string[]) => Promise<string>;
}

/** What npm's files and environment say, before npm's builtin default: `registry` is undefined when none names one. */
export interface NpmrcConfig extends RegistryRoutes {
  readonly registry?: string;
}

/**
 * `@scope` → its registry. A value that is not an http(s) URL (an unset
 * `${ACME_REGISTRY}`, a missing scheme) is kept as written: npm fails on it, and so
 * do the audit's requests, instead of falling back to the default registry and
 * sending an internal name to the public one.
 */
function scopesFrom(entries: ReadonlyMap<string, string>): Record<string, string> {
  const scopes: Record<string, string> = {};
  for (const [key, value] of entries) {
    const scope = /^(@[\w.-]+):registry$/.exec(key)?.[1];
    if (scope !== undefined && value !== "") scopes[scope.toLowerCase()] = asRegistryUrl(value) ?? value;
  }
  return scopes;
}

/**
 * The registry settings npm's files and environment give in `dir`: the
 * environment, then the project's .npmrc, the user's, the global one. Synchronous
 * and without spawning npm, so checks that only need the mapping stay cheap.
 */
export function readNpmrcConfig(dir: string, sources: Pick<NpmrcSources, "env" | "home"> = {}): NpmrcConfig {
  const env = sources.env ?? process.env;
  const merged = new Map<string, string>();
  for (const file of npmrcFiles(dir, env, sources.home ?? env.HOME ?? homedir())) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      // Bounded and regular files only: a project's .npmrc linked to /dev/zero or made a FIFO must not stall the audit.
      text = readProjectFile(file, { maxBytes: MAX_CONFIG_BYTES }).toString("utf8");
    } catch {
      continue; // an unreadable config is npm's problem to report, not a reason to stop the audit
    }
    for (const [key, value] of parseNpmrc(text, env)) merged.set(key, value);
  }
  for (const [key, value] of fromEnvironment(env)) merged.set(key, value);
  const registry = asRegistryUrl(merged.get("registry"));
  return { ...(registry === undefined ? {} : { registry }), scopes: scopesFrom(merged), credentials: credentialsFrom(merged) };
}

/**
 * The registry settings npm would use in `dir`: readNpmrcConfig, with the default
 * registry from `--registry`, else the config, else `npm config get registry` (run
 * outside the project, where workspaces cannot make it fail), else npmjs.org.
 */
export async function readNpmrcSettings(dir: string, sources: NpmrcSources = {}): Promise<NpmrcSettings> {
  return withDefaultRegistry(readNpmrcConfig(dir, sources), sources);
}

/** Completes a config read by readNpmrcConfig with its default registry (see readNpmrcSettings). */
export async function withDefaultRegistry(config: NpmrcConfig, sources: NpmrcSources = {}): Promise<NpmrcSettings> {
  let registry = asRegistryUrl(sources.registry) ?? config.registry;
  if (registry === undefined) {
    const fromNpm = await (sources.runNpm ?? defaultRunNpm)(["config", "get", "registry"]).catch(() => "");
    registry = asRegistryUrl(fromNpm.trim()) ?? DEFAULT_REGISTRY;
  }
  return { registry, scopes: config.scopes, credentials: config.credentials };
}

function defaultRunNpm(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // A neutral cwd: inside a workspace package npm refuses `config get` (ENOWORKSPACES).
    execFile("npm", args, { cwd: tmpdir(), timeout: 10_000, shell: process.platform === "win32" }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** The registry `name` is fetched from: its scope's registry when .npmrc maps one, else `registry`. */
export function registryFor(name: string, registry: string, routes?: RegistryRoutes): string {
  if (!name.startsWith("@") || !routes) return registry;
  return routes.scopes[name.slice(0, name.indexOf("/")).toLowerCase()] ?? registry;
}

/**
 * Headers for a request to `url`: the credential whose prefix is the longest match,
 * so a token reaches only the host (and path) it was configured for.
 */
export function authHeaders(url: string, routes?: RegistryRoutes): Record<string, string> {
  if (!routes || routes.credentials.length === 0) return {};
  let target: string;
  try {
    target = nerfDart(new URL(url)).replace(/^\/\/[^/]+/, (host) => host.toLowerCase());
  } catch {
    return {};
  }
  let best: RegistryCredential | undefined;
  for (const credential of routes.credentials)
    if (target.startsWith(credential.prefix) && credential.prefix.length > (best?.prefix.length ?? 0)) best = credential;
  return best ? { authorization: best.authorization } : {};
}

/** Registry tarball URL: `<registry><name>/-/<base>-<version>.tgz` (scoped names keep their scope in the path). */
export function tarballUrl(registry: string, name: string, version: string): string {
  const base = name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
  return `${registry}${name}/-/${base}-${version}.tgz`;
}

/** Hosts (`host[:port]`) of the default and scoped registries: where tarballs may always be fetched. */
export function registryHosts(registry: string, routes?: RegistryRoutes): Set<string> {
  const hosts = new Set<string>();
  for (const url of [registry, ...Object.values(routes?.scopes ?? {})]) {
    try {
      hosts.add(new URL(url).host);
    } catch {
      // not a URL: nothing to allow
    }
  }
  return hosts;
}
