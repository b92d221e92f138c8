import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { postJson, startApi, type TestApi } from "./helpers.js";

const ada = { email: "Ada@Example.com", password: "correct horse battery" };

describe("secure-api signup and login", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(() => api.close());

  const signup = (body: unknown) => postJson(`${api.url}/api/signup`, body);
  const login = (body: unknown) => postJson(`${api.url}/api/login`, body);

  it("signs up, then signs in with the same address in any case", async () => {
    assert.equal((await signup(ada)).status, 201);
    const response = await login({ email: "ada@example.com", password: ada.password });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { message: "Signed in." });
    assert.deepEqual(
      api.authEvents.map((e) => [e.type, e.user]),
      [["success", "ada@example.com"]],
    );
  });

  it("answers a wrong password and an unknown address alike, and reports the failures", async () => {
    await signup(ada);
    const wrong = await login({ email: ada.email, password: "wrong password!!" });
    const unknown = await login({ email: "nobody@example.com", password: ada.password });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), { error: "invalid credentials" });
    assert.deepEqual(await unknown.json(), { error: "invalid credentials" });
    assert.deepEqual(
      api.authEvents.map((e) => [e.type, e.user]),
      [
        ["failure", "ada@example.com"],
        ["failure", "nobody@example.com"],
      ],
    );
  });

  it("does not tell whether an address is taken, and never overwrites an account", async () => {
    const first = await signup(ada);
    const again = await signup({ email: ada.email, password: "attacker's password" });
    assert.equal(again.status, first.status);
    assert.deepEqual(await again.json(), await first.json());
    assert.equal((await login(ada)).status, 200);
    assert.equal((await login({ email: ada.email, password: "attacker's password" })).status, 401);
  });

  it("rejects invalid signups with a message saying what to send", async () => {
    const cases: [unknown, RegExp][] = [
      [{ email: "not-an-email", password: ada.password }, /`email` must be an address/],
      [{ email: "a@b", password: ada.password }, /`email`/],
      [{ email: `${"a".repeat(65)}@example.com`, password: ada.password }, /`email`/],
      [{ email: ["ada@example.com"], password: ada.password }, /`email`/],
      [{ email: ada.email, password: "short" }, /`password` must be a string of 12 to 128/],
      [{ email: ada.email, password: "x".repeat(129) }, /`password`/],
      [{ email: ada.email }, /`password`/],
    ];
    for (const [body, message] of cases) {
      api.clock.advance(60 * 60_000); // past the signup limit's hour: these tests are about validation
      const response = await signup(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(((await response.json()) as { reason: string }).reason, message);
    }
  });

  it("limits signups to 5 per hour per IP, valid or not", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signup({ email: `new${i}@example.com`, password: ada.password })).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
  });

  it("answers malformed login input with the same generic 401", async () => {
    for (const body of [{}, { email: "x" }, { email: ada.email, password: 42 }, { email: ada.email, password: "p".repeat(10_000) }]) {
      const response = await login(body);
      assert.equal(response.status, 401, JSON.stringify(body).slice(0, 80));
      assert.deepEqual(await response.json(), { error: "invalid credentials" });
    }
  });

  it("limits attempts per account across IPs, before the password is checked", async () => {
    await signup(ada);
    for (let i = 0; i < 5; i++) assert.equal((await login({ email: ada.email, password: "guess number " + i })).status, 401);
    const blocked = await login(ada);
    assert.equal(blocked.status, 429, "even the right password waits once the account is under attack");
    assert.match(blocked.headers.get("ratelimit") ?? "", /^"login-user";r=0;/);
    assert.ok(Number(blocked.headers.get("retry-after")) > 0);
    assert.equal((await login({ email: "other@example.com", password: ada.password })).status, 401, "other accounts unaffected");
    api.clock.advance(15 * 60_000);
    assert.equal((await login(ada)).status, 200);
  });

  it("limits login attempts per IP whatever the account", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await login({ email: `user${i}@example.com`, password: ada.password })).status);
    assert.deepEqual(statuses, [...Array(20).fill(401), 429]);
  });
});
