import assert from "node:assert/strict";
import { it } from "node:test";
import * as core from "@parapet/core";

// The public surface of @parapet/core, imported through its package exports
// map. Adding or removing a runtime export is an API change: update this list on purpose.
it("exports exactly the documented runtime API", () => {
  assert.deepEqual(Object.keys(core).sort(), [
    "DECISION_ID_TAG",
    "DEFAULT_CHARACTERISTICS",
    "ErrorCodes",
    "MemoryStore",
    "NoticeThrottle",
    "PLATFORM_HEADERS",
    "ParapetError",
    "RATE_LIMIT",
    "buildKey",
    "canonicalIp",
    "characteristicValue",
    "cidrContains",
    "codeOf",
    "concatBytes",
    "consoleLogger",
    "createClientIpResolver",
    "createDecision",
    "decisionSequence",
    "fixedWindow",
    "formatDecisionId",
    "formatIp",
    "forwardedHops",
    "isNodeRequest",
    "isWebRequest",
    "maskIp",
    "mediaType",
    "messageOf",
    "normalizeRequest",
    "optionError",
    "parapet",
    "parseCidr",
    "parseDuration",
    "parseIp",
    "parseRanges",
    "rateLimitHeaders",
    "silentLogger",
    "slidingWindow",
    "tokenBucket",
    "utf8LengthAtMost",
  ]);
});
