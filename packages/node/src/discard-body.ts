/**
 * The core reads a Web Request's body from a clone, and marks the request when
 * it stopped before the end (its limit, a timeout; see core's request/body-web.ts). A clone tees the body: the original keeps
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
 * Parapet read part of a clone of it and the app has neither read it nor passed
 * it on (in `response`, or a reader of its own). Call it instead of the app when
 * denying; once the app has answered, releaseUnreadBody waits for its response.
 */
export function discardUnreadBody(request: Request, response?: Response): void {
  if (needsDraining(request, response)) void drain(request.body as ReadableStream<Uint8Array>);
}

function needsDraining(request: Request, response: Response | undefined): boolean {
  if ((request as unknown as Record<symbol, unknown>)[BODY_CLONED] !== true) return false;
  const body = request.body;
  return !(!body || request.bodyUsed || body.locked || response?.body === body);
}

/**
 * The app's response, to send in its place: discardUnreadBody, but once the response's body has been sent (read
 * to its end, failed or cancelled). A streaming response may read the request from inside its stream, after the
 * handler returned; draining at once took the body from under it ("Body has already been read"). Returns the
 * response itself when there is nothing to drain, or nothing to wait for. Anything but a Response (a handler's
 * mistake, for the framework to report) is returned as it is.
 */
export function releaseUnreadBody<R>(request: Request, response: R): R {
  // The mark first: reading `response.body` builds the full Response that @hono/node-server's lighter one avoids.
  if (!needsDraining(request, undefined)) return response;
  if (!isResponseWithBody(response)) {
    void drain(request.body as ReadableStream<Uint8Array>);
    return response;
  }
  if (response.body === request.body) return response;
  let source: ReadableStreamDefaultReader<Uint8Array>;
  try {
    source = (response.body as ReadableStream<Uint8Array>).getReader();
  } catch {
    // Already locked: a response nobody can send. Nothing to wait for.
    discardUnreadBody(request);
    return response;
  }
  const release = () => discardUnreadBody(request);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await source.read();
        if (!done) return controller.enqueue(value);
        controller.close();
      } catch (error) {
        controller.error(error);
      }
      release();
    },
    cancel(reason) {
      release();
      return source.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }) as R;
}

function isResponseWithBody(value: unknown): value is Response {
  const response = value as Response | null | undefined;
  return typeof response?.status === "number" && typeof response.headers?.get === "function" && response.body != null;
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
