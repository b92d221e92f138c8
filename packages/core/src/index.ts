export { concatBytes } from "./bytes.js";
export { buildKey, type Characteristic, characteristicValue, DEFAULT_CHARACTERISTICS } from "./characteristics.js";
export { type AuthReport, type Parapet, type ParapetOptions, type ProtectOptions, parapet } from "./client.js";
export { createDecision, DECISION_ID_TAG, decisionSequence, type ErrorPolicy, formatDecisionId } from "./decision.js";
export { type Duration, parseDuration } from "./duration.js";
export { codeOf, type ErrorCode, ErrorCodes, messageOf, optionError, ParapetError } from "./errors.js";
export { type Cidr, cidrContains, parseCidr, parseRanges } from "./ip/cidr.js";
export {
  type ClientIpOptions,
  type ClientIpResolver,
  createClientIpResolver,
  type ForwardedHeader,
  forwardedHops,
  PLATFORM_HEADERS,
  type Platform,
} from "./ip/client-ip.js";
export { canonicalIp, formatIp, maskIp, type ParsedIp, parseIp } from "./ip/parse.js";
export { consoleLogger, silentLogger } from "./logger.js";
export { NoticeThrottle } from "./notice-throttle.js";
export { rateLimitHeaders } from "./rate-limit-headers.js";
export { mediaType } from "./request/headers.js";
export {
  isNodeRequest,
  isWebRequest,
  type NodeRequestLike,
  normalizeRequest,
  type PlainRequest,
  type ProtectableRequest,
  type WebRequestLike,
} from "./request/normalize.js";
export { type FixedWindowOptions, fixedWindow } from "./rules/fixed-window.js";
export { RATE_LIMIT, type RateLimitCommonOptions } from "./rules/rate-limit.js";
export { type SlidingWindowOptions, slidingWindow } from "./rules/sliding-window.js";
export { type TokenBucketOptions, tokenBucket } from "./rules/token-bucket.js";
export { MemoryStore, type MemoryStoreOptions } from "./store/memory.js";
export type {
  AdvertisedQuota,
  AllowReason,
  AuthEvent,
  BodyContent,
  Clock,
  Conclusion,
  Decision,
  DecisionObserver,
  ErrorReason,
  FixedWindowParams,
  Logger,
  Mode,
  NormalizedRequest,
  RateLimitReason,
  RateLimitState,
  Reason,
  Rule,
  RuleContext,
  RuleEvaluation,
  RuleResult,
  SlidingWindowParams,
  Store,
  TokenBucketParams,
} from "./types.js";
export { utf8LengthAtMost } from "./utf8-length.js";
