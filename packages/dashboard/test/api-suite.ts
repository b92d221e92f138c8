import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { SqlDriver } from "@parapet/observe";
import { type Dashboard, startDashboard } from "../src/index.js";
import { bearer, get } from "./client.js";
import { quietLogger, SEED_START, type Seeded, seedLog } from "./helpers.js";

const RANGE = `from=${SEED_START}&to=${SEED_START + 3_600_000}`;

/** The JSON API against one SQL store; run for SQLite and PostgreSQL. `open` gives a fresh, empty driver. */
export function apiSuite(name: string, open: () => Promise<SqlDriver>, cleanup: () => Promise<void> = async () => {}): void {
  let seeded: Seeded;
  let dashboard: Dashboard;
  const auth = () => bearer(dashboard.token);
  const api = (path: string) => get(new URL(path, dashboard.url).href, auth());

  before(async () => {
    seeded = await seedLog(await open());
    dashboard = await startDashboard({
      query: seeded.observed.query!,
      port: 0,
      logger: quietLogger,
      clock: { now: () => SEED_START + 31 * 60_000 },
    });
  });
  after(async () => {
    await dashboard?.close();
    await seeded?.observed.close();
    await cleanup();
  });

  test(`${name}: overview sums the rollups to what was sent`, async () => {
    const reply = await api(`/api/overview?${RANGE}`);
    assert.equal(reply.status, 200);
    const body = reply.json<{ bucketMinutes: number; series: { total: number; denied: number; attacks: number }[] }>();
    assert.equal(body.bucketMinutes, 1);
    assert.equal(
      body.series.reduce((s, p) => s + p.total, 0),
      seeded.counts.total,
    );
    assert.equal(
      body.series.reduce((s, p) => s + p.denied, 0),
      seeded.counts.denied,
    );
    assert.equal(
      body.series.reduce((s, p) => s + p.attacks, 0),
      seeded.counts.attacks,
    );
    const byRule = reply.json<{ deniedByRule: { ruleId: string; denied: number }[] }>().deniedByRule;
    const perRule = new Map<string, number>();
    for (const point of byRule) perRule.set(point.ruleId, (perRule.get(point.ruleId) ?? 0) + point.denied);
    assert.deepEqual(Object.fromEntries(perRule), { "RATE_LIMIT:api": 50, SHIELD: seeded.counts.attacks });
    // The default range is the hour before `now` (the injected clock): the same data.
    const byDefault = (await api("/api/overview")).json<{ series: unknown[] }>();
    assert.equal(byDefault.series.length, body.series.length);
    // One point per minute of the hour, quiet minutes as zeros: the chart's bars stand where their minutes are.
    const series = reply.json<{ series: { ts: number; total: number }[] }>().series;
    assert.equal(series.length, 60);
    assert.deepEqual(
      series.map((p) => p.ts - SEED_START),
      Array.from({ length: 60 }, (_, i) => i * 60_000),
    );
    assert.ok(
      series.some((p) => p.total === 0),
      "the seeded half hour leaves quiet minutes",
    );
  });

  test(`${name}: top clients, rules and classes`, async () => {
    const ips = (await api(`/api/top?${RANGE}&by=ip`)).json<{ entries: { value: string; total: number; denied: number }[] }>().entries;
    assert.equal(ips[0]?.value, "198.51.100.99");
    assert.equal(ips[0]?.total, seeded.counts.fromBusiest);
    assert.equal(ips[0]?.denied, 50, "5 of 25 a minute over the limit of 20, for 10 minutes");
    const rules = (await api(`/api/top?${RANGE}&by=ruleId`)).json<{ entries: { value: string }[] }>().entries;
    assert.deepEqual(rules.map((r) => r.value).sort(), ["RATE_LIMIT:api", "SHIELD"]);
    const attacks = (await api(`/api/top?${RANGE}&by=attackClass`)).json<{ entries: { value: string; total: number }[] }>().entries;
    assert.deepEqual(attacks.map((a) => a.value).sort(), ["sqli", "xss"]);
    const limited = (await api(`/api/top?${RANGE}&by=path&limit=2`)).json<{ entries: unknown[] }>().entries;
    assert.equal(limited.length, 2);
  });

  test(`${name}: decisions filter and paginate without gaps or repeats`, async () => {
    const denied = (await api(`/api/decisions?${RANGE}&conclusion=DENY&limit=500`)).json<{ decisions: { denied: boolean }[] }>();
    assert.equal(denied.decisions.length, seeded.counts.denied);
    assert.ok(denied.decisions.every((d) => d.denied));
    const byIp = (await api(`/api/decisions?${RANGE}&ip=192.0.2.66&limit=500`)).json<{
      decisions: { ip: string; attackClass: string }[];
    }>();
    assert.equal(byIp.decisions.length, seeded.counts.attacks);
    assert.ok(byIp.decisions.every((d) => d.ip === "192.0.2.66" && (d.attackClass === "sqli" || d.attackClass === "xss")));
    const combined = (await api(`/api/decisions?${RANGE}&ip=198.51.100.99&ruleId=RATE_LIMIT:api&status=429&limit=500`)).json<{
      decisions: unknown[];
    }>();
    assert.equal(combined.decisions.length, 50);

    const ids = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await api(`/api/decisions?${RANGE}&limit=97${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json<{
        decisions: { id: string; ts: number }[];
        next?: string;
      }>();
      assert.ok(page.decisions.length <= 97);
      for (const d of page.decisions) {
        assert.ok(!ids.has(d.id), `decision ${d.id} appears on two pages`);
        ids.add(d.id);
      }
      cursor = page.next;
      pages++;
    } while (cursor && pages < 100);
    assert.equal(ids.size, seeded.counts.total);
  });

  test(`${name}: one decision in detail; unknown ids are 404`, async () => {
    const reply = await api(`/api/decisions/${encodeURIComponent(seeded.xssDecisionId)}`);
    assert.equal(reply.status, 200);
    const { decision } = reply.json<{ decision: { id: string; userAgent: string; results: { ruleId: string }[] } }>();
    assert.equal(decision.id, seeded.xssDecisionId);
    assert.match(decision.userAgent, /<script>/);
    assert.deepEqual(
      decision.results.map((r) => r.ruleId),
      ["DETECT_BOT", "SHIELD", "RATE_LIMIT:api"],
    );
    assert.equal((await api("/api/decisions/no-such-id")).status, 404);
    assert.equal((await api("/api/decisions/%3Cscript%3E")).status, 400);
    assert.equal((await api("/api/decisions/%E0%A4%A")).status, 400);
  });

  test(`${name}: alerts with evidence, filtered by kind`, async () => {
    const all = (await api(`/api/alerts?${RANGE}`)).json<{ alerts: { kind: string }[] }>().alerts;
    assert.deepEqual(all.map((a) => a.kind).sort(), ["scan", "spike"]);
    const spikes = (await api(`/api/alerts?${RANGE}&kind=spike`)).json<{ alerts: { kind: string; evidence: { verdict: string } }[] }>()
      .alerts;
    assert.equal(spikes.length, 1);
    assert.equal(spikes[0]?.evidence.verdict, "attack");
  });

  test(`${name}: bad query parameters get a 400 that names the problem`, async () => {
    const cases: [string, RegExp][] = [
      ["/api/decisions?limit=0", /limit/],
      ["/api/decisions?limit=501", /limit/],
      ["/api/decisions?limit=ten", /limit/],
      ["/api/decisions?limit=1e2", /limit/],
      [`/api/decisions?from=${SEED_START + 10}&to=${SEED_START}`, /from/],
      ["/api/decisions?from=0&to=99999999999999", /90 days/],
      ["/api/decisions?conclusion=MAYBE", /conclusion/],
      ["/api/decisions?status=99", /status/],
      ["/api/decisions?cursor=garbage", /cursor/],
      ["/api/decisions?cursor=12:a:b", /cursor/],
      [`/api/decisions?ip=${"9".repeat(2000)}`, /ip/],
      ["/api/decisions?sort=ts", /unknown parameter `sort`/],
      ["/api/top?by=password", /by/],
      ["/api/top", /by/],
      ["/api/alerts?kind=meteor", /kind/],
      ["/api/overview?from=abc", /from/],
      ["/api/overview?to=99999999999999999999", /to/],
    ];
    for (const [path, message] of cases) {
      const reply = await api(path);
      assert.equal(reply.status, 400, `${path} should be refused`);
      assert.match(reply.json<{ error: string }>().error, message, path);
    }
    assert.equal((await api("/api/nothing")).status, 404);
  });
}
