import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

function score(raw: string): number {
  return scoreOf(sqliDetector, raw, "query", "id");
}

/**
 * Each rule: the evasion it reads through (written the way sqlmap's tamper
 * scripts rewrite a payload) and near-miss values real traffic sends.
 */
const RULES: RuleTable = {
  "a line comment ends at its newline (space2dash, space2hash)": {
    attacks: ["7--qz\nOR--qz\n2=2", "7#k9\nAND#k9\n8=8", "0'#\nunion#\nselect#\n1,2,3#", "4--\r\nAND--\r\nsleep(3)"],
    benign: ["# Shopping list\nmilk and eggs", "-- draft --\nsee you at 5", "#1 fan\n#2 runner-up", "Notes:\n-- call Bob\n-- order lunch"],
  },
  "control characters are blanks (space2mssqlblank)": {
    attacks: ["9\u0001OR\u00027=7", "3'\u000eAND\u000f'x'='x", "1\u0004UNION\u0005SELECT\u0006null,null"],
    benign: ["line one\u0001line two", "tab\u0002separated\u0003values"],
  },
  "a stray % before letters is dropped (IIS, percentage tamper)": {
    attacks: ["2 %U%N%I%O%N %S%E%L%E%C%T 1,2", "5' %O%R '3'='3", "6 %A%N%D 4=4-- -"],
    benign: ["100% cotton", "50%off today", "%s and %d are printf formats", "save 20%-30% now"],
  },
  "Oracle's binary double literal before UNION (dunion)": {
    attacks: ["-3DUNION SELECT 1,2,3 FROM dual", "8fUNION ALL SELECT null,banner FROM v$version"],
    benign: ["3days 2nights", "2fall semesters", "1d union rep meeting"],
  },
  "GET_LOCK as a sleep (sleep2getlock)": {
    attacks: ["1 AND GET_LOCK('x',9)", "'||GET_LOCK('abc',4)||'"],
    benign: ["get lock codes", "how to get_lock in mysql?"],
  },
  "arithmetic on constants rebuilding the query's quote": {
    attacks: ["'-0-'", "'+7+'", '"*3*"'],
    benign: ["it's -0- degrees", "'+7 more'", "the '-0-' emoticon is cute"],
  },
  "AND/OR written with comments for spaces": {
    attacks: ["-2/**/or/**/2", "5/*x*/and/*y*/7"],
    benign: ["or/and", "A/B testing or not", "and/or (legal)"],
  },
  "a parenthesised operand compared": {
    attacks: ["3or(3)=3", "9 and (4)=(4)"],
    benign: ["3 or (3) more", "(1) apples or (2) pears"],
  },
  "ORDER BY a column with a direction": {
    attacks: ["1 order by 4 desc", "2' ORDER BY 6 ASC#"],
    benign: ["order by 4 desks", "sort in desc order"],
  },
  "a sub-select as the next item of a number list": {
    attacks: ["1,(select 7)", "4,(case when 1=1 then 1 else 2 end)"],
    benign: ["1, select the file", "2,(see note)", "3, (optional)"],
  },
};

describeRules("sqliDetector on tamper-script evasions", score, RULES);
