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
 * A call on a Node global (`console.info(1)`, `process.exit()`,
 * `console.info.call(this,1)`) that is the whole value: the probe an attacker
 * sends to see whether a value reaches `eval`. Pasted code in a
 * code-sharing field has more than one call and is not matched; a single
 * call may still be a developer's message, so it is a mention.
 */
const GLOBAL_CALL_ALONE =
  /^\s{0,8}(?:console|process|global|globalThis|module|Buffer)\s{0,4}(?:\.\s{0,4}[A-Za-z_$][\w$]{0,40}\s{0,4}){1,4}\([^()\n]{0,64}\)\s{0,8};?\s{0,8}(?:\/\/.{0,64})?$/;

/**
 * The same call after a string breakout (`';console.log(1)//`,
 * `"+process.exit()+"`): a quote closed and an operator after it is grammar
 * only injected code has. The quote must close a string opened outside the
 * value (see `closesOutsideString`): in pasted code
 * (`console.log('a'); console.log('b')`) it closes one the value opened.
 */
const GLOBAL_CALL_AFTER_BREAKOUT =
  /['"`]\s{0,8}(?:[;+,)\]}]{1,4}|\|\||&&)\s{0,8}(?:console|process|global|globalThis|module|Buffer)\s{0,4}(?:\.\s{0,4}[A-Za-z_$][\w$]{0,40}\s{0,4}){1,4}\(/g;

/** How many breakout candidates one value is read for: each is one regex step, and real payloads need the first. */
const MAX_BREAKOUTS = 8;

/** `module.exports =`: replacing what a module exports hijacks every later `require` of it. */
const MODULE_EXPORTS = /\bmodule\s{0,4}\.\s{0,4}exports\b(?:\s{0,4}\.\s{0,4}[\w$]{1,40})?\s{0,4}=(?!=)/;

/**
 * A word every pattern above needs (`process`, `constructor`, `__proto__` or
 * `prototype`, `require`, `Function`, `eval`, node-serialize's marker, a Node global): one
 * scan turns away the values that have none, instead of ten.
 */
const NODE_WORD = /process|constructor|proto|require|function|eval|nd_func|console|module|global|buffer/i;

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
  const breakout = globalCallAfterBreakout(value);
  if (breakout !== -1) return { score: 0.85, label: "node global call after a breakout", index: breakout };
  const required = REQUIRE.exec(value);
  if (required) return { score: 0.85, label: "require() of a module", index: required.index, mention: true };
  const code = CODE_FROM_STRING.exec(value);
  if (code) return { score: 0.85, label: "code built from a string", index: code.index, mention: true };
  const exportsAssignment = MODULE_EXPORTS.exec(value);
  if (exportsAssignment) return { score: 0.8, label: "module.exports assignment", index: exportsAssignment.index, mention: true };
  if (GLOBAL_CALL_ALONE.test(value)) return { score: 0.75, label: "node global call", index: 0, mention: true };
  const env = PROCESS_ENV.exec(value);
  if (env) return { score: 0.75, label: "process.env read", index: env.index, mention: true };
  return undefined;
}

/** Where a Node global call follows a quote that closes a string opened outside the value; -1 when none does. */
function globalCallAfterBreakout(value: string): number {
  GLOBAL_CALL_AFTER_BREAKOUT.lastIndex = 0;
  for (let tries = 0; tries < MAX_BREAKOUTS; tries++) {
    const match = GLOBAL_CALL_AFTER_BREAKOUT.exec(value);
    if (match === null) return -1;
    if (closesOutsideString(value, match.index)) return match.index;
    GLOBAL_CALL_AFTER_BREAKOUT.lastIndex = match.index + 1;
  }
  return -1;
}

/** Whether the quote at `index` is the first, third… of its kind: it closes a string the value did not open. */
function closesOutsideString(value: string, index: number): boolean {
  const quote = value.charCodeAt(index);
  let before = 0;
  for (let i = 0; i < index; i++) if (value.charCodeAt(i) === quote) before++;
  return before % 2 === 0;
}
