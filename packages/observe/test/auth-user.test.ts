import assert from "node:assert/strict";
import { test } from "node:test";
import { authUserKey } from "../src/auth-user.js";
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
      observed.observer.onAuthEvent?.({ type: "failure", timestamp: Date.now(), ip: `198.51.100.${i}`, user: victim, request: {} as never });
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
