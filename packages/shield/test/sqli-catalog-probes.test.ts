import assert from "node:assert/strict";
import { test } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { ShieldReason } from "../src/index.js";
import { describeRules, scoreOf, shieldDecision } from "./helpers.js";

// Values that map the database without breaking out of anything: they land in a position that names a table or
// opens an expression, and the query goes on from there.
describeRules("sqli: catalog names and unclosed calls as whole values", (value) => scoreOf(sqliDetector, value), {
  "a SQL function's name and an open parenthesis, nothing after": {
    attacks: ["database(", "DaTaBasE(", "db_name(", "md5(", "sin (", "now(", "substring(", "GROUP_CONCAT("],
    benign: ["sin(30)", "max(3, 4)", "Call me (", "now (or never)", "date ideas (cheap)", "(", "foo("],
  },
  "a condition led by AND/OR that stops at its comparison": {
    attacks: ["AND 7829=(", "&& setPath !=", "||(e===", "xor 2 <", "or 'a' <", "AND uid!=("],
    benign: ["and so on", "or 88", "and then = done", "or not", "and I <3 you too"],
  },
  "a system catalog alone": {
    attacks: ["sysobjects", "tempdb", "MSysAccessObjects", "mysql.db", "mysql.user", "information_schema"],
    benign: ["Sysobjects are fun to query", "temp db", "mysql", "my sql user"],
  },
});

test("a catalog name spelled in letters alone reaches the detector through the scan", async () => {
  const decision = await shieldDecision(new Request("http://app.test/report?table=sysobjects"));
  assert.equal((decision.reason as ShieldReason).class, "sqli");
});
