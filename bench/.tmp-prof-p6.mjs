import { readFileSync } from "node:fs";
import { bundledCatalogue, createTokenAutomaton, parseToken, createUserAgentClassifier } from "@parapet/bots";
const agents = readFileSync("/work/shared/corpora/bots/dev.jsonl","utf8").split("\n").filter(Boolean).map(l=>JSON.parse(l).ua);
const c = bundledCatalogue();
const toks=[...c.bots.flatMap(b=>b.tokens),...c.generic.map(g=>g.token),...c.benign,...c.platforms,...c.compatibleBrowsers].map(parseToken);
const a=createTokenAutomaton(toks);
const cl=createUserAgentClassifier(c);
function t(name,f){for(let r=0;r<3;r++)for(const u of agents)f(u);const s=process.hrtime.bigint();for(let r=0;r<10;r++)for(const u of agents)f(u);console.log(name,(Number(process.hrtime.bigint()-s)/agents.length/10/1000).toFixed(2),"us")}
t("scan",u=>a.scan(u));
t("lower",u=>u.toLowerCase());
t("classify",u=>cl(u));
let n=0;for(const u of agents)n+=a.scan(u).length;console.log("avg matches",n/agents.length, "tokens",toks.length);
