import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AuditError } from "../src/errors.js";
import { isAffected, loadOsv, type OsvRecord } from "../src/osv.js";

function record(events: Array<Record<string, string>>, extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id: "GHSA-test", affected: [{ package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "SEMVER", events }] }], ...extra };
}

test("introduced 0 without an end affects every version, prereleases included", () => {
  const r = record([{ introduced: "0" }]);
  for (const v of ["0.0.1", "1.0.0", "99.9.9", "2.0.0-beta.1"]) assert.equal(isAffected(r, "pkg", v), true, v);
  assert.equal(isAffected(r, "other", "1.0.0"), false);
});

test("fixed is exclusive, last_affected inclusive", () => {
  const fixed = record([{ introduced: "1.2.0" }, { fixed: "1.4.0" }]);
  assert.deepEqual(
    ["1.1.9", "1.2.0", "1.3.9", "1.4.0-rc.1", "1.4.0", "2.0.0"].map((v) => isAffected(fixed, "pkg", v)),
    [false, true, true, true, false, false],
  );
  const last = record([{ introduced: "0" }, { last_affected: "2.1.0" }]);
  assert.deepEqual(
    ["2.0.0", "2.1.0", "2.1.1"].map((v) => isAffected(last, "pkg", v)),
    [true, true, false],
  );
});

test("several ranges and explicit versions", () => {
  const r = record([{ introduced: "1.0.0" }, { fixed: "1.0.5" }, { introduced: "2.0.0" }, { fixed: "2.3.1" }]);
  assert.deepEqual(
    ["0.9.0", "1.0.4", "1.0.5", "1.9.9", "2.0.0", "2.3.0", "2.3.1"].map((v) => isAffected(r, "pkg", v)),
    [false, true, false, false, true, true, false],
  );
  const listed: OsvRecord = { id: "MAL-2025-1", affected: [{ package: { ecosystem: "npm", name: "pkg" }, versions: ["4.4.2"] }] };
  assert.equal(isAffected(listed, "pkg", "4.4.2"), true);
  assert.equal(isAffected(listed, "pkg", "4.4.1"), false);
  assert.equal(isAffected(r, "pkg", "not-a-version"), false);
});

test("loadOsv refuses a source with no npm record: an empty folder or another ecosystem's export turned the check off silently", () => {
  const dir = mkdtempSync(join(tmpdir(), "parapet-osv-"));
  try {
    assert.throws(() => loadOsv(dir), /holds no OSV record for an npm package/);
    const pypi = join(dir, "pypi.json");
    writeFileSync(pypi, JSON.stringify({ id: "PYSEC-1", affected: [{ package: { ecosystem: "PyPI", name: "pkg" } }] }));
    assert.throws(
      () => loadOsv(pypi),
      (e: unknown) => e instanceof AuditError && e.code === "PARAPET_E_AUDIT_OSV" && /pypi\.json: holds no OSV record/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("loadOsv reads a file or a folder and names the broken file", () => {
  const dir = mkdtempSync(join(tmpdir(), "parapet-osv-"));
  try {
    writeFileSync(join(dir, "a.json"), JSON.stringify(record([{ introduced: "0" }])));
    assert.equal(loadOsv(dir).get("pkg")?.length, 1);
    writeFileSync(join(dir, "b.json"), "{ broken");
    assert.throws(
      () => loadOsv(dir),
      (e: unknown) => e instanceof AuditError && e.code === "PARAPET_E_AUDIT_OSV" && /b\.json: not valid JSON/.test(e.message),
    );
    writeFileSync(join(dir, "c.zip"), "not a zip");
    assert.throws(() => loadOsv(join(dir, "c.zip")), /c\.zip: not a ZIP file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
