import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bundledCatalogue, createUserAgentClassifier, parseCatalogue } from "../src/index.js";
import { structuralSignals } from "../src/ua-structure.js";

const classify = createUserAgentClassifier(bundledCatalogue());
const NO_FACTS = { hasPlatform: false, hasCompatibleBrowser: false, isKnownApp: false };
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36";

function expectSignal(ua: string, signal: string) {
  const result = classify(ua);
  assert.equal(result.isBot, true, `${ua} should be automation`);
  assert.ok(result.signals.includes(signal), `${ua}: ${result.signals.join(",")} lacks ${signal}`);
}

function expectHuman(ua: string) {
  const result = classify(ua);
  assert.equal(result.isBot, false, `${ua} flagged: ${result.signals.join(",")}`);
}

describe("structural signals", () => {
  it("flags a tool's product/version whose comment names no platform and no engine", () => {
    expectSignal("Acme Point Of Sale/2.4 (Acme Software Ltd)", "ua:no-platform");
    expectSignal("inventory-sync/0.9.1 (build 77)", "ua:no-platform");
    expectSignal("Order_Puller/3.0 (+support desk)", "ua:no-platform");
  });

  it("leaves apps whose comment names their platform, and engines without a platform, alone", () => {
    expectHuman("Acme Shop/5.2.1 (iPhone; iOS 26.1; Scale/3.00)");
    expectHuman("AcmeTV/3.1 (Linux; Android 14; BRAVIA 4K)");
    expectHuman("AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.0.0 Safari/537.36 AcmeNotes/5");
    // A bare "Name/1.0 (…)" is the tool shape; a name with no version is a different check.
    assert.equal(structuralSignals("acme shop (beta)", NO_FACTS).includes("ua:no-platform"), false);
  });

  it("flags a crawler signing inside the engine comment of a borrowed Chrome User-Agent", () => {
    expectSignal(
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko; compatible; AcmeFetch) Chrome/139.0.0.0 Safari/537.36",
      "ua:signed-engine-comment",
    );
    expectSignal(
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML,like Gecko ; acme-image/1.0) Chrome/114.0.0.0 Safari/537.36",
      "ua:signed-engine-comment",
    );
  });

  it("flags a product named after a comma in the engine comment, not only after a semicolon", () => {
    expectSignal(
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/534.16 (KHTML, like Gecko, Acme Keyword Tool) Chrome/10.0.648.127 Safari/534.16",
      "ua:signed-engine-comment",
    );
    // An app that flattened the template into one "; " list signs nothing inside a comment.
    const flattened = "mozilla/5.0; iphone; cpu iphone os 8_1_2 like mac os x; applewebkit/600.1.4; khtml, like gecko; version/8.0";
    assert.equal(structuralSignals(flattened, { ...NO_FACTS, hasPlatform: true }).includes("ua:signed-engine-comment"), false);
  });

  it("accepts the engine comments browsers really write", () => {
    expectHuman(CHROME);
    expectHuman("Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US) AppleWebKit/527+ (KHTML, like Gecko, Safari/419.3) Arora/0.6");
    expectHuman(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML,like Gecko) Version/16.6.1 Mobile/15E148 Safari/605.1.15",
    );
  });

  it("flags a contact address: a domain, an e-mail or an obfuscated one", () => {
    expectSignal(`${CHROME} Watcher/2023 (acme-compliance.com/watcher.html)`, "ua:contact-address");
    expectSignal(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:103.0) Gecko/20100101 Firefox/103.0 abuse.example.fr",
      "ua:contact-address",
    );
    expectSignal("LeadTool/2.2 (someone@local)", "ua:contact-address");
    expectSignal("Mozilla/5.0/Firefox/42.0 - someone(at)example.org", "ua:contact-address");
  });

  it("does not read build numbers, build tags or field values as contact addresses", () => {
    const platform = { ...NO_FACTS, hasPlatform: true };
    // A region code after a build number, a version after "@", and values of key/value fields.
    assert.deepEqual(
      structuralSignals("mozilla/5.0 (windows nt 6.1) applewebkit/537.1 (khtml, like gecko) aolbuild/4343.2039.us", platform),
      [],
    );
    assert.deepEqual(
      structuralSignals("mozilla/5.0 (nintendo wiiu) applewebkit/536.28 (khtml, like gecko) nintendobrowser/2.1.0.9559.eu", platform),
      [],
    );
    assert.deepEqual(
      structuralSignals("mozilla/5.0 (linux; android 10; k) applewebkit/537.36 (khtml, like gecko) (acme android@150.0.0.0)", platform),
      [],
    );
    assert.deepEqual(
      structuralSignals("mozilla/5.0 (linux; android 4.2.2; 2013023 build/miui.es hm2013023) applewebkit/534.30", platform),
      [],
    );
    assert.deepEqual(structuralSignals("mozilla/5.0 (iphone) applewebkit/600.1.4 [fban/fbios;fbcr/telekom.de;fbid/phone]", platform), []);
    // Still addresses: after "http://", after a space, and an e-mail.
    assert.deepEqual(structuralSignals("acmefetch/1.0 (linux; +http://acme.example.com/bot)", platform), ["ua:contact-address"]);
    assert.deepEqual(structuralSignals("mozilla/5.0 (windows nt 6.1) firefox/32.0 (via docs.acme.com/viewer)", platform), [
      "ua:contact-address",
    ]);
    assert.deepEqual(structuralSignals("acmefetch/1.0 (linux; ops@acme.io)", platform), ["ua:contact-address"]);
  });

  it("reads a Perl-style product name (Name::Sub/1.0) as a tool's product token", () => {
    expectSignal("Acme::Bookmark/2.00 (Acme::Bookmark; master;)", "ua:no-platform");
  });

  it("does not read app ids, versions or product domains as contact addresses", () => {
    // Both name Android, as the classifier's platform scan would report.
    const android = { ...NO_FACTS, hasPlatform: true };
    assert.deepEqual(structuralSignals("ricardo.ch/8.28.2 (android 13)", android), []);
    assert.deepEqual(structuralSignals("app/1.0 (fbpn/com.facebook.katana; android 14)", android), []);
    assert.deepEqual(
      structuralSignals("mozilla/4.0 (compatible; msie 7.0; windows nt 6.1; .net clr 2.0.50727)", {
        ...NO_FACTS,
        hasPlatform: true,
        hasCompatibleBrowser: true,
      }),
      [],
    );
    expectHuman(
      "Mozilla/5.0 (Linux; Android 9; SM-G950U Build/PPR1.180610.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0.3987.149 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/263.0.0.46.121;]",
    );
  });

  it("flags an empty comment left in a template", () => {
    expectSignal("acmebrowser/1.0 ()", "ua:empty-comment");
  });

  it("flags a bare word and a name without any version", () => {
    expectSignal("ipad", "ua:bare-word");
    expectSignal("Chrome", "ua:bare-word");
    expectSignal("Gizmo (reported in logs)", "ua:no-version");
    expectSignal("Purifier(callback)", "ua:no-version");
  });

  it("keeps a versionless UA with a platform (the Links text browser) human", () => {
    expectHuman("Links (2.1pre23; Linux 3.5.0 i686; 237x63)");
  });

  it("lets a catalogued app send a bare Name/version, but only lifts the no-platform signal", () => {
    expectHuman("GoogleApp/14.35.18.28.arm64");
    expectSignal("acmeapp/14.35", "ua:no-platform");
    const noApps = createUserAgentClassifier(parseCatalogue({ ...structuredClone(bundledCatalogue()), apps: [] }));
    assert.equal(noApps("GoogleApp/14.35.18.28.arm64").isBot, true);
    // A named bot wins over the app list.
    assert.equal(classify("GoogleApp/1.0 Googlebot/2.1").isBot, true);
  });

  it("finds a bot word inside a longer name (Exabot, VoilaBot) but not in the phone brand Cubot", () => {
    expectSignal(`${CHROME} AcmeaBot`, "ua:token:bot");
    expectHuman("Mozilla/5.0 (Linux; Android 12; CUBOT X50) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36");
  });

  it("stays linear on adversarial input (does not hang)", () => {
    const hostile = [`${"a.".repeat(50_000)}com`, "(khtml, like gecko".repeat(5_000), `${"a".repeat(100_000)}@`];
    const started = performance.now();
    for (const text of hostile) structuralSignals(text, NO_FACTS);
    // Generous bound: quadratic rescanning would take tens of seconds here.
    assert.ok(performance.now() - started < 5_000);
  });
});
