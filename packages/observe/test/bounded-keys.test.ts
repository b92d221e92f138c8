import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { authUserKey, boundedKey } from "../src/bounded-key.js";
import { KeyedBuckets } from "../src/detect/keyed-buckets.js";
import { observe } from "../src/index.js";
import { recordingLogger } from "./helpers.js";

test("a user name is kept as it is up to 128 characters; a longer one by its start and a hash of the whole", () => {
  assert.equal(authUserKey("alice"), "alice");
  assert.equal(authUserKey("x".repeat(128)), "x".repeat(128));
  const long = authUserKey(`${"a".repeat(100_000)}1`);
  const other = authUserKey(`${"a".repeat(100_000)}2`);
  assert.ok(long !== undefined && other !== undefined);
  assert.ok(long.length <= 120, `${long.length} characters`);
  assert.ok(long.startsWith(`${"a".repeat(100)}…#`));
  assert.notEqual(long, other, "two long names that differ only at the end stay two users");
  assert.equal(authUserKey(`${"a".repeat(100_000)}1`), long, "the same name is always the same key");
  assert.equal(authUserKey(42), "42");
  for (const notAUser of [undefined, "", Number.NaN, { toString: () => "x" }, ["a"]]) assert.equal(authUserKey(notAUser), undefined);
});

test("failed logins with 100 KB user names fire alerts that quote a bounded name, one account per name", async () => {
  const observed = observe({ store: false, handleSignals: false, logger: recordingLogger() });
  try {
    const victim = `${"v".repeat(100_000)}-victim`;
    for (let i = 0; i < 12; i++) {
      // A different IP each time: the account, not one client, is what the attack has in common.
      observed.observer.onAuthEvent?.({
        type: "failure",
        timestamp: Date.now(),
        ip: `198.51.100.${i}`,
        user: victim,
        request: {} as never,
      });
    }
    await observed.flush();
    const aboutTheAccount = observed.alerts().filter((a) => a.subject.startsWith("user:"));
    assert.ok(aboutTheAccount.length > 0, "the account under attack was reported");
    for (const alert of aboutTheAccount) {
      assert.ok(alert.subject.startsWith(`user:${"v".repeat(100)}…#`), alert.subject.slice(0, 120));
      assert.ok(alert.subject.length < 200 && alert.summary.length < 300, "the alert quotes a bounded name");
      assert.ok(JSON.stringify(alert.evidence).length < 1_000, "and so does its evidence");
    }
  } finally {
    await observed.close();
  }
});

test("distinct values a bucket remembers are bounded in size, and long ones still count as distinct", () => {
  const buckets = new KeyedBuckets({ capacity: 5, leakMs: 3_600_000 }, 100);
  const path = (i: number) => `/${"a".repeat(10_000)}/${i}`;
  // Five distinct long paths fill the bucket; a sixth overflows it. Repeats of one path count once.
  for (let i = 0; i < 5; i++) assert.equal(buckets.pour("client", 0, path(i)), undefined);
  assert.equal(buckets.pour("client", 0, path(0)), undefined, "a path seen before is not poured again");
  assert.ok(buckets.pour("client", 0, path(5)) !== undefined, "the sixth distinct path overflows");
});

test("1,000 clients with 20 distinct 10 KB paths each are remembered in a few megabytes, not 200", () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const buckets = new KeyedBuckets({ capacity: 1_000, leakMs: 3_600_000 }, 5_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let client = 0; client < 1_000; client++) {
    for (let i = 0; i < 20; i++) {
      // A flat string of its own each time, as a request's path is (a repeat() would share one small piece).
      const path = Buffer.alloc(10_000, String(client * 100 + i).padStart(6, "0")).toString("latin1");
      buckets.pour(`198.51.100.${client}`, 0, path);
    }
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Still in use after the measure, so the collector could not take it.
  assert.equal(buckets.pour("198.51.100.0", 0, "/one-more"), undefined);
  assert.ok(grown < 50 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`);
  assert.equal(boundedKey("x".repeat(128)), "x".repeat(128));
});
