import { matchesIntegrity } from "./cache.js";

/**
 * Tells a tampered tarball from one damaged on the way. A body whose end is marked only by the connection closing (no
 * content-length, no chunked encoding), or a chunked body a proxy ends cleanly when its upstream drops, arrives short
 * without any error, and a short tarball misses the lockfile's hash as surely as a hijacked one. So a miss is fetched
 * once more: a second copy that matches was the network; two identical copies that both miss are what the registry
 * serves (integrity-mismatch); two different copies are a download that cannot be trusted either way.
 *
 * Only bytes that matched the lockfile are ever returned: a registry that sends a hijack first and the real tarball
 * second gets the real one analyzed, which is also the only copy npm would install (it checks the same hash); that the
 * first copy was altered rather than cut short is reported (`alteredFirst`), since a path that swaps bytes once may
 * swap them for the next install too.
 */

export type VerifiedDownload =
  /**
   * Bytes that match the lockfile's integrity, or the only copy when the lockfile pins none. `alteredFirst`: the first
   * copy missed and was no download cut short (not the start of the matching copy): something on the way served
   * other bytes once.
   */
  | { readonly kind: "verified"; readonly bytes: Uint8Array; readonly alteredFirst?: true }
  /** Two identical copies, both different from what the lockfile pins. */
  | { readonly kind: "mismatch" };

/** Fetches one copy; `again` is true for the second, which must not come from a cache on the way. */
export type FetchCopy = (again: boolean) => Promise<Uint8Array>;

export async function downloadVerified(integrity: string | undefined, fetchCopy: FetchCopy): Promise<VerifiedDownload> {
  const first = await fetchCopy(false);
  if (integrity === undefined || matchesIntegrity(first, integrity) !== false) return { kind: "verified", bytes: first };
  let second: Uint8Array;
  try {
    second = await fetchCopy(true);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the tarball did not match the lockfile's integrity, and fetching it again to confirm failed: ${reason}`);
  }
  if (matchesIntegrity(second, integrity) === true) {
    return isStartOf(first, second) ? { kind: "verified", bytes: second } : { kind: "verified", bytes: second, alteredFirst: true };
  }
  if (Buffer.from(first).equals(second)) return { kind: "mismatch" };
  throw new Error(
    `the registry sent two different copies (${first.length} and ${second.length} bytes), neither matching the lockfile's integrity: ` +
      "the download is being cut short or altered on the way (a proxy, a flaky network), or the registry serves different bytes each time",
  );
}

/** A copy cut short holds the start of the whole one, byte for byte; anything else was altered, not cut. */
function isStartOf(part: Uint8Array, whole: Uint8Array): boolean {
  return part.length < whole.length && Buffer.from(part).equals(whole.subarray(0, part.length));
}
