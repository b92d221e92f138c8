import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { sqliteLog } from "../src/index.js";
import { tempDir } from "./helpers.js";

const CHILD = join(import.meta.dirname, "fixtures", "sigterm-child.js");
const TWO_LOGS_CHILD = join(import.meta.dirname, "fixtures", "two-logs-sigterm-child.js");

test("no decision is lost on SIGTERM with 10k decisions in flight", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const path = join(dir.path, "sigterm.db");
  const child = spawn(process.execPath, [CHILD, path, "10000"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const pending = await new Promise<number>((resolve, reject) => {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    assert.equal(pending, 10_000, "all 10k decisions are still queued when the signal is sent");
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGTERM");
    assert.equal(await exited, "SIGTERM", "after flushing, the process still ends by the signal");

    const driver = sqliteLog({ path });
    const [row] = await driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_decisions");
    const [rollup] = await driver.all<{ n: number }>("SELECT SUM(total) AS n FROM parapet_rollups");
    await driver.close();
    assert.equal(row?.n, 10_000);
    assert.equal(rollup?.n, 10_000);
  } finally {
    child.kill("SIGKILL");
    dir.remove();
  }
});

test("two logs in one process: SIGTERM ends the process only once both have flushed", { timeout: 60_000 }, async () => {
  // Each log re-raised the signal once its own close was done: the one with nothing to write ended the process while
  // the other was still writing (40,000 decisions: 0 written; alone, all of them).
  const dir = tempDir();
  const path = join(dir.path, "two-logs.db");
  const child = spawn(process.execPath, [TWO_LOGS_CHILD, path, "20000"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const pending = await new Promise<number>((resolve, reject) => {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    assert.equal(pending, 20_000);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGTERM");
    assert.equal(await exited, "SIGTERM", "after flushing, the process still ends by the signal");
    const driver = sqliteLog({ path });
    const [row] = await driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_decisions");
    await driver.close();
    assert.equal(row?.n, 20_000);
  } finally {
    child.kill("SIGKILL");
    dir.remove();
  }
});
