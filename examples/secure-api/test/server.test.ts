import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const serverScript = fileURLToPath(new URL("../src/server.js", import.meta.url));

describe("secure-api server.ts", () => {
  it("listens on the port given, logs its URL, and exits 0 on SIGTERM", { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, [serverScript], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let output = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) resolve(match[1] as string);
        });
        child.once("exit", (code) => reject(new Error(`server exited early with ${code}: ${output}`)));
      });
      const response = await fetch(`${url}/api/hello`, { headers: { "user-agent": "curl/8.5.0" } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { message: "Hello" });
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses an invalid PORT with a message", { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, [serverScript], { env: { ...process.env, PORT: "http" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, "exit");
    assert.equal(code, 1);
    assert.match(stderr, /PORT must be a number from 0 to 65535/);
  });
});
