import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { fixedWindow } from "@parapet/core";
import { fingerprint, observe, sqliteLog } from "../src/index.js";
import { redactKey } from "../src/secret-keys.js";
import { BoundedMap } from "../src/sketch/bounded-map.js";
import { manualClock, parapet, recordingLogger, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());

test("credentials a rule counts by reach the log only as fingerprints, in compact and JSON results alike", async () => {
  const clock = manualClock();
  const driver = sqliteLog({ path: join(dir.path, "secrets.db") });
  const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
  const byKey = parapet({
    rules: [fixedWindow({ max: 100, window: "1m", characteristics: ["apiKey"] })],
    observers: [observed.observer],
    clock,
  });
  const byTokenAndKey = parapet({
    rules: [
      fixedWindow({ name: "hdr", max: 100, window: "1m", characteristics: ["header:authorization"] }),
      fixedWindow({ name: "session", max: 1, window: "1m", characteristics: ["sessionToken", "ip"] }),
    ],
    observers: [observed.observer],
    clock,
  });
  const secret = "sk_live_SUPERSECRET123";
  const bearer = "Bearer eyJSECRETJWT";
  const compact = await byKey.protect(request("192.0.2.1", "/", { "x-api-key": secret }));
  await byTokenAndKey.protect(request("192.0.2.2", "/", { authorization: bearer }), { sessionToken: "s3ss10n" });
  const json = await byTokenAndKey.protect(request("192.0.2.2", "/", { authorization: bearer }), { sessionToken: "s3ss10n" });
  assert.equal(json.conclusion, "DENY", "a denial keeps its results as JSON");
  await observed.flush();

  const rows = await driver.all<{ id: string; results: string }>("SELECT id, results FROM parapet_decisions");
  const everything = rows.map((row) => row.results).join("\n");
  for (const raw of [secret, "eyJSECRETJWT", "s3ss10n"]) assert.ok(!everything.includes(raw), `${raw} must not be stored`);
  assert.ok(everything.includes(`apiKey=${fingerprint(secret)}`), everything);
  assert.ok(everything.includes(`header:authorization=${fingerprint(bearer)}`), everything);
  assert.ok(everything.includes("|ip=192.0.2.2"), "non-secret characteristics stay readable");
  const stored = await observed.query!.decision(compact.id);
  assert.match(stored?.results[0]?.key ?? "", /\|apiKey=k_[0-9a-f]{16}$/);
  await observed.close();
});

test("redactKey leaves keys without credentials as they are and fingerprints each secret pair", () => {
  const cache = new BoundedMap<string, string>(10);
  assert.equal(redactKey("RATE_LIMIT:fixed:60000:10|ip=203.0.113.7", cache), "RATE_LIMIT:fixed:60000:10|ip=203.0.113.7");
  assert.equal(redactKey("RATE_LIMIT:x|userId=alice|ip=::1", cache), "RATE_LIMIT:x|userId=alice|ip=::1");
  assert.equal(
    redactKey("RATE_LIMIT:x|userId=alice|header:x-api-key=abc|my_secret_thing=s|ip=1.2.3.4", cache),
    `RATE_LIMIT:x|userId=alice|header:x-api-key=${fingerprint("abc")}|my_secret_thing=${fingerprint("s")}|ip=1.2.3.4`,
  );
});
