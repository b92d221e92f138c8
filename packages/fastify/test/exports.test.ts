import assert from "node:assert/strict";
import { it } from "node:test";

// The public surface, locked: adding or removing an export is a deliberate change to this list.
it("@parapet/fastify exports exactly its public API", async () => {
  const module = await import("@parapet/fastify");
  assert.deepEqual(Object.keys(module).sort(), ["default", "parapetPlugin"]);
});
