import type { ServerResponse } from "node:http";
import { type Decision, type DecisionObserver, type Logger, messageOf, type NormalizedRequest, NoticeThrottle } from "@parapet/core";
import type { DecisionLogQuery } from "@parapet/observe";

/**
 * The live tail. Decisions reach it one of two ways:
 * - in process: the app adds a `createLiveFeed()` observer to its parapet
 *   client and passes the same feed to `startDashboard({ observer })`;
 * - from another process (`parapet dashboard`): by polling the log for rows
 *   newer than the last one seen.
 * Either way the browser receives server-sent events.
 */
export interface LiveDecision {
  readonly id: string;
  readonly ts: number;
  readonly conclusion: string;
  readonly denied: boolean;
  readonly ruleId: string | null;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | null;
}

export interface LiveSource {
  /**
   * Starts delivering; returns the function that stops it. A source that reads the log reports through
   * `onReadable` when reading starts failing (false) and works again (true), so the tail can say so.
   */
  subscribe(listener: (decision: LiveDecision) => void, onReadable?: (readable: boolean) => void): () => void;
}

/** An observer for `parapet({ observers })` that the dashboard can also subscribe to. */
export interface LiveFeed extends DecisionObserver, LiveSource {}

// The same bounds the decision log applies: attacker-written text must not grow an event.
const MAX_PATH = 1024;
const MAX_USER_AGENT = 512;

