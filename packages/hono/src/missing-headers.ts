/**
 * `response` with each of `headers` it does not set itself: a custom denial gets the RateLimit and Retry-After
 * headers, as the Express and Fastify adapters give it, and its own values win. A response with immutable headers
 * (from fetch() or Response.redirect()) is copied first.
 */
export function withMissingHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  const missing = Object.keys(headers).filter((name) => !response.headers.has(name));
  if (missing.length === 0) return response;
  let target = response;
  try {
    target.headers.set(missing[0] as string, headers[missing[0] as string] as string);
  } catch {
    target = new Response(response.body, response);
  }
  for (const name of missing) target.headers.set(name, headers[name] as string);
  return target;
}
