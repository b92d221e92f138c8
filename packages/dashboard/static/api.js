// Reads the dashboard's JSON API. The session cookie is HttpOnly and sent by the browser itself.

export class ApiError extends Error {}

export async function getJson(path, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const query = search.toString();
  const response = await fetch(query ? `${path}?${query}` : path, { credentials: "same-origin", headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.error ?? `request failed with status ${response.status}`);
  return body;
}
