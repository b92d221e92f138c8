import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientLeft } from "../src/index.js";

/** A request on a socket in the given state, as node reports it. */
function on(socket: { destroyed: boolean; remoteAddress?: string; localPort?: number } | null): IncomingMessage {
  return { socket } as unknown as IncomingMessage;
}

describe("clientLeft", () => {
  it("tells a live TCP client from one whose connection was closed or reset", () => {
    assert.equal(clientLeft(on({ destroyed: false, remoteAddress: "127.0.0.1", localPort: 3000 })), false);
    assert.equal(clientLeft(on({ destroyed: true })), true, "closed, and node knows it");
    // A reset the kernel has and node has not read: the socket is not destroyed yet, but getpeername() fails.
    assert.equal(clientLeft(on({ destroyed: false, localPort: 3000 })), true, "reset, node not told yet");
  });

  it("does not take a unix-socket server's clients, which have no address at all, for gone", () => {
    assert.equal(clientLeft(on({ destroyed: false })), false);
    assert.equal(clientLeft(on(null)), false);
  });
});
