import type { BodyContent } from "../types.js";
import { mediaType } from "./headers.js";

/**
 * The parts of a Node IncomingMessage (or any paused Readable) we use. Kept
 * structural so the core needs no Node types at runtime.
 */
export interface NodeBodyStream {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly readableEnded?: boolean;
  readonly complete?: boolean;
  readonly destroyed?: boolean;
  /** Set by body parsers that ran before us (express.json(), Fastify). */
  body?: unknown;
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
  if (stream.body !== undefined) {
    // A framework parsed it already: inspect that, the stream is spent.
    return Promise.resolve({ bytes: new Uint8Array(0), truncated: false, contentType, parsed: stream.body });
  }
  if (!hasBody(stream.headers)) return Promise.resolve(undefined);
  if (stream.readableEnded || stream.destroyed) return Promise.resolve(undefined);

  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let settled = false;

    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.removeListener("readable", onReadable);
      stream.removeListener("error", onError);
      const bytes = concat(chunks, size);
      if (bytes.length > 0) stream.unshift(bytes);
      const view = truncated ? bytes.subarray(0, limit) : bytes;
      resolve({ bytes: view, truncated, contentType });
    };
    const onReadable = () => {
      for (;;) {
        const chunk = stream.read() as Uint8Array | string | null;
        if (chunk === null) break;
        const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
        chunks.push(bytes);
        size += bytes.length;
        if (size > limit) return finish(true);
      }
      // read() returned null: either more data is coming, or the message is complete.
      if (stream.complete !== false) finish(false);
    };
    const onError = () => finish(false);
    // A slow client must not hold the decision: inspect what arrived in time.
    const timer = setTimeout(() => finish(true), timeoutMs);
    stream.on("readable", onReadable);
    stream.on("error", onError);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** RFC 9112 §6.3: a request has a body only with Content-Length > 0 or Transfer-Encoding. */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const length = headerValue(headers["content-length"]);
  return length !== undefined && length !== "0";
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
