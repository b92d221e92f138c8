import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";

const cacheModule = new URL("../src/tarball/cache.js", import.meta.url).href;

// procfs answers ENOENT to a mkdir under it, and Node's recursive mkdir reads that as "make the parent first",
// finds /proc there (EEXIST), and tries again, forever, at full CPU: `--cache-dir /proc/x` hung the audit silently.
test("a cache dir that cannot be made under /proc fails the write at once instead of spinning", {
  skip: !existsSync("/proc/self") && "no procfs here",
}, () => {
  const script = `import(${JSON.stringify(cacheModule)}).then(({ createTarballCache }) => {
    try { createTarballCache("/proc/parapet-cache/tarballs").put(new Uint8Array([1])); console.log("written?"); }
    catch (error) { console.log(error.code); }
  });`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 10_000 });
  assert.equal(child.signal, null, "finished on its own, not killed by the timeout");
  assert.equal(child.stdout.trim(), "ENOENT", child.stderr);
});
