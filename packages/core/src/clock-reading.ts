import { messageOf } from "./errors.js";

/**
 * The furthest an injected clock may read from the epoch: the range of a JavaScript Date (±100,000,000 days).
 * Window arithmetic on such a time plus the longest window stays exact in a double.
 */
const MAX_CLOCK_MS = 8.64e15;

/** A reading of an injected clock that is a time: epoch milliseconds within Date's range (NaN and Infinity are not). */
export function isClockTime(reading: unknown): reading is number {
  return typeof reading === "number" && reading >= -MAX_CLOCK_MS && reading <= MAX_CLOCK_MS;
}

/** What an injected clock did instead of giving a time, for the message that says so. */
export function clockProblem(reading: unknown, thrown: unknown): string {
  return thrown !== undefined
    ? `threw (${messageOf(thrown)})`
    : `returned ${typeof reading === "number" ? String(reading) : typeof reading}`;
}
