import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isbot } from "isbot";
import { bundledCatalogue, createUserAgentClassifier, parseCatalogue } from "../src/index.js";
import { humanFixture } from "./helpers.js";

const classify = createUserAgentClassifier(bundledCatalogue());

describe("User-Agent classification", () => {
  const named: [string, string, string][] = [
    ["curl/8.5.0", "curl", "HTTP_LIBRARY"],
    ["python-requests/2.31.0", "python-requests", "HTTP_LIBRARY"],
    ["Go-http-client/1.1", "Go-http-client", "HTTP_LIBRARY"],
    ["Go-http-client/2.0", "Go-http-client", "HTTP_LIBRARY"],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/138.0.0.0 Safari/537.36",
      "HeadlessChrome",
      "HEADLESS_BROWSER",
    ],
    ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "SEARCH_ENGINE"],
    ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "GPTBot", "AI_CRAWLER"],
    ["Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "UptimeRobot", "MONITOR"],
    ["sqlmap/1.7.2#stable (https://sqlmap.org)", "sqlmap", "VULNERABILITY_SCANNER"],
    ["ModularConnector/2.3 (Linux)", "ModularConnector", "MONITOR"],
    [
      "PS_Daily/2.1 Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
      "PS_Daily",
      "UNKNOWN_AUTOMATION",
    ],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Dlc/3.1",
      "Dlc",
      "UNKNOWN_AUTOMATION",
    ],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 FirePHP/0.7.4", "FirePHP", "UNKNOWN_AUTOMATION"],
  ];
  for (const [ua, name, category] of named) {
    it(`names ${name}`, () => {
      const result = classify(ua);
      assert.equal(result.isBot, true);
      assert.equal(result.bot, name);
      assert.ok(result.categories.includes(category as never), `${name} categories: ${result.categories.join(",")}`);
    });
  }

  it("marks the claimed crawlers that can be verified", () => {
    assert.equal(classify("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)").verifier, "bing");
    assert.equal(classify("curl/8.5.0").verifier, undefined);
  });

  it("prefers the most specific product token", () => {
    assert.equal(classify("Mozilla/5.0 (compatible; Applebot-Extended/0.1)").bot, "Applebot-Extended");
  });

  it("flags unknown automation by generic words and structure", () => {
    assert.deepEqual(classify("Mozilla/5.0 (compatible; AcmeCrawler/3.1)").categories, ["UNKNOWN_AUTOMATION"]);
    assert.equal(classify("acme-fetch/1.0").isBot, true);
    assert.ok(classify("acme-fetch/1.0").signals.includes("ua:no-platform"));
  });

  it("treats a missing or blank User-Agent as automation", () => {
    assert.deepEqual(classify(undefined).signals, ["ua:missing"]);
    assert.equal(classify("   ").isBot, true);
  });

  it("does not read 'bot' inside a word such as the phone brand Cubot", () => {
    const ua = "Mozilla/5.0 (Linux; Android 12; CUBOT X50) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
    assert.equal(classify(ua).isBot, false);
  });

  it("classifies every real browser and app in the fixture as human", () => {
    const flagged = humanFixture().filter((c) => classify(c.ua).isBot);
    assert.deepEqual(
      flagged.map((c) => c.id),
      [],
    );
  });

  it("flags no more of the fixture's browsers than isbot does", () => {
    const fixture = humanFixture();
    const ours = fixture.filter((c) => classify(c.ua).isBot).length;
    const theirs = fixture.filter((c) => isbot(c.ua)).length;
    assert.ok(ours <= theirs, `parapet flags ${ours} of ${fixture.length} browsers, isbot ${theirs}`);
  });

  it("does not find a platform word inside another word (CrOS in Microsoft, Links in BCKLINKS)", () => {
    assert.equal(classify("Microsoft-WebDAV-MiniRedir/10.0.19045").isBot, true);
    assert.equal(classify("AcmeBacklinks 1.0").isBot, true);
    // The real platforms still count.
    assert.equal(
      classify("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36").isBot,
      false,
    );
    assert.equal(classify("Links (2.29; Linux 6.1.0 x86_64; GNU C 12.2; text)").isBot, false);
  });

  it("names the product, not the HTTP library it mentions", () => {
    const result = classify("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)");
    assert.equal(result.bot, "LinkedInBot");
    assert.deepEqual(result.categories, ["SOCIAL_PREVIEW"]);
    // A library alone is still the library.
    assert.equal(classify("Apache-HttpClient/4.5.14 (Java/17.0.9)").bot, "Apache-HttpClient");
  });

  it("does not read a generic word in an Android device model as automation, but does elsewhere", () => {
    const phone = (model: string, tail = "") =>
      `Mozilla/5.0 (Linux; Android 13; ${model} Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36${tail}`;
    assert.equal(classify(phone("Acme Discovery X2")).isBot, false);
    assert.equal(classify(phone("Acme Spyder")).isBot, false);
    assert.equal(classify(phone("Pixel 8", " AcmeDiscovery")).isBot, true);
    // Only generic words are excused there: a catalogued product token in the model slot is still a claim.
    assert.equal(classify(phone("Storebot-Google")).bot, "Storebot-Google");
  });

  it("ignores browser add-on and build markers that contain a generic word", () => {
    const ie = (marker: string) =>
      `Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; ${marker}; InfoPath.3)`;
    assert.equal(classify(ie("AcmeToolbar/2.1")).isBot, false);
    assert.equal(classify(ie("GWX:DOWNLOADED")).isBot, false);
    assert.equal(classify(ie("Acme Tool")).isBot, true);
    assert.equal(
      classify(
        "Mozilla/5.0 (Linux; Android 4.1.1; X824 Build/JRO03H test-keys) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30",
      ).isBot,
      false,
    );
  });

  it("does not take product names that merely contain a catalogue word for bots", () => {
    // "dlc" inside a word, and a PrestaShop-like prefix that is not at the start, are not the tools' tokens.
    assert.equal(
      classify("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Idlcam/2")
        .isBot,
      false,
    );
    assert.equal(
      classify(
        "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36 MyPS_Daily/1",
      ).isBot,
      false,
    );
  });

  it("bounds the work on an oversized header and says so", () => {
    const ua = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${"x".repeat(100_000)}`;
    const started = performance.now();
    const result = classify(ua);
    assert.ok(result.signals.includes("ua:oversized"));
    assert.equal(result.isBot, true);
    assert.ok(performance.now() - started < 1_000);
  });

  it("stays linear in the number of token matches when a benign word is present (does not hang)", () => {
    // 128 nested tokens match ~120,000 times in 1 KB; checking each match against every other one (to find the
    // benign words that excuse it) would be ~10^10 steps.
    const nested = createUserAgentClassifier(
      parseCatalogue({
        bots: [],
        generic: Array.from({ length: 128 }, (_, i) => ({ token: "a".repeat(i + 1), category: "SCRAPER" })),
        benign: ["b"],
      }),
    );
    const started = performance.now();
    const result = nested(`b ${"a".repeat(1_000)}`);
    assert.deepEqual(result.categories, ["SCRAPER"]);
    // Generous bound: this checks "does not hang", not speed.
    assert.ok(performance.now() - started < 5_000);
  });
});

describe("catalogue", () => {
  it("has unique bot names and categories from the fixed list", () => {
    const names = bundledCatalogue().bots.map((b) => b.name);
    assert.equal(new Set(names).size, names.length, "duplicate bot names");
    assert.ok(names.length > 200);
  });

  it("rejects a broken catalogue with the field at fault", () => {
    assert.throws(
      () => parseCatalogue({ bots: [{ name: "x", categories: ["NOPE"], tokens: ["x"] }], generic: [] }),
      /unknown category "NOPE"/,
    );
    assert.throws(
      () => parseCatalogue({ bots: [{ name: "x", categories: ["MONITOR"], tokens: [], verify: "ghost" }], generic: [] }),
      /verifier "ghost"/,
    );
    assert.throws(() => parseCatalogue({ bots: "no" }), /`bots` must be an array/);
    for (const domain of ["com", ".googlebot.com", "googlebot..com", "google bot.com"]) {
      assert.throws(
        () => parseCatalogue({ verifiers: { g: { domains: [domain] } }, bots: [], generic: [] }),
        /verifiers\.g\.domains.*not an operator's domain/,
        domain,
      );
    }
    assert.throws(() => parseCatalogue(null), /catalogue/);
  });

  it("compares verifier domains as PTR names are written: lowercase, without the root's dot", () => {
    // Written as in an operator's docs, "Googlebot.com." matched no PTR name: every real crawler was "spoofed".
    const catalogue = parseCatalogue({ verifiers: { g: { domains: ["Googlebot.COM."] } }, bots: [], generic: [] });
    assert.deepEqual(catalogue.verifiers.g?.domains, ["googlebot.com"]);
  });
});
