/**
 * Path traversal and local file inclusion: a value that climbs out of a
 * directory (`../`, `..\`, `..;/` for Tomcat) or names a file no request
 * should (`/etc/passwd`, `win.ini`, `/proc/self/environ`), or uses a
 * file-reading scheme (`file://`, `php://filter`).
 */

import { looksBinary } from "../../inspect/content-kind.js";
import { BACKSLASH, BRACE, COLON, DOT, EQUALS, PLUS, SLASH } from "../char-classes.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS, LOOKUP_COMMANDS, RUNTIMES, WRAPPERS } from "../cmdi/commands.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { isUncProgram, namesDatabaseDump, namesServerFile } from "./server-files.js";

/** Files and directories whose names are, on their own, a reason to refuse a request. */
const SENSITIVE_FILE =
  /(?:^|[/=:])(?:etc\/(?:passwd|shadow|group|hosts|hostname|issue|motd|crontab|sudoers|fstab|mtab|profile|bashrc|resolv\.conf|network|apache2?|httpd|nginx|mysql|php|ssh|ssl|security|sysconfig|init\.d|rc\.d|x11|default|opt|inetd|master\.passwd|pwd\.db|spwd\.db|aliases|exports|ftpusers|my\.cnf|ld\.so)|proc\/(?:self|\d+|version|cmdline|mounts|net|sched_debug|cpuinfo|meminfo)|sys\/(?:class|kernel|devices|module|block|bus|firmware|power|fs)|var\/(?:log|lib|www|mail|spool|run|adm|db|backups)|root\/|home\/[^/]+\/\.|usr\/local\/(?:apache|etc|lib|bin)|dev\/(?:null|tcp|udp|zero|random|stdin|fd)|boot\.ini|win\.ini|system\.ini|windows\/(?:repair|panther|debug|syswow64|microsoft\.net)\/|winnt\/|inetpub\/|system32\/|boot\/grub|\.ssh\/|\.aws\/|\.git\/|\.svn\/|\.htaccess|\.htpasswd|\.bash_history|\.env(?:$|[.?/])|web\.config|web-inf\/|meta-inf\/|wp-config\.php|id_rsa|id_dsa|authorized_keys|known_hosts)/;

/**
 * A Windows drive path into the system: `c:/windows`, or drive-relative `c:windows` (backslashes are folded to
 * slashes first). `C:\Users\alice\Documents` and `C:\Program Files\App` are what a settings form holds; they
 * count only behind a `/`, as a URL path (`/C:\Program Files\`) that asks the server for its own disk.
 */
