import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuthEvent, Clock } from "@parapet/core";
import { type AppOptions, createApp } from "../src/app.js";

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  // A multiple of 60 s: fixed windows are aligned to the epoch, so a fresh minute starts here.
  #time = 1_700_000_040_000;
  now(): number {
    return this.#time;
  }
  advance(ms: number): void {
    this.#time += ms;
  }
}

export interface TestApi {
  readonly url: string;
  readonly clock: ManualClock;
  readonly authEvents: AuthEvent[];
  readonly errors: unknown[];
  close(): Promise<void>;
}

/**
 * The real app on 127.0.0.1, port 0, with a clock the test moves and cheap
 * scrypt. Node's fetch announces itself as an HTTP library, which the demo's
 * bot policy denies, so these suites turn bot detection off unless a test
 * passes `bots`; protection.test.ts runs the default policy.
 */
export async function startApi(options: AppOptions = {}): Promise<TestApi> {
  const clock = new ManualClock();
  const authEvents: AuthEvent[] = [];
  const errors: unknown[] = [];
  const api = createApp({
    clock,
    users: { scrypt: { N: 2 ** 10, r: 8, p: 1 } },
    observers: [{ onDecision() {}, onAuthEvent: (event) => void authEvents.push(event) }],
    log: (_message, error) => void errors.push(error),
    bots: false,
    ...options,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clock,
    authEvents,
    errors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}
