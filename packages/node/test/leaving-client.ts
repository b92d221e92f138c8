/**
 * A client that sends a request and closes the connection at once, as one
 * that needs no answer does (a trigger for an SMS, an e-mail), and what a
 * test server uses to hold such a request until its connection is gone: an
 * earlier middleware awaiting a session or a body parser, done deterministically.
 * Every wait is bounded.
 */
import { connect } from "node:net";

export type Leaving = "fin" | "reset";

/** A bodyless POST marked with LEAVING_HEADER, for the server to hold until the connection closes. */
export function leavingRequest(path: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\n${LEAVING_HEADER}: 1\r\nContent-Length: 0\r\n\r\n`;
}

export const LEAVING_HEADER = "x-test-leaving";

/** Writes `request` on a fresh connection, then ends it ("fin") or resets it ("reset"); resolves once it is closed. */
export function sendAndLeave(url: string, request: string, how: Leaving): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(request);
      if (how === "reset") socket.resetAndDestroy();
      else socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
    // A FIN leaves our side open until the server closes its own.
    socket.resume();
  });
}

/** Calls `then` once `socket` is closed (at once if it is), or after 3 s at the latest. */
export function whenClosed(
  socket: { readonly destroyed: boolean; once(event: "close", listener: () => void): unknown },
  then: () => void,
): void {
  if (socket.destroyed) {
    then();
    return;
  }
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    clearTimeout(timer);
    then();
  };
  const timer = setTimeout(once, 3_000);
  socket.once("close", once);
}

/**
 * Two clients that send `leavingRequest(path)` and close (FIN), two that reset, then one that waits for its answer:
 * resolves with that answer once `decided()` counts the four that left. The server holds each leaving request until
 * its connection is gone (see whenClosed), so each decision is made after its client left.
 */
export async function leaveFourTimesThenStay(url: string, path: string, decided: () => number): Promise<Response> {
  for (const how of ["fin", "reset", "fin", "reset"] as const) await sendAndLeave(url, leavingRequest(path), how);
  await waitFor(() => decided() === 4, "four decisions");
  return fetch(`${url}${path}`, { method: "POST" });
}

/** Resolves once `condition()` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
