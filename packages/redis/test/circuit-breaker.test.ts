import assert from "node:assert/strict";
import { test } from "node:test";
import { CircuitBreaker, type CircuitState } from "../src/circuit-breaker.js";

function breaker() {
  let now = 0;
  const changes: CircuitState[] = [];
  const instance = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 100, now: () => now, onStateChange: (s) => changes.push(s) });
  return { instance, changes, advance: (ms: number) => (now += ms) };
}

test("opens after the threshold of consecutive failures, not before", () => {
  const { instance } = breaker();
  instance.recordFailure();
  instance.recordFailure();
  assert.equal(instance.tryPass(), true);
  instance.recordFailure();
  assert.equal(instance.state, "open");
  assert.equal(instance.tryPass(), false);
});

test("a success resets the count of consecutive failures", () => {
  const { instance } = breaker();
  instance.recordFailure();
  instance.recordFailure();
  instance.recordSuccess();
  instance.recordFailure();
  instance.recordFailure();
  assert.equal(instance.state, "closed");
});

test("after the cooldown exactly one probe passes; its success closes the circuit", () => {
  const { instance, changes, advance } = breaker();
  for (let i = 0; i < 3; i++) instance.recordFailure();
  advance(99);
  assert.equal(instance.tryPass(), false);
  advance(1);
  assert.equal(instance.tryPass(), true);
  assert.equal(instance.tryPass(), false, "only one probe at a time");
  instance.recordSuccess();
  assert.equal(instance.tryPass(), true);
  assert.deepEqual(changes, ["open", "half-open", "closed"]);
});

test("a failed probe opens the circuit for another full cooldown", () => {
  const { instance, advance } = breaker();
  for (let i = 0; i < 3; i++) instance.recordFailure();
  advance(100);
  assert.equal(instance.tryPass(), true);
  instance.recordFailure();
  assert.equal(instance.state, "open");
  advance(50);
  assert.equal(instance.tryPass(), false);
  advance(50);
  assert.equal(instance.tryPass(), true);
});
