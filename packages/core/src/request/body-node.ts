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
  /** 2 for node:http2's compatibility API (Http2ServerRequest), whose bodies need neither length nor chunking. */
  readonly httpVersionMajor?: number;
  /**
   * node's stream state: `ended` is set once the whole body has been pushed, before 'end' is emitted. An
   * IncomingMessage sets `complete` at that moment too; an Http2ServerRequest only once 'end' has been emitted.
   */
  readonly _readableState?: { readonly ended?: boolean };
  /** An Http2ServerRequest's stream: `endAfterHeaders` when the request came without a body. */
  readonly stream?: { readonly endAfterHeaders?: boolean } | null;
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
  // Several clients may decide on one request (a site-wide one, then a route's), each with its own maxBodyBytes.
  const record = stream as unknown as Record<symbol, CachedRead | undefined>;
  const cached = record[PARSED_MARKER];
  if (cached !== undefined && cached.limit >= limit)
    return cached.limit === limit ? cached.read : cached.read.then((body) => within(body, limit));
  const contentType = mediaType(headerValue(stream.headers["content-type"]));
  // A client allowing more than the one that read first: that read was put back on the stream, so when it stopped
  // short the body is read again, further. Handing on the shorter read made a route's larger limit useless: its
  // shield denied a body the size it was told to allow as "not inspected whole".
  const read =
    cached === undefined
      ? readOnce(stream, limit, timeoutMs, contentType)
      : cached.read.then((body) => (body?.truncated && canReadAgain(stream) ? readOnce(stream, limit, timeoutMs, contentType) : body));
  record[PARSED_MARKER] = { limit, read };
  return read;
}

/** The body read for a request, and the `maxBodyBytes` it was read with. */
interface CachedRead {
  readonly limit: number;
  readonly read: Promise<BodyContent | undefined>;
}

/** A read with a larger limit, as one with `limit` would have seen it. */
function within(body: BodyContent | undefined, limit: number): BodyContent | undefined {
  if (body === undefined || body.bytes.length <= limit) return body;
  return { bytes: body.bytes.subarray(0, limit), truncated: true, contentType: body.contentType };
}

/** The stream still holds the body from its start: what the last read took was put back, and no one else took it. */
function canReadAgain(stream: NodeBodyStream): boolean {
  return stream.body === undefined && stream.readableEnded !== true && stream.destroyed !== true;
}

function readOnce(stream: NodeBodyStream, limit: number, timeoutMs: number, contentType: string): Promise<BodyContent | undefined> {
  // A framework parsed it already: inspect that, the stream is spent.
  if (stream.body !== undefined) return Promise.resolve(bodyFromValue(stream.body, contentType, limit));
  if (!hasBody(stream)) return Promise.resolve(undefined);
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
      // After 'end' node refuses the bytes with an 'error' event, which no one may be listening for: that
      // ended the process. The app has had its 'end' then, so there is no one to give them back to anyway.
      if (bytes.length > 0 && stream.readableEnded !== true) stream.unshift(bytes);
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
      if (!stillArriving(stream)) finish(false);
    };
    // The client went away before the end: what arrived is only part of the body.
    const onGone = () => finish(true);
    // A slow client must not hold the decision: inspect what arrived in time.
    const timer = setTimeout(() => finish(true), timeoutMs);
    // Start the read ourselves: a 'readable' listener on an idle stream
    // schedules its own read(0), and if the message completes empty before
    // that runs (an empty chunked body), that read(0) ends the stream.
    if (stillArriving(stream)) stream.read(0);
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
  return arrived(stream) === true && stream.readableLength === 0;
}

/**
 * Whether all of the body has reached the stream's buffer: node's own `ended` flag when the stream has one,
 * else `complete` (undefined when neither says). `complete` alone held an HTTP/2 request "incomplete" until
 * read() had emitted its 'end': the body was then read to that 'end', under the app's feet.
 */
function arrived(stream: NodeBodyStream): boolean | undefined {
  const ended = stream._readableState?.ended;
  return typeof ended === "boolean" ? ended : stream.complete;
}

function stillArriving(stream: NodeBodyStream): boolean {
  return arrived(stream) === false;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// node:http accepts any run of zeros ("00") as a zero length.
const ZERO_LENGTH = /^\s*0+\s*$/;

/**
 * RFC 9112 §6.3: an HTTP/1 request has a body only with Content-Length > 0 or Transfer-Encoding. HTTP/2 frames
 * its body (RFC 9113 §8.1): Content-Length is optional and Transfer-Encoding forbidden, so a body sent without a
 * length was never read, and passed every body check. There any request may have one; reading an empty one
 * just finds its end.
 */
function hasBody(stream: NodeBodyStream): boolean {
  if (stream.httpVersionMajor !== undefined && stream.httpVersionMajor >= 2) return stream.stream?.endAfterHeaders !== true;
  const headers = stream.headers;
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headerValue(headers["content-length"]);
  return length !== undefined && !ZERO_LENGTH.test(length);
}
