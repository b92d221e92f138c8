import { getJson } from "./api.js";
import { card, empty, h } from "./dom.js";
import { formatDateTime } from "./format.js";

const KIND_LABELS = {
  spike: "Traffic spike",
  credential_stuffing: "Credential stuffing",
  brute_force: "Brute force",
  scan: "Scanner",
  attack_campaign: "Attack campaign",
  log_drops: "Decision log dropping",
};

export async function renderAlerts(root, range) {
  const { alerts } = await getJson("/api/alerts", { ...range, limit: 100 });
  root.append(
    card(
      "Alerts and spike findings",
      alerts.length === 0
        ? empty("No alerts in this range.")
        : h(
            "ul",
            { class: "alerts", id: "alerts-list" },
            alerts.map((alert) =>
              h(
                "li",
                { class: `alert ${alert.severity}` },
                h(
                  "div",
                  { class: "alert-head" },
                  h("span", { class: `badge ${alert.severity}` }, alert.severity),
                  h("strong", {}, KIND_LABELS[alert.kind] ?? alert.kind),
                  h("span", { class: "mono muted" }, alert.subject),
                  h("span", { class: "muted right" }, formatDateTime(alert.ts)),
                ),
                h("p", {}, alert.summary),
                evidence(alert.evidence),
              ),
            ),
          ),
    ),
  );
}

function evidence(data) {
  const entries = Object.entries(data ?? {});
  if (entries.length === 0) return null;
  return h(
    "dl",
    { class: "evidence" },
    entries.map(([key, value]) => [
      h("dt", {}, key),
      h("dd", { class: "mono" }, typeof value === "string" ? value : JSON.stringify(value)),
    ]),
  );
}
