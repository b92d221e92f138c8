import type { Decision } from "@parapet/core";
import { denialHeaders, denialJson } from "@parapet/node";

/** The default answer to a denial: `decision.status` with the small JSON body. */
export function denialResponse(decision: Decision): Response {
  return new Response(denialJson(decision), { status: decision.status, headers: denialHeaders(decision) });
}

/**
 * Adds the decision's headers to the app's response. Responses from fetch()
 * or Response.redirect() have immutable headers; those are copied first.
 * `Response.error()` (status 0) cannot be copied, and a network error has no
 * headers to carry: it is returned as it is.
 */
export function withDecisionHeaders(response: Response, decision: Decision): Response {
  const entries = Object.entries(decision.headers);
  if (entries.length === 0 || response.type === "error") return response;
  let target = response;
  try {
    for (const [name, value] of entries) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of entries) target.headers.set(name, value);
  }
  return target;
}

/** Runs the app's onDenied; a throw or a non-Response falls back to the default denial. */
export async function customDenial(
  onDenied: ((decision: Decision, request: Request) => Response | Promise<Response>) | undefined,
  decision: Decision,
  request: Request,
): Promise<Response> {
  if (onDenied) {
    try {
      const response = await onDenied(decision, request);
      if (response instanceof Response) return response;
    } catch {
      // A broken custom denial must still deny.
    }
  }
  return denialResponse(decision);
}
