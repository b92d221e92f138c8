/**
 * How a run waits before trying a request again. A busy registry answers 429 (RFC 6585) or 503 with Retry-After, the
 * time to come back (RFC 9110 §10.2.3); trying sooner only earns another refusal and can get the machine blocked. The
 * run waits as asked while the waits stay short, and gives up on the host when they would not: a CI job must not
 * sleep for an hour because a registry said so.
 */
export interface RetryPacing {
  /** Waits `ms` (a timer; tests pass one that returns at once). */
  wait(ms: number): Promise<void>;
  /** The clock an HTTP-date Retry-After is read against (ms since epoch). */
  now(): number;
  /** Books a wait a registry asked for; false, and nothing booked, when the run would wait past `limitMs` in all. */
  book(ms: number): boolean;
  /** The most the run waits on Retry-After answers, in all. */
  readonly limitMs: number;
}

/**
 * Thirty seconds: enough for the short waits a busy registry or proxy asks for, and a cost a CI job can afford once.
 * Longer, and giving up with a message that says so is better than a job that seems to hang.
 */
export const MAX_RETRY_AFTER_WAIT_MS = 30_000;

export interface RetryPacingOptions {
  readonly wait?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly limitMs?: number;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRetryPacing(options: RetryPacingOptions = {}): RetryPacing {
  const now = options.now ?? Date.now;
  const limitMs = options.limitMs ?? MAX_RETRY_AFTER_WAIT_MS;
  let booked = 0;
  /** When the latest booked wait ends: parallel requests waiting at the same time cost the run that time once. */
  let waitsEndAt = Number.NEGATIVE_INFINITY;
  return {
    wait: options.wait ?? timer,
    now,
    limitMs,
    book(ms) {
      const start = now();
      const added = Math.max(0, start + ms - Math.max(start, waitsEndAt));
      if (booked + added > limitMs) return false;
      booked += added;
      waitsEndAt = Math.max(waitsEndAt, start + ms);
      return true;
    },
  };
}

/**
 * Milliseconds to wait from `now`, from a Retry-After value: delay-seconds, or an HTTP-date in any of the three forms
 * RFC 9110 makes recipients accept (IMF-fixdate, RFC 850, asctime; all in GMT, asctime without saying so). A date
 * already past is 0. Undefined when there is no header or it is neither form.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // A date starts with the day's name; Date.parse alone would read "1.5" as a day in 2001.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(/GMT$/.test(text) ? text : `${text} GMT`);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
