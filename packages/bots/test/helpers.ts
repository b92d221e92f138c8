/** Shared fixtures: browser header sets, a scripted resolver, and a rule evaluated through the real pipeline. */
import { readFileSync } from "node:fs";
import { type Decision, type PlainRequest, parapet, type Rule, silentLogger } from "@parapet/core";
import type { BotReason } from "../src/index.js";
import type { BotResolver } from "../src/resolver.js";

/** The headers Chrome 138 on Windows sends on a top-level navigation over HTTPS. */
export const CHROME_HEADERS: Readonly<Record<string, string>> = {
  "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
  accept:
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
  "accept-encoding": "gzip, deflate, br, zstd",
  "accept-language": "en-US,en;q=0.9",
  "sec-ch-ua": '"Not)A;Brand";v="8", "Chromium";v="138", "Google Chrome";v="138"',
  "sec-ch-ua-mobile": "?0",
  "sec-ch-ua-platform": '"Windows"',
  "sec-fetch-dest": "document",
  "sec-fetch-mode": "navigate",
  "sec-fetch-site": "none",
  "sec-fetch-user": "?1",
  "upgrade-insecure-requests": "1",
};

/** What python-requests 2.31 sends by default, with only the User-Agent replaced. */
export function pythonRequestsHeaders(userAgent: string): Record<string, string> {
  return { "user-agent": userAgent, "accept-encoding": "gzip, deflate", accept: "*/*", connection: "keep-alive" };
}

export function request(ip: string, headers: Readonly<Record<string, string>>): PlainRequest {
  return { method: "GET", url: "/api/hello", headers: { host: "example.test", ...headers }, ip };
}

/** 2025-07-01: the clock the version checks run against. */
export const NOW = Date.UTC(2025, 6, 1);

export async function decide(
  rule: Rule,
  ip: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ decision: Decision; reason: BotReason }> {
  const client = parapet({ rules: [rule], logger: silentLogger, clock: { now: () => NOW } });
  try {
    const decision = await client.protect(request(ip, headers));
    const result = decision.results[0];
    if (!result) throw new Error("the bot rule produced no result");
    return { decision, reason: result.reason as BotReason };
  } finally {
    await client.close();
  }
}

export interface ScriptedResolver extends BotResolver {
  readonly calls: string[];
}

/** A resolver answering from tables; a missing entry rejects with ENOTFOUND as DNS would. */
export function scriptedResolver(ptr: Record<string, string[]>, addresses: Record<string, string[]>): ScriptedResolver {
  const calls: string[] = [];
  const notFound = (name: string) => Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return {
    calls,
    async reverse(ip) {
      calls.push(`reverse ${ip}`);
      const names = ptr[ip];
      if (!names) throw notFound(ip);
      return names;
    },
    async resolve(host) {
      calls.push(`resolve ${host}`);
      const found = addresses[host];
      if (!found) throw notFound(host);
      return found;
    },
  };
}

export interface FixtureCase {
  readonly id: string;
  readonly ua: string;
  readonly bot: boolean;
}

export function humanFixture(): FixtureCase[] {
  const text = readFileSync(new URL("../../test/fixtures/human-user-agents.jsonl", import.meta.url), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as FixtureCase);
}
