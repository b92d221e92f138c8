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
 * headers to carry: it is returned as it is. So is anything that is not a
 * Response (a route handler that returned nothing, or a plain object): Next.js
 * then reports the handler's mistake itself ("No response is returned from route
 * handler"), where this used to throw "Cannot read properties of undefined" or
 * turn an object into an empty 200.
 */
export function withDecisionHeaders(response: Response, decision: Decision): Response {
  const entries = Object.entries(decision.headers);
  if (entries.length === 0 || !isResponse(response) || response.type === "error") return response;
  let target = response;
  try {
    for (const [name, value] of entries) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of entries) target.headers.set(name, value);
  }
  return target;
}

/** Structural, not `instanceof`: a Response from another realm (a VM sandbox) or another copy of undici still counts. */
function isResponse(value: unknown): value is Response {
  const headers = (value as Response | null | undefined)?.headers;
  return typeof headers?.set === "function" && typeof (value as Response).status === "number";
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
