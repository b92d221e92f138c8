import { type Mode, optionError } from "@parapet/core";
import { ATTACK_CLASSES, type AttackClass } from "./detectors/index.js";
import { type ExclusionOption, Exclusions, type LocationPattern, parseLocationPattern } from "./exclusions.js";
import { DEFAULT_HEADERS } from "./inspect/headers.js";
import type { InspectLimits } from "./inspect/limits.js";
import { FILE_CONTENT_POLICIES, type FileContentPolicy } from "./inspect/upload.js";
import { PARTIAL_BODY_POLICIES, type PartialBodyPolicy } from "./partial-body.js";

export type Sensitivity = "low" | "medium" | "high";

/**
 * The score a finding needs to deny. "medium" is the default: it blocks what
 * the detectors are confident of (a parsed injection, a private SSRF target)
 * and lets ambiguous text through. "high" also blocks weaker signals (a lone
 * `../`, a command word after `;`) at the price of more false positives;
 * "low" blocks only the unmistakable.
 */
export const SENSITIVITY_THRESHOLDS: Readonly<Record<Sensitivity, number>> = { low: 0.9, medium: 0.7, high: 0.5 };

export interface InspectOptions {
  readonly path?: boolean;
  readonly query?: boolean;
  readonly body?: boolean;
  readonly cookies?: boolean;
  /**
   * Header names every detector reads (case-insensitive; `_` and `.` match `-`). Default: User-Agent,
   * Referer, Origin, the client-address headers proxies set (X-Forwarded-For, X-Real-IP, True-Client-IP…)
   * and the upload file-name headers: those apps log, show or write to disk.
   */
  readonly headers?: readonly string[];
  /**
   * Read every other header too (except credentials and framing), for the attacks no header value
   * carries by accident: JNDI lookups, Shellshock, Java and Node gadgets, template expressions, markup,
   * path climbing. Default true.
   */
  readonly otherHeaders?: boolean;
  /**
   * Characters inspected per request, default 128 KiB (ModSecurity's default limit for bodies without files). A
   * request holding more than these limits is judged by `partialBody`: denied by default when what was not read is
   * text, not a file. The limits bound what one request can cost the shield; raise them where larger requests are
   * expected.
   */
  readonly maxBytes?: number;
  /** Distinct keys and values inspected per request, default 5,000 (repeats are not counted). */
  readonly maxValues?: number;
  /** JSON and `a[b][c]` nesting followed, default 32. */
  readonly maxDepth?: number;
  /**
   * How much of an uploaded file's content (a multipart part with a file name) is read; the file name always is.
   * Default "by-kind": CSV and JSON files as data, for every class; HTML, SVG and XML files for script; other text
   * files (source code, Markdown, logs) not at all, since a stored file is no parameter. "text": every text file for
   * every class, as a form field. "none": no file content. Binary files are never read.
   */
  readonly fileContent?: FileContentPolicy;
}

export interface ShieldOptions {
  readonly mode: Mode;
  readonly name?: string;
  /** Default "medium". */
  readonly sensitivity?: Sensitivity;
  readonly inspect?: InspectOptions;
  /** Attack classes to detect; default all. */
  readonly classes?: readonly AttackClass[];
  /**
   * Places where the app expects what looks like an attack, e.g. `["body.content"]` for a rich-text field or
   * `[{ location: "body.snippet", classes: ["xss", "code-injection"] }]`. A location as decisions report it;
   * `*` is one segment (a key or an array index), a final `**` the place and everything under it. Without
   * `classes`, every class but prototype pollution (a polluting key harms the whole process wherever it sits).
   */
  readonly exclude?: readonly ExclusionOption[];
  /**
   * Places that hold HTML from a rich-text editor, rendered by the app as markup: e.g. `["body.content",
   * "body.posts.*.html"]` (patterns as in `exclude`). There the XSS check judges the value as an HTML
   * sanitizer's allow-list would: formatting (`<p>`, `<strong>`, `<a href="https://…">`, `<img src>`, tables,
   * inline styles) passes; script, frames, `<svg>`, `<style>`, `<form>`, event handlers and script URLs
   * still deny. Safer than excluding the field, which turns the XSS check off there. Other classes are unchanged.
   */
  readonly richText?: readonly string[];
  /**
   * A body the shield could not inspect whole: over the client's `maxBodyBytes`, not all arrived within its
   * `bodyTimeoutMs`, in a Content-Encoding it could not decode, read by the app before protect(), or a request
   * holding more than the `inspect` limits. Default "deny-text": denied when what was
   * missed is text the shield reads, let through when it is a binary body or a file in a multipart upload.
   * "deny" denies them all; "inspect" decides on what was read.
   */
  readonly partialBody?: PartialBodyPolicy;
}

