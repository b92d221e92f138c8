import type { BodyContent, NormalizedRequest } from "@parapet/core";
import type { Candidate } from "../detectors/types.js";
import { addBody } from "./body.js";
import { charsetOf } from "./charset.js";
import { decodePathComponent } from "./decode.js";
import { addCookies, addHeaders } from "./headers.js";
import { CandidateSink, type InspectLimits } from "./limits.js";
import { declaredBoundary } from "./multipart.js";
import { addParams } from "./params.js";

export interface Inspection {
  readonly candidates: readonly Candidate[];
  /** Values of headers outside the inspected list, for the detectors that read any header. */
  readonly otherHeaders: readonly Candidate[];
  /** Uploaded pages (HTML, SVG, XML files), for the XSS detector alone (see `FileContentPolicy`). */
  readonly pageFiles: readonly Candidate[];
  /** A limit cut inspection short, anywhere (reported with a finding). */
  readonly truncated: boolean;
  /** A limit left text the shield reads unread: not only an uploaded file's content (judged by `partialBody`). */
  readonly missedText: boolean;
}

/**
 * Every value of a request the shield will look at, most attacker-controlled first (so limits cut headers, not
 * parameters), and uploaded files' content after all of them.
 */
export function collectCandidates(request: NormalizedRequest, body: BodyContent | undefined, limits: InspectLimits): Inspection {
  const sink = new CandidateSink(limits);
  if (limits.query) addParams(request.query, "query", sink);
  const contentType = request.headers["content-type"];
  if (limits.body && body) addBody(body, sink, { charset: charsetOf(contentType), boundary: boundaryOf(body, contentType) });
  if (limits.path && request.path !== "/") sink.add("path", "path", decodePathComponent(request.path));
  if (limits.cookies) addCookies(request.headers.cookie, sink);
  addHeaders(request.headers, limits.headers, limits.otherHeaders, sink);
  // Uploaded files' content last, with what the limits leave: read up to them, it leaves no field or header unread.
  sink.readFiles();
  return {
    candidates: sink.candidates,
    otherHeaders: sink.otherHeaders,
    pageFiles: sink.pageFiles,
    truncated: sink.truncated || sink.fileCut,
    missedText: sink.truncated,
  };
}

/** Parsed only for a multipart body: the header is the client's, any length, and most bodies are not multipart. */
function boundaryOf(body: BodyContent, contentType: string | undefined): string | undefined {
  return body.contentType === "multipart/form-data" ? declaredBoundary(contentType) : undefined;
}
