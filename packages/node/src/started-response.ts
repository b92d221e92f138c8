import type { ServerResponse } from "node:http";
import { consoleLogger, type Decision, type Logger } from "@parapet/core";

/**
 * Cuts a response that had started (status and headers sent, perhaps some body) when its request is denied:
 * an earlier middleware wrote output, or the app wrote before protect() resolved. The status can no longer
 * change, and ending the response as usual hands the client a complete, successful-looking answer to a request
 * Parapet denied (a 200 whose body is whatever was written). Destroying the connection leaves the client a
 * truncated response instead (a chunked body without its last chunk, or fewer bytes than Content-Length), which
 * HTTP clients report as an error. The mistake is in the app's order of middleware, so its logger is told.
 */
export function abortStartedResponse(res: ServerResponse, decision: Decision, logger: Pick<Logger, "error"> = consoleLogger): void {
  res.destroy();
  try {
    logger.error(
      "a request was denied after its response had started, so the connection was closed to keep the client from taking the partial response for a complete one; run protect() (mount Parapet) before any middleware or handler writes to the response",
      { status: decision.status, reason: decision.reason.type },
    );
  } catch {
    // The app's logger threw; the connection is closed all the same.
  }
}
