import { renderAlerts } from "./alerts.js";
import { destroyCharts } from "./charts.js";
import { renderDecisionDetail, renderDecisions } from "./decisions.js";
import { clear } from "./dom.js";
import { renderLive, stopLive } from "./live.js";
import { renderOverview } from "./overview.js";

// Hash routes: #/overview, #/alerts, #/decisions?ip=…, #/decision/<id>, #/live.
const page = document.getElementById("page");
const rangeSelect = document.getElementById("range");
const errorBox = document.getElementById("error");
let generation = 0;

function currentRange() {
  const to = Date.now();
  return { from: to - Number(rangeSelect.value), to };
}

async function route() {
  const run = ++generation;
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  const name = parts[0] ?? "overview";
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.dataset.page === (name === "decision" ? "decisions" : name));
  }
  destroyCharts();
  stopLive();
  errorBox.hidden = true;
  // Each navigation draws into its own container; an older, slower one then paints into a detached node.
  const target = document.createElement("div");
  target.className = "page";
  clear(page).append(target);
  page.setAttribute("aria-busy", "true");
  try {
    if (name === "alerts") await renderAlerts(target, currentRange());
    else if (name === "decisions") await renderDecisions(target, currentRange(), new URLSearchParams(search));
    else if (name === "decision" && parts[1]) await renderDecisionDetail(target, decodeURIComponent(parts[1]));
    else if (name === "live") renderLive(target);
    else await renderOverview(target, currentRange());
  } catch (error) {
    showError(error);
  }
  if (run === generation) page.removeAttribute("aria-busy");
}

function showError(error) {
  errorBox.textContent = error instanceof Error ? error.message : String(error);
  errorBox.hidden = false;
}

window.addEventListener("dashboard-error", (event) => showError(event.detail));
window.addEventListener("hashchange", route);
rangeSelect.addEventListener("change", route);
// Chart.js loads with `defer`; module scripts run after deferred classic scripts, so window.Chart is ready here.
route();
