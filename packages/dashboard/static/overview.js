import { getJson } from "./api.js";
import { COLORS, doughnut, stackedBars } from "./charts.js";
import { card, empty, h } from "./dom.js";
import { formatBucket, formatNumber, percent } from "./format.js";

const TOP_LISTS = [
  ["ip", "Top clients (IP)"],
  ["apiKey", "Top API keys"],
  ["path", "Top paths"],
  ["ruleId", "Deciding rules"],
];

export async function renderOverview(root, range) {
  const [overview, attacks, bots, ...tops] = await Promise.all([
    getJson("/api/overview", range),
    getJson("/api/top", { ...range, by: "attackClass", limit: 8 }),
    getJson("/api/top", { ...range, by: "botClass", limit: 8 }),
    ...TOP_LISTS.map(([by]) => getJson("/api/top", { ...range, by, limit: 8 })),
  ]);
  const totals = overview.series.reduce(
    (sum, p) => {
      for (const key of Object.keys(sum)) sum[key] += p[key];
      return sum;
    },
    { total: 0, allowed: 0, denied: 0, errored: 0, bots: 0, attacks: 0 },
  );

  const trafficCanvas = h("canvas", { id: "chart-traffic", "aria-label": "Requests over time" });
  const attackCanvas = h("canvas", { id: "chart-attacks", "aria-label": "Attack classes" });
  const botCanvas = h("canvas", { id: "chart-bots", "aria-label": "Bot categories" });
  root.append(
    h(
      "div",
      { class: "kpis" },
      kpi("Requests", formatNumber(totals.total)),
      kpi("Allowed", formatNumber(totals.allowed), "allowed"),
      kpi("Denied", `${formatNumber(totals.denied)} · ${percent(totals.denied, totals.total)}`, "denied"),
      kpi("Errors", formatNumber(totals.errored), "errored"),
      kpi("Bots", formatNumber(totals.bots)),
      kpi("Attacks", formatNumber(totals.attacks)),
    ),
    h(
      "div",
      { class: "grid" },
      card(`Requests over time (${overview.bucketMinutes}-minute buckets)`, h("div", { class: "chart wide" }, trafficCanvas)),
    ),
    h(
      "div",
      { class: "grid two" },
      card("Attack classes", attacks.entries.length ? h("div", { class: "chart" }, attackCanvas) : empty("No attacks in this range.")),
      card("Bot categories", bots.entries.length ? h("div", { class: "chart" }, botCanvas) : empty("No bots in this range.")),
    ),
    h(
      "div",
      { class: "grid two" },
      tops.map((top, i) => card(TOP_LISTS[i][1], topTable(top))),
    ),
  );

  stackedBars(
    trafficCanvas,
    overview.series.map((p) => formatBucket(p.ts, overview.bucketMinutes)),
    trafficDatasets(overview),
  );
  if (attacks.entries.length) doughnut(attackCanvas, attacks.entries);
  if (bots.entries.length) doughnut(botCanvas, bots.entries);
}

function kpi(label, value, tone) {
  return h("div", { class: `kpi ${tone ?? ""}` }, h("span", { class: "kpi-label" }, label), h("strong", {}, value));
}

function topTable(top) {
  if (top.entries.length === 0) return empty("Nothing logged in this range.");
  return h(
    "table",
    { class: "table compact" },
    h("thead", {}, h("tr", {}, h("th", {}, "Value"), h("th", { class: "num" }, "Requests"), h("th", { class: "num" }, "Denied"))),
    h(
      "tbody",
      {},
      top.entries.map((e) =>
        h(
          "tr",
          {},
          h("td", { class: "mono clip" }, h("a", { href: `#/decisions?${top.by}=${encodeURIComponent(e.value)}` }, e.value)),
          h("td", { class: "num" }, formatNumber(e.total)),
          h("td", { class: "num" }, formatNumber(e.denied)),
        ),
      ),
    ),
  );
}

/** Allowed requests, then the denials split by the rule that decided them; bars sum to the total. */
function trafficDatasets(overview) {
  const index = new Map(overview.series.map((p, i) => [p.ts, i]));
  const byRule = new Map();
  for (const point of overview.deniedByRule) {
    const i = index.get(point.ts);
    if (i === undefined) continue;
    if (!byRule.has(point.ruleId)) byRule.set(point.ruleId, new Array(overview.series.length).fill(0));
    byRule.get(point.ruleId)[i] += point.denied;
  }
  const rules = [...byRule.keys()].sort();
  return [
    { label: "Allowed", data: overview.series.map((p) => p.allowed), backgroundColor: COLORS.allowed },
    ...rules.map((rule, i) => ({
      label: `Denied · ${rule}`,
      data: byRule.get(rule),
      backgroundColor: COLORS.denials[i % COLORS.denials.length],
    })),
  ];
}
