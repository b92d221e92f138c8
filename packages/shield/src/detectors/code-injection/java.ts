/**
 * Java deserialization and expression-language injection (OWASP CRS 944):
 * a request that names a gadget class, carries a serialized object, or
 * smuggles an OGNL/SpEL expression is aimed at a Java back end (or at a Java
 * service the Node app forwards to). Matched as Java grammar: a dotted class
 * path under a JDK root, a serialization stream header, an `@Class@method`
 * OGNL static call, never the bare English words "runtime" or "process".
 */
import { SERIALIZED_FORMS } from "./base64-code.js";
import type { CodeSignal } from "./signal.js";

/**
 * A dotted class path under a root that only Java code uses. Each repetition
 * starts with a dot, so the match is linear.
 */
const CLASS_PATH =
  /\b(?:java|javax|jdk|sun|org\.omg|com\.sun|com\.opensymphony|org\.apache\.commons\.collections\d?|org\.springframework|com\.bea|org\.codehaus\.groovy|ognl|bsh)(?:\.[a-z_$][\w$]{0,63}){1,12}/gi;

/** Class or package names whose presence means code execution, loading or lookup (CVE-2015-7501, Struts2 OGNL, JNDI). */
const DANGEROUS_SEGMENTS = new Set([
  "runtime",
  "processbuilder",
  "processimpl",
  "unixprocess",
  "scriptenginemanager",
  "script",
  "classloader",
  "urlclassloader",
  "reflect",
  "method",
  "invoke",
  "templatesimpl",
  "jdbcrowsetimpl",
  "initialcontext",
  "naming",
  "xwork2",
  "ognlcontext",
  "memberaccess",
  "objectinputstream",
  "xmldecoder",
  "getruntime",
]);

/**
 * Apache Commons Collections gadget classes (the ysoserial CommonsCollections
 * chains, with `BadAttributeValueExpException`, the JDK class CommonsCollections5
 * enters by): no application has a reason to send these names. `forclosure` is
 * also a misspelling of "foreclosure", so it counts only beside Runtime or
 * ProcessBuilder.
 */
const GADGET =
  /\b(?:invoker|instantiate|chained|constant|clone)transformer\b|\b(?:instantiate|prototypeclone|prototypeserialization)factory\b|\bwhileclosure\b|\bbadattributevalueexpexception\b/i;
const FOR_CLOSURE = /\bforclosure\b/i;
const EXECUTION_CLASS = /\b(?:runtime|processbuilder)\b/i;

/**
 * Java serialization stream magic 0xACED0005 in hex; base64-encoded at each
 * of the three byte alignments, it is base64-code.ts's SERIALIZED_FORMS
 * (`rO0AB`, `KztAA`, `Cs7QA`). Case matters: base64 is case-sensitive, which
 * keeps chance matches in random text rare.
 */
const SERIALIZED_HEX = "aced0005";

