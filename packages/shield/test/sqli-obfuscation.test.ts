import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

function score(raw: string): number {
  return scoreOf(sqliDetector, raw, "query", "id");
}

/**
 * Obfuscations that lean on how MySQL, SQL Server and PostgreSQL lex a query (Roberto Salgado's "SQLi
 * Optimization and Obfuscation Techniques", the Websec cheat sheets): each rule with the attacks it reads
 * through and the near-miss values real traffic sends.
 */
const RULES: RuleTable = {
  "a reserved word glued by a dot to a number or a quote (SELECT.2)": {
    attacks: ["1.UNION SELECT.2alias", "1 UNION SELECT.1,2", "-1 union select.'a',2"],
    benign: ["Please select.", "Union.2 report", "select.2 plan", "order.5 shipped"],
  },
  "MySQL's \\N is NULL, glued to the next word": {
    attacks: ["\\NUNION SELECT 2", "\\N UNION SELECT 1,2-- -"],
    benign: ["C:\\New folder\\file.txt", "a,\\N,b", "\\N", "\\Nina\\union.txt"],
  },
  "an ODBC escape hides nothing ({fn …}, {x …})": {
    attacks: ["1 and {fn user()}='dbo'", "1 or {fn length(user())}>0", "1 {x UNION} SELECT 1", "{ts 1}UNION SELECT.`` 1.e.table_name"],
    benign: ["{x}", "{d 2}", "{fn}", "{first name} or {last name}", '{"a": 1} or {"b": 2}'],
  },
  "a prefixed literal (E'…', N'…', X'…')": {
    attacks: ["1 AND E'\\x41'='A'", "1 or N'a'=N'a'", "1 and X'41'=X'41'"],
    benign: ["E'", "rock n' roll", "x'mas sale", "Dan'l Boone"],
  },
  "PostgreSQL's dollar-quoted strings": {
    attacks: ["$$a$$=$$a$$", "1 or $$'$$=$$'$$"],
    benign: ["$$$ deal", "$5 or $10", "$$ money $$", "pay $$ now"],
  },
  "NUL read as a blank, not removed": {
    attacks: ["1\u0000OR\u00001=1", "1\u0000UNION\u0000SELECT\u00001,2", "1%00AND%00sleep(5)", "'\u0000or\u0000'1'='1"],
    benign: ["file\u0000.png", "a\u0000b", "x%00y", "1\u0000000"],
  },
  "a Latin-1 0xA0 left undecoded is a blank": {
    attacks: ["1%a0UNION%a0SELECT%a01,2", "1%A0OR%A01=1"],
    benign: ["50%a0off", "caf%a0", "%a0"],
  },
  "a SQL word glued to a number passes the gate (1ORDER BY 3)": {
    attacks: ["1ORDER BY 3", "2ORDER BY 1 DESC"],
    benign: ["1order", "2nd order by phone", "4order by 3pm today"],
  },
  "the whole value is a SELECT of constants": {
    attacks: ["SELECT 1", "SELECT-1", "SELECT~1", "SELECT@@version", "SELECT(1)", "SELECT 1,2,3", "select@@datadir;", "SELECT/**/1"],
    benign: ["select 2 items", "Select 1 of 3", "select all", "select name, email", "select -1 tier", "Select the first"],
  },
  "a number joined to a constant by XOR, &&, or a negation": {
    attacks: ["1 XOR 1", "1 && 1", "1 and not 0", "1 OR NOT 0", "1 and !!1", "1 and~0"],
    benign: ["1 or 2", "1 and -1", "1 and not sure", "2 or not", "1 || 2", "3 and 4"],
  },
  "MySQL's BINARY before an operand": {
    attacks: ["1 and binary 'a'='a'", "1 or binary 2=2"],
    benign: ["1 and binary search", "binary 'a' or 'b'", "1 binary tree"],
  },
  "a call after 1.e( (scientific-notation glue)": {
    attacks: [
      "1.e(ascii)",
      "1.e(select 1)",
      "1.e(ascii 1.e(substring(1.e(select password from users limit 1 1.e,1 1.e) 1.e,1 1.e) 1.e) = 70 or'1'='2",
    ],
    benign: ["see 1.e(ii)", "1.e(a) applies", "1.e", "rule 2.e(iv) and 3.e(v)"],
  },
  "a keyword with a copy of itself nested inside (UNIunionON)": {
    attacks: ["1 OorR 1=1", "1' AandND '1'='1", "-1 UNIunionON SELselectECT 1,2,3-- -"],
    benign: ["Oregon or Anand", "UNIon station", "Selena or Orlando", "Andand Brothers", "Ororo Munroe"],
  },
};

describeRules("sqliDetector on lexer-level obfuscations", score, RULES);
