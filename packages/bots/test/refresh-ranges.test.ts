import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseIpRangeSnapshot } from "../src/ip-ranges.js";
import { OFFICIAL_RANGE_SOURCES, parseOperatorRangeFile } from "../src/refresh-ranges.js";
import { run } from "../src/refresh-ranges-cli.js";

/** What the operators serve, in their shared shape; each file gets its own documentation-range prefixes. */
function operatorFile(index: number): string {
  return JSON.stringify({
    creationTime: `2026-01-0${index + 1}T00:00:00.000000`,
    prefixes: [{ ipv4Prefix: `198.51.${index}.0/24` }, { ipv6Prefix: `2001:db8:${index}::/48` }],
  });
}

const FILES = Object.values(OFFICIAL_RANGE_SOURCES).map((url) => new URL(url).pathname.split("/").pop() as string);

describe("parapet bots refresh-ranges", () => {
  let server: Server;
  let base: string;
  let dir: string;
  /** File name -> body; a name that is absent answers 404, `HANG` never answers, `ENDLESS` streams 5 MB and never ends. */
  let routes: Map<string, string>;
  const HANG = "\u0000hang";
  const ENDLESS = "\u0000endless";

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "parapet-ranges-"));
    server = createServer((req, res) => {
      const body = routes.get((req.url ?? "").slice(1));
      if (body === HANG) return;
      if (body === ENDLESS) {
        // No Content-Length (chunked), so only counting what arrives can tell that this is no range file.
        res.writeHead(200, { "content-type": "application/json" }).write(Buffer.alloc(5 * 1024 * 1024, 0x20));
        return;
      }
      if (body === undefined) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  function serveAll(): void {
    routes = new Map(FILES.map((file, index) => [file, operatorFile(index)]));
  }

  async function refresh(out: string, ...extra: string[]) {
    const output = { stdout: "", stderr: "" };
    const code = await run(["--out", out, "--base-url", base, ...extra], {
      stdout: (text) => {
        output.stdout += text;
      },
      stderr: (text) => {
        output.stderr += text;
      },
    });
    return { code, ...output };
  }

  it("writes a snapshot that the verifier loads, keeping each operator's source and creationTime", async () => {
    serveAll();
    const out = join(dir, "fresh.json");
    const { code, stdout } = await refresh(out);
    assert.equal(code, 0);
    assert.match(stdout, /wrote .*fresh\.json/);
    const written = JSON.parse(await readFile(out, "utf8"));
    assert.deepEqual(Object.keys(written.lists).sort(), Object.keys(OFFICIAL_RANGE_SOURCES).sort());
    assert.equal(written.lists.google.source, OFFICIAL_RANGE_SOURCES.google);
    assert.equal(written.lists.bing.creationTime, `2026-01-0${FILES.indexOf("bingbot.json") + 1}T00:00:00.000000`);
    const snapshot = parseIpRangeSnapshot(written);
    assert.equal(snapshot.lists.apple?.ranges.size, 2);
  });

  for (const [label, body] of [
    ["an HTML error page", "<html>captive portal</html>"],
    ["an invalid CIDR", JSON.stringify({ prefixes: [{ ipv4Prefix: "66.249.64.0/33" }] })],
    ["a prefix that covers the Internet", JSON.stringify({ prefixes: [{ ipv4Prefix: "0.0.0.0/0" }] })],
    ["an IPv6 range under ipv4Prefix", JSON.stringify({ prefixes: [{ ipv4Prefix: "2001:db8::/48" }] })],
    ["an empty list", JSON.stringify({ creationTime: "2026-01-01", prefixes: [] })],
  ] as const) {
    it(`leaves the old snapshot untouched when one operator serves ${label}`, async () => {
      serveAll();
      routes.set("gptbot.json", body);
      const out = join(dir, "kept.json");
      await writeFile(out, "previous snapshot");
      const { code, stderr } = await refresh(out);
      assert.equal(code, 1);
      assert.match(stderr, /openai-gptbot/);
      assert.match(stderr, /Nothing was written/);
      assert.equal(await readFile(out, "utf8"), "previous snapshot");
      assert.deepEqual(
        (await readdir(dir)).filter((name) => name.endsWith(".tmp")),
        [],
      );
    });
  }

  it("fails clearly, without writing, when the network is unreachable or an operator does not answer", async () => {
    const out = join(dir, "offline.json");
    await writeFile(out, "previous snapshot");
    const closed = await run(["--out", out, "--base-url", "http://127.0.0.1:1"], { stdout: () => {}, stderr: () => {} });
    assert.equal(closed, 1);
    serveAll();
    routes.set("applebot.json", HANG);
    const hanging = await refresh(out, "--timeout", "200");
    assert.equal(hanging.code, 1);
    assert.match(hanging.stderr, /apple: could not fetch .* \(no answer within 200 ms\)/);
    routes.delete("bingbot.json");
    assert.match((await refresh(out, "--timeout", "200")).stderr, /HTTP 404|no answer/);
    assert.equal(await readFile(out, "utf8"), "previous snapshot");
  });

  it("stops reading a response that grows past any range file's size, without waiting for its end", async () => {
    serveAll();
    routes.set("gptbot.json", ENDLESS);
    const out = join(dir, "bounded.json");
    await writeFile(out, "previous snapshot");
    const { code, stderr } = await refresh(out, "--timeout", "5000");
    assert.equal(code, 1);
    assert.match(stderr, /openai-gptbot: \S+ sent more than \d+ bytes/);
    assert.equal(await readFile(out, "utf8"), "previous snapshot");
  });

  it("rejects bad arguments before touching the network", async () => {
    const messages: string[] = [];
    const quiet = { stdout: () => {}, stderr: (text: string) => void messages.push(text) };
    assert.equal(await run(["--out"], quiet), 2);
    assert.equal(await run(["--timeout", "soon"], quiet), 2);
    assert.equal(await run(["--verbose"], quiet), 2);
    assert.match(messages.join(""), /--out needs a value/);
  });

  it("validates the operators' shape on its own", () => {
    assert.deepEqual(parseOperatorRangeFile({ prefixes: [{ ipv6Prefix: "2001:db8::/32" }] }, "x"), { prefixes: ["2001:db8::/32"] });
    assert.throws(() => parseOperatorRangeFile({ prefixes: [{ cidr: "198.51.100.0/24" }] }, "x"), /neither ipv4Prefix nor ipv6Prefix/);
    assert.throws(() => parseOperatorRangeFile({ creationTime: 5, prefixes: [{ ipv4Prefix: "198.51.100.0/24" }] }, "x"), /creationTime/);
  });
});
