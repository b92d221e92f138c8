// Reads the dashboard's JSON API. The session cookie is HttpOnly and sent by the browser itself.

export class ApiError extends Error {}

/**
 * The session is over (it expired, the user logged out, or the dashboard was restarted, perhaps with a new token).
 * Retrying cannot help: only the URL the dashboard printed, with its token, signs the browser in again.
 */
export class SignedOut extends Error {}

export async function getJson(path, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const query = search.toString();
  const response = await fetch(query ? `${path}?${query}` : path, { credentials: "same-origin", headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) throw signedOut();
  if (!response.ok) throw new ApiError(body.error ?? `request failed with status ${response.status}`);
  return body;
}

/** Asks whether the session still holds: resolves true, false when signed out, or throws if the server is unreachable. */
export async function sessionAlive() {
  const response = await fetch("/api/session", { credentials: "same-origin", headers: { accept: "application/json" } });
  if (response.status !== 401) return true;
  signedOut();
  return false;
}

export async function logOut() {
  const response = await fetch("/api/logout", { method: "POST", credentials: "same-origin" });
  if (!response.ok) throw new ApiError(`logging out failed with status ${response.status}`);
  window.dispatchEvent(new CustomEvent("dashboard-signed-out", { detail: "You logged out." }));
}

/**
 * The page words it itself: the server cannot tell a dead session from none (it asks the browser to drop a dead
 * cookie, so a second request arrives without one), but this page was signed in, so its session ended.
 */
function signedOut() {
  const error = new SignedOut("Your session has ended: it expired, or the dashboard was restarted (perhaps with a new token).");
  window.dispatchEvent(new CustomEvent("dashboard-signed-out", { detail: error.message }));
  return error;
}
