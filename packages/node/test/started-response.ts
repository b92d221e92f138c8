/**
 * For the case of a denial that comes after the response started: a client that reads the whole answer, and a
 * logger that keeps what it was told. Shared by every adapter's tests.
 */
import assert from "node:assert/strict";
import type { Logger } from "@parapet/core";

/** What an early middleware writes before Parapet decides; the client must never read it as a complete answer. */
export const EARLY_OUTPUT = "written before the decision";

export interface RecordingLogger extends Logger {
  readonly errors: string[];
}

export function recordingLogger(): RecordingLogger {
  const errors: string[] = [];
  return { errors, debug() {}, warn() {}, error: (message) => void errors.push(message) };
}

/**
 * Fetches `url` and asserts the answer was cut off: fetch fails on the truncated body ("terminated"). A complete
 * 200 carrying EARLY_OUTPUT, what such a denial used to send, fails the assertion.
 */
export async function assertCutOff(url: string, init: RequestInit = {}): Promise<void> {
  let read: string | undefined;
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(3_000) });
    read = `${response.status} ${await response.text()}`;
  } catch (error) {
    assert.notEqual((error as Error).name, "TimeoutError", "the server neither finished nor closed the response");
    return;
  }
  assert.fail(`the client read a complete response to a denied request: ${read}`);
}

/** The logger was told that protect() must run before output: once. */
export function assertToldToProtectFirst(logger: RecordingLogger): void {
  assert.equal(logger.errors.length, 1, `errors logged: ${JSON.stringify(logger.errors)}`);
  assert.match(logger.errors[0] ?? "", /run protect\(\) \(mount Parapet\) before/);
}
