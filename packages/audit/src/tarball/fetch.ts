export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

export interface FetchOptions {
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
  readonly retries?: number;
  /** Largest body accepted: a registry tarball over this is refused, not buffered. */
  readonly maxBytes?: number;
  readonly headers?: Record<string, string>;
}

export class FetchError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "FetchError";
    this.status = status;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * GET with a per-attempt timeout and retries with backoff on network errors and
 * 429/5xx. A 404 is final (the package or version is gone — itself worth reporting).
 */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike);
  const retries = options.retries ?? 3;
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
    try {
      const response = await fetchImpl(url, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        ...(options.headers ? { headers: options.headers } : {}),
      });
      if (response.status === 429 || response.status >= 500) {
        lastError = new FetchError(`${url}: HTTP ${response.status}`, response.status);
        continue;
      }
      if (!response.ok) throw new FetchError(`${url}: HTTP ${response.status}`, response.status);
      const length = Number(response.headers.get("content-length") ?? "0");
      if (length > maxBytes) throw new FetchError(`${url}: ${length} bytes is over the ${maxBytes}-byte limit`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > maxBytes) throw new FetchError(`${url}: body over the ${maxBytes}-byte limit`);
      return body;
    } catch (error) {
      if (error instanceof FetchError && error.status !== undefined && error.status < 500 && error.status !== 429) throw error;
      if (error instanceof FetchError && error.status === undefined) throw error;
      lastError = error;
    }
  }
  throw lastError instanceof Error
    ? new FetchError(`${url}: ${lastError.message} (after ${retries + 1} attempts)`)
    : new FetchError(`${url}: failed`);
}
