#!/usr/bin/env node
// One hello-world node:http server for bench/protect.mjs, run as a child so the
// load generator and the server do not share a core. Prints its URL, then
// serves until its parent closes stdin (see the end of the file for the CPU report).
// Usage: node bench/targets/http-hello.mjs <unprotected|"headers only"|parapet|rate-limiter-flexible>
import { createServer } from "node:http";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import { withParapet as nodeAdapter } from "@parapet/node";
import { RateLimiterMemory } from "rate-limiter-flexible";

// High enough that nothing is denied: every target does the same work per request.
const LIMIT = 1_000_000_000;
const WINDOW_SECONDS = 3600;

function hello(res) {
  res.setHeader("content-type", "text/plain");
  res.end("hello world");
}

function unprotected() {
  return (_req, res) => hello(res);
}

/**
 * The floor for any limiter that follows the rate-limit headers draft: no
 * limiter at all, but the two headers every allowed response of the others
 * carries (same names, same lengths).
 */
function headersOnly() {
  const policy = `"fixed";q=${LIMIT};w=${WINDOW_SECONDS}`;
  const state = `"fixed";r=${LIMIT - 1};t=${WINDOW_SECONDS}`;
  return (_req, res) => {
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", state);
    hello(res);
  };
}

/**
 * Parapet as an app on node:http deploys it: the @parapet/node adapter, which
 * sets the RateLimit headers, answers denials, and (the memory store deciding
 * at once) runs the handler in the same tick.
 */
function withParapet() {
  const client = parapet({ rules: [fixedWindow({ max: LIMIT, window: `${WINDOW_SECONDS}s` })], logger: silentLogger });
  return nodeAdapter(client, (_req, res) => hello(res));
}

function withRateLimiterFlexible() {
  const limiter = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_SECONDS });
  const policy = `"fixed";q=${LIMIT};w=${WINDOW_SECONDS}`;
  return async (req, res) => {
    try {
      const state = await limiter.consume(req.socket.remoteAddress ?? "unknown");
      res.setHeader("RateLimit-Policy", policy);
      res.setHeader("RateLimit", `"fixed";r=${state.remainingPoints};t=${Math.ceil(state.msBeforeNext / 1000)}`);
      hello(res);
    } catch (rejection) {
      res.statusCode = 429;
      res.setHeader("Retry-After", String(Math.ceil((rejection?.msBeforeNext ?? 1000) / 1000)));
      res.end("Too Many Requests");
    }
  };
}

const targets = { unprotected, "headers only": headersOnly, parapet: withParapet, "rate-limiter-flexible": withRateLimiterFlexible };
const create = targets[process.argv[2]];
if (!create) {
  console.error(`usage: http-hello.mjs <${Object.keys(targets).join("|")}>`);
  process.exit(2);
}
const handle = create();
let served = 0;
const server = createServer((req, res) => {
  served++;
  return handle(req, res);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
// "mark" on stdin starts the measured span (after the parent's warm-up); when stdin ends we print
// this process's CPU time and requests served since the mark, then exit. CPU per request is the
// cost of one request on this server whatever else the machine is doing; req/s is not.
let mark = { cpu: process.cpuUsage(), served: 0 };
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  if (text.includes("mark")) mark = { cpu: process.cpuUsage(), served };
});
process.stdin.on("end", () => {
  const cpu = process.cpuUsage(mark.cpu);
  console.log(JSON.stringify({ cpuMicros: cpu.user + cpu.system, served: served - mark.served }));
  server.close(() => process.exit(0));
});
process.stdin.resume();
