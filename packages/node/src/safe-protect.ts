import type { Decision, ErrorReason, Parapet, ProtectableRequest, ProtectOptions, Rule } from "@parapet/core";
import { createDecision, ErrorCodes, messageOf } from "@parapet/core";

type Extra = Readonly<Record<string, unknown>>;

/**
 * `protect()` is written never to reject; an adapter must not take that on
 * faith, because a rejection here would become an unhandled error (or a 500
 * with a stack) inside the app. A rejection or a throw becomes an ERROR
 * decision that fails open, the core's default policy: the adapter cannot see
 * the client's `onError`, and an outage of the guard should not take the app down.
 *
 * A throw in the app's `extra` callback is different: the client is fine, so
 * it still decides, with the failure as one more failed check (see extraFailed).
 */
export function safeProtect(
  client: Parapet,
  request: ProtectableRequest,
  extra?: Extra | (() => Extra),
  options?: ProtectOptions,
): Promise<Decision> {
  const decided = safeDecide(client, request, extra, options);
  return decided instanceof Promise ? decided : Promise.resolve(decided);
}

/**
 * safeProtect() without a promise when none is needed: the decision itself
 * when the client decided at once (rules answered synchronously, see
 * `Parapet.decide`), a promise otherwise. Adapters use it to answer in the
 * same tick; every await on the hot path is a trip through the microtask
 * queue, and one was ~3% of a hello-world server's throughput.
 * Never throws; the promise never rejects.
 */
export function safeDecide(
  client: Parapet,
  request: ProtectableRequest,
  extra?: Extra | (() => Extra),
  options?: ProtectOptions,
): Decision | Promise<Decision> {
  try {
    let values: Extra;
    try {
      values = typeof extra === "function" ? extra() : (extra ?? NO_EXTRA);
    } catch (error) {
      const message = messageOf(error);
      // A stand-in without withRule() (a test double) gets the adapter's own answer.
      if (typeof client.withRule !== "function") return adapterFailure(`the \`extra\` callback threw: ${message}`);
      return guarded(clientWithExtraFailed(client), request, { [EXTRA_ERROR]: message }, options);
    }
    return guarded(client, request, values, options);
  } catch (error) {
    return adapterFailure(messageOf(error));
  }
}

const NO_EXTRA: Extra = Object.freeze({});

/** The client's answer, with a rejection turned into the adapter's ERROR decision. A stand-in without decide() is awaited. */
function guarded(client: Parapet, request: ProtectableRequest, values: Extra, options?: ProtectOptions): Decision | Promise<Decision> {
  const decided = typeof client.decide === "function" ? client.decide(request, values, options) : client.protect(request, values, options);
  if (typeof (decided as Partial<PromiseLike<Decision>>).then !== "function") return decided as Decision;
  return Promise.resolve(decided).then(undefined, (error: unknown) => adapterFailure(messageOf(error)));
}

/** Where the callback's message travels to the rule: `extra` is the only per-request channel into a rule. */
const EXTRA_ERROR = "parapet:extraError";

/**
 * Fails with the `extra` callback's error. Run by the client itself, it makes
 * the decision ERROR under the client's own `onError` (a 503 when failing
 * closed), and every other rule still applies: a request whose session cookie
 * breaks the callback is still rate limited by IP and still inspected.
 */
const extraFailed: Rule = {
  type: "EXTRA",
  mode: "LIVE",
  cost: 0,
  evaluate({ request }) {
    throw new Error(`the \`extra\` callback threw: ${String(request.extra[EXTRA_ERROR])}`);
  },
};

// One derived client per client, not one per failure: it holds the interval
// that keeps "rule failed" warnings to one per 10 s when every request fails.
const withExtraFailed = new WeakMap<Parapet, Parapet>();

function clientWithExtraFailed(client: Parapet): Parapet {
  let derived = withExtraFailed.get(client);
  if (derived === undefined) {
    derived = client.withRule(extraFailed);
    withExtraFailed.set(client, derived);
  }
  return derived;
}

function adapterFailure(message: string): Decision {
  const reason: ErrorReason = { type: "ERROR", code: ErrorCodes.INTERNAL, message: `protect() failed: ${message}` };
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
