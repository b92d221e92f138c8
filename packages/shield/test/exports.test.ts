import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as shieldPackage from "../src/index.js";

// The public surface of @parapet/shield: a change here is a change users see, so it must be deliberate.
describe("@parapet/shield public exports", () => {
  it("exports exactly these values", () => {
    assert.deepEqual(Object.keys(shieldPackage).sort(), [
      "ATTACK_CLASSES",
      "DETECTORS",
      "SENSITIVITY_THRESHOLDS",
      "canonicalize",
      "collectCandidates",
      "shield",
    ]);
  });

  it("lists one detector per attack class", () => {
    assert.deepEqual([...shieldPackage.ATTACK_CLASSES].sort(), [
      "cmdi",
      "code-injection",
      "file-upload",
      "jndi",
      "ldap",
      "nosqli",
      "proto-pollution",
      "rfi",
      "session-fixation",
      "sqli",
      "ssrf",
      "ssti",
      "traversal",
      "xss",
    ]);
    assert.deepEqual(
      shieldPackage.DETECTORS.map((d) => d.class),
      shieldPackage.ATTACK_CLASSES,
    );
  });

  it("exposes the CLI entry as ./cli with run(argv)", async () => {
    const cli = await import("@parapet/shield/cli");
    assert.deepEqual(Object.keys(cli), ["run"]);
    assert.equal(typeof cli.run, "function");
  });
});
