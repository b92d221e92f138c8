import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, type Logger, type PlainRequest, parapet, type Rule } from "@parapet/core";
import type { Finding } from "../src/alerts/alert.js";
import { createScanDetector } from "../src/detect/scan.js";
import type { TrafficEvent } from "../src/detect/traffic.js";

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2025, 0, 1)): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "parapet-observe-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function recordingLogger(): Logger & { lines: string[]; fields: (Record<string, unknown> | undefined)[] } {
  const lines: string[] = [];
  const fields: (Record<string, unknown> | undefined)[] = [];
  return {
    lines,
    /** The fields of each line, by the same index. */
    fields,
    debug() {},
    warn(message, data) {
      lines.push(`warn ${message}`);
      fields.push(data);
    },
    error(message, data) {
      lines.push(`error ${message}`);
      fields.push(data);
    },
  };
}

/** Polls until `done()` holds; fails after `ms`. */
export async function waitFor(done: () => boolean, ms = 10_000, what = "the condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A rule that labels requests the way a bot detector would, from a test header. */
export const labelBot: Rule = {
  type: "DETECT_BOT",
  mode: "LIVE",
  cost: 2,
  evaluate: ({ request }) => ({
    conclusion: "ALLOW",
    reason: { type: "BOT", message: "labelled", botClass: request.headers["x-test-bot"] ?? "human" } as { type: string; message: string },
  }),
};

/** A shield stand-in that denies paths containing "attack". */
export const denyAttackPaths: Rule = {
  type: "SHIELD",
  mode: "LIVE",
  cost: 3,
  evaluate: ({ request }) =>
    request.path.includes("attack")
      ? { conclusion: "DENY", reason: { type: "SHIELD", message: "attack", attack: "sqli" } as { type: string; message: string } }
      : { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "ok" } },
};

export function request(ip: string, path = "/", headers: Record<string, string> = {}): PlainRequest {
  return { method: "GET", url: path, ip, headers: { host: "example.test", "user-agent": "test-agent", ...headers } };
}

export { parapet };

/** A request as the spike detector sees it: an established-looking API key client on one network unless `fields` say otherwise. */
export function trafficEvent(ts: number, client: string, fields: Partial<TrafficEvent> = {}): TrafficEvent {
  return {
    ts,
    ip: "192.0.2.1",
    prefix: "192.0.2.0/24",
    client,
    authenticated: true,
    bot: false,
    denied: false,
    errored: false,
    attack: false,
    path: "/",
    ...fields,
  };
}

/** A scan detector with its default buckets, recording what it finds; `status` reports one answered request. */
export function recordingScanDetector(): { findings: Finding[]; status(ip: string, path: string, status: number, now: number): void } {
  const findings: Finding[] = [];
  const scan = createScanDetector({}, (finding) => findings.push(finding));
  return { findings, status: (client, path, status, now) => scan.observeStatus(client, path, status, now) };
}
