/**
 * The catalogue of Parapet errors. Codes are stable and never reused; each
 * message says what to do next. Configuration errors are thrown when a client
 * or rule is created; request-time failures become ERROR decisions instead.
 */
export const ErrorCodes = {
  INVALID_OPTION: "PARAPET_E_INVALID_OPTION",
  INVALID_DURATION: "PARAPET_E_INVALID_DURATION",
  INVALID_PROXY: "PARAPET_E_INVALID_PROXY",
  CHARACTERISTIC_MISSING: "PARAPET_E_CHARACTERISTIC_MISSING",
  /** A characteristic passed as an array or object: the rule denies the request (see characteristics.ts). */
  CHARACTERISTIC_INVALID: "PARAPET_E_CHARACTERISTIC_INVALID",
  RULE_FAILED: "PARAPET_E_RULE_FAILED",
  STORE_FAILED: "PARAPET_E_STORE_FAILED",
  STORE_TIMEOUT: "PARAPET_E_STORE_TIMEOUT",
  REQUEST_UNREADABLE: "PARAPET_E_REQUEST_UNREADABLE",
  INTERNAL: "PARAPET_E_INTERNAL",
  CLOCK_INVALID: "PARAPET_E_CLOCK_INVALID",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class ParapetError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ParapetError";
    this.code = code;
  }
}

/** A configuration error, thrown at construction: `${where} options error: ${message}`. */
export function optionError(where: string, message: string): ParapetError {
  return new ParapetError(ErrorCodes.INVALID_OPTION, `${where} options error: ${message}`);
}

/** The code of any thrown value: ours, or a store's own, or RULE_FAILED. */
export function codeOf(error: unknown, fallback: ErrorCode = ErrorCodes.RULE_FAILED): ErrorCode {
  return error instanceof ParapetError ? error.code : fallback;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : "unknown error";
}
