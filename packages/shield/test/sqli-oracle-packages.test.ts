import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/** Oracle calls a package function without parentheses when it takes no argument: the name is already the call. */
describe("sqli: Oracle package functions without parentheses", () => {
  for (const value of ["x'||DBMS_LOCK.SLEEP", "1 or utl_inaddr.get_host_address", "'+dbms_xmlgen.getxml+'", "||UTL_HTTP.REQUEST"]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value));
  }

  for (const value of ["utl_http.request", "How do I call UTL_HTTP.REQUEST from PL/SQL?", "see dbms_lock.sleep in the docs"]) {
    it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(sqliDetector, value) < BLOCKS, value));
  }
});
