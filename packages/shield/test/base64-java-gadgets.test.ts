import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import type { ShieldReason } from "../src/index.js";
import { BLOCKS, scoreOf, shieldDecision } from "./helpers.js";

const base64 = (text: string) => Buffer.from(text, "latin1").toString("base64");
const score = (value: string) => scoreOf(codeInjectionDetector, value, "cookie", "session");

/** The start of a Commons Collections gadget chain as ysoserial writes it: stream magic, then class descriptors. */
const CHAIN =
  "\xac\xed\x00\x05sr\x002sun.reflect.annotation.AnnotationInvocationHandlerU\xca\xf5\x0f\x15\xcb~\xa5\x02\x00\x02L\x00\x0cmemberValuest\x00\x0fLjava/util/Map;" +
  "sr\x00*org.apache.commons.collections.map.LazyMapn\xe5\x94\x82\x9ey\x10\x94\x03\x00\x01L\x00\x07factoryt\x00,Lorg/apache/commons/collections/Transformer;" +
  "sr\x00:org.apache.commons.collections.functors.ChainedTransformer0\xc7\x97\xec(z\x97\x04\x02\x00\x01[\x00\x0diTransformers";

describe("base64 Java gadget names", () => {
  it("finds a gadget class name at any byte offset of a base64 token", () => {
    // Cut out of the stream after its header, so no `rO0AB` magic is left to find: only the class names give it away.
    for (let cut = 0; cut < 3; cut++) {
      const token = base64(`${"x".repeat(cut)}${CHAIN.slice(CHAIN.indexOf("org.apache.commons.collections.functors"))}`);
      assert.ok(score(token) >= BLOCKS, `offset ${cut}: ${score(token)}`);
    }
    for (const word of ["invokertransformer", "ProcessBuilder", "whileclosure", "runtime"]) {
      for (const prefix of ["", "a", "ab"]) {
        const token = base64(prefix + word).replace(/=+$/, "");
        assert.ok(score(token) >= BLOCKS, `${prefix}${word} → ${token}: ${score(token)}`);
      }
    }
  });

  it("blocks one sent in a cookie", async () => {
    const decision = await shieldDecision(
      new Request("http://app.test/", { headers: { cookie: `session=${base64("ysoserial InvokerTransformer chain")}` } }),
    );
    assert.equal((decision.reason as ShieldReason).class, "code-injection");
  });

  it("passes random tokens, encoded prose and a long encoded document that mentions a runtime", () => {
    for (let i = 0; i < 3_000; i++) {
      const token = createHash("sha512").update(`token-${i}`).digest("base64");
      assert.ok(score(token) < BLOCKS, `${token}: ${score(token)}`);
    }
    assert.ok(score(base64("Hello World, see you at the meetup")) < BLOCKS);
    const doc = base64(`${"Lorem ipsum dolor sit amet. ".repeat(12)}The Node.js runtime is configured per function.`);
    assert.ok(score(doc) < BLOCKS, `long document: ${score(doc)}`);
  });
});
