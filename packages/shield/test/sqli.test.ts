import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { Candidate } from "../src/detectors/types.js";

/** The shield's medium sensitivity threshold: what a default deployment blocks. */
const BLOCKS = 0.7;

function candidate(value: string): Candidate {
  return { location: "query.q", kind: "query", raw: value, canonical: value, name: "q" };
}

function scoreOf(value: string): number {
  return sqliDetector.detect(candidate(value))?.score ?? 0;
}

const ATTACKS: Record<string, readonly string[]> = {
  tautology: [
    "1' OR '1'='1",
    "' or ''='",
    "admin' or 1=1",
    '" or "x"="x',
    "1 or 1=1",
    " OR x=x#",
    "or true--",
    "-4835))) or (4219=2081)*2081 and (((8536=8536",
  ],
  "union select": [
    "1 UNION SELECT username, password FROM users",
    "' UNION ALL SELECT NULL,NULL--",
    "-1' union(select 1,2,3)#",
    "1 UN/**/ION SEL/**/ECT 1,2",
  ],
  "stacked query": [
    "1; DROP TABLE users",
    "x'; DROP TABLE users; --",
    "1';exec master..xp_cmdshell 'dir'--",
    "1); insert into logs values(1)--",
  ],
  "comment truncation": ["admin'--", "admin' #", "admin')/*"],
  "time-based blind": [
    "1' AND SLEEP(5)#",
    "1 and benchmark(5000000,md5(1))",
    "1'; WAITFOR DELAY '0:0:5'--",
    "1' and pg_sleep(5)--",
    "1) and dbms_pipe.receive_message(chr(65),5)--",
  ],
  "error-based": ["1' and extractvalue(1,concat(0x7e,version()))--", "1 and updatexml(1,concat(0x7e,user()),1)"],
  "boolean blind": [
    "1' AND ASCII(SUBSTRING(password,1,1))>64--",
    "iif(5257=5257,1,1/0)",
    "(case when 1=1 then 1 else null end)",
    "1) where 5598=5598 and 1=1--",
  ],
  "order by probe": [" ORDER BY 3--", "1' order by 1#", "1 ORDER BY 10"],
  "executable comment": ["1 /*!50000UNION*/ /*!50000SELECT*/ 1,2", "/*!SELECT*/ 1"],
  "catalog and variables": ["' union select table_name from information_schema.tables--", "1 and @@version>5"],
  encodings: ["1' and 1=(select char(113)+char(106)+char(113))--", "1 and concat(0x71,0x7a)=1", "1'+(select 1 where 1=1)+'"],
  "whitespace alternatives": ["1'\tOR\t'1'='1", "1'\nOR\n1=1--", "1'+OR+1=1--", "1'/**/OR/**/1=1"],
  "case mixing": ["1' uNiOn SeLeCt 1,2--", "1' AnD sLeEp(5)#"],
};

const BENIGN = [
  "O'Brien",
  "select the best option",
  "drop me a line",
  "1-2 business days",
  "Rock 'n' roll",
  "I can't -- won't",
  'The "Best" Widget 12" pizza',
  "jane.doe+news@example.com",
  "+1 (555) 123-4567",
  "union station",
  "update your profile",
  "and/or",
  "Ladies' and gentlemen",
  "Is it 5' or 6' tall?",
  "Jones' and Smith's",
  "please select one from the list",
  "5 > 3",
  "a < b",
  "where is my order?",
  "order by price",
  "it's #1",
  "calle de can castellvi 35, 10-h",
  "C'est la vie; c'est l'amour",
  "Tom & Jerry (1940)",
  "100% cotton; machine wash",
];

describe("sqliDetector", () => {
  for (const [technique, payloads] of Object.entries(ATTACKS)) {
    it(`blocks ${technique}`, () => {
      for (const payload of payloads) assert.ok(scoreOf(payload) >= BLOCKS, `expected a finding for ${JSON.stringify(payload)}`);
    });
  }

  it("lets plain prose, names, emails and numbers through", () => {
    for (const value of BENIGN)
      assert.equal(sqliDetector.detect(candidate(value)), undefined, `false positive on ${JSON.stringify(value)}`);
  });

  it("reports the class, a score in 0..1 and short single-line evidence", () => {
    const finding = sqliDetector.detect(candidate("1' OR '1'='1\n--"));
    assert.ok(finding !== undefined);
    assert.equal(finding.class, "sqli");
    assert.ok(finding.score > 0 && finding.score <= 1);
    assert.ok(finding.evidence.length <= 120, finding.evidence);
    assert.doesNotMatch(finding.evidence, /[\u0000-\u001f]/);
  });

  it("reads typographic quotes the way lenient database charsets do", () => {
    assert.ok(scoreOf("\u2019 or \u20181\u2019=\u20191") >= BLOCKS);
  });

  it("does not flag an unterminated quote or a lone keyword", () => {
    for (const value of ["'", '"', "''", "'hello", "or", "select", "--"])
      assert.equal(sqliDetector.detect(candidate(value)), undefined, value);
  });
});
