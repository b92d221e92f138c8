import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { create } from "tar";

/** Builds an npm-style .tgz (entries under `package/`) from source strings, in memory. */
export async function buildTarball(files: Record<string, string>): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "parapet-audit-fixture-"));
  try {
    for (const [path, text] of Object.entries(files)) {
      const full = join(dir, "package", path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    const chunks: Buffer[] = [];
    const stream = create({ gzip: true, cwd: dir, portable: true }, ["package"]);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function manifest(name: string, scripts: Record<string, string> = {}): string {
  return JSON.stringify({ name, version: "1.0.0", scripts });
}
