/**
 * Waits for `work` to settle, or `ms` to pass, whichever comes first; the timer is cleared either way, so a wait that
 * ended early holds no process open. Resolves to true when `work` settled in time. A rejection of `work` within the
 * wait is passed on. An infinite `ms` waits for `work` (setTimeout would take it as 1 ms). For shutdown paths that
 * must not wait for ever on a database or receiver that stopped answering.
 */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Number.POSITIVE_INFINITY) return work.then(() => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), false)));
  return Promise.race([work.then(() => true), timeout]).finally(() => clearTimeout(timer));
}
