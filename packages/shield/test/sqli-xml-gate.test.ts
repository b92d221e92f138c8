import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ANGLE, charClassesOf } from "../src/detectors/char-classes.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { isXmlDocument } from "../src/detectors/xss/tag-verdicts.js";
import { BLOCKS, scoreOf } from "./helpers.js";
import { payloadsFromTests } from "./payloads-from-tests.js";

// The SQL detector reads an XML document's attribute values one by one, and asks whether a value is one only
// when its classes hold ANGLE (`<` or `>`): the shortcut is safe only if no value without them is an XML document.
describe("the SQL detector's XML document check", () => {
  it("is skipped only for values that cannot be an XML document", () => {
    const values = [...payloadsFromTests(), ...fc.sample(fc.string({ unit: "binary", maxLength: 30 }), { numRuns: 2_000, seed: 3 })];
    // The same values with the declaration in front, so the property is not checked only on its easy side.
    const documents = values.map((value) => `<?xml version="1.0"?>${value}`);
    let xml = 0;
    for (const value of [...values, ...documents]) {
      if (!isXmlDocument(value)) continue;
      xml++;
      assert.notEqual(charClassesOf(value) & ANGLE, 0, JSON.stringify(value));
    }
    assert.ok(xml >= documents.length, `only ${xml} XML documents among the values`);
  });

  it("still reads the attribute values of an XML body", () => {
    // Found only in the attribute read alone: spliced whole, the document hides it.
    assert.ok(scoreOf(sqliDetector, '<?xml version="1.0"?><order id="1 order by 3" note="x"/>', "body") >= BLOCKS);
    assert.ok(scoreOf(sqliDetector, '<?xml version="1.0"?><order id="1 or true" note="x"/>', "body") >= BLOCKS);
    assert.ok(scoreOf(sqliDetector, '<?xml version="1.0"?><order id="42" note="x"/>', "body") < BLOCKS);
  });
});
