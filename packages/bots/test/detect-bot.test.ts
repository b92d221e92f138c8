import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { DEFAULT_BOT_POLICY, DEMO_BOT_POLICY, detectBot, parseIpRangeSnapshot } from "../src/index.js";
import { CHROME_HEADERS, decide, NOW, pythonRequestsHeaders, request, scriptedResolver } from "./helpers.js";

const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const GOOGLE_IP = "66.249.66.1";
const GOOGLE_HOST = "crawl-66-249-66-1.googlebot.com";

describe("detectBot: policy", () => {
  it("denies python-requests under the default policy and names it", async () => {
    const { decision, reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", { "user-agent": "python-requests/2.31.0" });
    assert.equal(decision.isDenied(), true);
    assert.equal(decision.status, 403);
    assert.equal(reason.bot, "python-requests");
    assert.deepEqual(reason.categories, ["HTTP_LIBRARY"]);
    assert.match(reason.message, /python-requests/);
  });

  it("lets curl in under the demo policy but not under the default one", async () => {
    const curl = { "user-agent": "curl/8.5.0", accept: "*/*" };
    assert.equal((await decide(detectBot(DEMO_BOT_POLICY), "203.0.113.9", curl)).decision.isAllowed(), true);
    assert.equal((await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", curl)).decision.isDenied(), true);
  });

  it("allows a real Chrome request and reports no signal that decides", async () => {
    const { decision, reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", CHROME_HEADERS);
    assert.equal(decision.isAllowed(), true);
    assert.equal(reason.verification, "not-applicable");
    assert.deepEqual(reason.signals, []);
  });

  it("with a deny list, denies only what is listed", async () => {
    const rule = detectBot({ deny: ["CATEGORY:AI_CRAWLER"] });
    const gpt = await decide(rule, "203.0.113.9", { "user-agent": "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)" });
    assert.equal(gpt.decision.isDenied(), true);
    assert.equal((await decide(rule, "203.0.113.9", { "user-agent": "curl/8.5.0" })).decision.isAllowed(), true);
  });

  it("in DRY_RUN reports the denial without denying", async () => {
    const { decision } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, mode: "DRY_RUN" }), "203.0.113.9", {
      "user-agent": "Go-http-client/1.1",
    });
    assert.equal(decision.isAllowed(), true);
    assert.equal(decision.results[0]?.conclusion, "DENY");
    assert.equal(decision.results[0]?.mode, "DRY_RUN");
  });

  it("rejects bad options at construction with a message that says what to do", () => {
    assert.throws(() => detectBot({ allow: ["curl"], deny: ["Googlebot"] }), /cannot be provided together/);
    assert.throws(() => detectBot({ allow: ["CATEGORY:SEARCH"] }), /unknown category "CATEGORY:SEARCH"; use one of/);
    assert.throws(() => detectBot({ allow: ["curlx"] }), /unknown bot "curlx"/);
    assert.throws(() => detectBot({ dnsTimeoutMs: 0 }), /dnsTimeoutMs/);
    assert.throws(() => detectBot({ mode: "SHADOW" as never }), /mode/);
    assert.throws(() => detectBot({ signalThreshold: -1 }), /signalThreshold/);
  });
});

describe("detectBot: a browser User-Agent is not proof", () => {
  it("denies a Chrome User-Agent sent with python-requests' headers, listing the signals", async () => {
    const { decision, reason } = await decide(
      detectBot(DEFAULT_BOT_POLICY),
      "203.0.113.9",
      pythonRequestsHeaders(CHROME_HEADERS["user-agent"]!),
    );
    assert.equal(decision.isDenied(), true);
    assert.ok(reason.signals.includes("headers:missing-accept-language"));
    assert.ok(reason.signals.includes("headers:missing-fetch-metadata"));
  });

  it("denies headless Chrome that hides in its User-Agent but not in its client hints", async () => {
    const headers = { ...CHROME_HEADERS, "sec-ch-ua": '"HeadlessChrome";v="138", "Chromium";v="138"' };
    const { decision, reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", headers);
    assert.equal(decision.isDenied(), true);
    assert.ok(reason.signals.includes("headers:headless-client-hints"));
  });

  it("denies a Firefox User-Agent that sends Chromium client hints", async () => {
    const headers = { ...CHROME_HEADERS, "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0" };
    const { reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", headers);
    assert.ok(reason.signals.includes("headers:client-hints-from-non-chromium"));
  });

  it("denies a Chrome version that does not exist yet, and a modern Chrome on Windows XP", async () => {
    const future = { ...CHROME_HEADERS, "user-agent": CHROME_HEADERS["user-agent"]!.replace("Chrome/138", "Chrome/190") };
    assert.ok((await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", future)).reason.signals.includes("ua:impossible-version"));
    const xp = { ...CHROME_HEADERS, "user-agent": CHROME_HEADERS["user-agent"]!.replace("Windows NT 10.0; Win64; x64", "Windows NT 5.1") };
    const { reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", xp);
    assert.ok(reason.signals.includes("ua:impossible-os-version"));
  });

  it("lets a real browser through plain HTTP, where it sends no fetch metadata", async () => {
    const {
      "sec-ch-ua": _h,
      "sec-ch-ua-mobile": _m,
      "sec-ch-ua-platform": _p,
      "sec-fetch-dest": _d,
      "sec-fetch-mode": _fm,
      "sec-fetch-site": _s,
      "sec-fetch-user": _u,
      ...plain
    } = CHROME_HEADERS;
    const { decision, reason } = await decide(detectBot(DEFAULT_BOT_POLICY), "203.0.113.9", plain);
    assert.equal(decision.isAllowed(), true);
    assert.deepEqual(reason.signals, ["headers:missing-fetch-metadata"]);
  });
});

describe("detectBot: verifying crawlers", () => {
  // These cases are about DNS verification: with the bundled ranges, Google's IPs would be verified before any lookup.
  const NO_RANGES = parseIpRangeSnapshot({ lists: {} });
  const resolver = () =>
    scriptedResolver({ [GOOGLE_IP]: [GOOGLE_HOST], "198.51.100.7": ["host-7.attacker.example"] }, { [GOOGLE_HOST]: [GOOGLE_IP] });

  it("allows a Googlebot whose reverse and forward DNS agree", async () => {
    const dns = resolver();
    const { decision, reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns }), GOOGLE_IP, {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(decision.isAllowed(), true);
    assert.equal(reason.verification, "verified");
    assert.equal(reason.bot, "Googlebot");
    assert.deepEqual(dns.calls, [`reverse ${GOOGLE_IP}`, `resolve ${GOOGLE_HOST}`]);
  });

  it("remembers a verification by the clock of the client deciding now, not the first one's", async () => {
    const dns = resolver();
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns, cacheTtlMs: 60_000 });
    let now = NOW;
    const first = parapet({ rules: [rule], logger: silentLogger, clock: { now: () => NOW } });
    const second = parapet({ rules: [rule], logger: silentLogger, clock: { now: () => now } });
    const googlebot = request(GOOGLE_IP, { "user-agent": GOOGLEBOT_UA });
    assert.equal((await first.protect(googlebot)).isAllowed(), true);
    assert.equal((await second.protect(googlebot)).isAllowed(), true);
    assert.equal(dns.calls.length, 2, "the second client's request is answered from the cache");
    now = NOW + 120_000;
    assert.equal((await second.protect(googlebot)).isAllowed(), true);
    assert.equal(dns.calls.length, 4, "two minutes later on its clock the answer has expired: looked up again");
    await first.close();
    await second.close();
  });

  it("denies a spoofed Googlebot from a non-Google IP", async () => {
    const { decision, reason } = await decide(
      detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: resolver() }),
      "198.51.100.7",
      {
        "user-agent": GOOGLEBOT_UA,
      },
    );
    assert.equal(decision.isDenied(), true);
    assert.equal(reason.verification, "spoofed");
    assert.ok(reason.signals.includes("verify:ptr-not-in-domain"));
    assert.match(reason.message, /Claims to be Googlebot/);
  });

  it("denies a PTR that claims googlebot.com but does not resolve back to the IP", async () => {
    const dns = scriptedResolver({ "198.51.100.8": ["crawl-1.googlebot.com"] }, { "crawl-1.googlebot.com": [GOOGLE_IP] });
    const { reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns }), "198.51.100.8", {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(reason.verification, "spoofed");
    assert.ok(reason.signals.includes("verify:forward-mismatch"));
  });

  it("does not accept a look-alike domain", async () => {
    const dns = scriptedResolver(
      { "198.51.100.9": ["googlebot.com.attacker.example"] },
      { "googlebot.com.attacker.example": ["198.51.100.9"] },
    );
    const { reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns }), "198.51.100.9", {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(reason.verification, "spoofed");
  });

  it("does not take a Compute Engine VM for Googlebot, but verifies Google's own fetchers", async () => {
    // Anyone can rent a VM whose PTR is <ip>.bc.googleusercontent.com and resolves back: that proves a Google
    // Cloud customer, not Google. Google's user-triggered fetchers reverse to gae.googleusercontent.com.
    const dns = scriptedResolver(
      { "34.70.64.107": ["107.64.70.34.bc.googleusercontent.com"], "34.64.6.5": ["34-64-6-5.gae.googleusercontent.com."] },
      { "107.64.70.34.bc.googleusercontent.com": ["34.70.64.107"], "34-64-6-5.gae.googleusercontent.com.": ["34.64.6.5"] },
    );
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns });
    const rented = await decide(rule, "34.70.64.107", { "user-agent": GOOGLEBOT_UA });
    assert.equal(rented.reason.verification, "spoofed");
    assert.equal(rented.decision.isDenied(), true);
    const fetcher = await decide(rule, "34.64.6.5", { "user-agent": "Mozilla/5.0 (compatible; Google-Site-Verification/1.0)" });
    assert.equal(fetcher.reason.verification, "verified");
  });

  it("remembers an answer instead of asking DNS again", async () => {
    const dns = resolver();
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns });
    await decide(rule, GOOGLE_IP, { "user-agent": GOOGLEBOT_UA });
    await decide(rule, GOOGLE_IP, { "user-agent": GOOGLEBOT_UA });
    assert.equal(dns.calls.length, 2);
  });

  it("skips DNS for a crawler the policy denies anyway", async () => {
    const dns = resolver();
    const { decision } = await decide(detectBot({ allow: ["CATEGORY:MONITOR"], ipRanges: NO_RANGES, resolver: dns }), GOOGLE_IP, {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(decision.isDenied(), true);
    assert.deepEqual(dns.calls, []);
  });

  it("a DNS server that never answers does not stall the request beyond the bound", async () => {
    const hanging = { reverse: () => new Promise<string[]>(() => {}), resolve: () => new Promise<string[]>(() => {}) };
    const started = performance.now();
    const { decision, reason } = await decide(
      detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: hanging, dnsTimeoutMs: 50 }),
      GOOGLE_IP,
      {
        "user-agent": GOOGLEBOT_UA,
      },
    );
    // Generous bound on a 50 ms timeout: this checks "does not hang", not speed.
    assert.ok(performance.now() - started < 2_000);
    assert.equal(reason.verification, "unverifiable");
    assert.ok(reason.signals.includes("verify:timeout"));
    assert.equal(decision.isDenied(), true, "an attacker controls its own PTR server, so a timeout must not let it in by default");
  });

  it("with unverifiable: 'policy', a DNS failure falls back to the policy", async () => {
    const failing = {
      reverse: () => Promise.reject(Object.assign(new Error("queryPtr ESERVFAIL"), { code: "ESERVFAIL" })),
      resolve: () => Promise.resolve([]),
    };
    const { decision, reason } = await decide(
      detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: failing, unverifiable: "policy" }),
      GOOGLE_IP,
      {
        "user-agent": GOOGLEBOT_UA,
      },
    );
    assert.equal(reason.verification, "unverifiable");
    assert.equal(decision.isAllowed(), true);
  });

  it("a resolver that throws synchronously becomes an unverifiable answer, not a crash", async () => {
    const broken = {
      reverse: (): Promise<string[]> => {
        throw new Error("boom");
      },
      resolve: () => Promise.resolve([]),
    };
    const { decision, reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: broken }), GOOGLE_IP, {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(decision.isErrored(), false);
    assert.equal(reason.verification, "unverifiable");
  });
});
