import assert from "node:assert/strict";
import { it } from "node:test";

// The public surface, locked: adding or removing an export is a deliberate change to this list.
it("@parapet/node exports exactly its public API", async () => {
  const module = await import("@parapet/node");
  assert.deepEqual(Object.keys(module).sort(), [
    "abortStartedResponse",
    "clientLeft",
    "denialBody",
    "denialHeaders",
    "denialJson",
    "discardUnreadBody",
    "protectNode",
    "releaseUnreadBody",
    "safeDecide",
    "safeProtect",
    "sendDenial",
    "setDecisionHeaders",
    "stackedHeaders",
    "withParapet",
  ]);
});
