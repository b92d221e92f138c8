/**
 * Input checks for the API. Each returns the cleaned value or a message that
 * tells the caller what to send instead. Length bounds come first so no later
 * step (and no hash function) ever sees unbounded input.
 */

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

// RFC 5321 §4.5.3.1: 64 octets of local part, 254 for the whole path.
const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
// A domain label: letters, digits, hyphens, not at either end (RFC 1035 §2.3.1).
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOCAL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;

export function checkEmail(input: unknown): Checked<string> {
  const error = "`email` must be an address such as ada@example.com (at most 254 characters).";
  if (typeof input !== "string") return { ok: false, error };
  const email = input.trim().toLowerCase();
  if (email.length > MAX_EMAIL) return { ok: false, error };
  const at = email.indexOf("@");
  if (at < 1 || at !== email.lastIndexOf("@")) return { ok: false, error };
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  if (local.length > MAX_LOCAL || !LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return { ok: false, error };
  }
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return { ok: false, error };
  return { ok: true, value: email };
}

// NIST SP 800-63B §5.1.1.2: at least 8 characters, allow at least 64. We ask
// for 12 and cap at 128 so a megabyte "password" cannot make scrypt the bottleneck.
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;

export function checkPassword(input: unknown): Checked<string> {
  if (typeof input !== "string" || input.length < MIN_PASSWORD || input.length > MAX_PASSWORD) {
    return { ok: false, error: `\`password\` must be a string of ${MIN_PASSWORD} to ${MAX_PASSWORD} characters.` };
  }
  return { ok: true, value: input };
}

export interface NewItem {
  readonly name: string;
  readonly quantity: number;
}

export function checkItem(input: unknown): Checked<NewItem> {
  if (!isJsonObject(input)) return { ok: false, error: 'Send a JSON object such as {"name": "lamp", "quantity": 2}.' };
  const name = boundedText(input.name, 100);
  if (name === undefined) return { ok: false, error: "`name` must be a string of 1 to 100 characters." };
  const { quantity } = input;
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 0 || quantity > 10_000) {
    return { ok: false, error: "`quantity` must be an integer from 0 to 10000." };
  }
  return { ok: true, value: { name, quantity } };
}

export interface NewPost {
  readonly title: string;
  readonly content: string;
}

// A post's HTML, bounded well below the JSON body limit.
const MAX_CONTENT = 20_000;

export function checkPost(input: unknown): Checked<NewPost> {
  if (!isJsonObject(input)) {
    return { ok: false, error: 'Send a JSON object such as {"title": "Hello", "content": "<p>Hi <strong>all</strong></p>"}.' };
  }
  const title = boundedText(input.title, 200);
  if (title === undefined) return { ok: false, error: "`title` must be a string of 1 to 200 characters." };
  const { content } = input;
  if (typeof content !== "string" || content.length > MAX_CONTENT) {
    return { ok: false, error: `\`content\` must be a string of HTML of at most ${MAX_CONTENT} characters.` };
  }
  return { ok: true, value: { title, content } };
}

/** A JSON object body (not an array, not null): the shape every record route takes. */
function isJsonObject(input: unknown): input is Record<string, unknown> {
  return typeof input === "object" && input !== null && !Array.isArray(input);
}

/** A string of at most `max` characters with something besides spaces, trimmed; undefined otherwise. */
function boundedText(value: unknown, max: number): string | undefined {
  if (typeof value !== "string" || value.length > max) return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}
