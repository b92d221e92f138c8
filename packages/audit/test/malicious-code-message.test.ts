import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMaliciousCodeCheck } from "../src/checks/malicious-code.js";

// The check only formats verdicts; these cases pin how its advice scales with severity.
function findingFor(severity: "low" | "high", reasons: string[]) {
  const check = createMaliciousCodeCheck();
  const pkg = { name: "pkg", version: "1.0.0" };
  const analyses = new Map([["pkg@1.0.0", { verdict: { severity, reasons } }]]);
  const findings = check({ packages: [pkg], analyses } as never) as Array<{ message: string; severity: string }>;
  assert.equal(findings.length, 1);
  return findings[0] as { message: string; severity: string };
}

describe("malicious-code finding messages", () => {
  it("asks for incident response when the evidence is strong", () => {
    const finding = findingFor("high", ["postinstall.js reads ~/.npmrc and posts it to a server"]);
    assert.match(finding.message, /rotate every secret/);
    assert.match(finding.message, /postinstall\.js/);
  });

  it("asks only for a look at a lone weak signal, and summarises long file lists", () => {
    const reasons = Array.from({ length: 14 }, (_, i) => `dist/chunk${i}.js has a long line appended after ordinary code`);
    const finding = findingFor("low", reasons);
    assert.doesNotMatch(finding.message, /rotate every secret/);
    assert.match(finding.message, /chunk0\.js/);
    assert.doesNotMatch(finding.message, /chunk3\.js/);
    assert.match(finding.message, /and 11 more/);
  });
});
