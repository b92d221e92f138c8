/**
 * The core reads a Web Request's body from a clone, and marks the request so
 * (see core's request/body-web.ts). A clone tees the body: the original keeps
 * what was read and pulls the rest from the client only as it is read itself.
 * A server drains a body nobody touched when the app answers without it, but
 * not a teed one: the rest waits in the socket, and the next request on the
 * keep-alive connection waits behind it (Next.js), or the server resets the
 * connection (@hono/node-server).
 */
const BODY_CLONED = Symbol.for("parapet.bodyCloned");

/** Past this, a client still sending is cut off rather than read (@hono/node-server stops at the same size). */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request's body to its end and drops it, in the background, when
 * Parapet read a clone of it and the app has neither read it nor passed it on
 * (in `response`, or a reader of its own). Call it once the app has answered,
 * or instead of the app when denying.
 */
export function discardUnreadBody(request: Request, response?: Response): void {
  if ((request as unknown as Record<symbol, unknown>)[BODY_CLONED] !== true) return;
  const body = request.body;
  if (!body || request.bodyUsed || body.locked || response?.body === body) return;
  void drain(body);
}

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  try {
    const reader = body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > MAX_DISCARD_BYTES) return await reader.cancel();
    }
  } catch {
    // The client went away or the body failed: nothing is left to free.
  }
}
