import type { BodyContent, NormalizedRequest } from "@parapet/core";
import { contentCodings, decodeContent } from "./content-encoding.js";
import type { InspectLimits } from "./limits.js";
import { declaredBoundary } from "./multipart.js";
import { isUpload } from "./upload.js";

/** Why the shield could not inspect a body whole, for the `partialBody` policy. */
export interface Incomplete {
  /**
   * "cut": parapet() read only the start (the body was over `maxBodyBytes`,
   * or the rest did not arrive within `bodyTimeoutMs`, or the client went
   * away); "undecodable": its Content-Encoding could not be undone;
   * "consumed": the app read the body before protect() (a Web Request's body
   * can be read once), so none of it was there to inspect; "limits": the
   * request held more than the shield's `inspect` limits (maxBytes,
   * maxValues, maxDepth), and what lay past them was not read.
   */
  readonly cause: "cut" | "undecodable" | "consumed" | "limits";
  /** What happened, in words an operator can act on. */
  readonly detail: string;
  /** Bytes of the body read, as sent. */
  readonly bytesRead: number;
  /** What tells an upload from text: the body decoded, as far as it decoded, else as sent. */
  readonly content: BodyContent;
  /** For "limits": the limit fell inside an uploaded file (or a binary body), not in text the shield reads. */
  readonly cutInUpload?: boolean;
  /** A multipart body's declared boundary: the part the body was cut in is found on it (see `isUpload`). */
  readonly boundary?: string;
}

export interface BodyRead {
  /** The body as the app reads it: decoded from its Content-Encoding, bounded. */
  readonly body: BodyContent | undefined;
  readonly incomplete: Incomplete | undefined;
}

export const NO_BODY: BodyRead = { body: undefined, incomplete: undefined };

/**
 * The body to inspect, decoded from its Content-Encoding: a promise only when
 * there is decoding to do (an await is a microtask more on every request).
 * A decoded body is bounded by `bound` bytes, the shield's own inspection
 * limit: it reads no more of any body, so decoding more is work thrown away,
 * and a zip bomb stops there.
 */
export function readBody(request: NormalizedRequest, body: BodyContent | undefined, bound: number): BodyRead | Promise<BodyRead> {
  if (body === undefined) return NO_BODY;
  if (body.consumed) return { body: undefined, incomplete: consumedBeforeProtect(body) };
  const boundary = boundaryOf(request, body);
  const codings = isAsSent(body) ? contentCodings(request.headers["content-encoding"]) : [];
  if (codings.length === 0) return { body, incomplete: body.truncated ? cut(request, body, body, boundary) : undefined };
  return decodeBody(request, body, codings, bound, boundary);
}

async function decodeBody(
  request: NormalizedRequest,
  body: BodyContent,
  codings: readonly string[],
  bound: number,
  boundary: string | undefined,
): Promise<BodyRead> {
  const decoded = await decodeContent(body.bytes, codings, bound, body.truncated);
  const content: BodyContent = { bytes: decoded.bytes, truncated: body.truncated, contentType: body.contentType };
  if (decoded.ok) return { body: content, incomplete: body.truncated ? cut(request, body, content, boundary) : undefined };
  const judged = decoded.bytes.length > 0 ? content : body;
  const incomplete: Incomplete = { cause: "undecodable", detail: decoded.problem, bytesRead: body.bytes.length, content: judged };
  return { body: content, incomplete: withBoundary(incomplete, boundary) };
}

/**
 * Bytes as they came off the wire, still in their Content-Encoding. A body a
 * framework parsed, or a string the app handed over, was decoded already.
 */
function isAsSent(body: BodyContent): boolean {
  return body.parsed === undefined && body.text === undefined && body.bytes.length > 0;
}

function consumedBeforeProtect(body: BodyContent): Incomplete {
  return { cause: "consumed", detail: "the app read the request body before protect() was called", bytesRead: 0, content: body };
}

/** Only for a multipart body: the header is the client's, and most bodies are not multipart. */
function boundaryOf(request: NormalizedRequest, body: BodyContent): string | undefined {
  return body.contentType === "multipart/form-data" ? declaredBoundary(request.headers["content-type"]) : undefined;
}

function withBoundary(incomplete: Incomplete, boundary: string | undefined): Incomplete {
  return boundary === undefined ? incomplete : { ...incomplete, boundary };
}

/** `body` as read, `content` as decoded. */
function cut(request: NormalizedRequest, body: BodyContent, content: BodyContent, boundary: string | undefined): Incomplete {
  const read = body.bytes.length;
  const declared = Number(request.headers["content-length"]);
  const detail =
    Number.isSafeInteger(declared) && declared > read ? `${read} of ${declared} bytes read` : `read stopped after ${read} bytes`;
  return withBoundary({ cause: "cut", detail, bytesRead: read, content }, boundary);
}

/**
 * A request the inspection stopped short in (`sink.truncated`): past `maxBytes` of body, `maxValues` distinct values
 * or `maxDepth` levels. `body` is the body inspected; when it ran past `maxBytes`, whether the cut fell in a file.
 */
export function overLimits(limits: InspectLimits, body: BodyContent | undefined, request: NormalizedRequest): Incomplete {
  const cutInBody = body !== undefined && body.bytes.length > limits.maxBytes;
  const content = body === undefined ? NO_CONTENT : cutInBody ? { ...body, bytes: body.bytes.subarray(0, limits.maxBytes) } : body;
  const detail = `it holds more than the shield inspects (inspect: { maxBytes: ${limits.maxBytes}, maxValues: ${limits.maxValues}, maxDepth: ${limits.maxDepth} })`;
  const cutInUpload = cutInBody && isUpload(content, boundaryOf(request, content));
  return { cause: "limits", detail, bytesRead: content.bytes.length, content, cutInUpload };
}

const NO_CONTENT: BodyContent = { bytes: new Uint8Array(0), truncated: false, contentType: "" };
