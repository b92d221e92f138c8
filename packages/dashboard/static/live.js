import { sessionAlive } from "./api.js";
import { badge, decisionRow } from "./decisions.js";
import { card, h } from "./dom.js";

/** Rows kept on screen; older ones are dropped so a busy tail does not grow the page without bound. */
const MAX_ROWS = 200;
/** How long to wait before opening the tail again after the server refused it for a reason other than the session. */
const REOPEN_MS = 10_000;
let source;
let reopenTimer;

export function stopLive() {
  source?.close();
  source = undefined;
  clearTimeout(reopenTimer);
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
  openTail(status, body);
}

function openTail(status, body) {
  const tail = new EventSource("/api/live");
  source = tail;
  const show = (text, tone) => {
    status.textContent = text;
    status.className = `badge ${tone}`;
  };
  tail.addEventListener("open", () => show("connected", "allow"));
  tail.addEventListener("error", () => {
    // CONNECTING: the server is unreachable and the browser retries by itself. CLOSED: the server answered, but not
    // with a stream, and the browser gives up for good. That answer was a 401 after a restart with a new token or a
    // logout, which no retry can fix (the page says so), or a 503 (too many tails), worth trying again later.
    if (tail.readyState !== EventSource.CLOSED) return show("reconnecting", "error");
    show("disconnected", "error");
    if (source !== tail) return;
    sessionAlive()
      .catch(() => true)
      .then((alive) => {
        if (!alive || source !== tail) return;
        show("disconnected: the server refused the tail; trying again shortly", "error");
        reopenTimer = setTimeout(() => {
          if (source === tail) openTail(status, body);
        }, REOPEN_MS);
      });
  });
  // The server says when it cannot read the decision log (database down): the tail is then empty for that reason.
  tail.addEventListener("status", (event) => {
    const { logReadable } = JSON.parse(event.data);
    show(logReadable ? "connected" : "decision log unreadable: see the dashboard's log", logReadable ? "allow" : "error");
  });
  tail.addEventListener("decision", (event) => {
    const decision = JSON.parse(event.data);
    body.prepend(decisionRow({ status: null, ...decision }));
    while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
  });
}

export { badge };
