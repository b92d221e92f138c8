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

/**
 * Where each entry of a yarn.lock (classic or berry) starts, built in one pass:
 * an entry's header is an unindented line ending in ":" that lists its
 * descriptors (`"a@^1", a@^1.2:` in classic, `"a@npm:^1, a@npm:^1.2":` in
 * berry). Each descriptor, and the list as written, maps to the header's line.
 * (Searching the text once per package made a 10,000-entry lockfile take 40 s.)
 */
export function createYarnEntryIndex(text: string): (descriptor: string) => number | undefined {
  const byDescriptor = new Map<string, number>();
  const add = (key: string, line: number) => {
    if (key !== "" && !byDescriptor.has(key)) byDescriptor.set(key, line);
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    const first = line.charCodeAt(0);
    // Indented lines are an entry's fields; "#" starts a comment.
    if (line.length < 2 || first === 0x20 || first === 0x09 || first === 0x23 || !line.endsWith(":")) continue;
    const header = unquote(line.slice(0, -1));
    add(header, i + 1);
    for (const part of header.split(",")) add(unquote(part.trim()), i + 1);
  }
  return (descriptor) => byDescriptor.get(descriptor);
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
