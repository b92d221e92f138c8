/**
 * PHP code injection (OWASP CRS 933): a PHP open tag, a call to a function
 * that runs commands or code, a variable-function call, a superglobal read,
 * or a serialized PHP object (the input of a POP gadget chain). Node apps
 * meet these when they store what a PHP back end or a shared template later
 * evaluates, and in scans that probe for PHP.
 */
import { ANGLE, BRACE, DOLLAR, PAREN } from "../char-classes.js";
import type { CodeSignal } from "./signal.js";

/** `<?php`, `<? php`, `<?=` (short echo), and `<?` followed by a statement keyword. */
const OPEN_TAG = /<\?\s{0,8}php\b|<\?=|<\?\s{1,16}(?:echo|print|system|eval|exec|passthru|include|require|\$)/i;

/** Smarty's `{php}` block runs raw PHP (removed in Smarty 3, still probed for). */
const SMARTY_PHP = /\{\/?php\}/i;

/**
 * Functions that execute commands or code, read or write files, or decode a
 * hidden payload: the webshell vocabulary. Plain words such as "system" and
 * "exec" are fine; only the call syntax counts.
 */
const DANGEROUS_FUNCTION =
  "(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|phpinfo|base64_decode|gzinflate|gzuncompress|str_rot13|create_function|call_user_func(?:_array)?|preg_replace|file_get_contents|file_put_contents|fopen|fwrite|fsockopen|pfsockopen|move_uploaded_file|unserialize|curl_exec|curl_init|show_source|highlight_file|readfile|include_once|require_once|get_defined_vars|get_defined_functions|ob_start|array_map)";

/**
 * `name(`, `name /* c *\/ (`, `name #c\n (`, and the callable-string forms
 * `(system)(`, `"system"(`, `[system][0](`. The gap between name and
 * parenthesis is bounded, so the match is linear.
 */
const DANGEROUS_CALL = new RegExp(
  `(?:^|[^\\w$>:])@?${DANGEROUS_FUNCTION}(?:[\\s"')\\]]|\\[\\s{0,4}\\d{1,3}\\s{0,4}\\]|/\\*[^*]{0,64}\\*/|(?://|#)[^\\n]{0,64}\\n){0,8}\\(`,
  "i",
);

/** After a call: "system(s)" is English plural notation, not a call. */
const PLURAL = /^\(\s{0,2}e?s\s{0,2}\)/i;

/**
 * "the system (v2) failed": a name, a plain space and a word in parentheses
 * is English. With only whitespace before the parenthesis, the argument must
 * look like code (a variable, a string, nothing, a nested call).
 */
const SPACED_PROSE_CALL = /[a-z]\s{1,8}\(\s{0,4}[\w-]/iy;

/**
 * `$f(`, `$$f(`, `${'a'}(`, `$_[1](`, `$o->m(`: calling whatever a variable holds, the heart of obfuscated webshells.
 * PHP never writes a name or a digit right before a variable, and `#` starts a comment: `FR$LO(` and `!@#$LO(`
 * are keyboard-walk passwords, not calls.
 */
const VARIABLE_CALL =
  /(?<![\w#$])\$+(?:[a-z_\x7f-\uffff][\w\x7f-\uffff]{0,63}|\{[^{}]{1,64}\})(?:\s{0,8}(?:\[[^\]\n]{0,32}\]|\{[^{}\n]{0,32}\}|->\s{0,4}\$?\w{1,64}|\/\*[^*]{0,32}\*\/|#[^\n]{0,32}\n|\/\/[^\n]{0,32}\n)){0,8}\s{0,8}\(/i;

/** PHP's request superglobals: code that reads them is a webshell body. */
const SUPERGLOBAL = /\$(?:_(?:GET|POST|REQUEST|COOKIE|SERVER|FILES|ENV|SESSION)|GLOBALS)\b/;

/** `O:8:"stdClass":1:{` or `C:…`: a serialized object, which unserialize() turns into a live instance (POP chains). */
const SERIALIZED_OBJECT = /\b[OC]:\+?\d{1,6}:"[a-z_\\\x7f-\uffff][\w\\\x7f-\uffff]{0,255}":\d{1,6}:\{/i;

/**
 * Every pattern above needs one of `< { $ (`: an open tag, a serialized
 * object's or Smarty's brace, a variable, a call. These classes (which also
 * hold `> } )`) missing, none can match and they are not asked.
 */
export const PHP_CLASSES = ANGLE | BRACE | DOLLAR | PAREN;

/** `classes`: the character classes of `value` (char-classes.ts); without them every pattern is tried. */
export function phpSignal(value: string, classes = PHP_CLASSES): CodeSignal | undefined {
  if ((classes & PHP_CLASSES) === 0) return undefined;
  const tag = OPEN_TAG.exec(value);
  if (tag) return { score: 0.9, label: "php open tag", index: tag.index };
  const serialized = SERIALIZED_OBJECT.exec(value);
  if (serialized) return { score: 0.9, label: "php serialized object", index: serialized.index };
  const superglobal = SUPERGLOBAL.exec(value);
  if (superglobal) return { score: 0.85, label: "php superglobal", index: superglobal.index };
  const call = dangerousCall(value);
  if (call) return call;
  const variableCall = VARIABLE_CALL.exec(value);
  if (variableCall) return { score: 0.8, label: "php variable function call", index: variableCall.index, mention: true };
  const smarty = SMARTY_PHP.exec(value);
  if (smarty) return { score: 0.8, label: "smarty php block", index: smarty.index };
  return undefined;
}

function dangerousCall(value: string): CodeSignal | undefined {
  const match = DANGEROUS_CALL.exec(value);
  if (!match) return undefined;
  const open = match.index + match[0].length - 1;
  // `eval(` with nothing after it calls nothing: a fragment, as when a path names the function.
  if (open === value.length - 1) return undefined;
  if (PLURAL.test(value.slice(open, open + 8))) return undefined;
  SPACED_PROSE_CALL.lastIndex = lastNameChar(value, open);
  if (SPACED_PROSE_CALL.test(value)) return undefined;
  return { score: 0.85, label: "dangerous function call", index: match.index, mention: true };
}

/** Index of the last non-space character before `open` (the end of the function name when only spaces separate them). */
function lastNameChar(value: string, open: number): number {
  let i = open - 1;
  while (i > 0 && /\s/.test(value.charAt(i))) i--;
  return i;
}
