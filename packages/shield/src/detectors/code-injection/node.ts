/**
 * Server-side JavaScript injection (OWASP CRS 934): code that reaches
 * `eval`, `vm` or a deserializer such as node-serialize, and then climbs to
 * `child_process` through `require`, `process.mainModule` or the
 * `constructor.constructor` escape from a sandbox.
 */
import type { CodeSignal } from "./signal.js";

/** `require('child_process')`, `require("fs")`, `require.main`, `require[…]`: loading a module from a value. */
const REQUIRE = /\brequire\s{0,8}\(\s{0,8}['"`]|\brequire\s{0,8}(?:\.\s{0,8}(?:main|cache|resolve)\b|\[)/;

/** Handles on the process that lead to command execution or native code. */
const PROCESS_HANDLE =
  /\bprocess\s{0,4}(?:\.\s{0,4}(?:mainmodule|binding|dlopen|_linkedbinding)\b|\[\s{0,4}['"`]?\s{0,4}(?:mainmodule|binding|env|req\b))|\bchild_process\b|\bglobal\s{0,4}\.\s{0,4}process\b/i;

/** Reading the environment exposes secrets; developers also write `process.env` in messages, so prose lowers it. */
const PROCESS_ENV = /\bprocess\s{0,4}\.\s{0,4}env\b/;

/**
 * `constructor.constructor('return process')()` escapes vm and template
 * sandboxes by reaching the Function constructor; spelled with dots,
 * brackets or (in serialized React Flight payloads) colons.
 */
const CONSTRUCTOR_CHAIN = /\bconstructor\s{0,4}(?:\.|:|\[\s{0,4}['"`]|['"`]\s{0,4}\]\s{0,4}\[\s{0,4}['"`])\s{0,4}constructor\b/;

/**
 * React Flight (Server Components / Server Actions) references are `$<id>`
 * followed by `:`-separated property steps, which the decoder walks
 * (CVE-2025-55182, "React2Shell"): a step onto `__proto__`, `prototype` or
 * `constructor` reaches Object and Function internals instead of the data the
 * reference should name. A reference is a whole string (the value, or a
 * quoted JSON string inside it); steps are plain identifiers, each bounded.
 */
const FLIGHT_PROTOTYPE_STEP =
  /(?:^|["'])\$[A-Za-z@]?[0-9a-fA-F]{0,8}:(?:[A-Za-z0-9_$]{1,64}:){0,8}(?:__proto__|prototype|constructor)(?:$|["':])/;

/** `new Function(` and `Function(…)()` build code from a string; `eval(` runs it. */
const CODE_FROM_STRING = /\bnew\s{1,8}Function\s{0,8}\(|\beval\s{0,8}\(\s{0,8}(?:['"`$a-z_(]|atob|string\.fromcharcode)/i;

/**
 * Serializers that revive functions: node-serialize's marker (CVE-2017-5941)
 * and funcster's `__js_function`. The marker base64-encoded, as exploits send
 * it in cookies, is found at any byte offset by ./base64-code.ts.
 */
const NODE_SERIALIZE = /_\$\$ND_FUNC\$\$_|\b__js_function\b/;

/**
 * A word every pattern above needs (`process`, `constructor`, `__proto__` or
 * `prototype`, `require`, `Function`, `eval`, node-serialize's marker): one scan turns away the
 * values that have none, instead of six.
 */
const NODE_WORD = /process|constructor|proto|require|function|eval|nd_func/i;

export function nodeSignal(value: string): CodeSignal | undefined {
  if (!NODE_WORD.test(value)) return undefined;
  const marker = NODE_SERIALIZE.exec(value);
  if (marker) return { score: 0.95, label: "node-serialize function", index: marker.index };
  const handle = PROCESS_HANDLE.exec(value);
  if (handle) return { score: 0.9, label: "node process handle", index: handle.index };
  const chain = CONSTRUCTOR_CHAIN.exec(value);
  if (chain) return { score: 0.9, label: "constructor.constructor sandbox escape", index: chain.index };
  const flight = FLIGHT_PROTOTYPE_STEP.exec(value);
  if (flight) return { score: 0.9, label: "React Flight reference into a prototype", index: flight.index };
  const required = REQUIRE.exec(value);
  if (required) return { score: 0.85, label: "require() of a module", index: required.index, mention: true };
  const code = CODE_FROM_STRING.exec(value);
  if (code) return { score: 0.85, label: "code built from a string", index: code.index, mention: true };
  const env = PROCESS_ENV.exec(value);
  if (env) return { score: 0.75, label: "process.env read", index: env.index, mention: true };
  return undefined;
}