export function createLiveFeed(): LiveFeed {
  const listeners = new Set<(decision: LiveDecision) => void>();
  return {
    onDecision(decision: Decision, request: NormalizedRequest) {
      if (listeners.size === 0) return;
      const deciding =
        decision.results.find((r) => r.mode === "LIVE" && r.conclusion === "DENY") ??
        decision.results.find((r) => r.conclusion === "ERROR");
      const live: LiveDecision = {
        id: decision.id,
        ts: decision.timestamp,
        conclusion: decision.conclusion,
        denied: decision.isDenied(),
        ruleId: deciding?.ruleId ?? null,
        ip: decision.ip,
        method: request.method,
        path: request.path.slice(0, MAX_PATH),
        userAgent: request.header("user-agent")?.slice(0, MAX_USER_AGENT) ?? null,
      };
      // An observer must never throw into the request path.
      for (const listener of listeners) {
        try {
          listener(live);
        } catch {}
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface PollOptions {
  readonly intervalMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Rows are written in batches, so a row can land after a newer one was seen: look back this far. */
const LOOKBACK_MS = 15_000;
/** Ids remembered to skip rows already sent; more than a lookback window's worth at any sane rate. */
const MAX_SEEN = 20_000;
/** Rows read per poll. A tail shows what is happening now; the table is the complete record. */
const POLL_LIMIT = 500;
/**
 * A log that cannot be read (PostgreSQL down, a broken file) fails every poll, once a second while a tab tails:
 * warning each time wrote 86,400 lines a day into the dashboard's log, the app's own in process. The first failure
 * is written, then at most one line per this long, with the number of failed polls since the last one.
 */
const REPEAT_WARN_MS = 5 * 60_000;

export function pollingSource(query: DecisionLogQuery, options: PollOptions): LiveSource {
  return {
    subscribe(listener, onReadable) {
      let since = options.now();
      const seen = new Set<string>();
      let running = false;
      const pollFailures = new NoticeThrottle(REPEAT_WARN_MS);
      let readable = true;
      const report = (now: boolean) => {
        if (now === readable) return;
        readable = now;
        onReadable?.(now);
      };
      async function poll(): Promise<void> {
        if (running) return;
        running = true;
        try {
          const now = options.now();
          // `to` a minute ahead: the app's clock may run slightly ahead of ours.
          const page = await query.decisions({ from: since - LOOKBACK_MS, to: now + 60_000, limit: POLL_LIMIT });
          for (const row of [...page.decisions].reverse()) {
            if (seen.has(row.id) || row.ts < since - LOOKBACK_MS) continue;
            seen.add(row.id);
            if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value as string);
            since = Math.max(since, row.ts);
            listener({
              id: row.id,
              ts: row.ts,
              conclusion: row.conclusion,
              denied: row.denied,
              ruleId: row.ruleId,
              ip: row.ip,
              method: row.method,
              path: row.path,
              userAgent: row.userAgent,
            });
          }
          report(true);
        } catch (error) {
          report(false);
          const heldBack = pollFailures.pass(options.now());
          if (heldBack !== undefined) {
            // This poll and the ones held back since the last warning.
            options.logger.warn("dashboard: live tail could not poll the decision log", {
              error: messageOf(error),
              failedPolls: heldBack + 1,
            });
          }
        } finally {
          running = false;
        }
      }
      const timer = setInterval(poll, options.intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** At most this many browser tabs tail at once; each holds a connection and a subscription. */
const MAX_CLIENTS = 32;
/** A client that stops reading is dropped once this much is queued for it, instead of growing memory. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Comments keep idle connections open through proxies and let the browser notice a dead server. */
const HEARTBEAT_MS = 15_000;

export interface LiveHub {
  /**
   * Takes over the response as an event stream; answers 503 when too many are open. `stillValid` is asked on every
   * heartbeat and by `revalidate()`: once it says no (the session that opened the tail ended), the stream ends.
   */
  attach(response: ServerResponse, stillValid?: () => boolean): void;
  /** Ends the streams whose `stillValid` says no; called when sessions are ended. */
  revalidate(): void;
  close(): void;
}

export function createLiveHub(source: LiveSource): LiveHub {
  const clients = new Map<ServerResponse, () => boolean>();
  let unsubscribe: (() => void) | undefined;
  // A tail over a log that cannot be read (PostgreSQL down) stayed "connected" and empty, as if nothing happened:
  // tabs are told when reading fails and works again, and a tab that opens meanwhile is told at once.
  let logReadable = true;
  const statusEvent = () => `event: status\ndata: ${JSON.stringify({ logReadable })}\n\n`;

  function send(event: string): void {
    for (const client of clients.keys()) {
      if (client.writableLength > MAX_BUFFERED_BYTES) client.destroy();
      else client.write(event);
    }
  }
  function broadcast(decision: LiveDecision): void {
    send(`event: decision\ndata: ${JSON.stringify(decision)}\n\n`);
  }
  function readableChanged(readable: boolean): void {
    logReadable = readable;
    send(statusEvent());
  }
  function stop(): void {
    unsubscribe?.();
    unsubscribe = undefined;
    logReadable = true;
  }
  function detach(client: ServerResponse): void {
    clients.delete(client);
    if (clients.size === 0) stop();
  }
  function revalidate(): void {
    for (const [client, stillValid] of clients) {
      if (stillValid()) continue;
      // Out of the set first: nothing may be written to it once it is ended.
      detach(client);
      client.end();
    }
  }
  const heartbeat = setInterval(() => {
    revalidate();
    for (const client of clients.keys()) client.write(": ping\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    attach(response, stillValid = () => true) {
      // No socket yet: the request was pipelined behind another response on its connection. Behind a tail, which
      // never ends, it would never start, and its response never closes (only an assigned socket's close reaches
      // it): each such tail held a slot for good, so one connection with 32 pipelined tails locked the page out.
      if (!response.socket) return refuse(response, "a live tail cannot wait behind another request; open it on a connection of its own");
      if (clients.size >= MAX_CLIENTS) return refuse(response, `at most ${MAX_CLIENTS} live tails may be open; close another tab`);
      response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
      response.write(logReadable ? "retry: 3000\n\n" : `retry: 3000\n\n${statusEvent()}`);
      clients.set(response, stillValid);
      response.on("close", () => detach(response));
      unsubscribe ??= source.subscribe(broadcast, readableChanged);
    },
    revalidate,
    close() {
      clearInterval(heartbeat);
      for (const client of clients.keys()) client.end();
      clients.clear();
      stop();
    },
  };
}

function refuse(response: ServerResponse, message: string): void {
  response.writeHead(503, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify({ error: message }));
}
