/**
 * Flush on SIGTERM/SIGINT (orchestrators send SIGTERM before killing a pod).
 * If the app has its own handler for the signal, we only flush and let it
 * decide when to exit; otherwise, once flushed, the signal is re-raised so
 * the process ends exactly as it would have without us.
 */
const SIGNALS = ["SIGTERM", "SIGINT"] as const;

export function flushOnSignals(close: () => Promise<void>): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      detach();
      void close().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  function detach(): void {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  }
  return detach;
}
