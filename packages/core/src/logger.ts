import type { Logger } from "./types.js";

/** The default logger: warnings and errors to the console, debug dropped. */
export const consoleLogger: Logger = {
  debug() {},
  warn(message, fields) {
    console.warn(`[parapet] ${message}`, fields ?? "");
  },
  error(message, fields) {
    console.error(`[parapet] ${message}`, fields ?? "");
  },
};

export const silentLogger: Logger = { debug() {}, warn() {}, error() {} };
