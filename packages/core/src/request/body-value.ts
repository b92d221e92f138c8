import type { BodyContent } from "../types.js";
import { utf8LengthAtMost } from "../utf8-length.js";

/**
 * A body that some code already holds: a plain request's `body`, or what a
 * framework's parser left on `req.body`. Text and bytes are the body as it
 * arrived and are inspected as such: a Buffer from express.raw() walked like
 * an object would cost a property visit per byte and hide what it spells.
 * Anything else is a parsed value (express.json()'s object).
 */
export function bodyFromValue(body: unknown, contentType: string, limit: number): BodyContent | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") {
    if (utf8LengthAtMost(body, limit)) return new StringBody(body, contentType);
    const bytes = new TextEncoder().encode(body);
    return { bytes: bytes.subarray(0, limit), truncated: bytes.length > limit, contentType };
  }
  if (body instanceof Uint8Array) return { bytes: body.subarray(0, limit), truncated: body.length > limit, contentType };
  return { bytes: new Uint8Array(0), truncated: false, contentType, parsed: body };
}

/**
 * A string body that fit the limit. Its bytes are encoded only if a reader asks
 * for them: the shield reads `text`, and encoding a body only for it to be
 * decoded again was a measurable share of inspecting a 10 KB JSON body.
 */
class StringBody implements BodyContent {
  readonly truncated = false;
  #bytes: Uint8Array | undefined;

  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}

  get bytes(): Uint8Array {
    this.#bytes ??= new TextEncoder().encode(this.text);
    return this.#bytes;
  }
}
