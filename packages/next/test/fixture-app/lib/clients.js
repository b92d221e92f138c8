// The Parapet clients of the fixture app. next-server.test.ts expects these limits.
import { parapet, slidingWindow } from "@parapet/core";
// Rules written for adapter tests; they need Node's runtime, which route handlers and proxy.js have in Next 16.
import { bodyRule, headerDenyRule } from "@parapet/node/test-suite";

/**
 * A deny rule and a rate limit keyed by API key: Next tells the app nothing
 * about the client's socket, so an IP-keyed limit would have nothing to count by.
 * A sliding window, because a fixed one resets at a window boundary a test could straddle.
 */
export function protectedClient() {
  return parapet({ rules: [headerDenyRule(), slidingWindow({ name: "api", max: 3, window: "1h", characteristics: ["apiKey"] })] });
}

/** Reads the JSON body inside protect(), before the route reads it again. */
export function bodyClient() {
  return parapet({ rules: [bodyRule()] });
}
