import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const serverScript = fileURLToPath(new URL("../src/server.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "secure-api-server-"));
// Each run gets its own decision log and a free dashboard port, so tests never touch the repo's .parapet/.
const baseEnv = { ...process.env, DASHBOARD_PORT: "0", PARAPET_DB: join(scratch, "decisions.db") };
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("secure-api server.ts", () => {
  it("listens on the port given, logs its URL and the dashboard's, and exits 0 on SIGTERM", { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, [serverScript], { env: { ...baseEnv, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let output = "";
      const [url, dashboardUrl] = await new Promise<[string, string]>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const api = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\/\?token=[\w-]+/.exec(output);
          if (api && dashboard) resolve([api[1] as string, dashboard[1] as string]);
        });
        child.once("exit", (code) => reject(new Error(`server exited early with ${code}: ${output}`)));
      });
      const response = await fetch(`${url}/api/hello`, { headers: { "user-agent": "curl/8.5.0" } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { message: "Hello" });
      const withoutToken = await fetch(`${dashboardUrl}/`);
      assert.equal(withoutToken.status, 401, "the dashboard refuses requests without its token");
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses an invalid PORT with a message", { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, [serverScript], { env: { ...baseEnv, PORT: "http" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 1);
    assert.match(stderr, /PORT must be a number from 0 to 65535/);
  });

  it("says how to fix an unwritable decision log instead of crashing with a stack trace", { timeout: 20_000 }, async () => {
    const blocker = join(scratch, "not-a-folder");
    writeFileSync(blocker, "");
    const child = spawn(process.execPath, [serverScript], {
      env: { ...baseEnv, PORT: "0", PARAPET_DB: join(blocker, "decisions.db") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 1);
    assert.match(stderr, /sqliteLog cannot open/);
    assert.match(stderr, /PARAPET_DB/);
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
  });
});