export interface ResolvedShieldOptions {
  readonly mode: Mode;
  readonly name: string | undefined;
  readonly threshold: number;
  readonly limits: InspectLimits;
  readonly classes: ReadonlySet<AttackClass>;
  readonly exclusions: Exclusions;
  /** Where `richText` put formatting markup, as location patterns; empty when the option is not used. */
  readonly richText: readonly LocationPattern[];
  readonly partialBody: PartialBodyPolicy;
}

const WHERE = "shield";

export function resolveShieldOptions(options: ShieldOptions): ResolvedShieldOptions {
  if (!options || typeof options !== "object") throw optionError(WHERE, 'pass an options object: shield({ mode: "LIVE" })');
  if (options.mode !== "LIVE" && options.mode !== "DRY_RUN") throw optionError(WHERE, '`mode` must be "LIVE" or "DRY_RUN"');
  const sensitivity = options.sensitivity ?? "medium";
  if (!Object.hasOwn(SENSITIVITY_THRESHOLDS, sensitivity)) throw optionError(WHERE, '`sensitivity` must be "low", "medium" or "high"');
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === ""))
    throw optionError(WHERE, "`name` must be a non-empty string");
  const classes = options.classes ?? ATTACK_CLASSES;
  if (!Array.isArray(classes) || classes.length === 0) throw optionError(WHERE, "`classes` must be a non-empty array of attack classes");
  for (const c of classes) {
    if (!ATTACK_CLASSES.includes(c))
      throw optionError(WHERE, `unknown attack class "${String(c)}"; use one of ${ATTACK_CLASSES.join(", ")}`);
  }
  const partialBody = options.partialBody ?? "deny-text";
  if (!PARTIAL_BODY_POLICIES.includes(partialBody))
    throw optionError(WHERE, `\`partialBody\` must be "deny-text" (the default), "deny" or "inspect", not ${JSON.stringify(partialBody)}`);
  return {
    mode: options.mode,
    name: options.name,
    threshold: SENSITIVITY_THRESHOLDS[sensitivity],
    limits: resolveLimits(options.inspect ?? {}),
    classes: new Set(classes),
    exclusions: Exclusions.from(options.exclude, ATTACK_CLASSES),
    richText: resolveRichText(options.richText),
    partialBody,
  };
}

function resolveLimits(inspect: InspectOptions): InspectLimits {
  if (typeof inspect !== "object" || inspect === null) throw optionError(WHERE, "`inspect` must be an object");
  for (const key of ["path", "query", "body", "cookies", "otherHeaders"] as const) {
    if (inspect[key] !== undefined && typeof inspect[key] !== "boolean")
      throw optionError(WHERE, `\`inspect.${key}\` must be true or false`);
  }
  const headers = inspect.headers ?? DEFAULT_HEADERS;
  if (!Array.isArray(headers) || headers.some((h) => typeof h !== "string" || h === ""))
    throw optionError(WHERE, '`inspect.headers` must be an array of header names, e.g. ["user-agent", "referer"]');
  const fileContent = inspect.fileContent ?? "by-kind";
  if (!FILE_CONTENT_POLICIES.includes(fileContent))
    throw optionError(
      WHERE,
      `\`inspect.fileContent\` must be "by-kind" (the default), "text" or "none", not ${JSON.stringify(fileContent)}`,
    );
  return {
    path: inspect.path ?? true,
    query: inspect.query ?? true,
    body: inspect.body ?? true,
    cookies: inspect.cookies ?? true,
    headers: headers.map((h) => h.toLowerCase()),
    otherHeaders: inspect.otherHeaders ?? true,
    maxBytes: positiveInteger("maxBytes", inspect.maxBytes, 128 * 1024),
    maxValues: positiveInteger("maxValues", inspect.maxValues, 5_000),
    maxDepth: positiveInteger("maxDepth", inspect.maxDepth, 32),
    fileContent,
  };
}

function resolveRichText(option: unknown): readonly LocationPattern[] {
  if (option === undefined) return [];
  if (!Array.isArray(option) || option.some((location) => typeof location !== "string"))
    throw optionError(WHERE, '`richText` must be an array of locations that hold editor HTML, e.g. ["body.content"]');
  return option.map((location: string) => parseLocationPattern(location, "richText"));
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0)
    throw optionError(WHERE, `\`inspect.${name}\` must be a positive integer (default ${fallback})`);
  return value;
}
