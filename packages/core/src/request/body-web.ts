import type { BodyContent } from "../types.js";
import type { WebRequestLike } from "./shapes.js";

/**
 * Set on a request whose body was read from a clone and not to its end. The clone tees the body:
 * what we read waits in the original for the app, and the rest is pulled from
 * the client only as the original is read. A server that drains an untouched
 * body when the app ignores it cannot drain a teed one, so the adapters read
 * the original to its end when they see this mark and the app did not
 * (`discardUnreadBody` in @parapet/node).
 */
const BODY_CLONED = Symbol.for("parapet.bodyCloned");

/**
 * Reads a Web Request's body from a clone, so the original stays unread for
 * the app. Stops after `limit` bytes and cancels the rest of the clone.
 */
export async function readWebBody(
  request: WebRequestLike,
  contentType: string,
  limit: number,
  timeoutMs: number,
): Promise<BodyContent | undefined> {
  // A body the app read (or began to read) before protect() cannot be read again: clone() throws. That used
  // to count as no body, so an attack in it passed silently; it is now a body not read, for the rules to judge.
  if (request.bodyUsed === true || request.body?.locked === true)
    return { bytes: new Uint8Array(0), truncated: true, contentType, consumed: true };
  const stream = request.clone().body;
  if (!stream) return undefined;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  let complete = false;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        truncated = true;
        break;
      }
      // A stream that fails midway (the client aborted) keeps what it gave: the original holds
      // those chunks for the app too, and a reader that streams them acts on them, so they are
      // inspected as a cut-off body. Giving up on them let an attack sent just before the abort through.
      const next = await withTimeout(reader.read(), remaining).catch(() => "failed" as const);
      if (next === "timeout" || next === "failed") {
        truncated = true;
        break;
      }
      if (next.done) {
        complete = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.length;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
    // Read to the end, the tee has pulled the whole body off the connection: the original holds it in memory
    // and nothing waits in the socket, so there is nothing to drain; draining would only take the body from
    // an app that reads it later (from inside a streaming response). Stopped short, the rest is still there.
    if (!complete && Object.isExtensible(request)) (request as unknown as Record<symbol, boolean>)[BODY_CLONED] = true;
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, truncated, contentType };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
