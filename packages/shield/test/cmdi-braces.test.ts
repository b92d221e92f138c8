import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { shield } from "../src/index.js";
import { BLOCKS, describeRules, scoreOf } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

/**
 * After `{` bash runs a command only in brace expansion (`{cat,/etc/passwd}`)
 * or in a group closed by a terminator (`{ id; }`). `{id}` is a literal word
 * and `{ id }` a syntax error; GraphQL, URL templates and format strings are
 * written that way, and reading them as commands blocked every GraphQL query
 * that selects an `id`.
 */
describe("cmdi: commands after a brace", () => {
  for (const value of [
    "{ id }",
    "query { me { id } }",
    "mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { post { id } errors { message } } }",
    "query {\n  me {\n    id\n    name\n  }\n}",
    "https://api.example.com/users/{id}/posts/{postId}",
    "/users/{id}",
    "Hello {name}, order {id} ships on {date} at {time}",
  ]) {
    it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(cmdiDetector, value, "body", "query") < BLOCKS));
  }

  for (const value of ["{cat,/etc/passwd}", ";{ls,-la}", "x; { id; }", "{ cat /etc/passwd; }", "a|{ whoami & }", "{\tid\n}"]) {
    it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(cmdiDetector, value, "body", "query") >= BLOCKS));
  }

  it("lets a GraphQL request through the whole shield, and still blocks a group command in its variables", async () => {
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    const post = (body: unknown) =>
      client.protect({
        method: "POST",
        url: "/graphql",
        headers: { host: "localhost", "content-type": "application/json" },
        ip: "192.0.2.1",
        body: JSON.stringify(body),
      });
    try {
      const query = "query Post($id: ID!) { post(id: $id) { id title author { id name } } }";
      assert.equal((await post({ query, variables: { id: "42" } })).conclusion, "ALLOW");
      assert.equal((await post({ query, variables: { id: "42; { cat /etc/passwd; }" } })).conclusion, "DENY");
    } finally {
      await client.close();
    }
  });

  it("stays linear on a long run of braces with no terminator", () => {
    const value = `{ id${" x".repeat(50_000)}`;
    const ms = fastestRun(() => scoreOf(cmdiDetector, value, "body", "query"), 500);
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });
});

// GitHub's API root and HAL links carry RFC 6570 URI templates: an operator, then variable names. Found by posting the
// request and response examples of GitHub's OpenAPI description (900 JSON documents) through the shield.
describeRules("cmdi: URI templates are no brace expansion", (value) => scoreOf(cmdiDetector, value, "body", "code_search_url"), {
  "{&a,b}, {?a,b}, {/a,b}": {
    attacks: ["{cat,/etc/passwd}", "{/bin/cat,/etc/passwd}", "x;{,ifconfig}", "a{/sort,x}"],
    benign: [
      "https://api.github.com/search/code?q={query}{&page,per_page,sort,order}",
      "https://api.github.com/user/repos{?type,page,per_page,sort}",
      "https://api.github.com/repos/{owner}/{repo}/contents/{+path}",
      "/orders{?since,id:3,sort}",
    ],
  },
});
