import { readFileSync } from "node:fs";
import { bundledCatalogue, createUserAgentClassifier } from "@parapet/bots";
const c = createUserAgentClassifier(bundledCatalogue());
const only = new Map();
for (const line of readFileSync("/work/shared/corpora/bots/dev.jsonl", "utf8").split("\n").filter(Boolean)) {
  const r = JSON.parse(line); const k = c(r.ua);
  if (r.bot && k.isBot && !k.bot) { const key = k.signals.filter(s=>!s.startsWith("ua:token")).join(",") || "tokens"; only.set(key, (only.get(key)??0)+1); if (k.signals.length===1 && k.signals[0]==="ua:no-platform") console.log(r.ua); }
}
console.log(only);