/** `Runtime.getRuntime().exec(` and `Class.forName(` reflection, spelled as calls. */
const REFLECTIVE_CALL =
  /\bgetruntime\s{0,8}\(\s{0,8}\)\s{0,8}\.\s{0,8}exec\s{0,8}\(|\bclass\s{0,8}\.\s{0,8}forname\s{0,8}\(|\.getclass\s{0,8}\(\s{0,8}\)\s{0,8}\.\s{0,8}forname\s{0,8}\(/i;

/** Spring4Shell (CVE-2022-22965) and Struts ClassLoader manipulation: a property path through `class.classLoader`. */
const CLASS_LOADER_PATH =
  /\bclass\s{0,4}\.\s{0,4}(?:module\s{0,4}\.\s{0,4})?classloader\b|\[\s{0,4}['"]?class['"]?\s{0,4}\]\s{0,4}\[\s{0,4}['"]?classloader/i;

/**
 * OGNL / SpEL / EL expressions that reach Java: `%{#context…}`, `${#rt=…}`,
 * `#{T(java.lang.Runtime)}`, `@java.lang.Runtime@getRuntime()`. A `#name`
 * variable, an `@Class@member` static reference or a `T(type)` inside an
 * expression block is EL grammar, not a template placeholder.
 */
const EXPRESSION = /[%$#]\{[^{}]{0,200}?(?:#[a-z_]\w{0,40}|@[a-z_][\w.]{0,80}@|\bT\s{0,4}\(\s{0,4}[a-z_][\w.]{0,80}\))/i;
const OGNL_STATIC = /@(?:java|javax|ognl|com|org)\.[\w.]{1,120}@[a-z_]\w{0,40}/i;

/**
 * `holdsBase64Form`: false when base64-code.ts's `mayHoldBase64Code` found
 * no form in the value, so the serialization header can only be in hex.
 */
export function javaSignal(value: string, holdsBase64Form = true): CodeSignal | undefined {
  const serialized = serializedAt(value, holdsBase64Form);
  if (serialized !== -1) return { score: 0.9, label: "java serialized object", index: serialized };
  const ognlStatic = value.indexOf("@") === -1 ? null : OGNL_STATIC.exec(value);
  if (ognlStatic) return { score: 0.9, label: "java expression language", index: ognlStatic.index };
  if (!hasJavaHint(value)) return undefined;
  const reflective = REFLECTIVE_CALL.exec(value);
  if (reflective) return { score: 0.95, label: "java reflection call", index: reflective.index };
  const loader = CLASS_LOADER_PATH.exec(value);
  if (loader) return { score: 0.9, label: "class loader property path", index: loader.index };
  const ognl = EXPRESSION.exec(value);
  if (ognl) return { score: 0.9, label: "java expression language", index: ognl.index };
  const gadget = GADGET.exec(value);
  if (gadget) return { score: 0.85, label: "deserialization gadget", index: gadget.index, mention: true };
  if (FOR_CLOSURE.test(value) && EXECUTION_CLASS.test(value))
    return { score: 0.85, label: "deserialization gadget", index: value.search(FOR_CLOSURE), mention: true };
  return classPathSignal(value);
}

/** Package prefixes that exist only to be abused in gadget chains or EL injection (internal Xalan, JNDI, Struts/OGNL, BeanShell). */
const GADGET_PACKAGES = [
  "com.sun.org.apache",
  "com.sun.rowset",
  "com.sun.jndi",
  "org.apache.commons.collections",
  "com.opensymphony",
  "ognl.",
  "bsh.",
];

/**
 * The strongest Java class path in the value: a dangerous one, or any
 * JDK-rooted class (a type hint for a polymorphic deserializer such as
 * Jackson's `@class` or fastjson's `@type`). A class is told from a domain
 * name (`java.sun.com`) by Java's naming convention: an upper-case segment.
 */
function classPathSignal(value: string): CodeSignal | undefined {
  let best: CodeSignal | undefined;
  CLASS_PATH.lastIndex = 0;
  for (let match = CLASS_PATH.exec(value); match !== null; match = CLASS_PATH.exec(value)) {
    const path = match[0];
    const lower = path.toLowerCase();
    const segments = lower.split(".");
    if (segments.some((s) => DANGEROUS_SEGMENTS.has(s))) return { score: 0.9, label: "java class path", index: match.index, mention: true };
    if (GADGET_PACKAGES.some((prefix) => lower.startsWith(prefix)))
      return { score: 0.85, label: "java gadget package", index: match.index, mention: true };
    if (JDK_ROOTS.has(segments[0] as string) && hasClassSegment(path) && !isLoggedClass(value, path, CLASS_PATH.lastIndex))
      best ??= { score: 0.75, label: "java class path", index: match.index, mention: true };
  }
  return best;
}

const JDK_ROOTS = new Set(["java", "javax", "jdk", "sun", "org"]);

/** A throwable's class name: `IOException`, `OutOfMemoryError`. */
const THROWABLE_NAME = /(?:exception|error)$/i;
/** What a stack frame prints after the method: `(ThreadPoolExecutor.java:1136)`, `(Native Method)`. */
const FRAME_SOURCE = /^\((?:[\w$]{1,64}\.java:\d{1,6}|Native Method|Unknown Source)\)/;

/**
 * A class named the way a log or a stack trace prints it, pasted into a support ticket or an error report:
 * an exception type (`java.io.IOException: Broken pipe`) or a frame (`at java.lang.Thread.run(Thread.java:833)`).
 * A polymorphic type hint names a class to build, and no gadget chain builds a throwable or a stack frame
 * (gadget classes and dangerous segments are judged before, whatever their name).
 */
function isLoggedClass(value: string, path: string, end: number): boolean {
  return THROWABLE_NAME.test(path) || FRAME_SOURCE.test(value.slice(end, end + 80));
}

function hasClassSegment(path: string): boolean {
  for (let i = path.indexOf(".") + 1; i > 0 && i < path.length; i = path.indexOf(".", i) + 1) {
    const c = path.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** Where a serialization header starts a base64 or hex run, or -1 (the base64 forms first, when the value may hold one). */
function serializedAt(value: string, holdsBase64Form: boolean): number {
  if (holdsBase64Form)
    for (const form of SERIALIZED_FORMS) {
      const at = runStartAt(value, value.indexOf(form));
      if (at !== -1) return at;
    }
  return runStartAt(value, value.indexOf(SERIALIZED_HEX));
}

/** `at`, when a run starts there (not in the middle of base64 text), or -1. */
function runStartAt(value: string, at: number): number {
  return at !== -1 && (at === 0 || !isBase64Char(value.charCodeAt(at - 1))) ? at : -1;
}

function isBase64Char(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47;
}

/**
 * Every other Java signal needs a dot after a Java word, an expression block,
 * an `@`, or a gadget name; checking that with indexOf first keeps long benign
 * values (a 10 KB JSON string) away from the case-insensitive regexes.
 */
const HINT_WORDS = /transformer|factory|closure/i;
const CLASS_LOADER_WORD = /classloader/i;

function hasJavaHint(value: string): boolean {
  if (value.indexOf("{") !== -1 && (value.indexOf("#") !== -1 || value.indexOf("T(") !== -1)) return true;
  if (value.indexOf("[") !== -1 && CLASS_LOADER_WORD.test(value)) return true;
  for (let dot = value.indexOf("."); dot !== -1; dot = value.indexOf(".", dot + 1)) {
    let start = dot;
    while (start > 0 && dot - start < 16 && isWordChar(value.charCodeAt(start - 1))) start--;
    if (JAVA_WORDS.has(value.slice(start, dot).toLowerCase())) return true;
  }
  return HINT_WORDS.test(value);
}

const JAVA_WORDS = new Set([...JDK_ROOTS, "com", "omg", "ognl", "bsh", "class", "runtime", "processbuilder", "getruntime", "getclass"]);

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
