// biome-ignore-all lint/suspicious/noTemplateCurlyInString: template payloads are literal "${...}" strings.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sstiDetector } from "../src/detectors/ssti/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("ssti: a template's own paths and filters are content, computing ones are probes", () => {
  for (const value of [
    "Use {{ user.name }} in the template",
    "Welcome to {{site.title}}!",
    "Price: {{price|currency}}",
    "{{ 'now' | date: '%Y' }}",
    "Order #{order.id} confirmed",
    "<%= user.name %>",
    "${user.firstName} ${user.lastName}",
    "{% if user %}Hello{% endif %}",
    "{% for item in cart %}{{ item.title }}{% endfor %}",
    "{{!-- a comment --}}",
  ])
    it(`lets ${value} through`, () => assert.ok(scoreOf(sstiDetector, value) < BLOCKS, value));
  for (const value of [
    "{{7*7}}",
    "{{ settings.SECRET_KEY }}",
    "${pageContext.request.serverName}",
    "{{config.items()}}",
    "<%= `id` %>",
    "<%= 7*7 %>",
    "${'ff'}",
    "{% if True %}49{% endif %}",
    "{% if 7*7 == 49 %}x{% endif %}",
    "{{ '7'*7 }}",
  ])
    it(`blocks ${value}`, () => assert.ok(scoreOf(sstiDetector, value) >= BLOCKS, value));
});

describe("ssti: Python's dunders outside a template walk only when chained", () => {
  for (const value of [
    "__init__.py",
    "src/app/__init__.py",
    "__init__.cpython-313.pyc",
    "override __init__ in your subclass",
    "the __dict__ of an instance",
  ])
    it(`lets ${value} through at medium`, () => assert.ok(scoreOf(sstiDetector, value) < BLOCKS, value));
  for (const value of [
    "''.__class__.__mro__[1].__subclasses__()",
    "self.__init__",
    "__init__.__globals__",
    "__globals__['os']",
    "__import__('os').popen('id').read()",
    "attr('__class__')",
    "().__class__.__base__",
    "see __init__.py, then ''.__class__.__mro__[1].__subclasses__()",
  ])
    it(`blocks ${value}`, () => assert.ok(scoreOf(sstiDetector, value) >= BLOCKS, value));
});
