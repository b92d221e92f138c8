import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readConfig } from "../src/config.js";
import { AuditError } from "../src/errors.js";
import { readLockfiles } from "../src/lockfiles/index.js";
import { ProjectFileError, readProjectFile } from "../src/project-file.js";
import { readNpmrcConfig } from "../src/registry.js";
import { tempDir } from "./temp-dir.js";

// The audited project may be a stranger's pull request, audited in CI next to its secrets. These are files such a
// project can hold in place of a lockfile or a config: each is refused with a message, at once, and nothing of what
// a link points at reaches the output.

const SECRET = "GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz";
const LOCKFILE = JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app" } } });
const canMakeFifo = process.platform !== "win32";

function project(): string {
  const dir = join(tempDir(), "project");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function outsideSecret(): string {
  const file = join(tempDir(), "secret.env");
  writeFileSync(file, `${SECRET}\n`);
  return file;
}

function assertReadRefused(read: () => unknown, message: RegExp) {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof AuditError, String(error));
    assert.equal(error.code, "PARAPET_E_AUDIT_READ");
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /GITHUB_TOKEN|ghp_/);
    return true;
  });
}

test("a lockfile linked outside the project is refused: a link to a secrets file, or to /dev/zero", () => {
  for (const target of [outsideSecret(), "/dev/zero"]) {
    const dir = project();
    symlinkSync(target, join(dir, "package-lock.json"));
    const started = performance.now();
    assertReadRefused(() => readLockfiles(dir), /^package-lock\.json: is a symbolic link to a file outside the project/);
    assert.ok(performance.now() - started < 1_000);
  }
});

test("a lockfile linked inside the project is read", () => {
  const dir = project();
  mkdirSync(join(dir, "locks"));
  writeFileSync(join(dir, "locks", "npm.json"), LOCKFILE);
  symlinkSync(join("locks", "npm.json"), join(dir, "package-lock.json"));
  const [lock] = readLockfiles(dir);
  assert.equal(lock?.format, "npm");
});

test("a lockfile that is a FIFO is refused at once instead of waiting for a writer", { skip: !canMakeFifo && "no mkfifo" }, () => {
  const dir = project();
  execFileSync("mkfifo", [join(dir, "pnpm-lock.yaml")]);
  assertReadRefused(() => readLockfiles(dir), /^pnpm-lock\.yaml: is not a regular file \(a device, FIFO or socket\)/);
});

test("a lockfile over the limit is refused from its size, before a byte is read", () => {
  const dir = project();
  const file = join(dir, "yarn.lock");
  writeFileSync(file, "");
  truncateSync(file, 300 * 1024 * 1024); // sparse: no disk used, but 300 MB by size
  const started = performance.now();
  assertReadRefused(() => readLockfiles(dir), /^yarn\.lock: is 314572800 bytes, over the 209715200-byte limit/);
  assert.ok(performance.now() - started < 1_000);
});

test("the project's .parapet-audit.json is held to the same rules; one named on the command line may be a link", () => {
  const dir = project();
  symlinkSync(outsideSecret(), join(dir, ".parapet-audit.json"));
  assertReadRefused(() => readConfig(dir), /\.parapet-audit\.json: is a symbolic link to a file outside the project/);
  const mine = join(tempDir(), "audit-config.json");
  writeFileSync(mine, JSON.stringify({ failOn: "medium" }));
  const linked = join(tempDir(), "linked-config.json");
  symlinkSync(mine, linked);
  assert.equal(readConfig(dir, linked).failOn, "medium");
});

test("a project .npmrc that is a FIFO or a link to /dev/zero is skipped like any unreadable npm config", () => {
  const home = tempDir();
  writeFileSync(join(home, ".npmrc"), "registry=https://npm.example.test/\n");
  const linked = project();
  symlinkSync("/dev/zero", join(linked, ".npmrc"));
  const dirs = [linked];
  if (canMakeFifo) {
    const fifo = project();
    execFileSync("mkfifo", [join(fifo, ".npmrc")]);
    dirs.push(fifo);
  }
  for (const dir of dirs) {
    const started = performance.now();
    const config = readNpmrcConfig(dir, { env: {}, home });
    assert.equal(config.registry, "https://npm.example.test/", "the user's own .npmrc still applies");
    assert.ok(performance.now() - started < 1_000);
  }
});

test("readProjectFile: what it accepts and the reason it gives for what it refuses", () => {
  const dir = project();
  writeFileSync(join(dir, "ok.json"), "{}");
  assert.equal(readProjectFile(join(dir, "ok.json"), { maxBytes: 10, within: dir }).toString(), "{}");
  assert.throws(
    () => readProjectFile(join(dir, "ok.json"), { maxBytes: 1 }),
    (error: unknown) => error instanceof ProjectFileError && /over the 1-byte limit/.test(error.message),
  );
  assert.throws(
    () => readProjectFile(dir, { maxBytes: 10 }),
    (error: unknown) => error instanceof ProjectFileError && error.code === "EISDIR",
  );
  assert.throws(
    () => readProjectFile(join(dir, "missing.json"), { maxBytes: 10, within: dir }),
    (error: unknown) => error instanceof ProjectFileError && error.code === "ENOENT",
  );
  // Without `within`, a link anywhere is followed, but still only to a regular file.
  symlinkSync("/dev/zero", join(dir, "zero"));
  assert.throws(
    () => readProjectFile(join(dir, "zero"), { maxBytes: 10 }),
    (error: unknown) => error instanceof ProjectFileError && /not a regular file/.test(error.message),
  );
  symlinkSync(outsideSecret(), join(dir, "away"));
  assert.match(readProjectFile(join(dir, "away"), { maxBytes: 1_000 }).toString(), /GITHUB_TOKEN/);
});
