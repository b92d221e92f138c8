/**
 * The production resolver against a name server on 127.0.0.1 (no real DNS): which failures it reports as proof
 * that a name has no address, and which as "could not find out".
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { createDnsResolver, DEFAULT_BOT_POLICY, detectBot, parseIpRangeSnapshot } from "../src/index.js";
import { isNegativeAnswer } from "../src/resolver.js";
import { decide } from "./helpers.js";

const A = 1;
const AAAA = 28;

/** Per host name and record type: the IPv4 addresses to answer, [] for "no such record" (NODATA), or "silent". */
type Zone = Record<string, Partial<Record<typeof A | typeof AAAA, readonly string[] | "silent">>>;

/** A name server answering from `zone`: enough of RFC 1035 for one question per query, A records only. */
function startNameServer(zone: Zone): Promise<{ address: string; socket: Socket }> {
  const socket = createSocket("udp4");
  socket.on("message", (query, client) => {
    const labels: string[] = [];
    let at = 12;
    while (query[at] !== 0) {
      const length = query[at] as number;
      labels.push(query.subarray(at + 1, at + 1 + length).toString("latin1"));
      at += length + 1;
    }
    const type = query.readUInt16BE(at + 1) as typeof A | typeof AAAA;
    const known = zone[labels.join(".").toLowerCase()];
    const answer = known?.[type];
    if (answer === "silent") return;
    const records = (answer ?? []).map((ip) =>
      // A pointer to the question's name, type A, class IN, TTL 60, then the four address bytes.
      Buffer.from([0xc0, 12, 0, A, 0, 1, 0, 0, 0, 60, 0, 4, ...ip.split(".").map(Number)]),
    );
    // Same id; a response, recursion desired and available; NXDOMAIN (3) for an unknown name, else NOERROR.
    const header = Buffer.from([query[0] as number, query[1] as number, 0x81, known ? 0x80 : 0x83, 0, 1, 0, records.length, 0, 0, 0, 0]);
    socket.send(Buffer.concat([header, query.subarray(12, at + 5), ...records]), client.port, client.address);
  });
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve({ address: `127.0.0.1:${socket.address().port}`, socket })));
}

describe("createDnsResolver", () => {
  let server: { address: string; socket: Socket };
  const zone: Zone = {
    "both.example": { [A]: ["192.0.2.10"], [AAAA]: [] },
    "v6-only-slow.example": { [A]: [], [AAAA]: "silent" },
    "v6-only.example": { [A]: [], [AAAA]: [] },
  };
  before(async () => {
    server = await startNameServer(zone);
  });
  after(() => {
    server.socket.close();
  });
  const resolver = () => createDnsResolver({ servers: [server.address], timeoutMs: 100 });

  it("returns the addresses a name has, and proves absence when every question was answered", async () => {
    assert.deepEqual(await resolver().resolve("both.example"), ["192.0.2.10"]);
    await assert.rejects(resolver().resolve("v6-only.example"), (error) => isNegativeAnswer(error));
    await assert.rejects(resolver().resolve("missing.example"), (error) => isNegativeAnswer(error));
  });

  it("does not call a name absent when its AAAA question went unanswered", async () => {
    await assert.rejects(resolver().resolve("v6-only-slow.example"), (error) => !isNegativeAnswer(error));
  });

  it("so an IPv6 crawler whose AAAA lookup times out is unverifiable, not spoofed", async () => {
    const dns = resolver();
    const rule = detectBot({
      ...DEFAULT_BOT_POLICY,
      ipRanges: parseIpRangeSnapshot({ lists: {} }),
      resolver: { reverse: async () => ["v6-only-slow.example.yandex.com"], resolve: () => dns.resolve("v6-only-slow.example") },
      unverifiable: "policy",
      dnsTimeoutMs: 5_000,
    });
    const { decision, reason } = await decide(rule, "2a02:6b8:c0e:500:1::20", {
      "user-agent": "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    });
    assert.equal(reason.verification, "unverifiable");
    assert.equal(decision.isAllowed(), true, "unverifiable: 'policy' lets a crawler in when DNS could not answer");
  });
});
