import { mayBeBase64Run } from "./base64-run.js";
import { ANGLE } from "./char-classes.js";
import { STANDALONE_COMMANDS } from "./cmdi/commands.js";
import { cmdiDetector } from "./cmdi/index.js";
import { codeInjectionDetector } from "./code-injection/index.js";
import { endingCommandsAtNul } from "./command-ended-at-nul.js";
import { fileUploadDetector } from "./file-upload/index.js";
import { jndiDetector } from "./jndi/index.js";
import { ldapDetector } from "./ldap/index.js";
import { nosqliDetector } from "./nosqli/index.js";
import { protoPollutionDetector } from "./proto-pollution/index.js";
import { rfiDetector } from "./rfi/index.js";
import { sessionFixationDetector } from "./session-fixation/index.js";
import { sqliDetector } from "./sqli/index.js";
import { SYSTEM_SCHEMA_WORDS } from "./sqli/statement-fragments.js";
import { mayBeInertTarget, ssrfDetector } from "./ssrf/index.js";
import { sstiDetector } from "./ssti/index.js";
import { traversalDetector } from "./traversal/index.js";
import type { AttackClass, Candidate, Detector, PlainGate } from "./types.js";
import { detectScriptInDocument } from "./xss/documents.js";
import { xssDetector } from "./xss/index.js";
import { XSS_PLAIN_GATE } from "./xss/plain-shapes.js";

/**
 * Every detector the shield ships, one per attack class, with the inputs it
 * can possibly fire on. A "plain" value has only letters, digits, spaces and
 * `_ . , @ - +`: no markup, no lookup, no operator can hide in it, so only the
 * detectors whose attacks can be spelled in words (`1 union select 1,2`,
 * `whoami`, a bare host in a `url` parameter) run on it. This is the hot-path
 * saving: most real values are plain.
 */
export interface RegisteredDetector {
  readonly detector: Detector;
  readonly plainValues: boolean;
  readonly plainKeys: boolean;
  /**
   * Whole values of letters and digits only that the detector must still see
   * (lowercase): `whoami` alone is a probe although it has no syntax at all.
   */
  readonly inertWords?: ReadonlySet<string>;
  /** Plain values and keys the detector must still see although it skips plain text (see `PlainGate`). */
  readonly plainGate?: PlainGate;
  /**
   * Letters-and-digits values the detector must still see, although the scan
   * takes such values for ids and words: base64 that a detector decodes
   * (`PHN2ZyBvbmxvYWQ9YWxlcnQoMSk` is an `<svg onload>` tag,
   * `L2V0Yy9tYXN0ZXIucGFzc3dk` a file path), or a number under a URL-like
   * name (`url=2130706433` is 127.0.0.1 in decimal).
   */
  readonly inertGate?: (candidate: Candidate) => boolean;
  /**
   * Also reads headers outside the inspected list. Only detectors whose
   * findings rest on grammar no header value has by accident: custom headers
   * hold tokens, quoted lists (`"Chromium";v="128"`), `;`-separated
   * parameters and `--` boundaries, which SQL and NoSQL shapes would misread.
   */
  readonly anyHeader: boolean;
}

export const REGISTRY: readonly RegisteredDetector[] = [
  // Inert words: a system catalog's name alone (`sysobjects`, `tempdb`) maps the database.
  { detector: sqliDetector, plainValues: true, plainKeys: false, inertWords: SYSTEM_SCHEMA_WORDS, anyHeader: false },
  // UTF-7 markup and a bare `document.cookie` look plain: the gate lets them in (see ./xss/plain-shapes.ts).
  { detector: xssDetector, plainValues: false, plainKeys: false, plainGate: XSS_PLAIN_GATE, inertGate: mayBeBase64Run, anyHeader: true },
  { detector: traversalDetector, plainValues: true, plainKeys: false, inertGate: mayBeBase64Run, anyHeader: true },
  // Any header: Shellshock (`() { :; };`) works through every header a CGI script receives.
  // A NUL ends the command line handed to system(): the detector reads the text before it too.
  { detector: endingCommandsAtNul(cmdiDetector), plainValues: true, plainKeys: false, inertWords: STANDALONE_COMMANDS, anyHeader: true },
  // Headers are never fetched by the server: the detector ignores them anyway.
  { detector: ssrfDetector, plainValues: true, plainKeys: false, inertGate: mayBeInertTarget, anyHeader: false },
  { detector: jndiDetector, plainValues: false, plainKeys: false, anyHeader: true },
  { detector: protoPollutionDetector, plainValues: true, plainKeys: true, anyHeader: false },
  // Plain keys: an ORM-leak filter is spelled in letters and underscores (`user__password__startswith`); on a plain
  // key the detector only runs its operator and ORM checks (see ./nosqli/orm-leak.ts).
  { detector: nosqliDetector, plainValues: false, plainKeys: true, anyHeader: false },
  { detector: sstiDetector, plainValues: true, plainKeys: false, anyHeader: true },
  // Plain values and keys: a Java class path (`java.lang.Runtime=x`) needs only letters and dots.
  { detector: codeInjectionDetector, plainValues: true, plainKeys: true, inertGate: mayBeBase64Run, anyHeader: true },
  // A filter needs parentheses: plain values and headers (whose comments are parenthesized) are left out.
  { detector: ldapDetector, plainValues: false, plainKeys: false, anyHeader: false },
  // Plain keys: `connect.sid` and `PHPSESSID` are spelled in letters, dots and underscores. Its values (a
  // `document.cookie` with `; domain=`, a `Set-Cookie:` line) need syntax, and headers are where cookies belong.
  { detector: sessionFixationDetector, plainValues: false, plainKeys: true, anyHeader: false },
  // A remote URL needs `://`: no plain value holds one. Headers are never included as code.
  { detector: rfiDetector, plainValues: false, plainKeys: false, anyHeader: false },
  // Plain values: `shell.php` and `.htaccess` are spelled in letters and dots. Only upload file names are read.
  { detector: fileUploadDetector, plainValues: true, plainKeys: false, anyHeader: false },
];

export const DETECTORS: readonly Detector[] = REGISTRY.map((r) => r.detector);

/**
 * The one detector an uploaded page (an HTML, SVG or XML file, see inspect/upload.ts) meets: a page is stored and
 * served, not pasted into a query or a command, so what it can do is run script where it is opened. It reads the
 * file as the browser does (`raw`), and only files with markup.
 */
export const PAGE_FILE_DETECTOR: RegisteredDetector = {
  detector: { class: "xss", needs: ANGLE, detect: (candidate) => detectScriptInDocument(candidate.raw) },
  plainValues: false,
  plainKeys: false,
  anyHeader: false,
};

export const ATTACK_CLASSES: readonly AttackClass[] = DETECTORS.map((d) => d.class);

export type { AttackClass, Candidate, Detector, Finding, InputKind, PlainGate } from "./types.js";
