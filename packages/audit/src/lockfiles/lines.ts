/**
 * Finds the line where a package appears in a lockfile, so reports (and SARIF
 * annotations on a pull request) point at the exact entry. Built once per file:
 * trimmed line → first line number, so a 20,000-line lockfile costs one pass.
 */
export function createLineIndex(text: string): (trimmedLine: string) => number | undefined {
  const byLine = new Map<string, number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] ?? "").trim();
    if (trimmed !== "" && !byLine.has(trimmed)) byLine.set(trimmed, i + 1);
  }
  return function lineOf(trimmedLine: string): number | undefined {
    return byLine.get(trimmedLine);
  };
}

/** Line (1-based) of a character offset, for parser errors that report offsets. */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** First line of `text` that starts (after indentation) with `prefix`. */
export function lineStartingWith(text: string, prefix: string): number | undefined {
  const lines = text.split("\n");
  const index = lines.findIndex((line) => line.trimStart().startsWith(prefix));
  return index === -1 ? undefined : index + 1;
}
