import { badge, decisionRow } from "./decisions.js";
import { card, h } from "./dom.js";

/** Rows kept on screen; older ones are dropped so a busy tail does not grow the page without bound. */
const MAX_ROWS = 200;
let source;

export function stopLive() {
  source?.close();
  source = undefined;
}

export function renderLive(root) {
  const status = h("span", { class: "badge neutral", id: "live-status" }, "connecting");
  const body = h("tbody", { id: "live-body" });
  root.append(
    card(
      "Live tail",
      h("p", { class: "muted" }, "Decisions as they are made, newest first. ", status),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "table" },
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
        ),
      ),
    ),
  );
  stopLive();
  source = new EventSource("/api/live");
  source.addEventListener("open", () => {
    status.textContent = "connected";
    status.className = "badge allow";
  });
  source.addEventListener("error", () => {
    status.textContent = "reconnecting";
    status.className = "badge error";
  });
  // The server says when it cannot read the decision log (database down): the tail is then empty for that reason.
  source.addEventListener("status", (event) => {
    const { logReadable } = JSON.parse(event.data);
    status.textContent = logReadable ? "connected" : "decision log unreadable: see the dashboard's log";
    status.className = logReadable ? "badge allow" : "badge error";
  });
  source.addEventListener("decision", (event) => {
    const decision = JSON.parse(event.data);
    body.prepend(decisionRow({ status: null, ...decision }));
    while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
  });
}

export { badge };
