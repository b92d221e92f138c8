import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

function score(raw: string): number {
  return scoreOf(sqliDetector, raw, "body", "comment");
}

/** Prose that used to read as SQL, each beside the attack the same rule must still block. */
const RULES: RuleTable = {
  "EXEC and CALL name a procedure, not a word followed by more words": {
    attacks: ["'; exec xp_cmdshell 'dir'--", "1; EXEC sp_who;", "'; call dbo.reset_all()--", "x'; EXECUTE myproc 1--"],
    benign: ['"execute the will" please', "'call the doctor' she said", "I'm busy; call me later", "done; exec summary attached"],
  },
  "AND/OR after an expression needs a condition": {
    attacks: ["' is null and 1=1--", "x' = 'x' and sleep(2)#"],
    benign: ['"is null and void"', "she said 'is null and void' twice"],
  },
  "arithmetic after AND must end as an expression": {
    attacks: ['" and 3/4 = 0.75--', "' and 2*3 or 'a'='a"],
    benign: ['We sell 1/2" and 3/4" pipes', "cut 2' and 3/4' boards"],
  },
  "an attack function's arguments read as SQL": {
    attacks: ["1 and sleep (5)", "benchmark(99/**/99,md5(1))", "x' and pg_sleep(2 )--"],
    benign: ["sleep (8 hours) is important", "benchmark (cpu vs gpu) results", "sleep (well rested)"],
  },
  "a Markdown code span opening the value is not a closed identifier": {
    attacks: ["` AS `uid` FROM users", "id` desc, (select sleep(3))-- -"],
    benign: ["`SELECT * FROM users` is slow", "`UPDATE t SET a = 1 WHERE id = 2` -- careful"],
  },
};

describeRules("sqliDetector on prose that looks like SQL", score, RULES);
