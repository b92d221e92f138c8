import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { liveShieldApp, post } from "./http-app.js";

// Hono's c.req.json() and Web Request.json() parse a body whatever its Content-Type, beacon endpoints and
// `express.json({ type: () => true })` take text/plain (a CORS-simple type: no preflight), and apps JSON.parse a
// text body themselves. The app then reads fields; read as one text value, the shield lost the field names and
// whole values its detectors judge by.
describe("a JSON document sent under a text type", () => {
  const app = liveShieldApp();
  const attacks: readonly (readonly [string, string, string])[] = [
    // Only a URL-like field makes a bare internal host a target.
    ['{"url":"127.0.0.1:6379"}', "ssrf", "body.url"],
    ['{"host":"169.254.169.254"}', "ssrf", "body.host"],
    // A quote and a comment close a login query only as a whole value.
    ['{"user":"admin\'--","password":"x"}', "sqli", "body.user"],
  ];

  for (const type of ["text/plain", "text/plain; charset=utf-8", "text/html"]) {
    it(`is read field by field under ${type}, as the app parses it`, async () => {
      for (const [body, attackClass, location] of attacks) {
        const answer = await post(app.url, { "content-type": type }, body);
        assert.equal(answer.status, 403, `${body} reached the app as ${JSON.stringify(answer.json)}`);
        assert.deepEqual([answer.json.class, answer.json.location], [attackClass, location], body);
      }
    });
  }

  it("is still read as the text it is, and lets ordinary documents through", async () => {
    // An app that keeps the body as text gets the `constructor.prototype` path in one piece.
    const polluting = await post(app.url, { "content-type": "text/plain" }, '{"constructor":{"prototype":{"isAdmin":true}}}');
    assert.equal(polluting.status, 403);
    const beacon = '{"event":"page_view","url":"https://shop.example.com/cart","ts":1718000000}';
    const allowed = await post(app.url, { "content-type": "text/plain" }, beacon);
    assert.deepEqual(allowed, { status: 200, json: { got: beacon } });
  });
});
