import { lockfileError } from "../errors.js";
import { lineAtOffset } from "./lines.js";

/** JSON.parse with an error that names the file and line instead of a character offset. */
export function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lineMatch = /line (\d+)/.exec(message);
    const positionMatch = /position (\d+)/.exec(message);
    const line = lineMatch ? Number(lineMatch[1]) : positionMatch ? lineAtOffset(text, Number(positionMatch[1])) : undefined;
    throw lockfileError(file, line, `not valid JSON (${message.replace(/(?<!\s)\s*\(line \d+ column \d+\)/, "")})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
