import type { BodyContent, Reason } from "@parapet/core";
import { isTextType } from "./inspect/content-kind.js";
import type { Incomplete } from "./inspect/read-body.js";
import { isUpload } from "./inspect/upload.js";

/**
 * What the shield does with a body it could not inspect whole (see `Incomplete`).
 * - "deny-text" (default): deny when the part not inspected is text the shield
 *   reads (JSON, form, XML, text, a multipart field, an untyped text body); let
 *   a binary body through, and a multipart body cut inside a file. A slow or
 *   large attack is text, while large and slow bodies (uploads from phones)
 *   are mostly files, whose content the shield does not read anyway.
 * - "deny": deny them all, as ModSecurity does by default
 *   (SecRequestBodyLimitAction Reject); uploads past the limits are refused.
 * - "inspect": decide on what was read.
 */
export type PartialBodyPolicy = "deny-text" | "deny" | "inspect";

export const PARTIAL_BODY_POLICIES: readonly PartialBodyPolicy[] = ["deny-text", "deny", "inspect"];

export interface PartialBodyReason extends Reason {
  readonly type: "SHIELD_PARTIAL_BODY";
  /** Read as the attack class by decision logs that look for one (`@parapet/observe` does). */
  readonly class: "partial-body";
  /**
   * "cut": only the start arrived in time or within the client's `maxBodyBytes`
   * (or the client went away); "undecodable": its Content-Encoding was unknown or corrupt; "consumed": the app read
   * the body before protect().
   */
  readonly cause: Incomplete["cause"];
  /** Bytes of the body read, as sent. */
  readonly bytesRead: number;
}

/** The denial `policy` gives a body not inspected whole, if it gives one. */
export function partialBodyDenial(policy: PartialBodyPolicy, incomplete: Incomplete): PartialBodyReason | undefined {
  if (policy === "inspect") return undefined;
  if (policy === "deny-text" && missedNoText(incomplete)) return undefined;
  return {
    type: "SHIELD_PARTIAL_BODY",
    message: `${incomplete.cause === "limits" ? "request" : "body"} not inspected whole: ${incomplete.detail}; ${nextStep(incomplete.cause)}`,
    class: "partial-body",
    cause: incomplete.cause,
    bytesRead: incomplete.bytesRead,
  };
}

/** Under "deny-text": what was not read is no text the shield reads (a file, a binary body). */
function missedNoText(incomplete: Incomplete): boolean {
  switch (incomplete.cause) {
    case "consumed":
      return !mayBeText(incomplete.content);
    case "limits":
      return incomplete.cutInUpload === true;
    default:
      return isUpload(incomplete.content, incomplete.boundary);
  }
}

/** A body read before protect() left no bytes to sniff: its declared type is all there is (none declared may be anything). */
function mayBeText(content: BodyContent): boolean {
  return content.contentType === "" || isTextType(content.contentType);
}

function nextStep(cause: Incomplete["cause"]): string {
  switch (cause) {
    case "cut":
      return 'it was over maxBodyBytes or the rest did not arrive within bodyTimeoutMs: raise those parapet() options, or set shield({ partialBody: "inspect" })';
    case "limits":
      return 'raise shield({ inspect: { … } }) for the route that takes such requests, or set shield({ partialBody: "inspect" }) to decide on what was read';
    case "consumed":
      return "call protect() before the app or a middleware reads the body (protect() reads a clone and leaves the body unread)";
    default:
      return 'set shield({ partialBody: "inspect" }) to let such bodies through on what could be read';
  }
}
