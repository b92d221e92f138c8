import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { test } from "node:test";
import { sqliteLog } from "../src/index.js";
import { tempDir } from "./helpers.js";

const CHILD = join(import.meta.dirname, "fixtures", "sigterm-child.js");
const TWO_LOGS_CHILD = join(import.meta.dirname, "fixtures", "two-logs-sigterm-child.js");

type Child = ChildProcessByStdio<null, Readable, null>;

/**
 * Starts `fixture` with a database path and a count of decisions, waits for its "ready <pending>" line, sends
 * SIGTERM, hands `check` the decisions it had queued and the signal it ended by, then `inspect` the database.
 */
async function terminateWhenReady(
  fixture: string,
  count: number,
  check: (run: { pending: number; signal: NodeJS.Signals | null }) => void,
  inspect: (path: string) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  const path = join(dir.path, "sigterm.db");
  const child: Child = spawn(process.execPath, [fixture, path, String(count)], { stdio: ["ignore", "pipe", "inherit"] });
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
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGTERM");
    check({ pending, signal: await exited });
    await inspect(path);
  } finally {
    child.kill("SIGKILL");
    dir.remove();
  }
}

async function countOf(path: string, sql: string): Promise<number | undefined> {
  const driver = sqliteLog({ path });
  try {
    const [row] = await driver.all<{ n: number }>(sql);
    return row?.n;
  } finally {
    await driver.close();
  }
}

test("no decision is lost on SIGTERM with 10k decisions in flight", { timeout: 60_000 }, async () => {
  await terminateWhenReady(
    CHILD,
    10_000,
    ({ pending, signal }) => {
      assert.equal(pending, 10_000, "all 10k decisions are still queued when the signal is sent");
      assert.equal(signal, "SIGTERM", "after flushing, the process still ends by the signal");
    },
    async (path) => {
      assert.equal(await countOf(path, "SELECT COUNT(*) AS n FROM parapet_decisions"), 10_000);
      assert.equal(await countOf(path, "SELECT SUM(total) AS n FROM parapet_rollups"), 10_000);
    },
  );
});

test("two logs in one process: SIGTERM ends the process only once both have flushed", { timeout: 60_000 }, async () => {
  // Each log re-raised the signal once its own close was done: the one with nothing to write ended the process while
  // the other was still writing (40,000 decisions: 0 written; alone, all of them).
  await terminateWhenReady(
    TWO_LOGS_CHILD,
    20_000,
    ({ pending, signal }) => {
      assert.equal(pending, 20_000);
      assert.equal(signal, "SIGTERM", "after flushing, the process still ends by the signal");
    },
    async (path) => assert.equal(await countOf(path, "SELECT COUNT(*) AS n FROM parapet_decisions"), 20_000),
  );
});
