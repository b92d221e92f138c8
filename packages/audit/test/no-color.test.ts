import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./temp-dir.js";

const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;

/** The terminal report as a user sees it: util-linux `script` gives the command a real terminal. */
function onTerminal(dir: string, env: Record<string, string>): string {
  const run = `import(${JSON.stringify(CLI)}).then((m) => m.run(process.argv.slice(1)))`;
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, "--input-type=module", "-e", run, dir, "--no-tarballs", "--no-metadata"].map(quote).join(" ");
  return execFileSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
}

test("NO_COLOR turns the terminal report's colours off", { skip: !hasScript && "needs util-linux script" }, () => {
  const packages = { "": { name: "app" }, "node_modules/x": { version: "1.0.0", resolved: "http://x.example/x-1.0.0.tgz" } };
  const dir = tempDir({ "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages }, null, 2) });
  // An empty NO_COLOR is unset, by the convention.
  assert.match(onTerminal(dir, { NO_COLOR: "" }), /\u001b\[31mHIGH/, "coloured on a terminal by default");
  const plain = onTerminal(dir, { NO_COLOR: "1" });
  assert.match(plain, /HIGH \(\d+\)/);
  assert.doesNotMatch(plain, /\u001b\[/);
});
