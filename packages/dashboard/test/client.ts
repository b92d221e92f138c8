/** Small HTTP helpers for talking to a running dashboard in tests. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

export async function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
  const response = await fetch(url, { method, headers, redirect: "manual" });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, json: <T>() => JSON.parse(body) as T };
}

/** Logs in as a browser does (`?token=`) and returns the session cookie to send back: `name=value`. */
export async function login(base: string, token: string): Promise<string> {
  const reply = await get(new URL(`/?token=${encodeURIComponent(token)}`, base).href);
  const cookie = reply.headers.get("set-cookie")?.split(";")[0];
  if (reply.status !== 303 || !cookie) throw new Error(`login answered ${reply.status}: ${reply.body}`);
  return cookie;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Opens the SSE stream and resolves with the first `decision` event's data that satisfies `match`. */
export async function nextLiveDecision(
  url: string,
  token: string,
  match: (data: Record<string, unknown>) => boolean,
  onOpen: () => Promise<void>,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(new URL("/api/live", url), { headers: bearer(token), signal: controller.signal });
    if (response.status !== 200 || !response.body) throw new Error(`live tail answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let opened = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("live stream ended");
      buffer += value;
      if (!opened) {
        opened = true;
        await onOpen();
      }
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.startsWith("event: decision") && data) {
          const parsed = JSON.parse(data) as Record<string, unknown>;
          if (match(parsed)) return parsed;
        }
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
