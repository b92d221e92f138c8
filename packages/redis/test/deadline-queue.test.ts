/** The shared per-call timeout: real timers with short timeouts, no Redis needed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DeadlineQueue } from "../src/deadline-queue.js";

const now = () => performance.now();

test("a call still waiting at its deadline fails once, not before the deadline", async () => {
  const queue = new DeadlineQueue(30, now);
  const started = now();
  let failedAfter = -1;
  let failures = 0;
  queue.add(() => {
    failures++;
    failedAfter = now() - started;
  });
  await sleep(150);
  assert.equal(failures, 1);
  // Timers may fire a little early by the monotonic clock's rounding; never by a whole millisecond.
  assert.ok(failedAfter >= 29, `failed after ${failedAfter} ms`);
});

test("a settled call never fails, and later calls still time out on their own deadlines", async () => {
  const queue = new DeadlineQueue(30, now);
  const failed: string[] = [];
  const first = queue.add(() => failed.push("first"));
  first.waiting = false;
  await sleep(10);
  queue.add(() => failed.push("second"));
  const third = queue.add(() => failed.push("third"));
  await sleep(60);
  assert.deepEqual(failed, ["second", "third"]);
  assert.equal(third.waiting, false, "a timed-out call is marked settled, so a late reply is dropped");
  assert.equal(queue.size, 0);
});

test("calls settled in order are dropped as new ones arrive: memory follows calls in flight, not rate x timeout", () => {
  const queue = new DeadlineQueue(200, now);
  for (let i = 0; i < 100_000; i++) queue.add(() => assert.fail("settled calls must not fail")).waiting = false;
  assert.ok(queue.size <= 1, `size ${queue.size}`);
});

test("calls settled out of order are dropped once the front settles", () => {
  const queue = new DeadlineQueue(200, now);
  const calls = Array.from({ length: 5_000 }, () => queue.add(() => undefined));
  for (const call of calls.slice(1)) call.waiting = false;
  assert.equal(queue.size, 5_000, "the oldest call still waits, so nothing behind it is dropped yet");
  calls[0]!.waiting = false;
  queue.add(() => undefined).waiting = false;
  assert.ok(queue.size <= 1, `size ${queue.size}`);
});
