import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

function score(raw: string): number {
  return scoreOf(sqliDetector, raw, "query", "id");
}

/**
 * The clauses that close a SELECT (LIMIT, WITH ROLLUP, FOR UPDATE, INTO @variable), sent into a numeric position
 * after the number: MySQL and PostgreSQL run `… WHERE id=1 FOR UPDATE` (a lock held for the transaction) and
 * `… WHERE id=1 LIMIT 1 INTO @a`.
 */
const RULES: RuleTable = {
  "a column probe followed by the clauses that close a query": {
    attacks: ["1 group by 1 with rollup", "1 ORDER BY 2 LIMIT 1", "1 order by 3 desc limit 1 offset 2", "1 group by 2 with rollup;"],
    benign: ["1 group by one with rollup", "order by 2 limits", "group by 1 with friends"],
  },
  "a number, then clauses only SQL closes a query with": {
    attacks: ["1 for update", "1 limit 1 into @a", "1 LIMIT 0,1 FOR UPDATE NOWAIT", "7 limit 1 into @x, @y"],
    benign: ["1 limit 1", "2 limit 1 per customer", "1 for update please", "press 1 for update", "1 for", "3 into the box", "1 into @john"],
  },
};

describeRules("sqli: clauses that close a query", score, RULES);
