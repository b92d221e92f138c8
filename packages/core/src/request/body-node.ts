import { concatBytes } from "../bytes.js";
import type { BodyContent } from "../types.js";
import { bodyFromValue } from "./body-value.js";
import { mediaType } from "./headers.js";

/**
 * The parts of a Node IncomingMessage (or any paused Readable) we use. Kept
 * structural so the core needs no Node types at runtime.
 */
export interface NodeBodyStream {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly readableEnded?: boolean;
  readonly readableLength?: number;
  readonly complete?: boolean;
  readonly destroyed?: boolean;
  /** Set by body parsers that ran before us (express.json(), express.raw(), Fastify). */
  body?: unknown;
  /**
   * node:http's private "the app read this request" flag. While it is false
   * when the response finishes, node discards the unread rest of the body so
   * the keep-alive connection can carry the next request; read() sets it.
   */
  _consuming?: boolean;
  read(size?: number): unknown;
  unshift(chunk: unknown): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

const PARSED_MARKER = Symbol.for("parapet.body");

/**
 * Reads a Node request body at most once and puts it back.
 *
 * Security middleware commonly consumes the stream and leaves the app with an
 * empty body. We read in paused mode and, in the same tick that the stream
 * reports its end, `unshift` everything we read back onto it: the 'end' event
 * has not been emitted yet, so the app's own reader (express.json(), a raw
 * `req.on('data')`) later receives the full body and then 'end'.
 * At most `limit` bytes are read; the remainder stays in the socket for the app.
 * The stream is left as the app would have found it, including node's notion
 * of whether anyone read it (see `_consuming`).
 */
export function readNodeBody(stream: NodeBodyStream, limit: number, timeoutMs: number): Promise<BodyContent | undefined> {
  const cached = (stream as unknown as Record<symbol, Promise<BodyContent | undefined>>)[PARSED_MARKER];
  if (cached) return cached;
  const contentType = mediaType(headerValue(stream.headers["content-type"]));
  const promise = readOnce(stream, limit, timeoutMs, contentType);
  (stream as unknown as Record<symbol, unknown>)[PARSED_MARKER] = promise;
  return promise;
}

function readOnce(stream: NodeBodyStream, limit: number, timeoutMs: number, contentType: string): Promise<BodyContent | undefined> {
  // A framework parsed it already: inspect that, the stream is spent.
  if (stream.body !== undefined) return Promise.resolve(bodyFromValue(stream.body, contentType, limit));
  if (!hasBody(stream.headers)) return Promise.resolve(undefined);
  if (stream.readableEnded || stream.destroyed) return Promise.resolve(undefined);
  // An empty chunked body ("0\r\n\r\n"): not touching the stream keeps its 'end' for the app.
  if (endsEmpty(stream)) return Promise.resolve({ bytes: new Uint8Array(0), truncated: false, contentType });

  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let settled = false;
    const consuming = stream._consuming;

    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.removeListener("readable", onReadable);
      stream.removeListener("error", onGone);
      stream.removeListener("close", onGone);
      const bytes = concatBytes(chunks, size);
      if (bytes.length > 0) stream.unshift(bytes);
      // Our read() told node the app is reading; if the app answers without
      // reading, node must still discard the rest, or the connection is stuck.
      if (consuming === false) stream._consuming = false;
      const view = truncated ? bytes.subarray(0, limit) : bytes;
      resolve({ bytes: view, truncated, contentType });
    };
    const onReadable = () => {
      while (!endsEmpty(stream)) {
        const chunk = stream.read() as Uint8Array | string | null;
        if (chunk === null) break;
        const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
        chunks.push(bytes);
        size += bytes.length;
        if (size > limit) return finish(true);
      }
      // Nothing buffered: either more data is coming, or the message is complete.
      if (stream.complete !== false) finish(false);
    };
    // The client went away before the end: what arrived is only part of the body.
    const onGone = () => finish(true);
    // A slow client must not hold the decision: inspect what arrived in time.
    const timer = setTimeout(() => finish(true), timeoutMs);
    // Start the read ourselves: a 'readable' listener on an idle stream
    // schedules its own read(0), and if the message completes empty before
    // that runs (an empty chunked body), that read(0) ends the stream.
    if (stream.complete === false) stream.read(0);
    stream.on("readable", onReadable);
    stream.on("error", onGone);
    stream.on("close", onGone);
  });
}

/**
 * The message is complete and nothing is left in the buffer. read() must not
 * be called then: on an ended, empty stream it schedules 'end', which would
 * fire before the app listens, with nothing of ours to put back in front of it.
 */
function endsEmpty(stream: NodeBodyStream): boolean {
  return stream.complete === true && stream.readableLength === 0;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// node:http accepts any run of zeros ("00") as a zero length.
const ZERO_LENGTH = /^\s*0+\s*$/;

/** RFC 9112 §6.3: a request has a body only with Content-Length > 0 or Transfer-Encoding. */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headerValue(headers["content-length"]);
  return length !== undefined && !ZERO_LENGTH.test(length);
}
