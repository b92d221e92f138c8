import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalIp,
  createClientIpResolver,
  ErrorCodes,
  fixedWindow,
  formatIp,
  type Logger,
  maskIp,
  ParapetError,
  parapet,
  silentLogger,
} from "../src/index.js";

/** ::ffff:0:0, the first address of the IPv4-mapped block. */
const IPV4_MAPPED_BLOCK = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0]);

/** The IPv6 ranges that together cover every address outside `bytes`/`prefix`: the sibling of each bit on its path. */
function everyIpv6RangeBut(bytes: Uint8Array, prefix: number): string[] {
  const ranges: string[] = [];
  for (let bit = 0; bit < prefix; bit++) {
    const sibling = bytes.slice();
    sibling[bit >> 3] = (sibling[bit >> 3] as number) ^ (0x80 >> (bit & 7));
    ranges.push(`${formatIp(maskIp({ version: 6, bytes: sibling }, bit + 1))}/${bit + 1}`);
  }
  return ranges;
}

describe("client IP resolution", () => {
  it("ignores a spoofed X-Forwarded-For when no proxy is trusted", () => {
    const resolver = createClientIpResolver();
    assert.equal(resolver.resolve("203.0.113.9", { "x-forwarded-for": "1.1.1.1" }), "203.0.113.9");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    const resolver = createClientIpResolver({ proxies: ["10.0.0.0/8"] });
    assert.equal(resolver.resolve("203.0.113.9", { "x-forwarded-for": "1.1.1.1" }), "203.0.113.9");
  });

  it("walks X-Forwarded-For right to left through trusted proxies only", () => {
    const resolver = createClientIpResolver({ proxies: ["10.0.0.0/8"] });
    // The client forged "6.6.6.6"; our proxies 10.0.0.2 and 10.0.0.1 appended the real hops.
    const headers = { "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.2" };
    assert.equal(resolver.resolve("10.0.0.1", headers), "198.51.100.4");
  });

  it("stops believing the chain at an unparseable hop", () => {
    const resolver = createClientIpResolver({ proxies: ["loopback"] });
    assert.equal(resolver.resolve("127.0.0.1", { "x-forwarded-for": "198.51.100.4, not-an-ip" }), "127.0.0.1");
  });

  it("reads RFC 7239 Forwarded, quoted IPv6 with a port included", () => {
    const resolver = createClientIpResolver({ proxies: ["private"], forwardedHeader: "forwarded" });
    const headers = { forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=192.168.1.1' };
    assert.equal(resolver.resolve("192.168.1.2", headers), "2001:db8:cafe::17");
  });

  it("reads a Forwarded element without one `for` as a hop naming no address, not as a gap to skip", () => {
    const resolver = createClientIpResolver({ proxies: ["loopback"], forwardedHeader: "forwarded" });
    // The client sent `Forwarded: for=6.6.6.6`; our proxy appended an element of its own without `for`. Skipping
    // that element made the client's own claim its address: any value it liked, a new limit each time.
    assert.equal(resolver.resolve("127.0.0.1", { forwarded: "for=6.6.6.6, proto=https" }), "127.0.0.1");
    // An element naming `for` twice is malformed (RFC 7239 §4): it names no one either.
    assert.equal(resolver.resolve("127.0.0.1", { forwarded: "for=6.6.6.6;for=198.51.100.4" }), "127.0.0.1");
    // Empty list elements are nothing, and a well-formed chain still resolves.
    assert.equal(resolver.resolve("127.0.0.1", { forwarded: "for=6.6.6.6, for=198.51.100.4;proto=https, " }), "198.51.100.4");
    assert.equal(resolver.resolve("127.0.0.1", { forwarded: "for=6.6.6.6,, by=127.0.0.1;For=198.51.100.4" }), "198.51.100.4");
  });

  it("trusts a platform header only when that platform is configured", () => {
    const headers = { "cf-connecting-ip": "198.51.100.77" };
    assert.equal(createClientIpResolver().resolve("203.0.113.9", headers), "203.0.113.9");
    assert.equal(createClientIpResolver({ platform: "fly" }).resolve("203.0.113.9", headers), "203.0.113.9");
    assert.equal(createClientIpResolver({ platform: "cloudflare" }).resolve("203.0.113.9", headers), "198.51.100.77");
  });

  it("keys IPv6 clients by their /64 and IPv4-mapped addresses as IPv4", () => {
    const resolver = createClientIpResolver();
    assert.equal(resolver.keyOf("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(resolver.keyOf("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(resolver.resolve("::ffff:192.0.2.5", {}), "192.0.2.5");
    assert.equal(createClientIpResolver({ ipv6Prefix: 56 }).keyOf("2001:db8:1:2ff::1"), "2001:db8:1:200::/56");
  });

  it("rate-limits a whole IPv6 /64 together and a mapped IPv4 with its plain form", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], logger: silentLogger });
    const request = (ip: string) => ({ url: "/", headers: { host: "h" }, ip });
    assert.equal((await p.protect(request("2001:db8:0:1::1"))).conclusion, "ALLOW");
    assert.equal((await p.protect(request("2001:db8:0:1::2"))).conclusion, "DENY");
    assert.equal((await p.protect(request("2001:db8:0:2::1"))).conclusion, "ALLOW");
    assert.equal((await p.protect(request("::ffff:192.0.2.5"))).conclusion, "ALLOW");
    assert.equal((await p.protect(request("192.0.2.5"))).conclusion, "DENY");
  });

  it("rejects a bad proxy entry, platform or prefix at construction", () => {
    assert.throws(
      () => createClientIpResolver({ proxies: ["10.0.0.0/33"] }),
      (e: unknown) => e instanceof ParapetError && e.code === ErrorCodes.INVALID_PROXY,
    );
    assert.throws(() => createClientIpResolver({ proxies: ["nonsense"] }), /not an IP address/);
    assert.throws(() => createClientIpResolver({ platform: "heroku" as never }), /unknown platform/);
    assert.throws(() => createClientIpResolver({ ipv6Prefix: 0 }), /ipv6Prefix/);
  });

  it("refuses proxy ranges that trust every address: each client would choose its own IP", () => {
    for (const range of ["0.0.0.0/0", "::/0", "::ffff:0.0.0.0/96", "203.0.113.9/0"]) {
      assert.throws(
        () => createClientIpResolver({ proxies: [range] }),
        (e: unknown) =>
          e instanceof ParapetError &&
          e.code === ErrorCodes.INVALID_PROXY &&
          /trusts every IPv[46] address/.test(e.message) &&
          /platform/.test(e.message),
        range,
      );
    }
  });

  it("refuses proxy lists whose ranges together trust every address, however they are split", () => {
    for (const ranges of [
      ["0.0.0.0/1", "128.0.0.0/1"],
      ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"],
      // Out of order, overlapping, and partly written as IPv4-mapped ranges.
      ["128.0.0.0/1", "10.0.0.0/8", "::ffff:0.0.0.0/97"],
      ["::/1", "8000::/1"],
      // IPv4-mapped addresses are read as IPv4 peers, so no IPv6 peer is ever in ::ffff:0:0/96: the rest is all of IPv6.
      everyIpv6RangeBut(IPV4_MAPPED_BLOCK, 96),
    ]) {
      assert.throws(
        () => createClientIpResolver({ proxies: ranges }),
        (e: unknown) =>
          e instanceof ParapetError &&
          e.code === ErrorCodes.INVALID_PROXY &&
          /together trust every IPv[46] address/.test(e.message) &&
          /platform/.test(e.message),
        ranges.slice(0, 3).join(" "),
      );
    }
    // One address short of everything is still accepted: the check is a union, not a count of prefix bits.
    createClientIpResolver({ proxies: ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"] });
    createClientIpResolver({ proxies: ["::/1", "8000::/2", "c000::/3"] });
  });

  it("warns once, at construction, about trusted ranges with more public addresses than a /8", () => {
    const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const logger: Logger = { debug() {}, error() {}, warn: (message, fields) => void warnings.push({ message, fields }) };
    const rules = [fixedWindow({ max: 1, window: "1m" })];
    parapet({ rules, logger, proxies: ["64.0.0.0/2", "2000::/16"] });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? "", /public addresses/);
    assert.deepEqual(warnings[0]?.fields?.ranges, ["64.0.0.0/2", "2000::/16"]);
    // Private, loopback and link-local space, however wide, and a public /8 or a public IPv6 /32 or narrower: no warning.
    warnings.length = 0;
    parapet({ rules, logger, proxies: ["private", "loopback", "linklocal", "fc00::/7", "52.0.0.0/8", "2001:db8::/32"] });
    assert.deepEqual(warnings, []);
  });

  it("refuses a range with bits set past its prefix, naming the range and the address it could mean", () => {
    // "10.0.0.1/8" trusted all of 10.0.0.0/8 without a word.
    assert.throws(
      () => createClientIpResolver({ proxies: ["10.0.0.1/8"] }),
      (e: unknown) => e instanceof ParapetError && e.code === ErrorCodes.INVALID_PROXY && /"10\.0\.0\.0\/8".*"10\.0\.0\.1"/.test(e.message),
    );
    assert.throws(() => createClientIpResolver({ proxies: ["2001:db8::1/32"] }), /"2001:db8::\/32"/);
    // Still accepted: an exact range, a single address, and the named ranges.
    createClientIpResolver({ proxies: ["10.0.0.0/8", "10.0.0.1", "10.0.0.1/32", "loopback", "private", "linklocal", "fd00::/8"] });
  });

  it("takes IPv4-mapped ranges as the IPv4 range they map", () => {
    const resolver = createClientIpResolver({ proxies: ["::ffff:10.0.0.0/104"] });
    const xff = { "x-forwarded-for": "198.51.100.4" };
    assert.equal(resolver.resolve("10.1.2.3", xff), "198.51.100.4");
    assert.equal(resolver.resolve("::ffff:10.1.2.3", xff), "198.51.100.4");
    assert.equal(resolver.resolve("11.0.0.1", xff), "11.0.0.1");
    assert.equal(createClientIpResolver({ proxies: ["::ffff:192.0.2.1"] }).resolve("192.0.2.1", xff), "198.51.100.4");
    // A mapped prefix shorter than the mapped block reaches beyond IPv4; and past 128 bits is no prefix.
    assert.throws(() => createClientIpResolver({ proxies: ["::ffff:0:0/80"] }), /not an IP address/);
    assert.throws(() => createClientIpResolver({ proxies: ["::ffff:10.0.0.0/129"] }), /not an IP address/);
  });
});

describe("IP parsing", () => {
  for (const [input, canonical] of [
    ["192.0.2.1", "192.0.2.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    [" 10.1.2.3 ", "10.1.2.3"],
    ["10.1.2.3:8080", "10.1.2.3"],
    ["[2001:DB8::1]:443", "2001:db8::1"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
  ] as const) {
    it(`reads ${JSON.stringify(input)} as ${canonical}`, () => assert.equal(canonicalIp(input), canonical));
  }
  for (const input of [
    "",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.",
    ".1.2.3",
    "1..2.3",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.0004",
    "1.2.3.a",
    "1:2:3:4:5:6:7:8:9",
    "::1::",
    "x".repeat(100),
  ]) {
    it(`refuses ${JSON.stringify(input.length > 20 ? `${input.slice(0, 20)}…` : input)}`, () =>
      assert.equal(canonicalIp(input), undefined));
  }
});
