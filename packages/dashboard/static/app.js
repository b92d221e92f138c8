import { renderAlerts } from "./alerts.js";
import { logOut, SignedOut } from "./api.js";
import { destroyCharts } from "./charts.js";
import { renderDecisionDetail, renderDecisions } from "./decisions.js";
import { card, clear, h } from "./dom.js";
import { renderLive, stopLive } from "./live.js";
import { renderOverview } from "./overview.js";

// Hash routes: #/overview, #/alerts, #/decisions?ip=…, #/decision/<id>, #/live.
const page = document.getElementById("page");
const rangeSelect = document.getElementById("range");
const errorBox = document.getElementById("error");
const logoutButton = document.getElementById("logout");
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
  logoutButton.hidden = false;
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

/**
 * The session is over: say why and what to do, instead of retrying (a live tail retried forever after a restart
 * with a new token). The page keeps working once the user signs in again with the printed URL.
 */
function showSignedOut(reason) {
  generation++;
  destroyCharts();
  stopLive();
  errorBox.hidden = true;
  page.removeAttribute("aria-busy");
  logoutButton.hidden = true;
  clear(page).append(
    h(
      "div",
      { class: "page" },
      card(
        "Signed out",
        h("p", { id: "signed-out-reason" }, reason),
        h(
          "p",
          { id: "signed-out-next" },
          "To sign in again, open the URL that `parapet dashboard` printed when it started (the one ending in ?token=…). " +
            "If the dashboard was restarted, it printed a new one.",
        ),
      ),
    ),
  );
}

function showError(error) {
  // A 401 draws the signed-out page through its event; a toast on top would only repeat it.
  if (error instanceof SignedOut) return;
  errorBox.textContent = error instanceof Error ? error.message : String(error);
  errorBox.hidden = false;
}

window.addEventListener("dashboard-error", (event) => showError(event.detail));
window.addEventListener("dashboard-signed-out", (event) => showSignedOut(event.detail));
logoutButton.addEventListener("click", () => logOut().catch(showError));
window.addEventListener("hashchange", route);
rangeSelect.addEventListener("change", route);
// Chart.js loads with `defer`; module scripts run after deferred classic scripts, so window.Chart is ready here.
route();
