import assert from "node:assert/strict";
import { it } from "node:test";

// The public surface, locked: adding or removing an export is a deliberate change to this list.
it("@parapet/next exports exactly its public API", async () => {
  const module = await import("@parapet/next");
  assert.deepEqual(Object.keys(module).sort(), [
    "denialResponse",
    "parapetMiddleware",
    "protectRequest",
    "withDecisionHeaders",
    "withParapet",
  ]);
});
