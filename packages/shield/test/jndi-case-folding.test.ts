// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Log4j lookups are literal "${...}" strings.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jndiDetector } from "../src/detectors/jndi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("jndi: lookups resolved with Java's case mapping", () => {
  for (const value of ["${jnd${upper:\u0131}:ldap://x.example/a}", "${${upper:j}nd${upper:\u0131}:rmi://x.example/a}"])
    it(`blocks ${value}`, () => assert.ok(scoreOf(jndiDetector, value) >= BLOCKS, value));
  for (const value of ["${upper:\u0131}", "Price: ${upper:total}"])
    it(`lets ${value} through`, () => assert.ok(scoreOf(jndiDetector, value) < BLOCKS, value));
});
