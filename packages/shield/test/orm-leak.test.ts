import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BodyContent } from "@parapet/core";
import { nosqliDetector } from "../src/detectors/nosqli/index.js";
import { isSecretField } from "../src/detectors/nosqli/orm-leak.js";
import { collectCandidates } from "../src/index.js";
import { resolveShieldOptions, SENSITIVITY_THRESHOLDS } from "../src/options.js";
import { BLOCKS, describeRules, scoreOf, shieldDecision } from "./helpers.js";

const keyScore = (key: string) => scoreOf(nosqliDetector, key, "query-key", key);

describeRules("ORM leak: Django lookups in a parameter name (CRS 934210/934220)", keyScore, {
  // A lookup that reads a secret, one character per request.
  "a lookup on a secret field": {
    attacks: [
      "password__startswith",
      "password__regex",
      "user__password__startswith",
      "created_by__user__reset_token__startswith",
      "api_key__gt",
      "otp_secret__lte",
      "filter[user__password__startswith]",
    ],
    // A secret's name with no lookup is a form's field name; words that only contain a secret's letters are not secrets.
    benign: ["password__confirm", "password", "reset_password", "hashtag__in", "footprint__gte", "tokenizer__exact", "passport__exact"],
  },
  // Climbing relations reaches other users' rows; a filter form offers one step.
  "a lookup two relations deep or more": {
    attacks: [
      "created_by__departments__employees__user__username__startswith",
      "created_by__departments__employees__user__id",
      "user__profile__nickname__istartswith",
      "user__metadata__has_keys",
    ],
    benign: [
      "created__gte",
      "author__name",
      "price__lt",
      "__typename",
      "__proto__",
      "__init__",
      "block__element--modifier",
      "a___b___c",
      "data__v2",
    ],
  },
});

describe("ORM leak: one lookup on one plain field", () => {
  // django-filter's everyday syntax: reported for "high" sensitivity only.
  for (const key of ["balance__gte", "username__istartswith", "email__iendswith", "created__gte", "username__startswith"]) {
    it(`${key} is seen at high, not blocked at medium`, () => {
      const score = keyScore(key);
      assert.ok(score >= SENSITIVITY_THRESHOLDS.high && score < BLOCKS, `${key}: ${score}`);
    });
  }
});

describe("ORM leak: lookups in JSON sent as text", () => {
  const valueScore = (value: string) => scoreOf(nosqliDetector, value, "body", "body");
  it("reads the quoted keys", () => {
    assert.ok(valueScore('{"created_by__departments__employees__user__username__startswith":"p"}') >= BLOCKS);
    assert.ok(valueScore('{"q": 1, "user__password__startswith": "a"}') >= BLOCKS);
  });
  it("lets plain filters and prose with underscores through", () => {
    for (const value of ['{"created__gte":"2024-01-01"}', '{"__typename":"User"}', "the __init__ method: a b__c"]) {
      assert.ok(valueScore(value) < BLOCKS, value);
    }
  });
});

const limits = resolveShieldOptions({ mode: "LIVE" }).limits;

/** The nosqli detector's strongest score over every key and value of a request, as the plumbing lists them. */
function requestScore(query: string, json?: string): number {
  const request = { query, path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];
  const body: BodyContent | undefined =
    json === undefined
      ? undefined
      : { bytes: new TextEncoder().encode(json), text: json, truncated: false, contentType: "application/json" };
  const { candidates } = collectCandidates(request, body, limits);
  return Math.max(0, ...candidates.map((candidate) => nosqliDetector.detect(candidate)?.score ?? 0));
}

describeRules(
  "ORM leak: Prisma filters on a secret field",
  (value) => (value.startsWith("{") ? requestScore("", value) : requestScore(value)),
  {
    "a comparison whose field is a secret, however deep": {
      attacks: [
        '{"where":{"password":{"startsWith":"a"}}}',
        '{"where":{"createdBy":{"resetToken":{"startsWith":"x"}}}}',
        '{"where":{"author":{"is":{"passwordHash":{"gt":"m"}}}}}',
        '{"where":{"apiKey":{"not":{"endsWith":"z"}}}}',
        "where[password][startsWith]=a",
        "where%5BresetToken%5D%5Bnot%5D%5BstartsWith%5D=b",
        "where.password.startsWith=a",
      ],
      benign: [
        '{"where":{"name":{"contains":"bob"}},"orderBy":{"createdAt":"desc"}}',
        '{"where":{"title":{"startsWith":"How"}}}',
        '{"password":"hunter2","contains":"x"}',
        '{"settings":{"password":{"minLength":8}}}',
        "where[name][contains]=bob",
        "where.name.contains=bob",
        "search=password+startsWith+a",
      ],
    },
  },
);

describe("ORM leak: secret field names", () => {
  it("splits snake_case and camelCase into words", () => {
    for (const field of ["password", "passwordHash", "reset_token", "resetToken", "apiKey", "api_key", "private_key", "otp"])
      assert.ok(isSecretField(field), field);
    for (const field of ["passport", "hashtag", "footprint", "keyboard", "monkey", "tokenizer", "passage"])
      assert.ok(!isSecretField(field), field);
  });
});

describe("ORM leak through the shield rule", () => {
  // The registry must hand plain keys to the nosqli detector: `user__password__startswith` has no other syntax.
  it("denies a Django lookup that reads a secret through a relation, as nosqli in the query key", async () => {
    const decision = await shieldDecision(new Request("http://api.test/articles?author__password__startswith=a"));
    assert.equal(decision.conclusion, "DENY");
    assert.match(JSON.stringify(decision.reason), /nosqli/);
  });

  it("lets a filter form's single lookup through at the default sensitivity", async () => {
    const decision = await shieldDecision(new Request("http://api.test/articles?created__gte=2024-01-01&price__lt=30"));
    assert.equal(decision.conclusion, "ALLOW");
  });
});
