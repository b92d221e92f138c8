import type { ClientIpResolver } from "../ip/client-ip.js";
import type { BodyContent, NormalizedRequest } from "../types.js";
import { readNodeBody } from "./body-node.js";
import { bodyFromValue } from "./body-value.js";
import { readWebBody } from "./body-web.js";
import {
  createHeaderSink,
  type Duplicates,
  HeaderFinder,
  type HeaderSink,
  type HeaderVisitor,
  mediaType,
  splitTarget,
  truncate,
} from "./headers.js";
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
  return new WebRequest(input, methodOf(input.method, anomalies), path, query, anomalies, options.socketIp, extra, options);
}

function fromNode(input: NodeRequestLike, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const anomalies: string[] = [];
  const { path, query } = splitTarget(typeof input.originalUrl === "string" ? input.originalUrl : input.url, anomalies);
  const socketIp = options.socketIp ?? input.socket?.remoteAddress;
  return new NodeRequest(input, methodOf(input.method, anomalies), path, query, anomalies, socketIp, extra, options);
}

function fromPlain(input: PlainRequest, extra: Readonly<Record<string, unknown>>, options: NormalizeOptions): NormalizedRequest {
  const anomalies: string[] = [];
  if (input === null || typeof input !== "object") {
    anomalies.push("protect() was given neither a Request, an IncomingMessage nor a plain request object");
    return new PlainObjectRequest(undefined, "GET", "/", "", anomalies, undefined, extra, options);
  }
  const { path, query } = splitTarget(typeof input.url === "string" ? input.url : undefined, anomalies);
  return new PlainObjectRequest(
    input,
    methodOf(input.method, anomalies),
    path,
    query,
    anomalies,
    options.socketIp ?? input.ip,
    extra,
    options,
  );
}

function addHeaderRecord(visitor: HeaderVisitor, headers: PlainRequest["headers"]): void {
  if (!headers || typeof headers !== "object") return;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === "string") visitor.add(name, value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === "string") visitor.add(name, item);
  }
}

const METHOD = /^[A-Z]{1,16}$/;
/** Methods that need neither case folding nor the pattern check: almost every request's. */
const COMMON_METHODS: ReadonlySet<string> = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

function methodOf(rawMethod: unknown, anomalies: string[]): string {
  if (typeof rawMethod !== "string") return "GET";
  // node:http hands out its own constant strings: comparing to a literal is a pointer check, cheaper than hashing for the Set.
  if (rawMethod === "GET" || rawMethod === "POST") return rawMethod;
  if (COMMON_METHODS.has(rawMethod)) return rawMethod;
  const method = rawMethod.toUpperCase();
  if (COMMON_METHODS.has(method) || METHOD.test(method)) return method;
  anomalies.push(`unusual method "${truncate(method, 20)}"`);
  return method.slice(0, 16);
}

/** What a peer-only resolver is handed: it never reads headers, so none are built for it. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/**
 * Headers are normalized lazily: lowercasing and joining every header is a
 * large share of protect()'s cost, and a rule set keyed on the IP alone (the
 * common rate limit) never reads one. The record is built once, on the first
 * read of `headers`, `host` or `anomalies`, or up front when the client-IP
 * resolver trusts a proxy or platform header. Anomalies that do not depend on
 * headers (URL, method, unknown IP) are found eagerly.
 *
 * One subclass per input shape says how to list its headers and read its
 * body: methods on a class rather than two closures made per request.
 */
abstract class LazyRequest<Input> implements NormalizedRequest {
  readonly ip: string;
  readonly socketIp: string;
  #sink: HeaderSink | undefined;
  #anomalies: readonly string[] | undefined;
  #bodyPromise: Promise<BodyContent | undefined> | undefined;

  constructor(
    protected readonly input: Input,
    readonly method: string,
    readonly path: string,
    readonly query: string,
    private readonly eagerAnomalies: readonly string[],
    socketIp: string | undefined,
    readonly extra: Readonly<Record<string, unknown>>,
    protected readonly options: NormalizeOptions,
  ) {
    this.socketIp = socketIp ?? "";
    const { resolver } = options;
    this.ip = resolver.resolve(socketIp, resolver.needsHeaders === false ? NO_HEADERS : this.headers);
  }

  /** Hands every header of the input to `visitor`, in order, as received. */
  protected abstract fillHeaders(visitor: HeaderVisitor): void;

  /** How the app sees a repeated header (see Duplicates): what rules read must be what the app reads. */
  protected duplicates(): Duplicates {
    return "join";
  }

  /** Reads the input's body once (the caller caches the promise). */
  protected abstract readBody(): Promise<BodyContent | undefined>;

  #headerSink(): HeaderSink {
    if (this.#sink === undefined) {
      this.#sink = createHeaderSink(this.duplicates());
      this.fillHeaders(this.#sink);
    }
    return this.#sink;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.#headerSink().headers;
  }

  header(name: string): string | undefined {
    if (this.#sink !== undefined) return this.#sink.headers[name];
    const finder = new HeaderFinder(name, this.duplicates());
    this.fillHeaders(finder);
    return finder.found;
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
    this.#bodyPromise ??= this.readBody().catch(() => undefined);
    return this.#bodyPromise;
  }
}

class NodeRequest extends LazyRequest<NodeRequestLike> {
  // `headers` is not read unless needed: on an IncomingMessage it is a getter
  // that builds a record from rawHeaders, work node:http leaves to whoever asks.
  protected fillHeaders(visitor: HeaderVisitor): void {
    const raw = this.input.rawHeaders;
    if (raw && raw.length > 0) {
      for (let i = 0; i + 1 < raw.length; i += 2) visitor.add(raw[i] as string, raw[i + 1] as string);
    } else {
      addHeaderRecord(visitor, this.input.headers);
    }
  }

  // node:http's own record keeps the first of some repeated headers; rawHeaders holds them all. (Without
  // rawHeaders the record is node's own, already combined.)
  protected override duplicates(): Duplicates {
    return this.input.joinDuplicateHeaders === true ? "join" : "node";
  }

  protected readBody(): Promise<BodyContent | undefined> {
    return readNodeBody(this.input, this.options.maxBodyBytes, this.options.bodyTimeoutMs);
  }
}

class WebRequest extends LazyRequest<WebRequestLike> {
  protected fillHeaders(visitor: HeaderVisitor): void {
    this.input.headers.forEach((value, key) => {
      visitor.add(key, value);
    });
  }

  protected readBody(): Promise<BodyContent | undefined> {
    const { maxBodyBytes, bodyTimeoutMs } = this.options;
    return readWebBody(this.input, mediaType(this.headers["content-type"]), maxBodyBytes, bodyTimeoutMs);
  }
}

/** A plain `{ method, url, headers, ip, body }` object, or nothing usable (`input` undefined). */
class PlainObjectRequest extends LazyRequest<PlainRequest | undefined> {
  protected fillHeaders(visitor: HeaderVisitor): void {
    if (this.input !== undefined) addHeaderRecord(visitor, this.input.headers);
  }

  protected async readBody(): Promise<BodyContent | undefined> {
    if (this.input === undefined) return undefined;
    return bodyFromValue(this.input.body, mediaType(this.headers["content-type"]), this.options.maxBodyBytes);
  }
}
