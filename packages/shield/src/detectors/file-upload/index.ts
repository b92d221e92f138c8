/**
 * Unrestricted file upload (CRS 933110, 933111, 933220, 944140, 932180): the
 * name a client gives an uploaded file — a multipart part's `filename`, an
 * `X-Filename` header, a `filename` field — when the name makes the file run
 * or reconfigure the server once it lands in a directory a web server serves:
 * a server-page script (`shell.php`, `a.jsp`, `x.aspx`), the same behind a
 * second extension Apache still honours (`x.php.jpg`), a per-directory config
 * (`.htaccess`, `.user.ini`, `web.config`), a PHP session file (`sess_…`,
 * planted to fixate or forge a session), or a file whose place is a secret's
 * (`.env`, `authorized_keys`, `.boto`). Names are read as servers and
 * filesystems read them: trailing dots and spaces dropped (Windows does), a
 * space around the dot ignored (`photo. php`). A Node app may never execute
 * what it stores, but the directory is often served by something that does.
 */
import { headerKey } from "../../inspect/headers.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";

/** Headers that carry an upload's file name. */
const NAME_HEADERS = new Set(["x-filename", "x-file-name", "x-original-filename"]);
const HEADER_PREFIX = "header.";

/** Server-page extensions: PHP (`php` with any version digits, and every other handler Apache's php config maps), JSP, ASP/ASP.NET, ColdFusion, SSI. */
const SCRIPT_EXTENSIONS =
  /^(?:php\d{0,3}|phtml|pht|phps|phpt|phar|pgif|jsp|jspx|jspf|jsw|jsv|asp|aspx|ashx|asmx|asa|cer|axd|cfm|cfml|cfc|shtml|shtm|stm)$/;
/** Files that reconfigure the directory they land in. */
const CONFIG_FILES = new Set([".htaccess", ".htpasswd", ".user.ini", "web.config", "php.ini"]);
/** Files whose place is a credential's or a shell's start-up: overwriting one hands over an account. */
const SECRET_FILES = new Set([
  ".env",
  ".boto",
  ".bashrc",
  ".bash_profile",
  ".profile",
  ".netrc",
  ".npmrc",
  ".pgpass",
  "authorized_keys",
  "id_rsa",
  "id_ed25519",
  ".git-credentials",
]);
/** A PHP session file: `sess_` and the session id (PHP's default save handler's naming). */
const SESSION_FILE = /^sess_[a-z0-9,-]{20,}$/i;
/** Bound on the name read: a file name longer than this is not one a filesystem accepts anyway. */
const MAX_NAME = 512;

function isUploadName(candidate: Candidate): boolean {
  // headerKey: CGI and PHP read `X_Filename` and `X.Filename` as `X-Filename`.
  if (candidate.kind === "header") return NAME_HEADERS.has(headerKey(candidate.location.slice(HEADER_PREFIX.length)));
  const name = candidate.name;
  // The length first: nearly every field is named otherwise, and lower-casing each name would cost every value.
  return candidate.kind === "body" && name !== undefined && name.length === 8 && name.toLowerCase() === "filename";
}

/** The last path segment, as a filesystem stores it: trailing dots, spaces and NULs dropped, spaces beside dots removed. */
function storedName(value: string): string {
  const cut = value.slice(0, MAX_NAME);
  const base = cut.slice(Math.max(cut.lastIndexOf("/"), cut.lastIndexOf("\\")) + 1);
  let end = base.length;
  while (end > 0 && isDroppedAtEnd(base.charCodeAt(end - 1))) end--;
  // One pass, no regex: spaces on either side of each dot go (`photo. php` is stored by IIS as `photo.php`).
  let name = "";
  let i = 0;
  while (i < end) {
    if (!isSpace(base.charCodeAt(i))) {
      name += base[i];
      i++;
      continue;
    }
    let run = i;
    while (run < end && isSpace(base.charCodeAt(run))) run++;
    if (base.charCodeAt(run) !== 46 && !name.endsWith(".")) name += base.slice(i, run);
    i = run;
  }
  return name.toLowerCase();
}

function isDroppedAtEnd(c: number): boolean {
  return c === 46 || c === 0 || isSpace(c);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function detectFileUpload(candidate: Candidate): Finding | undefined {
  if (!isUploadName(candidate)) return undefined;
  const name = storedName(candidate.canonical);
  if (name === "") return undefined;
  const found = judge(name);
  return found === undefined ? undefined : { class: "file-upload", score: found.score, evidence: evidenceOf(found.label, name) };
}

function judge(name: string): { score: number; label: string } | undefined {
  if (CONFIG_FILES.has(name)) return { score: 0.9, label: "server configuration file upload" };
  if (SECRET_FILES.has(name)) return { score: 0.8, label: "upload over a credential or start-up file" };
  if (SESSION_FILE.test(name)) return { score: 0.85, label: "php session file upload" };
  const parts = name.split(".");
  if (parts.length < 2) return undefined;
  if (SCRIPT_EXTENSIONS.test(parts[parts.length - 1] as string)) return { score: 0.85, label: "server script upload" };
  // `x.php.jpg`: Apache's AddHandler runs a file whose any extension is mapped to PHP.
  if (parts.slice(1, -1).some((part) => SCRIPT_EXTENSIONS.test(part)))
    return { score: 0.8, label: "server script upload behind a second extension" };
  return undefined;
}

export const fileUploadDetector: Detector = { class: "file-upload", detect: detectFileUpload };
