import type { ClientIpResolver } from "../ip/client-ip.js";
import type { BodyContent, NormalizedRequest } from "../types.js";
import { utf8LengthAtMost } from "../utf8-length.js";
import { readNodeBody } from "./body-node.js";
import { readWebBody } from "./body-web.js";
import { createHeaderSink, findHeader, type HeaderSink, mediaType, splitTarget, truncate } from "./headers.js";
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
  const anomalies: string[] = [];
  const { path, query } = splitTarget(input.url, anomalies);
  const fill = (add: AddHeader) => {
    input.headers.forEach((value, key) => {
      add(key, value);
    });
  };
  let body: Promise<BodyContent | undefined> | undefined;
  const read = (headers: HeaderReader) => {
    body ??= readWebBody(input, mediaType(headers()["content-type"]), options.maxBodyBytes, options.bodyTimeoutMs);
    return body;
  };
  return build(input.method, path, query, fill, anomalies, options.socketIp, extra, options, read);
}

function fromNode(input: NodeRequestLike, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const anomalies: string[] = [];
  const { path, query } = splitTarget(input.url, anomalies);
  // `headers` is not read unless needed: on an IncomingMessage it is a getter
  // that builds a record from rawHeaders, work node:http leaves to whoever asks.
  const fill = (add: AddHeader) => {
    const raw = input.rawHeaders;
    if (raw && raw.length > 0) {
      for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i] as string, raw[i + 1] as string);
    } else {
      addHeaderRecord(add, input.headers);
    }
  };
  const read = () => readNodeBody(input, options.maxBodyBytes, options.bodyTimeoutMs);
  const socketIp = options.socketIp ?? input.socket?.remoteAddress;
  return build(input.method, path, query, fill, anomalies, socketIp, extra, options, read);
}

function fromPlain(input: PlainRequest, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const anomalies: string[] = [];
  if (input === null || typeof input !== "object") {
    anomalies.push("protect() was given neither a Request, an IncomingMessage nor a plain request object");
    return build(
      undefined,
      "/",
      "",
      () => {},
      anomalies,
      undefined,
      extra,
      options,
      async () => undefined,
    );
  }
  const { path, query } = splitTarget(typeof input.url === "string" ? input.url : undefined, anomalies);
  const record = input.headers;
  const fill = (add: AddHeader) => addHeaderRecord(add, record);
  const rawBody = input.body;
  const read = async (headers: HeaderReader) => plainBody(rawBody, mediaType(headers()["content-type"]), options.maxBodyBytes);
  return build(input.method, path, query, fill, anomalies, options.socketIp ?? input.ip, extra, options, read);
}

function plainBody(body: unknown, contentType: string, limit: number): BodyContent | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") {
    if (utf8LengthAtMost(body, limit)) return new StringBody(body, contentType);
    const bytes = new TextEncoder().encode(body);
    return { bytes: bytes.subarray(0, limit), truncated: bytes.length > limit, contentType };
  }
  if (body instanceof Uint8Array) return { bytes: body.subarray(0, limit), truncated: body.length > limit, contentType };
  return { bytes: new Uint8Array(0), truncated: false, contentType, parsed: body };
}

/**
 * A string body that fit the limit. Its bytes are encoded only if a reader asks
 * for them: the shield reads `text`, and encoding a body only for it to be
 * decoded again was a measurable share of inspecting a 10 KB JSON body.
 */
class StringBody implements BodyContent {
  readonly truncated = false;
  #bytes: Uint8Array | undefined;

  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}

  get bytes(): Uint8Array {
    this.#bytes ??= new TextEncoder().encode(this.text);
    return this.#bytes;
  }
}

function addHeaderRecord(add: AddHeader, headers: PlainRequest["headers"]): void {
  if (!headers || typeof headers !== "object") return;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === "string") add(name, value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === "string") add(name, item);
  }
}

const METHOD = /^[A-Z]{1,16}$/;

type AddHeader = (name: string, value: string) => void;
/** Returns the request's header record, building it on first call. */
type HeaderReader = () => Readonly<Record<string, string>>;

/** What a peer-only resolver is handed: it never reads headers, so none are built for it. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/**
 * Headers are normalized lazily: lowercasing and joining every header is a
 * large share of protect()'s cost, and a rule set keyed on the IP alone (the
 * common rate limit) never reads one. The record is built once, on the first
 * read of `headers`, `host` or `anomalies`, or up front when the client-IP
 * resolver trusts a proxy or platform header. Anomalies that do not depend on
 * headers (URL, method, unknown IP) are found eagerly.
 */
function build(
  rawMethod: string | undefined,
  path: string,
  query: string,
  fillHeaders: (add: AddHeader) => void,
  eagerAnomalies: string[],
  socketIp: string | undefined,
  extra: Readonly<Record<string, unknown>>,
  options: NormalizeOptions,
  body: (headers: HeaderReader) => Promise<BodyContent | undefined>,
): NormalizedRequest {
  let method = typeof rawMethod === "string" ? rawMethod.toUpperCase() : "GET";
  if (!METHOD.test(method)) {
    eagerAnomalies.push(`unusual method "${truncate(method, 20)}"`);
    method = method.slice(0, 16);
  }
  return new LazyRequest(method, path, query, fillHeaders, eagerAnomalies, socketIp, extra, options.resolver, body);
}

/** A class, not an object literal with getters: instances share one hidden class, which keeps protect() fast. */
class LazyRequest implements NormalizedRequest {
  readonly ip: string;
  readonly socketIp: string;
  #sink: HeaderSink | undefined;
  #anomalies: readonly string[] | undefined;
  #bodyPromise: Promise<BodyContent | undefined> | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly query: string,
    private readonly fillHeaders: (add: AddHeader) => void,
    private readonly eagerAnomalies: readonly string[],
    socketIp: string | undefined,
    readonly extra: Readonly<Record<string, unknown>>,
    resolver: ClientIpResolver,
    private readonly readBody: (headers: HeaderReader) => Promise<BodyContent | undefined>,
  ) {
    this.socketIp = socketIp ?? "";
    this.ip = resolver.resolve(socketIp, resolver.needsHeaders === false ? NO_HEADERS : this.headers);
  }

  #headerSink(): HeaderSink {
    if (this.#sink === undefined) {
      this.#sink = createHeaderSink();
      this.fillHeaders(this.#sink.add);
    }
    return this.#sink;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.#headerSink().headers;
  }

  header(name: string): string | undefined {
    if (this.#sink !== undefined) return this.#sink.headers[name];
    return findHeader(this.fillHeaders, name);
  }

  get host(): string {
    return this.#headerSink().headers.host ?? "";
  }

  // Same order as when everything was eager: header bounds, URL, method, Host, IP.
  get anomalies(): readonly string[] {
    if (this.#anomalies === undefined) {
      const { headers, anomalies: headerAnomalies } = this.#headerSink();
      const all = [...headerAnomalies, ...this.eagerAnomalies];
      if ((headers.host ?? "") === "") all.push("request has no Host header");
      if (this.ip === "unknown") all.push("client IP unknown: no socket address");
      this.#anomalies = all;
    }
    return this.#anomalies;
  }

  body(): Promise<BodyContent | undefined> {
    this.#bodyPromise ??= this.readBody(() => this.headers).catch(() => undefined);
    return this.#bodyPromise;
  }
}
