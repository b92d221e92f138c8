import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

/** Reads `registry=` (and `@scope:registry=`) from an .npmrc text. Environment expansion is not done: we only need the URL. */
export function registryFromNpmrc(text: string, scope?: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line.startsWith(";")) continue;
    const match = /^(@[\w.-]+:)?registry\s*=\s*(\S+)$/.exec(line);
    if (!match) continue;
    if (match[1] === undefined && found === undefined) found = match[2];
    if (scope !== undefined && match[1] === `${scope}:`) return match[2];
  }
  return found;
}

/**
 * The registry npm would use in `dir`: project .npmrc, then user .npmrc, then
 * `npm config get registry` (covers global config and env), then the default.
 */
export async function resolveRegistry(dir: string, runNpm = defaultRunNpm): Promise<string> {
  for (const file of [join(dir, ".npmrc"), join(homedir(), ".npmrc")]) {
    if (!existsSync(file)) continue;
    const registry = registryFromNpmrc(readFileSync(file, "utf8"));
    if (registry) return registry.endsWith("/") ? registry : `${registry}/`;
  }
  const fromNpm = (await runNpm(["config", "get", "registry"]).catch(() => "")).trim();
  if (/^https?:\/\//.test(fromNpm)) return fromNpm.endsWith("/") ? fromNpm : `${fromNpm}/`;
  return DEFAULT_REGISTRY;
}

function defaultRunNpm(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("npm", args, { timeout: 10_000, shell: process.platform === "win32" }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** Registry tarball URL: `<registry><name>/-/<base>-<version>.tgz` (scoped names keep their scope in the path). */
export function tarballUrl(registry: string, name: string, version: string): string {
  const base = name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
  return `${registry}${name}/-/${base}-${version}.tgz`;
}
