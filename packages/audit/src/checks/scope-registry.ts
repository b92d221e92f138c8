import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { MAX_CONFIG_BYTES, readProjectFile } from "../project-file.js";
import type { NpmrcConfig } from "../registry.js";

/**
 * Where a package manager fetches a name from when the lockfile does not say: yarn berry
 * never records a host (`"@acme/utils@npm:1.0.0"`), and npm or pnpm may omit `resolved`.
 * The project's registry configuration decides, so that is what is read here.
 */
export interface RegistryMapping {
  /** Registry for unscoped names and unmapped scopes; undefined means the package manager's public default. */
  readonly defaultRegistry?: string;
  /** `@acme` → registry URL. */
  readonly scopes: ReadonlyMap<string, string>;
}

export interface RegistryMappings {
  /** `.npmrc`: read by npm, pnpm and yarn classic. */
  readonly npm: RegistryMapping;
  /** `.yarnrc.yml`: read by yarn berry, which ignores `.npmrc`. */
  readonly yarn: RegistryMapping;
}

export function mappedRegistry(mapping: RegistryMapping, name: string): string | undefined {
  const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")).toLowerCase() : undefined;
  return (scope === undefined ? undefined : mapping.scopes.get(scope)) ?? mapping.defaultRegistry;
}

/**
 * npm's mapping as registry.ts reads it for the audit's own requests (every .npmrc npm
 * reads, `npm_config_*`, `${VAR}` expanded), so the check and the fetches agree on
 * where a package comes from.
 */
export function npmrcMapping(npmrc: NpmrcConfig): RegistryMapping {
  return {
    ...(npmrc.registry === undefined ? {} : { defaultRegistry: npmrc.registry }),
    scopes: new Map(Object.entries(npmrc.scopes)),
  };
}

/** `npmRegistryServer` and `npmScopes.<scope>.npmRegistryServer` of .yarnrc.yml texts, project first. */
export function yarnrcMapping(texts: readonly string[]): RegistryMapping {
  let defaultRegistry: string | undefined;
  const scopes = new Map<string, string>();
  for (const text of [...texts].reverse()) {
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch {
      continue; // yarn itself refuses a broken .yarnrc.yml; nothing maps from it
    }
    if (typeof doc !== "object" || doc === null) continue;
    const config = doc as Record<string, unknown>;
    if (typeof config.npmRegistryServer === "string") defaultRegistry = config.npmRegistryServer;
    const npmScopes = config.npmScopes;
    if (typeof npmScopes !== "object" || npmScopes === null) continue;
    for (const [scope, settings] of Object.entries(npmScopes as Record<string, unknown>)) {
      const server = (settings as Record<string, unknown> | null)?.npmRegistryServer;
      if (typeof server === "string") scopes.set(`@${scope.replace(/^@/, "").toLowerCase()}`, server);
    }
  }
  return { ...(defaultRegistry === undefined ? {} : { defaultRegistry }), scopes };
}

function readIfFile(path: string): string[] {
  try {
    return existsSync(path) ? [readProjectFile(path, { maxBytes: MAX_CONFIG_BYTES }).toString("utf8")] : [];
  } catch {
    return []; // unreadable config is config the package manager cannot use either
  }
}

/** yarn berry's mapping: the project's .yarnrc.yml over the user's (`home` is the user's home directory). */
export function readYarnrcMapping(dir: string, home: string): RegistryMapping {
  return yarnrcMapping([...readIfFile(join(dir, ".yarnrc.yml")), ...readIfFile(join(home, ".yarnrc.yml"))]);
}
