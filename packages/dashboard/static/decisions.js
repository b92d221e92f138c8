import { getJson } from "./api.js";
import { card, clear, empty, h } from "./dom.js";
import { formatDateTime, formatNumber } from "./format.js";

const TEXT_FILTERS = [
  ["ip", "IP"],
  ["path", "Path"],
  ["ruleId", "Rule"],
  ["apiKey", "API key (k_…)"],
  ["userId", "User"],
  ["botClass", "Bot class"],
  ["attackClass", "Attack class"],
];

/** The decisions table: filters in the URL hash, so a filtered view can be bookmarked or linked from the overview. */
export async function renderDecisions(root, range, params) {
  const filter = Object.fromEntries(params);
  const form = h(
    "form",
    { class: "filters", id: "filters", onsubmit: (event) => submitFilters(event) },
    h(
      "label",
      {},
      "Conclusion",
      h(
        "select",
        { name: "conclusion" },
        ["", "ALLOW", "DENY", "ERROR"].map((value) => h("option", { value, selected: filter.conclusion === value }, value || "Any")),
      ),
    ),
    TEXT_FILTERS.map(([name, label]) =>
      h("label", {}, label, h("input", { name, value: filter[name] ?? "", autocomplete: "off", spellcheck: "false" })),
    ),
    h("label", {}, "Status", h("input", { name: "status", value: filter.status ?? "", inputmode: "numeric", size: 4 })),
    h(
      "div",
      { class: "filter-actions" },
      h("button", { type: "submit" }, "Filter"),
      h("a", { href: "#/decisions", class: "button secondary" }, "Reset"),
    ),
  );
  const body = h("tbody", {});
  const table = h(
    "table",
    { class: "table", id: "decisions-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Time", "Decision", "Method", "Path", "Client IP", "Rule", "Status", "User agent"].map((t) => h("th", {}, t)),
      ),
    ),
    body,
  );
  const more = h("button", { class: "secondary", id: "load-more", hidden: true }, "Load older decisions");
  const summary = h("p", { class: "muted", id: "decisions-summary" });
  root.append(card("Decisions", form, summary, h("div", { class: "table-scroll" }, table), more));

  let cursor;
  let shown = 0;
  async function loadPage() {
    const page = await getJson("/api/decisions", { ...range, ...filter, cursor, limit: 50 });
    for (const decision of page.decisions) body.append(decisionRow(decision));
    shown += page.decisions.length;
    cursor = page.next;
    more.hidden = !cursor;
    // A search of a big range stops after a budget of rows: say how far back it looked, so "no match" is not taken
    // for the whole range, and let "Load older" go on from there.
    const searched = page.searchedFrom === undefined ? "" : ` Searched back to ${formatDateTime(page.searchedFrom)} so far.`;
    if (shown === 0) summary.textContent = cursor ? `No match yet.${searched}` : "No decisions match.";
    else summary.textContent = `${formatNumber(shown)} shown${cursor ? ", more below" : ""}.${searched}`;
    more.textContent = page.searchedFrom === undefined ? "Load older decisions" : "Search older decisions";
  }
  more.addEventListener("click", () =>
    loadPage().catch((error) => window.dispatchEvent(new CustomEvent("dashboard-error", { detail: error }))),
  );
  await loadPage();
}

function submitFilters(event) {
  // No form submission (the CSP forbids form-action): the filters become the hash and the router redraws.
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(event.target)) if (String(value).trim() !== "") params.set(name, String(value).trim());
  location.hash = `#/decisions?${params}`;
}

export function decisionRow(decision) {
  return h(
    "tr",
    { class: "clickable", "data-id": decision.id, onclick: () => (location.hash = `#/decision/${encodeURIComponent(decision.id)}`) },
    h("td", { class: "nowrap" }, formatDateTime(decision.ts)),
    h("td", {}, badge(decision)),
    h("td", { class: "mono" }, decision.method),
    h("td", { class: "mono clip path" }, decision.path),
    h("td", { class: "mono" }, decision.ip),
    h("td", { class: "mono" }, decision.ruleId ?? "—"),
    h("td", { class: "num" }, decision.status ?? "—"),
    h("td", { class: "clip ua" }, decision.userAgent ?? "—"),
  );
}

export function badge(decision) {
  const tone = decision.conclusion === "DENY" ? "deny" : decision.conclusion === "ERROR" ? "error" : "allow";
  return h("span", { class: `badge ${tone}` }, decision.conclusion);
}

export async function renderDecisionDetail(root, id) {
  const { decision } = await getJson(`/api/decisions/${encodeURIComponent(id)}`);
  const fields = [
    ["Id", decision.id],
    ["Time", formatDateTime(decision.ts)],
    ["Decision", badge(decision)],
    ["Denied", decision.denied ? "yes" : "no"],
    ["Reason", decision.reasonType],
    ["Deciding rule", decision.ruleId ?? "—"],
    ["HTTP status", decision.status ?? "not recorded"],
    ["Request", `${decision.method} ${decision.path}`],
    ["Client IP", decision.ip],
    ["User agent", decision.userAgent ?? "—"],
    ["API key", decision.apiKey ?? "—"],
    ["User", decision.userId ?? "—"],
    ["Bot class", decision.botClass ?? "—"],
    ["Attack class", decision.attackClass ?? "—"],
    ["Time in Parapet", `${decision.durationMs.toFixed(2)} ms`],
  ];
  root.append(
    h("p", {}, h("a", { href: "#/decisions" }, "← All decisions")),
    card(
      "Decision",
      h(
        "dl",
        { class: "fields", id: "decision-detail" },
        fields.map(([k, v]) => [h("dt", {}, k), h("dd", { class: "mono" }, v)]),
      ),
    ),
    card(
      "Rule results",
      decision.results.length === 0
        ? empty("No rule ran.")
        : h(
            "table",
            { class: "table" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Rule", "Mode", "Result", "Reason", "Key", "ms"].map((t) => h("th", {}, t)),
              ),
            ),
            h(
              "tbody",
              {},
              decision.results.map((r) =>
                h(
                  "tr",
                  {},
                  h("td", { class: "mono" }, r.ruleId),
                  h("td", {}, r.mode),
                  h("td", {}, badge(r)),
                  h("td", {}, r.reason?.message ?? ""),
                  h("td", { class: "mono clip" }, r.key ?? "—"),
                  h("td", { class: "num" }, Number(r.durationMs).toFixed(2)),
                ),
              ),
            ),
          ),
      h("details", {}, h("summary", {}, "Raw results (JSON)"), h("pre", {}, JSON.stringify(decision.results, null, 2))),
    ),
  );
}

export { clear };
