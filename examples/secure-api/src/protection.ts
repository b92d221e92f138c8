/**
 * Every Parapet client the API uses, built in one place so that adding the
 * shield, bot detection or decision logging is a change to this file only.
 * All clients share one store and one clock (withRule), so tests can drive
 * the windows and a Redis store can replace the memory one in production.
 */
import { type BotPolicy, DEMO_BOT_POLICY, detectBot } from "@parapet/bots";
import {
  type Clock,
  type DecisionObserver,
  fixedWindow,
  type Logger,
  MemoryStore,
  type Parapet,
  parapet,
  type Rule,
  type Store,
} from "@parapet/core";
import { shield } from "@parapet/shield";

export interface ProtectionOptions {
  readonly store?: Store;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Trusted reverse proxies (IPs, CIDRs, "loopback"); none by default, so X-Forwarded-For is ignored. */
  readonly proxies?: readonly string[];
  /** Decision logs and detectors; they also receive the login outcomes. */
  readonly observers?: readonly DecisionObserver[];
  /**
   * Which automated clients may call the API. Default: search engines,
   * monitors, link previews and curl (so the API can be tried from a
   * terminal); python-requests, scrapers, headless browsers and scanners
   * are denied. `false` turns bot detection off.
   */
  readonly bots?: BotPolicy | false;
  /** Rules that run before every other one, e.g. the observe block list. */
  readonly firstRules?: readonly Rule[];
}

export interface Protection {
  /**
   * Every request: the block list, bot detection, the attack shield, then
   * 100 requests per minute per IP. The route clients below are these rules
   * plus their own limit, and a request goes through exactly one of them: one
   * request, one decision in the log (with its status, bot and attack class),
   * and no limit counted twice.
   */
  readonly site: Parapet;
  /** GET /api/hello, the contract: 10 requests per 60 s per client IP (and the site rules). */
  readonly hello: Parapet;
  /** POST /api/signup: account creation is cheap to abuse, so 5 per hour per IP (and the site rules). */
  readonly signup: Parapet;
  /** POST /api/login, checked before the password is looked at: 20 attempts per 15 min per IP (and the site rules). */
  readonly loginByIp: Parapet;
  /**
   * POST /api/login, per submitted username (`protect(req, { userId })`): 5 per
   * 15 min, whatever the IP, because credential stuffing rotates addresses.
   * A second decision for a well-formed login: the name is only known once
   * the body is checked, and a request without one is limited by IP alone.
   */
  readonly loginByUser: Parapet;
  close(): Promise<void>;
}

export function createProtection(options: ProtectionOptions = {}): Protection {
  const base = parapet({
    rules: [],
    store: options.store ?? new MemoryStore(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.proxies ? { proxies: options.proxies } : {}),
    ...(options.observers ? { observers: options.observers } : {}),
  });
  const bots = options.bots ?? DEMO_BOT_POLICY;
  const site = base.withRule(
    ...(options.firstRules ?? []),
    ...(bots === false ? [] : [detectBot({ mode: "LIVE", ...bots })]),
    // `body.content` holds a post's editor HTML (routes/posts.ts): formatting passes there, script does not.
    shield({ mode: "LIVE", richText: ["body.content"] }),
    fixedWindow({ name: "api", max: 100, window: "60s" }),
  );
  return {
    site,
    hello: site.withRule(fixedWindow({ name: "hello", max: 10, window: "60s" })),
    signup: site.withRule(fixedWindow({ name: "signup", max: 5, window: "1h" })),
    loginByIp: site.withRule(fixedWindow({ name: "login-ip", max: 20, window: "15m" })),
    loginByUser: base.withRule(fixedWindow({ name: "login-user", max: 5, window: "15m", characteristics: ["userId"] })),
    close: () => base.close(),
  };
}
