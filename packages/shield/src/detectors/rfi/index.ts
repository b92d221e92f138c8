/**
 * Remote file inclusion: a parameter that an app passes to `include`,
 * `require` or a template loader, given the URL of code on the attacker's
 * server (OWASP CRS 931100-931120). A link in a parameter is ordinary
 * (`redirect_uri`, `callback`, `avatarUrl`), so a plain external URL is never
 * a finding here (CRS reserves "any off-site URL", 931130, for paranoia
 * level 2). What is scored are the marks of an include payload:
 *
 * - a URL that ends in a bare `?` or `#`, or is cut by a NUL, to drop the
 *   `.php` the app appends (`http://evil.example/shell.txt?`);
 * - a raw IP address as the host: throwaway attack servers have no name,
 *   and nobody links a real page that way;
 * - a path naming a server script or a text file of code (`shell.txt`, `c99.php`);
 * - a parameter named like an include path (`page`, `template`), or a known
 *   vulnerable PHP global (`mosConfig_absolute_path`).
 *
 * Internal hosts are left to the SSRF detector.
 */
import { percentDecodeRounds } from "../../canonicalize.js";
import { COLON, classesOf } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import { higherScore } from "../score.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { isIncludeName, isVulnerableGlobal } from "./include-names.js";
import { remoteUrls } from "./url-shape.js";

/** Extensions of code a PHP, ASP, Java or CGI server would run, or that an include would execute as PHP. */
const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([
  "php",
  "php3",
  "php4",
  "php5",
  "php7",
  "phtml",
  "inc",
  "asp",
  "aspx",
  "jsp",
  "cgi",
  "pl",
  "sh",
]);

/**
 * Scores, against the thresholds (low 0.9, medium 0.7, high 0.5). Two marks
 * together block at medium; one mark alone that real links also show (a
 * `.php` page, a `page` parameter) only at high.
 */
const SCORES = {
  /** `http://1.2.3.4/x.php`, `http://evil/shell.txt?`, `http://1.2.3.4/?`. */
  strong: 0.9,
  /** A vulnerable global's name with any URL, or a cutter on a bare host (`https://evil.example?`). */
  likely: 0.85,
  /** A raw public IP as host with nothing else: CRS 931100 blocks it at paranoia level 1. */
  rawIp: 0.72,
  /** One weak mark: a `.php` page, an include-like name, a cutter after an ordinary path. */
  weak: 0.55,
} as const;

export const rfiDetector: Detector = {
  class: "rfi",
  needs: COLON,
  detect(candidate: Candidate): Finding | undefined {
    // Headers and the path are not include arguments; Referer is full of URLs.
    if (candidate.kind !== "query" && candidate.kind !== "body") return undefined;
    if ((classesOf(candidate) & COLON) === 0) return undefined;
    if (candidate.canonical.indexOf("://") === -1) return undefined;
    const value = candidate.canonical.trim();
    let best = judgeUrls(value, candidate);
    if ((best?.score ?? 0) < SCORES.strong) {
      const truncated = nulTruncated(candidate.raw);
      if (truncated !== undefined) best = higherScore(best, judgeNulCut(truncated));
    }
    return best;
  },
};

function judgeUrls(value: string, candidate: Candidate): Finding | undefined {
  const urls = remoteUrls(value);
  let best: Finding | undefined;
  const includeName = isIncludeName(candidate.name);
  const vulnerableGlobal = urls.length > 0 && isVulnerableGlobal(candidate.location);
  for (const url of urls) {
    const script = SCRIPT_EXTENSIONS.has(url.extension);
    const codeFile = script || url.extension === "txt";
    let score = 0;
    let label = "";
    if (url.rawIpHost && (codeFile || url.cutsSuffix)) [score, label] = [SCORES.strong, "script on a raw IP host"];
    else if (url.cutsSuffix && codeFile) [score, label] = [SCORES.strong, "code file URL ending in a suffix cutter"];
    else if (url.cutsWithQuery && url.bare) [score, label] = [SCORES.likely, "bare host ending in a suffix cutter"];
    else if (vulnerableGlobal) [score, label] = [SCORES.likely, "URL in a known vulnerable include global"];
    else if (includeName && codeFile && !url.hasQuery) [score, label] = [SCORES.likely, "code file URL in an include parameter"];
    else if (url.rawIpHost) [score, label] = [SCORES.rawIp, "raw IP host"];
    else if (url.cutsSuffix || (script && !url.hasQuery) || includeName || url.ftp) [score, label] = [SCORES.weak, "remote URL"];
    if (score > 0) best = higherScore(best, finding(score, label, value.slice(url.index, url.index + 80)));
  }
  return best;
}

/**
 * `http://evil.example/shell.txt%00`: a C-string API stops at the NUL, so
 * the app's `.php` suffix is cut off (PHP before 5.3.4). The canonical form
 * drops NULs, so the raw value is decoded again here.
 */
function nulTruncated(raw: string): string | undefined {
  if (raw.indexOf("%") === -1 && raw.indexOf("\0") === -1) return undefined;
  const decoded = percentDecodeRounds(raw);
  return decoded.indexOf("\0") === -1 ? undefined : decoded.trim();
}

function judgeNulCut(decoded: string): Finding | undefined {
  for (const url of remoteUrls(decoded)) {
    const nul = decoded.indexOf("\0", url.index);
    // The NUL must end the URL itself, not sit somewhere later in the text.
    if (nul !== -1 && !/\s/.test(decoded.slice(url.index, nul)))
      return finding(SCORES.strong, "URL cut by a NUL", decoded.slice(url.index, nul));
  }
  return undefined;
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "rfi", score, evidence: evidenceOf(label, excerpt) };
}
