import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { liveShieldApp, post } from "./http-app.js";

// `{"constructor":{"prototype":{…}}}` is the deep-merge payload (lodash defaultsDeep, CVE-2019-10744): a merge that
// follows `constructor` then `prototype` from any object writes onto Object.prototype. Each key alone is a word.
describe("constructor → prototype keys in a JSON body", () => {
  const app = liveShieldApp();
  const json = { "content-type": "application/json" };

  const attacks: readonly (readonly [string, string, string])[] = [
    ["at the top", '{"constructor":{"prototype":{"isAdmin":true}}}', "body.constructor"],
    ["nested", '{"settings":{"constructor":{"prototype":{"polluted":1}}}}', "body.settings.constructor"],
    // A benign `prototype` key read first: repeats of a key are dropped unread, which must not hide the pair.
    ["after a plain prototype key", '{"prototype":"v1","x":{"constructor":{"prototype":{"polluted":1}}}}', "body.x.constructor"],
    // Records shaped alike share their keys' reading: the second record's pair must still be seen.
    [
      "in the second of two records shaped alike",
      '[{"constructor":{"name":"A"}},{"constructor":{"prototype":{"p":1}}}]',
      "body.1.constructor",
    ],
  ];
  for (const [where, body, location] of attacks) {
    it(`is denied ${where}`, async () => {
      const answer = await post(app.url, json, body);
      assert.equal(answer.status, 403, `${body} reached the app as ${JSON.stringify(answer.json)}`);
      assert.deepEqual([answer.json.class, answer.json.location], ["proto-pollution", location]);
    });
  }

  it("lets the same words through as ordinary fields", async () => {
    for (const body of [
      '{"prototype":"v2","name":"widget"}',
      '{"constructor":"Bob the Builder","prototype":{"stage":"alpha"}}',
      '{"constructor":{"name":"Acme Corp"},"prototype":true}',
      '{"constructor":{"prototypes":[1,2]}}',
    ]) {
      const answer = await post(app.url, json, body);
      assert.deepEqual(answer, { status: 200, json: { got: body } });
    }
  });
});
