// How the User-Agent classifier does on labeled data it was never tuned on, next to isbot in the same run.
// Usage (after `npx tsc -b packages/bots`):
//   node packages/bots/scripts/eval-external.mjs [--cache <dir>] [--dev <dev.jsonl>] [--list] [--json]
// Sources are npm tarballs (see external-sources.mjs). Cases also in the dev corpus are left out ("held-out"),
// since the catalogue was tuned on that corpus. --list prints every case where Parapet disagrees with the label.
import { existsSync, readFileSync } from "node:fs";
import { isbot } from "isbot";
import { bundledCatalogue, createUserAgentClassifier } from "../dist/src/index.js";
import { DEFAULT_CACHE, loadMatomoCategory, loadSources, MATOMO_CATEGORIES } from "./external-sources.mjs";

const USAGE = "usage: node packages/bots/scripts/eval-external.mjs [--cache <dir>] [--dev <dev.jsonl>] [--list] [--json]";

function parseArgs(argv) {
  const options = { cache: DEFAULT_CACHE, dev: new URL("../../../../shared/corpora/bots/dev.jsonl", import.meta.url).pathname, list: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--list" || arg === "--json") options[arg.slice(2)] = true;
    else if ((arg === "--cache" || arg === "--dev") && argv[i + 1] !== undefined) options[arg.slice(2)] = argv[++i];
    else {
      process.stderr.write(`eval-external: unexpected argument ${arg}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const cache = options.cache;
const devPath = options.dev;
const dev = existsSync(devPath)
  ? new Set(
      readFileSync(devPath, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line).ua),
    )
  : new Set();

const classify = createUserAgentClassifier(bundledCatalogue());
const matomoCategory = loadMatomoCategory(cache);
const results = [];
const disagreements = [];
for (const source of loadSources(cache)) {
  const cases = source.cases.filter((c) => !dev.has(c.ua));
  const row = { source: source.name, description: source.description, cases: source.cases.length, heldOut: cases.length };
  const tally = { bots: 0, parapet: 0, isbot: 0, humans: 0, parapetFlagged: 0, isbotFlagged: 0, categorized: 0, categoryAgrees: 0 };
  for (const c of cases) {
    const ours = classify(c.ua);
    const theirs = isbot(c.ua);
    if (c.bot) {
      tally.bots++;
      if (ours.isBot) tally.parapet++;
      if (theirs) tally.isbot++;
      const expected = MATOMO_CATEGORIES[matomoCategory(c.ua)];
      if (expected !== undefined && ours.isBot) {
        tally.categorized++;
        if (ours.categories.includes(expected)) tally.categoryAgrees++;
        else disagreements.push({ source: source.name, kind: `category ${expected}`, ua: c.ua, parapet: ours, isbot: theirs });
      }
    } else {
      tally.humans++;
      if (ours.isBot) tally.parapetFlagged++;
      if (theirs) tally.isbotFlagged++;
    }
    if (ours.isBot !== c.bot)
      disagreements.push({ source: source.name, kind: c.bot ? "missed" : "flagged", ua: c.ua, parapet: ours, isbot: theirs });
  }
  results.push({ ...row, ...tally });
}

const pct = (part, whole) => (whole === 0 ? "   n/a" : `${((100 * part) / whole).toFixed(2).padStart(6)}%`);
if (options.json) {
  process.stdout.write(`${JSON.stringify({ dev: dev.size, results }, null, 1)}\n`);
} else {
  console.log(dev.size > 0 ? `held-out: cases also in ${devPath} (${dev.size}) are left out` : `(${devPath} absent: nothing left out)`);
  for (const r of results) {
    console.log(`\n${r.description}: ${r.cases} unique, ${r.heldOut} held-out`);
    if (r.bots > 0) {
      console.log(
        `  recall           parapet ${pct(r.parapet, r.bots)} (${r.parapet}/${r.bots})   isbot ${pct(r.isbot, r.bots)} (${r.isbot}/${r.bots})`,
      );
      if (r.categorized > 0)
        console.log(`  category vs Matomo (${Object.keys(MATOMO_CATEGORIES).join(", ")}): ${r.categoryAgrees}/${r.categorized} agree`);
    }
    if (r.humans > 0) {
      const line = `  false positives  parapet ${pct(r.parapetFlagged, r.humans)} (${r.parapetFlagged}/${r.humans})`;
      console.log(`${line}   isbot ${pct(r.isbotFlagged, r.humans)} (${r.isbotFlagged}/${r.humans})`);
    }
  }
  if (options.list) {
    console.log("");
    for (const d of disagreements) {
      const said = d.parapet.isBot ? `${d.parapet.categories.join(",")} ${d.parapet.signals.join(",")}` : "human";
      console.log(`${d.source}\t${d.kind}\tisbot=${d.isbot ? 1 : 0}\tparapet=${said}\t${d.ua}`);
    }
  }
}
