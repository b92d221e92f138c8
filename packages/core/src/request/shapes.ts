/** The request shapes `protect()` accepts, described structurally so the core needs no framework types. */
import type { NodeBodyStream } from "./body-node.js";

/** The structural shape of a Node `IncomingMessage` that we read. */
export interface NodeRequestLike extends NodeBodyStream {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /**
   * The target as the client sent it, when a router rewrites `url`: Express
   * strips the mount path (`app.use("/api", …)` sees "/hello" for "/api/hello"),
   * and paths in decisions, shield findings and scan detectors must be the real ones.
   */
  readonly originalUrl?: string | undefined;
  readonly rawHeaders?: readonly string[];
  /** node:http's `joinDuplicateHeaders` server option, as set on the message: repeats are then all joined. */
  readonly joinDuplicateHeaders?: boolean | null | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null;
}

/** The structural shape of a Web `Request`. */
export interface WebRequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: { forEach(callback: (value: string, key: string) => void): void };
  clone(): { body: ReadableStream<Uint8Array> | null };
  /** Web Requests say whether their body was read; `clone()` then throws. */
  readonly bodyUsed?: boolean;
  readonly body?: { readonly locked: boolean } | null;
}

/**
 * A request described by hand, for runtimes and tests without either shape,
 * and for `eval` commands that replay recorded requests.
 */
export interface PlainRequest {
  readonly method?: string;
  /** Path plus query ("/a?b=1"), or an absolute URL. */
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly ip?: string;
  /** The body as text, bytes, or an already-parsed value (e.g. a JSON object). */
  readonly body?: string | Uint8Array | unknown;
}

export type ProtectableRequest = WebRequestLike | NodeRequestLike | PlainRequest;
