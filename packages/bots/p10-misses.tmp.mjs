import { readFileSync } from "node:fs";
import { bundledCatalogue, createUserAgentClassifier } from "@parapet/bots";
import { isbot } from "isbot";
const c = createUserAgentClassifier(bundledCatalogue());
for (const f of process.argv.slice(2)) {
  for (const line of readFileSync(f, "utf8").split("\n").filter(Boolean)) {
    const r = JSON.parse(line); const k = c(r.ua);
    if (k.isBot !== r.bot) console.log(r.bot ? "MISS" : "FP  ", isbot(r.ua) ? "ib+" : "ib-", JSON.stringify(r.ua), k.signals.join(","));
  }
}
