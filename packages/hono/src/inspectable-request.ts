import type { Context } from "hono";

/**
 * The request whose body the rules read. Usually `c.req.raw`, read from a
 * clone. But a middleware before Parapet that read the body through Hono
 * (`c.req.json()`, `validator("json" | "form", …)`) used `c.req.raw` up: it
 * cannot be cloned, and the rules saw no body at all, so a route with its
 * validator first had its body let through uninspected. Hono keeps what it
 * read in `c.req.bodyCache`; the rules then read a copy carrying that.
 */
export function inspectableRequest(c: Context): Request | Promise<Request> {
  const raw = c.req.raw;
  if (!raw.bodyUsed) return raw;
  // Declared as values, held as promises of them.
  const cache = c.req.bodyCache as Record<string, unknown> | undefined;
  const kind = cache ? Object.keys(cache)[0] : undefined;
  if (cache === undefined || kind === undefined) return raw; // read off c.req.raw itself: nothing kept to show
  return Promise.resolve(cache[kind]).then(
    (body) => withBody(raw, kind, body),
    () => raw,
  );
}

/** A copy of `raw` with `body`, framed as Hono's own `cloneRawRequest` (hono/request, 4.10+) frames it. */
function withBody(raw: Request, kind: string, body: unknown): Request {
  try {
    const headers = new Headers(raw.headers);
    // Text is re-encoded, JSON and forms rebuilt: the copy's length is its own.
    headers.delete("content-length");
    // Re-encoded as multipart with a boundary of its own, which the copy's Content-Type must name.
    if (body instanceof FormData) headers.delete("content-type");
    // Older Hono versions cache json() as the parsed value; its text is what a rule reads.
    const text = kind === "json" ? JSON.stringify(body) : undefined;
    return new Request(raw.url, { method: raw.method, headers, body: text ?? (body as string | ArrayBuffer | Blob | FormData) });
  } catch {
    return raw;
  }
}
