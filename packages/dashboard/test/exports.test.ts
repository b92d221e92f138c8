import assert from "node:assert/strict";
import { test } from "node:test";
import * as dashboard from "../src/index.js";

test("the public surface is exactly this list", () => {
  assert.deepEqual(Object.keys(dashboard).sort(), [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "createLiveFeed",
    "generateToken",
    "startDashboard",
    "tokenMatches",
  ]);
});

test("tokenMatches compares whole tokens", () => {
  const token = dashboard.generateToken();
  assert.equal(dashboard.tokenMatches(token, token), true);
  assert.equal(dashboard.tokenMatches(token, token.slice(0, -1)), false);
  assert.equal(dashboard.tokenMatches(token, `${token}x`), false);
  assert.equal(dashboard.tokenMatches(token, ""), false);
  assert.match(token, /^[A-Za-z0-9_-]{32}$/);
});
