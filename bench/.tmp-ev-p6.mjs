import { readFileSync } from "node:fs";
import { isbot } from "isbot";
import { bundledCatalogue, createUserAgentClassifier } from "@parapet/bots";
const c = createUserAgentClassifier(bundledCatalogue());
const rows = readFileSync(process.argv[2] ?? "/work/shared/corpora/bots/dev.jsonl","utf8").trim().split("\n").map(JSON.parse);
let s={p:[0,0],i:[0,0],ph:[0,0],ih:[0,0]};
const show=process.argv[3];
for (const r of rows){const p=c(r.ua).isBot,i=isbot(r.ua);
 if(r.bot){s.p[0]++;s.p[1]+=p;s.i[1]+=i; if(show==="fn"&&!p) console.log("FN",i?"(isbot+)":"", r.ua.slice(0,150));}
 else{s.ph[0]++;s.ph[1]+=p;s.ih[1]+=i; if(show==="fp"&&p) console.log("FP",i?"(isbot+)":"",c(r.ua).signals.join(","),c(r.ua).bot??"", r.ua.slice(0,150));}}
console.log("bots",s.p[0],"parapet",s.p[1],"isbot",s.i[1],"| humans",s.ph[0],"parapet",s.ph[1],"isbot",s.ih[1]);
