/**
 * Waits for `work` to settle, or `ms` to pass, whichever comes first; the timer is cleared either way, so a wait that
 * ended early holds no process open. A rejection of `work` within the wait is passed on. For shutdown paths that
 * must not wait for ever on a database or receiver that stopped answering.
 */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
