import type { ClientIpResolver } from "../ip/client-ip.js";
import type { BodyContent, NormalizedRequest } from "../types.js";
import { readNodeBody } from "./body-node.js";
import { readWebBody } from "./body-web.js";
import { createHeaderSink, mediaType, splitTarget, truncate } from "./headers.js";
import type { NodeRequestLike, PlainRequest, ProtectableRequest, WebRequestLike } from "./shapes.js";

export type { NodeRequestLike, PlainRequest, ProtectableRequest, WebRequestLike } from "./shapes.js";

export interface NormalizeOptions {
  readonly resolver: ClientIpResolver;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  /** Platforms give the peer address out of band (Next.js `request.ip`, Hono `getConnInfo`). */
  readonly socketIp?: string;
}

export function isWebRequest(input: unknown): input is WebRequestLike {
  const r = input as WebRequestLike;
  return typeof r?.clone === "function" && typeof r.headers?.forEach === "function" && typeof r.url === "string";
}

export function isNodeRequest(input: unknown): input is NodeRequestLike {
  const r = input as NodeRequestLike;
  return typeof r?.read === "function" && typeof r.on === "function" && typeof r.unshift === "function";
}

/** Builds the one NormalizedRequest a `protect()` call works on. Never throws. */
export function normalizeRequest(
  input: ProtectableRequest,
  extra: Readonly<Record<string, unknown>>,
  options: NormalizeOptions,
): NormalizedRequest {
  if (isWebRequest(input)) return fromWeb(input, extra, options);
  if (isNodeRequest(input)) return fromNode(input, extra, options);
  return fromPlain(input as PlainRequest, extra, options);
}

function fromWeb(input: WebRequestLike, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const sink = createHeaderSink();
  input.headers.forEach((value, key) => {
    sink.add(key, value);
  });
  const { path, query } = splitTarget(input.url, sink.anomalies);
  let body: Promise<BodyContent | undefined> | undefined;
  const read = () => {
    body ??= readWebBody(input, mediaType(sink.headers["content-type"]), options.maxBodyBytes, options.bodyTimeoutMs);
    return body;
  };
  return build(input.method, path, query, sink.headers, sink.anomalies, options.socketIp, extra, options, read);
}

function fromNode(input: NodeRequestLike, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const sink = createHeaderSink();
  const raw = input.rawHeaders;
  if (raw && raw.length > 0) {
    for (let i = 0; i + 1 < raw.length; i += 2) sink.add(raw[i] as string, raw[i + 1] as string);
  } else {
    addHeaderRecord(sink.add, input.headers);
  }
  const { path, query } = splitTarget(input.url, sink.anomalies);
  const read = () => readNodeBody(input, options.maxBodyBytes, options.bodyTimeoutMs);
  const socketIp = options.socketIp ?? input.socket?.remoteAddress;
  return build(input.method, path, query, sink.headers, sink.anomalies, socketIp, extra, options, read);
}

function fromPlain(input: PlainRequest, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const sink = createHeaderSink();
  if (input === null || typeof input !== "object") {
    sink.anomalies.push("protect() was given neither a Request, an IncomingMessage nor a plain request object");
    return build(undefined, "/", "", sink.headers, sink.anomalies, undefined, extra, options, async () => undefined);
  }
  addHeaderRecord(sink.add, input.headers);
  const { path, query } = splitTarget(typeof input.url === "string" ? input.url : undefined, sink.anomalies);
  const contentType = mediaType(sink.headers["content-type"]);
  const content = plainBody(input.body, contentType, options.maxBodyBytes);
  return build(input.method, path, query, sink.headers, sink.anomalies, options.socketIp ?? input.ip, extra, options, async () => content);
}

function plainBody(body: unknown, contentType: string, limit: number): BodyContent | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") {
    const bytes = new TextEncoder().encode(body);
    return { bytes: bytes.subarray(0, limit), truncated: bytes.length > limit, contentType };
  }
  if (body instanceof Uint8Array) return { bytes: body.subarray(0, limit), truncated: body.length > limit, contentType };
  return { bytes: new Uint8Array(0), truncated: false, contentType, parsed: body };
}

function addHeaderRecord(add: (name: string, value: string) => void, headers: PlainRequest["headers"]): void {
  if (!headers || typeof headers !== "object") return;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === "string") add(name, value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === "string") add(name, item);
  }
}

const METHOD = /^[A-Z]{1,16}$/;

function build(
  rawMethod: string | undefined,
  path: string,
  query: string,
  headers: Record<string, string>,
  anomalies: string[],
  socketIp: string | undefined,
  extra: Readonly<Record<string, unknown>>,
  options: NormalizeOptions,
  body: () => Promise<BodyContent | undefined>,
): NormalizedRequest {
  let method = typeof rawMethod === "string" ? rawMethod.toUpperCase() : "GET";
  if (!METHOD.test(method)) {
    anomalies.push(`unusual method "${truncate(method, 20)}"`);
    method = method.slice(0, 16);
  }
  const host = headers.host ?? "";
  if (host === "") anomalies.push("request has no Host header");
  const ip = options.resolver.resolve(socketIp, headers);
  if (ip === "unknown") anomalies.push("client IP unknown: no socket address");
  let bodyPromise: Promise<BodyContent | undefined> | undefined;
  return {
    method,
    path,
    query,
    headers,
    host,
    ip,
    socketIp: socketIp ?? "",
    extra,
    anomalies,
    body() {
      bodyPromise ??= body().catch(() => undefined);
      return bodyPromise;
    },
  };
}
