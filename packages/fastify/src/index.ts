import type { Decision, Parapet, ProtectableRequest } from "@parapet/core";
import { abortStartedResponse, clientLeft, denialHeaders, denialJson, safeDecide, stackedHeaders } from "@parapet/node";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The decision Parapet made for this request; null before the hook ran. */
    parapet: Decision | null;
  }
}

export interface ParapetPluginOptions {
  readonly client: Parapet;
  /**
   * "onRequest" (default) decides before Fastify reads the body: cheapest,
   * and a denied request's body is never parsed. The core reads the body off
   * the raw stream only if a rule asks, and puts it back for Fastify's parser.
   * "preHandler" decides after parsing and lets rules inspect `request.body`.
   */
  readonly hook?: "onRequest" | "preHandler";
  /** Values for characteristics and rules, e.g. `(request) => ({ userId: request.user?.id })`. */
  readonly extra?: (request: FastifyRequest) => Readonly<Record<string, unknown>>;
  /**
   * Answers a denial yourself; the default sends `decision.status` with a small JSON body. What it returns is
   * ignored (a promise is awaited), so `(d, request, reply) => reply.code(429).send(…)` fits.
   */
  readonly onDenied?: (decision: Decision, request: FastifyRequest, reply: FastifyReply) => unknown;
}

const HOOKS = ["onRequest", "preHandler"] as const;

/**
 * `fastify.register(parapetPlugin, { client })`. Not encapsulated (like a
 * plugin wrapped in fastify-plugin): it guards every route of the instance
 * it is registered on, including routes registered after it. Register it
 * again in a child scope for a stricter client there (a login route): both
 * decide, the outer first, and `request.parapet` holds the last decision.
 * A request whose client closed the connection before the decision goes no
 * further (see clientLeft in @parapet/node).
 */
export async function parapetPlugin(fastify: FastifyInstance, options: ParapetPluginOptions): Promise<void> {
  const { client, extra, onDenied } = options ?? ({} as ParapetPluginOptions);
  if (!client || typeof client.protect !== "function") {
    throw new TypeError("parapetPlugin options error: pass `client`, e.g. fastify.register(parapetPlugin, { client: parapet({ rules }) })");
  }
  const hook = options.hook ?? "onRequest";
  if (!HOOKS.includes(hook))
    throw new TypeError(`parapetPlugin options error: \`hook\` must be "onRequest" or "preHandler", not "${hook}"`);

  // Registered again below (a stricter limit on a login scope): the decorator is inherited, and adding it twice throws.
  if (!fastify.hasRequestDecorator("parapet")) fastify.decorateRequest("parapet", null);
  fastify.addHook(hook, async function parapetFastify(request, reply) {
    const decided = safeDecide(client, protectable(request, hook), extra ? () => extra(request) : undefined);
    // Awaited only when the client had to wait: each await is a trip through the microtask queue.
    const decision = decided instanceof Promise ? await decided : decided;
    // Set by the plugin registered on an outer scope, when this one is a child scope's stricter client.
    const earlier = request.parapet;
    request.parapet = decision;
    // Neither the route nor an answer: the client is gone, and with it its IP (see clientLeft).
    if (clientLeft(request.raw)) return abandon(reply);
    const headers = stackedHeaders(earlier, decision);
    reply.headers(headers);
    if (!decision.isDenied()) return;
    // An earlier hook wrote to reply.raw: Fastify's send() would leave the connection hanging on the written part.
    if (reply.raw.headersSent) {
      reply.hijack();
      abortStartedResponse(reply.raw, decision, client.logger);
      return reply;
    }
    if (onDenied) {
      try {
        await onDenied(decision, request, reply);
        if (reply.sent) return reply;
      } catch {
        // A broken custom denial must still deny.
      }
    }
    return reply.code(decision.status).headers(denialHeaders(decision, headers)).send(denialJson(decision));
  });
}

/** Ends the lifecycle without an answer: hijacked, Fastify runs no later hook, parser or handler. */
function abandon(reply: FastifyReply): FastifyReply {
  reply.hijack();
  reply.raw.destroy();
  return reply;
}

/** In onRequest the raw stream is untouched; in preHandler Fastify has consumed it and parsed `request.body`. */
function protectable(request: FastifyRequest, hook: "onRequest" | "preHandler"): ProtectableRequest {
  if (hook === "onRequest") return request.raw;
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.raw.socket?.remoteAddress ? { ip: request.raw.socket.remoteAddress } : {}),
    body: request.body,
  };
}

// fastify-plugin's markers, set by hand to avoid a dependency for two symbols:
// skip-override makes the hook apply outside the plugin's own scope.
Object.assign(parapetPlugin, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "@parapet/fastify",
});

export default parapetPlugin;
