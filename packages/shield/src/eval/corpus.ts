import type { PlainRequest } from "@parapet/core";
import { parseRawRequest } from "./raw-http.js";

/** One line of a shield corpus (see the corpus README): a labeled payload or whole request. */
export interface CorpusCase {
  readonly id: string;
  readonly source: string;
  readonly class: string;
  readonly attack: boolean;
  /** The ways the case reaches an app: three places for a payload, one for a request. */
  readonly requests: readonly { readonly place: Place; readonly request: PlainRequest }[];
}

export type Place = "query" | "form" | "json" | "request";

export type ParsedLine = { ok: true; value: CorpusCase } | { ok: false; error: string };

const HOST = { host: "localhost", "user-agent": "parapet-eval" };

/** Validates one JSON line; a bad line is reported, never thrown. */
export function parseCorpusLine(line: string): ParsedLine {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return { ok: false, error: "not valid JSON" };
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return { ok: false, error: "not a JSON object" };
  const record = data as Record<string, unknown>;
  const label = typeof record.class === "string" ? record.class : undefined;
  if (!label) return { ok: false, error: 'missing "class"' };
  const attack = typeof record.attack === "boolean" ? record.attack : label !== "benign";
  const base = { id: String(record.id ?? "?"), source: String(record.source ?? "unknown"), class: label, attack };
  if (typeof record.payload === "string") return { ok: true, value: { ...base, requests: payloadRequests(record.payload) } };
  const request = record.request;
  if (request && typeof request === "object") {
    const built = requestOf(request as Record<string, unknown>);
    return built.ok ? { ok: true, value: { ...base, requests: [{ place: "request", request: built.request }] } } : built;
  }
  return { ok: false, error: 'needs a string "payload" or an object "request"' };
}

/** A payload as a query parameter, a form field and a JSON string: an app may receive it any of those ways. */
function payloadRequests(payload: string): CorpusCase["requests"] {
  const encoded = encodeURIComponent(payload);
  return [
    { place: "query", request: { method: "GET", url: `/eval?q=${encoded}`, headers: HOST, ip: "192.0.2.1" } },
    {
      place: "form",
      request: {
        method: "POST",
        url: "/eval",
        headers: { ...HOST, "content-type": "application/x-www-form-urlencoded" },
        body: `q=${encoded}`,
        ip: "192.0.2.1",
      },
    },
    {
      place: "json",
      request: {
        method: "POST",
        url: "/eval",
        headers: { ...HOST, "content-type": "application/json" },
        body: JSON.stringify({ q: payload }),
        ip: "192.0.2.1",
      },
    },
  ];
}

function requestOf(request: Record<string, unknown>): { ok: true; request: PlainRequest } | { ok: false; error: string } {
  if (typeof request.raw === "string") {
    const parsed = parseRawRequest(request.raw);
    return parsed.ok ? { ok: true, request: { ...parsed.request, ip: "192.0.2.1" } } : parsed;
  }
  if (typeof request.url !== "string") return { ok: false, error: 'request needs a string "url" or "raw"' };
  const headers: Record<string, string> = {};
  if (request.headers && typeof request.headers === "object") {
    for (const [name, value] of Object.entries(request.headers as Record<string, unknown>)) {
      if (typeof value === "string") headers[name] = value;
    }
  }
  const body = request.body;
  return {
    ok: true,
    request: {
      method: typeof request.method === "string" ? request.method : "GET",
      url: request.url,
      headers,
      ip: "192.0.2.1",
      ...(typeof body === "string" ? { body } : body !== null && body !== undefined ? { body: JSON.stringify(body) } : {}),
    },
  };
}
