/** The two DNS questions bot verification asks. Injected so tests (and platforms without DNS) can supply their own. */
export interface BotResolver {
  /** PTR names of an IP address. Rejects with `code: "ENOTFOUND"` (or "ENODATA") when there are none. */
  reverse(ip: string): Promise<string[]>;
  /** A and AAAA addresses of a host name. */
  resolve(host: string): Promise<string[]>;
}

/** DNS answers that prove absence (the name has no record), as opposed to a failure to get an answer. */
export const NEGATIVE_DNS_CODES: ReadonlySet<string> = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN"]);

export function isNegativeAnswer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NEGATIVE_DNS_CODES.has(code);
}
