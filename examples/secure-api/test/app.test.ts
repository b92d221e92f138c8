import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { postJson, startApi, type TestApi } from "./helpers.js";

describe("secure-api defaults", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  it("answers health with security headers and without x-powered-by", async () => {
    const response = await fetch(`${api.url}/api/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
    const h = response.headers;
    assert.match(h.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.match(h.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(h.get("x-content-type-options"), "nosniff");
    assert.equal(h.get("referrer-policy"), "no-referrer");
    assert.match(h.get("strict-transport-security") ?? "", /^max-age=31536000/);
    assert.equal(h.get("x-powered-by"), null);
  });

  it("answers an unknown route with JSON 404 and the security headers", async () => {
    const response = await fetch(`${api.url}/nope`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(((await response.json()) as { error: string }).error, "Not Found");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  });

  it("answers malformed JSON with 400 and no stack trace", async () => {
    const response = await fetch(`${api.url}/api/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": ',
    });
    assert.equal(response.status, 400);
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), { error: "Bad Request", reason: "The body is not valid JSON." });
    assert.doesNotMatch(text, /at \w+ \(|node_modules|SyntaxError/);
  });

  it("refuses a body over the limit with 413", async () => {
    const response = await postJson(`${api.url}/api/items`, { name: "x", quantity: 1, padding: "p".repeat(20_000) });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: string }).error, "Payload Too Large");
  });

  it("creates and lists items, validating input", async () => {
    const created = await postJson(`${api.url}/api/items`, { name: " lamp ", quantity: 2 });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 1, name: "lamp", quantity: 2 });
    const list = await fetch(`${api.url}/api/items`);
    assert.deepEqual(await list.json(), { items: [{ id: 1, name: "lamp", quantity: 2 }] });

    const invalid: [unknown, RegExp][] = [
      [[1, 2], /JSON object/],
      [{ name: "", quantity: 1 }, /`name`/],
      [{ name: "x".repeat(101), quantity: 1 }, /`name`/],
      [{ name: "lamp", quantity: 1.5 }, /`quantity`/],
      [{ name: "lamp", quantity: -1 }, /`quantity`/],
      [{ name: "lamp", quantity: "2" }, /`quantity`/],
    ];
    for (const [body, message] of invalid) {
      const response = await postJson(`${api.url}/api/items`, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(((await response.json()) as { reason: string }).reason, message);
    }
  });

  it("answers an unsupported body charset with a 4xx that does not echo it", async () => {
    const response = await fetch(`${api.url}/api/items`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=klingon" },
      body: "{}",
    });
    assert.equal(response.status, 415);
    assert.doesNotMatch(await response.text(), /klingon|at \w+ \(/);
    assert.deepEqual(api.errors, [], "a client error is not logged as a server failure");
  });
});

describe("secure-api posts: rich-text content", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  it("takes formatted HTML in content and lists it back", async () => {
    const content = '<p>Hello <strong>team</strong>, see <a href="https://example.com/notes">the notes</a>.</p><ul><li>one</li></ul>';
    const created = await postJson(`${api.url}/api/posts`, { title: "Release", content });
    assert.equal(created.status, 201);
    const list = await fetch(`${api.url}/api/posts`);
    assert.deepEqual(await list.json(), { posts: [{ id: 1, title: "Release", content }] });
  });

  it("denies script in content, and markup in the title, which is no rich-text field", async () => {
    const script = await postJson(`${api.url}/api/posts`, { title: "Hi", content: "<p>Nice</p><img src=x onerror=alert(1)>" });
    assert.equal(script.status, 403);
    assert.match(((await script.json()) as { reason: string }).reason, /xss in body\.content/);
    const title = await postJson(`${api.url}/api/posts`, { title: "<b>Hi</b>", content: "<p>ok</p>" });
    assert.equal(title.status, 403);
    assert.match(((await title.json()) as { reason: string }).reason, /xss in body\.title/);
  });

  it("answers a post without a title with 400 and what to send", async () => {
    const response = await postJson(`${api.url}/api/posts`, { content: "<p>x</p>" });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { reason: string }).reason, /`title`/);
  });
});