const DRIVE =
  /(?:^|[\s"'=])[a-z]:\/?(?:windows|winnt|boot|inetpub|xampp|wamp|appserv|apache|php|mysql|system|autoexec|boot\.ini)|^\/[a-z]:\/(?:program|users|documents)/;

/** A value that is itself an absolute path into a system directory: `/etc/make.conf`, `/opt/lampp/logs/access_log`. */
const SYSTEM_PATH =
  /^\/(?:etc|usr|opt|var|proc|sys|root|bin|sbin|lib|lib64|dev|boot|mnt|srv|private\/(?:etc|var)|volumes|applications\/[^/]+\/contents)\/[^\s]/;

/** Files servers keep secrets or logs in, by extension or name. */
const SERVER_FILE =
  /\.(?:php\d?|phtml|asp|aspx|jsp|ini|conf|cnf|config|cfg|log|env|sql|bak|old|swp|yml|yaml|properties|htaccess|htpasswd|sh|pl|cgi|db|sqlite|key|pem|crt|passwd|xml|json|inc)(?:$|[?#\s])|(?:^|\/)(?:\.[a-z][\w.-]*|[\w-]*_log)$/;

/**
 * Hidden files and directories (`/.git/`, `/.env`, `/.cshrc`), except the public `/.well-known/` and the
 * directories platforms route requests through: Netlify's `/.netlify/functions/`, Azure App Service's
 * authentication at `/.auth/login/…`, Vite's prebundled dependencies at `/node_modules/.vite/deps/` (an
 * Express app serving Vite in middleware mode).
 */
const HIDDEN_ENTRY = /(?:^|\/)\.(?!(?:well-known|netlify|auth|vite)(?:[/?#]|$))[a-z_][\w.-]*/;

/**
 * Slashes stripped by a filter but dots left: `....web-inf/web.xml`, `........etcpasswd`.
 * The run is checked behind the name (four dots), not matched ahead of it: `\.{4,}name` retried
 * at every dot of a long run that names nothing was quadratic.
 */
const DOT_RUN_TARGET = /(?<=\.{4})(?:etc|web-inf|windows|winnt|boot|proc|var|usr)/;

/** A folded path whose first segment is `..`: `/../`, `/..` (separators already folded and collapsed). */
const ROOT_CLIMB = /^\/\.\.(?:\/|$)/;

/** `boot.ini`, `config.php`, and dot-files named alone (`.htaccess`). */
const BARE_SERVER_FILE = /^[\w.-]{0,64}\.(?:ini|conf|cnf|config|htaccess|htpasswd|php\d?|asp|aspx|jsp|log|env|sql|bak|inc|passwd)$/i;

/**
 * `/..;/`, `..;jsessionid=x/`: a climb with a path parameter, which Tomcat
 * strips before it resolves the segment (Orange Tsai, "Breaking Parser
 * Logic"), so a proxy that blocks `/../` lets it through. No link is written
 * that way. Run on the folded path (backslashes are slashes): linear.
 */
const PARAMETER_CLIMB = /(?:^|\/)\.\.;[^/]*\//;

/**
 * `../{FILE}`, `....//{file}`, `.//..//{FILE}`: a fuzzer's traversal template
 * sent with its slot unfilled (Intruder lists name the target `{FILE}`).
 * Nothing but dots and separators, with a climb, a doubled separator or `./`
 * repeated, then the slot. An app's own templates (`/users/{id}`) have words
 * in the path; a relative link template (`../{slug}`) is the one benign shape
 * this also matches, rare enough in a request that a scanner's probe wins.
 * Run on foldSeparators' output (runs of slashes kept), at most MAX_TEMPLATE long.
 */
const UNFILLED_TEMPLATE = /^(?=[./]{0,200}(?:\.\.|\/\/|\.\/\.\/))[./]{2,200}\{[a-z_]{1,20}\}$/;
const MAX_TEMPLATE = 224;

/** A base64 value that decodes to a climb: `Li4vLi4v` is `../../`. */
const BASE64 = /^[a-z0-9+/]{8,}={0,2}$/i;

/** Decoded base64 that is text, not the bytes of a token or an image. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/** Parameter names that usually carry a file or path, where even one `../` is an attack (`dir`, not `redirect`). */
const FILE_PARAM = /(?:file|path|dir(?!ect)|folder|page|template|include|inc|doc|download|load|read|view|name|src|resource|lang)/i;

/** Matched after slashes are collapsed, so `file://` reads as `file:/`. */
const FILE_SCHEME =
  /(?:^|[^a-z])(?:file:\/|php:\/(?:filter|input|fd|memory|temp)|phar:\/|zip:\/|expect:\/|data:\/|glob:\/|jar:file:|netdoc:\/|local_file:\/)/;

export const traversalDetector: Detector = {
  class: "traversal",
  // A path, a drive, a dotted file name, or base64 (which without "/" still has "+" or "=" or is letters only);
  // or separators spelled in hex, which may come with a template's braces (`0x2e0x2e0x2f{FILE}`).
  needs: SLASH | BACKSLASH | COLON | DOT | PLUS | EQUALS | BRACE,
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const pathLike =
      value.indexOf("/") !== -1 ||
      value.indexOf("\\") !== -1 ||
      value.indexOf(":") !== -1 ||
      value.indexOf("..") !== -1 ||
      spellsSeparators(value);
    if (!pathLike) {
      // Prose has dots too; only a bare server file name (`boot.ini`, `config.php`) is worth the full check.
      const bareFile = value.indexOf(".") !== -1 && (BARE_SERVER_FILE.test(value) || namesDatabaseDump(value.toLowerCase()));
      if (!bareFile && (value.length < 8 || !BASE64.test(value))) return undefined;
    }
    const path = foldPath(value);
    const verdict = judgePath(path, value, candidate);
    if (verdict || !BASE64.test(value) || value.length % 4 !== 0) return verdict;
    const text = decodedPathText(Buffer.from(value, "base64").toString("latin1"));
    if (text === undefined) return undefined;
    const decoded = foldPath(text);
    const climbs = countClimbs(decoded);
    if (climbs >= 2 || (climbs > 0 && SENSITIVE_FILE.test(decoded))) return finding(0.85, "base64-encoded climb", decoded);
    // `L2V0Yy9wYXNzd2Q=` is `/etc/passwd`: for an app that decodes a file parameter before opening it.
    if (!PRINTABLE.test(decoded)) return undefined;
    const file = SENSITIVE_FILE.exec(decoded);
    const named = (file !== null && file.index === 0) || (isAbsolute(decoded) && namesServerFile(decoded));
    return named ? finding(0.85, "base64-encoded sensitive file", decoded) : undefined;
  },
};

/**
 * The text of decoded base64 that may name a path, or undefined for a file's bytes (an icon, an image sent as
 * base64), which hold `../` by chance. What comes before a NUL is read on its own: an API that stops at the NUL
 * opens that path whatever bytes follow it (`../../etc/passwd\0` and then binary padding).
 */
function decodedPathText(bytes: string): string | undefined {
  const nul = bytes.indexOf("\0");
  if (nul > 0 && !looksBinary(bytes.slice(0, nul))) return bytes.slice(0, nul);
  return looksBinary(bytes) ? undefined : bytes;
}

function judgePath(path: string, value: string, candidate: Candidate): Finding | undefined {
  const climbs = countClimbs(path);
  const file = SENSITIVE_FILE.exec(path);
  if (climbs > 0 && file) return finding(0.98, "climb to sensitive file", path);
  const scheme = FILE_SCHEME.exec(path);
  if (scheme) return finding(0.9, "file-reading scheme", scheme[0]);
  if (climbs >= 2) return finding(0.92, `climbs ${climbs} directories`, path);
  const repeated = REPEATED_CLIMB.exec(path);
  if (repeated) return finding(0.85, "climb repeated with an unusual separator", path.slice(repeated.index));
  if (climbs === 1 && SERVER_FILE.test(path)) return finding(0.85, "climb to a server file", path);
  // An http(s) URL's `a/../b` is resolved by the URL parser inside the URL; it reaches no file.
  if (
    climbs === 1 &&
    candidate.kind !== "path" &&
    candidate.name !== undefined &&
    FILE_PARAM.test(candidate.name) &&
    !/^https?:\//.test(path)
  )
    return finding(0.85, "climb in a file parameter", path);
  if (file && startsLikePath(path, file.index) && !namedInSentence(path, file.index)) return finding(0.85, "sensitive file", file[0]);
  if (candidate.kind !== "path" && isAbsolute(path) && namesServerFile(path))
    return finding(0.85, "server configuration or log file", path);
  if (namesDatabaseDump(path)) return finding(0.8, "database dump archive", path);
  if (isUncProgram(value)) return finding(0.85, "UNC path to a program on another host", value);
  const drive = DRIVE.exec(path);
  if (drive) return finding(0.85, "windows system path", drive[0]);
  // `/lib/**/*` is a glob (package.json's `files`, a build config): open() reads no such file, and a shell that
  // would expand it is the command-injection detector's to judge.
  if (SYSTEM_PATH.test(path) && path.indexOf("*") === -1) return finding(0.8, "system path", path);
  const dots = DOT_RUN_TARGET.exec(path);
  if (dots) return finding(0.8, "dot run to a system file", `....${dots[0]}`);
  const hidden = HIDDEN_ENTRY.exec(path);
  // From a root written with `/` or the home directory (`~/.bashrc`): `\b\w+\.com` is a regex, whose `\.` folds to `/.` too.
  if (hidden && (candidate.kind === "path" || value.startsWith("/") || value.startsWith("~/")) && hidden[0].length > 2)
    return finding(0.75, "hidden file", hidden[0]);
  if (/^\/[a-z]:\//.test(path)) return finding(0.75, "windows drive path", path);
  if (climbs === 1 && path.indexOf("..;") !== -1 && PARAMETER_CLIMB.test(path)) return finding(0.8, "climb through a path parameter", path);
  if (path.endsWith("}") && value.length <= MAX_TEMPLATE && UNFILLED_TEMPLATE.test(foldSeparators(value)))
    return finding(0.8, "traversal template with its slot unfilled", path);
  // `/../x`, `/\..%2f`: above the root there is nothing to climb to, so no link is written so; it gets past a check
  // that the value starts with `/`, or a prefix the app joins it to.
  if (climbs === 1 && ROOT_CLIMB.test(path) && startsWithSeparator(value)) return finding(0.85, "climb above the root", path);
  // One `../` is also how relative links look; it is suspicious, not conclusive.
  if (climbs === 1) return finding(candidate.kind === "path" ? 0.8 : 0.6, "climbs a directory", path);
  if (file || (SERVER_FILE.test(path) && path.indexOf("/") !== -1 && candidate.kind !== "path"))
    return finding(0.6, "names a server file", path);
  return undefined;
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "traversal", score, evidence: evidenceOf(label, excerpt) };
}

/**
 * Lowercase, backslashes as slashes (Windows and IIS accept both), runs of
 * slashes collapsed. `0x2e` and `%2e` spelled out are folded too: some
 * decoders accept them.
 */
function foldPath(value: string): string {
  let out = foldSeparators(value);
  // `..2fetc2fpasswd`: a filter stripped the `%` of each `%2f`; the climb gives the rest away.
  if (out.indexOf("..2f") !== -1 || out.indexOf("..5c") !== -1) out = out.replace(/2f|5c/g, "/");
  if (out.indexOf("//") !== -1) out = out.replace(/\/{2,}/g, "/");
  return out;
}

/**
 * `0x2e0x2e0x2fetc0x2fpasswd`, `0x2e0x2e0x2f{FILE}`: dots and separators spelled in hex, which foldSeparators
 * reads as `../`. Only in a value of nothing but letters, digits and braces (no character class but BRACE): with any other character the
 * value either holds a real separator or is not this probe (and the scan, which runs this detector on
 * values with `needs`' characters or none, would skip it).
 */
function spellsSeparators(value: string): boolean {
  return HEX_SPELLED_ONLY.test(value) && SPELLED_SEPARATOR.test(value);
}

const HEX_SPELLED_ONLY = /^[a-z0-9{}]+$/i;
const SPELLED_SEPARATOR = /0x(?:2e|2f|5c)/i;

/**
 * Lowercase with backslashes as slashes, `0x2e`/`0x2f` spelled out folded too, but runs of slashes kept. Also the
 * separators only a lenient decoder sees (exoticSeparators).
 */
function foldSeparators(value: string): string {
  let out = value.toLowerCase();
  if (out.indexOf("\\") !== -1) out = out.replaceAll("\\", "/");
  if (out.indexOf("0x2") !== -1 || out.indexOf("0x5c") !== -1) out = out.replace(/0x2e/g, ".").replace(/0x2f|0x5c/g, "/");
  return exoticSeparators(out);
}

/**
 * U+EFC8 and U+F025: private-use code points that traversal fuzzers (fuzzdb, dotdotpwn) send as `..%uEFC8`,
 * `..%uF025` for IIS, whose `%u` decoding and Windows' best-fit conversion of code points to the system code page
 * have turned look-alikes into separators (the look-alikes Unicode defines, U+2215, U+2216, U+FF0F, are folded by
 * canonicalize). Private-use characters are not text: icon fonts put glyphs there (Font Awesome's U+F025), which
 * is why they are read as separators here, in a path, and not in canonicalize for every detector.
 */
const PRIVATE_USE_SEPARATORS = /[\uefc8\uf025]/g;

/**
 * `..%c0%5c`: a lead byte `%c0`/`%c1` that begins only overlong forms, left as written by canonicalize because the
 * byte after it is no continuation. A decoder that drops the invalid byte reads `..\`. Only right before a
 * separator or a dot, where dropping it makes a climb.
 */
const DROPPED_OVERLONG_LEAD = /%c[01](?=[/.])/g;

function exoticSeparators(folded: string): string {
  let out = folded;
  if (out.indexOf("\uefc8") !== -1 || out.indexOf("\uf025") !== -1) out = out.replace(PRIVATE_USE_SEPARATORS, "/");
  if (out.indexOf("%c") !== -1) out = out.replace(DROPPED_OVERLONG_LEAD, "");
  return out;
}

/**
 * `..;..;..;`, `..*..*..*`, `..|..|..|`: `..` and the same separator three times, from the start of the value or a
 * segment. Whatever the character, that is a climb written for a parser that splits on it (fuzzers cycle through
 * them); prose pauses with spaces ("wait.. what.. ok") and ranges join digits or names (`1..2..3`, `a..b`).
 * Fixed width after the first `..`: linear.
 */
const REPEATED_CLIMB = /(?:^|[/=])\.\.([^\p{L}\p{N}.\s])\.\.\1\.\.\1/u;

/** The value itself opens with `/` or `\\`, not with text a fold turned into one (`2f2f..2f`). */
function startsWithSeparator(value: string): boolean {
  const c = value.charCodeAt(0);
  return c === 47 || c === 92;
}

/** `/x`, `c:/x`: a path from a root, not relative to the page that links it. */
function isAbsolute(path: string): boolean {
  return path.charCodeAt(0) === 47 || /^[a-z]:\//.test(path);
}

/** `..` (or more dots: `....//` survives naive `../` stripping) used as a path segment. */
function countClimbs(path: string): number {
  let count = 0;
  let i = path.indexOf("..");
  while (i !== -1) {
    let end = i;
    while (path.charCodeAt(end) === 46) end++;
    const before = i === 0 ? 47 : path.charCodeAt(i - 1);
    const after = end >= path.length ? 47 : path.charCodeAt(end);
    // Separators: "/", ";" (Tomcat path parameters), and "2f" left over from a half-decoded `..2f`.
    const boundedBefore = before === 47 || before === 59 || before === 61 || i === 0;
    // A "%" that survived every decode after `/..` is a separator encoded once more than the app decodes (`/..%`).
    const leftoverPercent = after === 37 && before === 47;
    const boundedAfter = after === 47 || after === 59 || leftoverPercent || (after === 50 && (path.charCodeAt(end + 1) | 32) === 102);
    if (boundedBefore && boundedAfter) count++;
    // `/img../etc/passwd` (an alias that lacks its slash) climbs from inside a name; "see you soon..." ends a sentence:
    // the end of the value stands for a separator only after one.
    else if (boundedAfter && before !== 46 && end < path.length) count++;
    i = path.indexOf("..", end);
  }
  return count;
}

/** A word of prose: letters, maybe a contraction (`i've`), maybe the punctuation that ends a clause. */
const PROSE_WORD = /^\p{L}+(?:['’]\p{L}+)?[,.:!?]?$/u;

/** What a shell reads as more than words: a value holding any of these is not judged as a sentence. */
const SHELL_MARKS = /[;|&$`<>(){}\\]/;

/**
 * "I edited /etc/hosts to point app.local here", "the logs are in /var/log/app.log": a system file a sentence
 * talks about, after at least two words of prose and none that runs it. No API opens a path from inside a
 * sentence. A path that starts the value, follows `=` or a quote, or comes after a command (`cat /etc/passwd`,
 * `please cat /etc/passwd`), a flag (`tail -f /var/log/syslog`) or shell syntax is still a file named.
 */
function namedInSentence(path: string, index: number): boolean {
  if (index < 4 || path.charCodeAt(index) !== 47 || !isSpaceLike(path.charCodeAt(index - 1)) || SHELL_MARKS.test(path)) return false;
  const words = path.slice(0, index).trim().split(/\s+/);
  if (words.length < 2 || !words.every((word) => PROSE_WORD.test(word))) return false;
  const last = (words[words.length - 1] as string).replace(/[,.:!?]$/, "");
  return !RUNS_A_FILE.has(last);
}

function isSpaceLike(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Words that, right before a path, run a command on it. */
const RUNS_A_FILE: ReadonlySet<string> = new Set([...DISTINCT_COMMANDS, ...COMMON_COMMANDS, ...WRAPPERS, ...LOOKUP_COMMANDS, ...RUNTIMES]);

function startsLikePath(path: string, index: number): boolean {
  return index === 0 || path.charCodeAt(index) === 47 || path.charCodeAt(index - 1) === 47 || path.charCodeAt(index) === 61;
}
