import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One version as the fake registry publishes it. */
export interface PublishedVersion {
  readonly name: string;
  readonly version: string;
  readonly tarball: Uint8Array;
  readonly publishedAt: Date;
  readonly publisher?: string;
  readonly deprecated?: string;
}

export interface TestRegistry {
  readonly url: string;
  /** Paths requested so far, to prove offline runs never touch the network. */
  readonly requests: string[];
  /** The `authorization` header of each request, in the same order ("(none)" when absent). */
  readonly authorizations: string[];
  close(): Promise<void>;
}

export interface TestRegistryOptions {
  /** A private registry: any request without exactly this `authorization` header gets a 401. */
  readonly authorization?: string;
}

export function sriOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/**
 * A real HTTP registry on 127.0.0.1 serving full packuments (`/<name>`, scoped as
 * `@scope%2fname`) and tarballs (`/<name>/-/<base>-<version>.tgz`). `tarballOverrides`
 * serves different bytes for a tarball path, to simulate a tampered registry or lockfile.
 */
export async function startTestRegistry(
  versions: readonly PublishedVersion[],
  tarballOverrides: Readonly<Record<string, Uint8Array>> = {},
  options: TestRegistryOptions = {},
): Promise<TestRegistry> {
  const requests: string[] = [];
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    authorizations.push(req.headers.authorization ?? "(none)");
    if (options.authorization !== undefined && req.headers.authorization !== options.authorization)
      return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":"authentication required"}');
    const tarballMatch = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    if (tarballMatch) {
      const found = versions.find((v) => v.name === tarballMatch[1] && v.version === tarballMatch[2]);
      const body = tarballOverrides[path] ?? found?.tarball;
      if (!body) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    }
    const name = path.slice(1);
    const mine = versions.filter((v) => v.name === name);
    if (mine.length === 0) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    const doc = {
      name,
      time: Object.fromEntries(mine.map((v) => [v.version, v.publishedAt.toISOString()])),
      versions: Object.fromEntries(
        mine.map((v) => [
          v.version,
          {
            name,
            version: v.version,
            ...(v.publisher ? { _npmUser: { name: v.publisher } } : {}),
            ...(v.deprecated ? { deprecated: v.deprecated } : {}),
            dist: { integrity: sriOf(v.tarball) },
          },
        ]),
      ),
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A package-lock v3 the way npm writes it on a machine using the default registry: no `resolved`. */
export function lockfileFor(
  entries: ReadonlyArray<{ name: string; version: string; integrity: string; hasInstallScript?: boolean }>,
): string {
  const packages: Record<string, unknown> = { "": { name: "fixture-app", version: "1.0.0" } };
  for (const e of entries)
    packages[`node_modules/${e.name}`] = {
      version: e.version,
      integrity: e.integrity,
      ...(e.hasInstallScript ? { hasInstallScript: true } : {}),
    };
  return `${JSON.stringify({ name: "fixture-app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}
