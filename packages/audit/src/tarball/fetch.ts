import type { HostCircuit } from "./circuit.js";
import { createRetryPacing, parseRetryAfter, type RetryPacing } from "./retry-after.js";

export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

export interface FetchOptions {
  readonly fetch?: FetchLike;
  /** Longest silence allowed: before the response, and between two chunks of its body. */
  readonly idleTimeoutMs?: number;
  /** Longest one attempt may take, body included (a server trickling bytes never goes idle). */
  readonly timeoutMs?: number;
  /** Retries after a network error, 429 or 5xx. A timeout is retried once at most. */
  readonly retries?: number;
  /** Largest body accepted: a registry tarball over this is refused, not buffered. */
  readonly maxBytes?: number;
  readonly headers?: Record<string, string>;
  /** Shared by the run's requests, so a dead host is given up on once (see circuit.ts). */
  readonly circuit?: HostCircuit;
  /** Shared by the run's requests, so the waits a busy registry asks for stay bounded in all (see retry-after.ts). */
  readonly pacing?: RetryPacing;
}

export class FetchError extends Error {
  readonly status: number | undefined;
  /** Trying again cannot help: an HTTP 4xx, a bad URL, a size limit, a host given up on. */
  readonly final: boolean;
  readonly timedOut: boolean;
  /** How long a 429 or 503 asked to wait before the next try (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: { status?: number; final?: boolean; timedOut?: boolean; retryAfterMs?: number } = {}) {
    super(message);
    this.name = "FetchError";
    this.status = details.status;
    this.final = details.final ?? false;
    this.timedOut = details.timedOut ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * Twenty seconds of silence: registries answer in well under a second, and even a
 * 100 MB packument keeps bytes flowing. A hung host costs this once, not once per retry.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 20_000;
const DEFAULT_TIMEOUT_MS = 120_000;

/** The URL as it may appear in messages: never with a user:password in it. */
function shown(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

/** Parses once, up front: a URL that cannot be fetched fails now instead of being retried. */
function parseTarget(url: string): URL {
  // new URL() accepts "https://${HOST}/" and would send DNS looking for it: name the variable instead.
  const unset = /\$\{([^${}?]+)\}/.exec(url)?.[1];
  if (unset !== undefined) {
    const where = url.replace(/\/\/[^/@]*@/, "//");
    const fix = "Set it (npm needs it too) or fix the registry in .npmrc";
    throw new FetchError(`${where}: \${${unset}} is not set, so the registry URL is incomplete. ${fix}`, { final: true });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError(`"${url.replace(/\/\/[^/@]*@/, "//")}" is not a valid URL; check the registry setting`, { final: true });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new FetchError(`${shown(parsed)}: only http and https registries are supported`, { final: true });
  if (parsed.username !== "" || parsed.password !== "")
    throw new FetchError(`${shown(parsed)}: credentials in a registry URL are not supported; put them in .npmrc as //host/:_authToken`, {
      final: true,
    });
  return parsed;
}

/** A timer that aborts the attempt after `idleMs` of silence or `totalMs` overall. */
function watchdog(idleMs: number, totalMs: number) {
  const controller = new AbortController();
  let fail: (error: FetchError) => void = () => {};
  const expired = new Promise<never>((_, reject) => {
    fail = reject;
  });
  expired.catch(() => {}); // only observed through race(); never an unhandled rejection
  const stop = (message: string) => {
    const error = new FetchError(message, { timedOut: true });
    controller.abort(error);
    fail(error);
  };
  let idle = setTimeout(() => stop(`no answer for ${idleMs / 1000} s`), idleMs);
  const total = setTimeout(() => stop(`not finished after ${totalMs / 1000} s`), totalMs);
  return {
    signal: controller.signal,
    /** Settles with `work`, or rejects as soon as the watchdog fires (even if `work` ignores the signal). */
    race: <T>(work: Promise<T>) => Promise.race([work, expired]),
    activity: () => {
      clearTimeout(idle);
      idle = setTimeout(() => stop(`no data for ${idleMs / 1000} s`), idleMs);
    },
    clear: () => {
      clearTimeout(idle);
      clearTimeout(total);
    },
  };
}

/** Reads the body chunk by chunk: the size limit holds without buffering an oversized answer first. */
async function readBody(response: Response, where: string, maxBytes: number, activity: () => void, race: Watchdog["race"]) {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new FetchError(`${where}: ${declared} bytes is over the ${maxBytes}-byte limit`, { final: true });
  if (!response.body) return new Uint8Array(await race(response.arrayBuffer()));
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await race(reader.read());
    if (done) break;
    activity();
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FetchError(`${where}: body over the ${maxBytes}-byte limit`, { final: true });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

type Watchdog = ReturnType<typeof watchdog>;

async function attempt(url: URL, options: FetchOptions, pacing: RetryPacing): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike);
  const where = shown(url);
  const timer = watchdog(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const response = await timer.race(
      fetchImpl(url.href, { signal: timer.signal, ...(options.headers ? { headers: options.headers } : {}) }),
    );
    timer.activity();
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel().catch(() => {});
      // Only these two say when to come back (RFC 6585 §4, RFC 9110 §15.6.4); on any other status the header means nothing.
      const retryAfterMs =
        response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get("retry-after"), pacing.now()) : undefined;
      throw new FetchError(`${where}: HTTP ${response.status}`, {
        status: response.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new FetchError(`${where}: HTTP ${response.status}`, { status: response.status, final: true });
    }
    return await readBody(response, where, options.maxBytes ?? 100 * 1024 * 1024, timer.activity, timer.race);
  } catch (error) {
    if (error instanceof FetchError) throw error.timedOut ? new FetchError(`${where}: ${error.message}`, { timedOut: true }) : error;
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    throw new FetchError(`${where}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  } finally {
    timer.clear();
  }
}

/**
 * GET with timeouts, bounded retries and a per-host circuit breaker. A 4xx is
 * final (a 404 means the package or version is gone, itself worth reporting);
 * network errors, 429 and 5xx are retried with backoff; a timeout once at most.
 * A 429 or 503 with Retry-After is retried when it asked, if the run may still
 * wait that long (see retry-after.ts); if not, its host is given up on.
 */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const target = parseTarget(url);
  const retries = options.retries ?? 2;
  const pacing = options.pacing ?? createRetryPacing();
  let lastError: FetchError | undefined;
  let attempts = 0;
  let timeouts = 0;
  let delay = 0;
  while (attempts <= retries) {
    if (attempts > 0) await pacing.wait(delay);
    const skipped = options.circuit?.skipReason(target.host);
    if (skipped !== undefined) throw new FetchError(`${shown(target)}: not requested, ${skipped}`, { final: true });
    attempts++;
    try {
      const body = await attempt(target, options, pacing);
      options.circuit?.recordSuccess(target.host);
      return body;
    } catch (error) {
      const failure = error as FetchError;
      if (failure.final) {
        if (failure.status !== undefined) options.circuit?.recordSuccess(target.host);
        throw failure;
      }
      lastError = failure;
      delay = 250 * 2 ** (attempts - 1);
      if (failure.retryAfterMs === undefined) {
        options.circuit?.recordFailure(target.host, failure.message);
        if (failure.timedOut && ++timeouts > 1) break;
        continue;
      }
      // A host that says when to come back is alive, not failing: the circuit is for dead hosts, and pacing bounds the waits.
      if (attempts > retries) break;
      delay = Math.max(delay, failure.retryAfterMs);
      if (!pacing.book(delay)) throw giveUpOn(target, failure, delay, pacing, options.circuit);
    }
  }
  throw new FetchError(`${lastError?.message ?? shown(target)} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`, {
    ...(lastError?.status !== undefined ? { status: lastError.status } : {}),
    timedOut: lastError?.timedOut ?? false,
  });
}

/** A Retry-After the run cannot wait out: the host's remaining requests are skipped, and the report says why. */
function giveUpOn(target: URL, failure: FetchError, waitMs: number, pacing: RetryPacing, circuit: HostCircuit | undefined): FetchError {
  const asked = `asked to wait ${Math.ceil(waitMs / 1000)} s (Retry-After)`;
  const limit = `the ${pacing.limitMs / 1000} s parapet audit waits for busy registries in one run`;
  circuit?.giveUp(target.host, {
    skip: `${target.host} ${asked} earlier in this run`,
    notice: `${target.host} answered HTTP ${failure.status} and ${asked}, which would take this run past ${limit}, so the rest of its requests were skipped and those packages were not checked. Run again later, or point --registry at a mirror that does not limit this machine.`,
  });
  return new FetchError(`${failure.message}, and the registry ${asked}, which would take this run past ${limit}. Run again later`, {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    final: true,
  });
}
