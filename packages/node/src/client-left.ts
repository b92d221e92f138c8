import type { IncomingMessage } from "node:http";

/**
 * Whether the client closed its connection before the decision (a FIN or a
 * reset while an earlier middleware awaited a session, a body parser, …).
 *
 * Such a request must not reach the app. Its socket is gone, and the peer
 * address with it: the core knows no client IP, IP-keyed rules answer ERROR,
 * and under the default fail-open the request passed every IP limit. A client
 * that needs no answer (a trigger for an SMS, an e-mail, an expensive search)
 * sent a request and closed at once, and got 10 of 10 past a limit of 2.
 * Nobody is left to read an answer, so the app loses nothing by not running.
 */
export function clientLeft(req: IncomingMessage): boolean {
  const socket = req.socket;
  if (!socket) return false;
  if (socket.destroyed) return true;
  // A reset the kernel has and node has not read yet: the socket looks open, but
  // getpeername() fails. A TCP socket still has its own port then; a unix-socket
  // server's socket has neither address, and its clients have not left.
  return socket.remoteAddress === undefined && socket.localPort !== undefined;
}
