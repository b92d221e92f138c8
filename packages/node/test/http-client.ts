/**
 * Clients for the framing cases fetch cannot express: a request written byte
 * by byte on a socket, and requests in sequence on one keep-alive connection.
 * Every call is bounded: a server that never answers yields "no response".
 */
import { Agent, request as httpRequest } from "node:http";
import { connect } from "node:net";

export const NO_RESPONSE = "no response";

export interface RawAnswer {
  /** "HTTP/1.1 200 OK", or NO_RESPONSE. */
  readonly statusLine: string;
  /** Everything after the header block, as sent (chunk framing included). */
  readonly body: string;
}

/**
 * Writes `parts` to a fresh connection, `gapMs` apart (a terminator in its own
 * packet), and reads until the server closes. Send `Connection: close`.
 */
export function rawRequest(url: string, parts: readonly string[], timeoutMs = 3_000, gapMs = 50): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    const timers: ReturnType<typeof setTimeout>[] = [];
    const done = (answer: RawAnswer) => {
      for (const timer of timers) clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      const split = received.indexOf("\r\n\r\n");
      if (split === -1) return done({ statusLine: NO_RESPONSE, body: received });
      done({ statusLine: received.slice(0, received.indexOf("\r\n")), body: received.slice(split + 4) });
    });
    timers.push(setTimeout(() => done({ statusLine: NO_RESPONSE, body: received }), timeoutMs));
    parts.forEach((part, index) => {
      timers.push(setTimeout(() => socket.write(part), index * gapMs));
    });
  });
}

export interface KeepAliveClient {
  /** The status, or NO_RESPONSE when none came within the timeout (or the connection was reset). */
  send(method: string, path: string, body?: Buffer, contentType?: string): Promise<number | typeof NO_RESPONSE>;
  close(): void;
}

/** One connection at a time, reused between requests, as browsers and proxies do. */
export function keepAliveClient(url: string, timeoutMs = 3_000): KeepAliveClient {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send(method, path, body, contentType = "application/octet-stream") {
      return new Promise((resolve) => {
        const headers = body ? { "content-type": contentType, "content-length": String(body.length) } : {};
        const req = httpRequest({ host: hostname, port: Number(port), method, path, agent, headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.setTimeout(timeoutMs, () => {
          req.destroy();
          resolve(NO_RESPONSE);
        });
        req.on("error", () => resolve(NO_RESPONSE));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
