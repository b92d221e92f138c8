import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { Candidate, InputKind } from "../src/detectors/types.js";

/** The shield's medium sensitivity threshold: what a default deployment blocks. */
const BLOCKS = 0.7;

function scoreOf(value: string, kind: InputKind = "query"): number {
  const candidate: Candidate = { location: kind === "path" ? "path" : "query.q", kind, raw: value, canonical: value, name: "q" };
  return sqliDetector.detect(candidate)?.score ?? 0;
}

/**
 * Each rule: attacks it must block, and the closest benign strings we could
 * think of that it must let through.
 */
const RULES: Record<string, { attacks: readonly string[]; benign: readonly string[] }> = {
  "a value that is a query's FROM clause": {
    attacks: ["FROM accounts WHERE owner_id = 7", "from `shop`.`orders` limit 10", "FROM logs GROUP BY level", "from t order by 2"],
    benign: ["from home where I live", "From: Jane Smith", "from 9 to 5", "from Paris, order by phone", "from the list where possible"],
  },
  "a value that is the start of a SELECT": {
    attacks: ["SELECT CONCAT(", "select substring(", "select pg_sleep", "SELECT 0x41424344", "select (select 1)", "SELECT (CASE WHEN"],
    benign: ["select the best option", "Select (one) of these", "Select if you want", "select 2 items", "Select 'Save' to continue"],
  },
  "ALTER TABLE with an action": {
    attacks: ["ALTER TABLE users ADD admin INT", "alter table `accounts` drop `password`", "ALTER TABLE t RENAME x"],
    benign: ["alter table layout", "alter table settings then add chairs", "please alter the table"],
  },
  "a two-word destructive statement cut off by a comment": {
    attacks: ["DROP accounts;--", "truncate audit_log; #", "drop users;/*"],
    benign: ["drop me a line; -- Bob", "drop it;", "Drop by anytime -- we're open"],
  },
  "an inline comment used as a space after a SQL word": {
    attacks: ["DROP/*x*/accounts", "DEL/**/ETE/**/FROM users", "1 UNION/*!*/ALL SELECT 1", "insert/* */into t"],
    benign: ["src/*/test/*/x", "lib/*.js, test/*.js", "/* comment */", "select /* unfinished"],
  },
  "always-true comparisons written with words": {
    attacks: ["7 like 7", "'3' is not '4'", "'x' not like 'y'", "'a' regexp 'a'", "5 or true", "1 || true"],
    benign: ["I like 42", "1 is not enough", "it is not 2 late", "true or false", "1 or 2", "5 like 6", "'a' not like 'a'"],
  },
  "an always-true comparison added as a list item": {
    attacks: ["x,2=2", "'guest', 'a'='a'", "1,3<>4", "'u',1=1)"],
    benign: ["sizes S,M,L", "Coordinates 1,2=3", "a, b, c", "x,1=2", "a,1=1 is the identity"],
  },
  "a VALUES row of literals": {
    attacks: ["VALUES ('10.1.2.3', 'probe')", "values(1,'a')", "values ('x', NULL)"],
    benign: ["our values (honesty, trust)", "values ('respect', 'care')", "values (1, 2, 3)", "values ('one')"],
  },
  "a literal cast with PostgreSQL's ::": {
    attacks: ['\'{"role":"admin"}\'::jsonb', "'7'::int", "x' or '[1]'::json is not null--"],
    benign: ["Foo::Bar", "std::string", "namespace::item 'quoted'", "a :: b"],
  },
  "set operators and dynamic SQL": {
    attacks: ["0 union distinctrow select 1,2", "1 except select 1,2", "x intersect select null, null", "EXEC IMMEDIATE 'DROP TABLE t'"],
    benign: ["union station", "except select ones", "everything except select items", "Execute immediately", "execute immediate action"],
  },
  "CASE continued after a closing parenthesis": {
    attacks: [") when 1 then", ") WHEN 'a' THEN 'b'"],
    benign: ["when 5 then", "call me when 5 then leave", "(see above) when done, then send"],
  },
  "functions and procedures only an attack names": {
    attacks: ["lo_export(16401, '/tmp/x')", "0 and lo_get(1)", "1;exec sp_password", "sp_password"],
    benign: ["lo get", "password reset", "my_password_hint"],
  },
  "a system catalog sent as a name": {
    attacks: ["information_schema.columns", "INFORMATION_SCHEMA", "pg_catalog", "sqlite_master"],
    benign: ["all_users", "user_tables", "information schema", "the information_schema standard", "pg_catalog docs"],
  },
};

describe("sqli statement fragments", () => {
  for (const [rule, { attacks, benign }] of Object.entries(RULES)) {
    it(`blocks ${rule}`, () => {
      for (const value of attacks) assert.ok(scoreOf(value) >= BLOCKS, `expected a finding for ${JSON.stringify(value)}`);
    });
    it(`lets through prose near ${rule}`, () => {
      for (const value of benign) assert.ok(scoreOf(value) < BLOCKS, `false positive on ${JSON.stringify(value)}`);
    });
  }
});

describe("sqli contexts", () => {
  it("reads a backtick-quoted identifier context: a sort key that closes its name", () => {
    for (const value of ["created_at` or 1=1-- ", "` AS `x` FROM users", "name`;", "id` and sleep(3)#"])
      assert.ok(scoreOf(value) >= BLOCKS, value);
  });

  it("does not read Markdown code spans as identifier breakouts", () => {
    for (const value of [
      "use `--force` to overwrite",
      "`--no-deprecation` silences it",
      "see [`#532`](https://example.com/pull/532)",
      "`/foo/*/bar` matches one segment",
      "run `npm install`; then start",
      "it`s me",
    ])
      assert.ok(scoreOf(value) < BLOCKS, value);
  });

  it("reads a backslash before a quote as PostgreSQL, SQLite and SQL Server do: not an escape", () => {
    for (const value of ["\\' or 1=1--", "x\\' OR 'a'='a", '\\" or 2>1 -- ']) assert.ok(scoreOf(value) >= BLOCKS, value);
    for (const value of ["C:\\Users\\O'Brien", 'say \\"hi\\" to her', '{\\"a\\":\\"b\\"}', "it\\'s fine"])
      assert.ok(scoreOf(value) < BLOCKS, value);
  });

  it("checks each path segment as the value a route parameter hands to a query", () => {
    for (const value of ["/api/items/0 OR json_valid('{}') = 1", "/users/1 or 1=1/profile", "/v1/x'::jsonb"])
      assert.ok(scoreOf(value, "path") >= BLOCKS, value);
    for (const value of ["/users/42/orders", "/blog/what-is-select-or-update", "/products/shoes/it's", "/search/1 or 2"])
      assert.ok(scoreOf(value, "path") < BLOCKS, value);
  });
});
