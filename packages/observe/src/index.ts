/**
 * @parapet/observe: what Parapet decided, and a word when something is wrong.
 *
 *   const observed = observe({ store: sqliteLog({ path: ".parapet/decisions.db" }), alerts: { webhooks: [{ url, secret }] } });
 *   const guard = parapet({ rules: [blockListRule(observed.blockList), …], observers: [observed.observer] });
 *   const decision = await guard.protect(req); …; observed.recordStatus(decision, res.statusCode);
 *
 * Request path. `onDecision` and `recordStatus` only store a few references
 * and numbers into preallocated rings (capture.ts, status-ring.ts): no object,
 * hash, JSON or I/O per request. A pump (every 250 ms, or as soon as a batch
 * of 500 is waiting) hands the batch, as columns, to the log worker, which
 * feeds the detectors and queues the batch as it is (decision-batch.ts); the
 * writer then writes batches of 2,000 rows (500 without the worker) in one
 * transaction each, with the per-minute rollups in the same transaction. A
 * database outage is waited out: the migration and failed batches are retried
 * with backoff (migration.ts, queue.ts) while the queue holds what fits. Drops
 * (full ring or queue, a batch the database refuses while it accepts others)
 * are counted in `stats()`, logged, and become a `log_drops` alert row.
 * `close()` and SIGTERM/SIGINT flush everything within one deadline,
 * `closeTimeoutMs` (default 10 s, inside Kubernetes' 30 s grace): every step
 * (last migration attempt, writes, webhooks at most 5 s, the pool) waits only
 * for what is left of it; a database that stops answering is waited for 5 s
 * per write at most, not its query timeout; what is unwritten at the deadline
 * is counted as dropped and logged as lost.
 * Detectors and the block list therefore act up to one pump (250 ms) late.
 * Retention (on the first 10 s maintenance tick, then hourly): raw decisions
 * 7 days, rollups and alerts 90 days.
 *
 * Schema (identical in SQLite and PostgreSQL; ms epoch times; migrations in sql/schema.ts):
 * - parapet_decisions: id PK, ts, conclusion (ALLOW|DENY|ERROR), denied 0/1,
 *   reason_type, rule_id (the deciding rule), status (HTTP, once recorded),
 *   ip, method, path (≤1024), user_agent (≤512), api_key (`k_` + 16 hex of
 *   SHA-256: never the key), user_id, bot_class, attack_class, duration_ms,
 *   results (JSON array of RuleResult, or for a lone allowing rule the compact
 *   `~…` line of results-codec.ts; read it with query.ts). Index: (ts, id)
 *   (the (ip, ts) index of v1-v2 is dropped by v3, see below); v4 adds
 *   parapet_decisions_flagged, (ts, id) over denied, errored, rule-decided
 *   or attack rows only (query.ts, FLAGGED).
 * - parapet_ip_minutes (v3): (ip, minute) PK: the minutes each IP has decisions
 *   in, written with the rows; decisions({ ip }) reads only those minutes (ip-minutes.ts).
 * - parapet_rollups: minute PK (start, ms), total, allowed, denied, errored,
 *   bots, attacks, status_4xx, status_5xx.
 * - parapet_rule_denials (v2): (minute, rule_id) PK, denied.
 * - parapet_top_hourly (v2): (hour, dimension, value) PK, total, denied: the top
 *   200 values per closed hour and top() dimension; parapet_top_hours lists the
 *   hours rolled up (top-rollup.ts). Queries over 2 h read these.
 * - parapet_alerts: id PK, ts, kind (spike|credential_stuffing|brute_force|scan|attack_campaign|log_drops),
 *   severity (info|warning|critical), subject, summary, evidence (JSON).
 *   Spike evidence has `verdict` (customer|attack|unexplained) and the numbers.
 *
 * Query (`observed.query` or `createQuery(driver)`, see query.ts): overview
 * (rollup series), top (by ip/apiKey/userId/path/botClass/attackClass/ruleId),
 * decisions (filters + keyset cursor), decision(id), alerts, spikes.
 *
 * Detectors (bounded memory): spike classifier (detect/spike.ts: site-wide
 * and not-yet-established traffic against winsorized 30-minute baselines,
 * verdict customer/attack/unexplained with evidence), auth buckets
 * (detect/auth.ts), scanners (detect/scan.ts: 404 bursts, slow 404 probing,
 * fast path walks, shield hits). Alerts: deduplicated
 * with a cooldown, HMAC-signed webhooks with retries (alerts/).
 */
export type { Alert, AlertKind, Finding, Severity } from "./alerts/alert.js";
export type { AlertOptions } from "./alerts/dispatcher.js";
export { payloadFor, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER, verifySignature, type WebhookTarget } from "./alerts/webhook.js";
export { type BlockEntry, type BlockList, type BlockListRuleOptions, blockListRule, createBlockList } from "./blocklist.js";
export type { AuthDetectorOptions } from "./detect/auth.js";
export type { ScanDetectorOptions } from "./detect/scan.js";
export type { SpikeOptions, SpikeVerdict } from "./detect/spike.js";
export { type Observed, type ObserveOptions, type ObserveStats, observe } from "./observe.js";
export {
  type AlertFilter,
  createQuery,
  type DecisionFilter,
  type DecisionLogQuery,
  type DecisionPage,
  type OverviewPoint,
  type QueryOptions,
  type RuleDenials,
  type StoredDecision,
  type TimeRange,
  type TopDimension,
  type TopEntry,
} from "./query.js";
export type { QueueStats } from "./queue.js";
export { fingerprint } from "./record.js";
export { HyperLogLog } from "./sketch/hyperloglog.js";
export { LeakyBucket, type LeakyBucketSpec } from "./sketch/leaky-bucket.js";
export { SpaceSaving } from "./sketch/space-saving.js";
export type { SqlDriver, SqlStatement, SqlValue } from "./sql/driver.js";
export { type PostgresLogOptions, postgresLog } from "./sql/postgres.js";
export { migrate, SCHEMA_VERSION } from "./sql/schema.js";
export { type SqliteLogOptions, sqliteLog } from "./sql/sqlite.js";
export { rollUpClosedHours } from "./top-rollup.js";
