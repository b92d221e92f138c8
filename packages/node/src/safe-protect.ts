import type { Decision, ErrorReason, Parapet, ProtectableRequest, ProtectOptions } from "@parapet/core";
import { createDecision, ErrorCodes, messageOf } from "@parapet/core";

/**
 * `protect()` is written never to reject; an adapter must not take that on
 * faith, because a rejection here would become an unhandled error (or a 500
 * with a stack) inside the app. A rejection or a throw becomes an ERROR
 * decision that fails open, the core's default policy: the adapter cannot see
 * the client's `onError`, and an outage of the guard should not take the app down.
 */
export async function safeProtect(
  client: Parapet,
  request: ProtectableRequest,
  extra?: Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>),
  options?: ProtectOptions,
): Promise<Decision> {
  try {
    // The app's `extra` callback runs here too, so a throw in it is caught alike.
    const values = typeof extra === "function" ? extra() : (extra ?? {});
    return await client.protect(request, values, options);
  } catch (error) {
    const reason: ErrorReason = { type: "ERROR", code: ErrorCodes.INTERNAL, message: `protect() failed: ${messageOf(error)}` };
    return createDecision({
      results: [
        {
          ruleId: "ADAPTER",
          ruleType: "ADAPTER",
          mode: "LIVE",
          conclusion: "ERROR",
          reason,
          durationMs: 0,
        },
      ],
      ip: "unknown",
      timestamp: Date.now(),
      durationMs: 0,
      onError: "open",
    });
  }
}
