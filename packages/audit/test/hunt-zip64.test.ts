import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadOsv } from "../src/osv.js";
import { readZipEntries } from "../src/zip.js";

const dir = mkdtempSync(join(tmpdir(), "parapet-zip64-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const has = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;

// The OSV npm export has over 200,000 records; a reader limited to the classic
// 16-bit count silently dropped everything after record 65,535.
test("an OSV zip with more than 65,535 records (ZIP64, written by python's zipfile) is read whole", { timeout: 60_000 }, (t) => {
  if (!has("python3")) return t.skip("python3 is not installed");
  const zip = join(dir, "all.zip");
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    for i in range(70000):
        z.writestr(f"MAL-{i}.json", "{}")
    z.writestr("MAL-last.json", json.dumps({"id": "MAL-last", "affected": [{"package": {"ecosystem": "npm", "name": "evilpkg"}, "versions": ["1.0.0"]}]}))
`;
  execFileSync("python3", ["-c", script, zip], { timeout: 50_000 });
  let count = 0;
  for (const _ of readZipEntries(readFileSync(zip))) count++;
  assert.equal(count, 70_001);
  assert.equal(loadOsv(zip).get("evilpkg")?.[0]?.id, "MAL-last");
});

test("ZIP64 sizes in the central directory's extra field are read (Info-ZIP zip -fz)", { timeout: 20_000 }, (t) => {
  if (!has("zip")) return t.skip("Info-ZIP zip is not installed");
  const record = JSON.stringify({ id: "MAL-1", affected: [{ package: { ecosystem: "npm", name: "x" }, versions: ["1.0.0"] }] });
  writeFileSync(join(dir, "MAL-1.json"), record);
  execFileSync("zip", ["-q", "-fz", "small.zip", "MAL-1.json"], { cwd: dir, timeout: 10_000 });
  const zip = readFileSync(join(dir, "small.zip"));
  // Make sure this really is the ZIP64 form: the classic size field says 0xFFFFFFFF.
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  assert.ok(zip.readUInt32LE(central + 20) === 0xffffffff || zip.readUInt32LE(central + 24) === 0xffffffff, "zip -fz wrote ZIP64 sizes");
  const entries = [...readZipEntries(zip)];
  assert.deepEqual(
    entries.map((e) => [e.name, e.data.toString("utf8")]),
    [["MAL-1.json", record]],
  );
});

test("a classic zip whose entry count wrapped fails loudly instead of dropping records", () => {
  // Two stored entries, then the end record rewritten to claim one (what a writer that wraps 65,536 to 0 does).
  const entry = (name: string, data: string, offset: number) => {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    return { local: Buffer.concat([local, Buffer.from(name), Buffer.from(data)]), central: Buffer.concat([central, Buffer.from(name)]) };
  };
  const a = entry("a.json", "{}", 0);
  const b = entry("b.json", "{}", a.local.length);
  const directory = Buffer.concat([a.central, b.central]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(a.local.length + b.local.length, 16);
  const zip = Buffer.concat([a.local, b.local, directory, end]);
  assert.throws(() => [...readZipEntries(zip)], /says it holds 1 entries but its directory lists more/);
});
