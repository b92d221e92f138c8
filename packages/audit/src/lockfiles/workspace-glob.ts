/**
 * npm `workspaces` globs (`packages/*`, `apps/**`, `libs/?-core`) matched
 * against the folders a lockfile links, without turning them into regexes.
 *
 * The globs come from the audited project's lockfile, which may be a
 * stranger's pull request. A glob made a regex (`*` → `[^/]*`, `**` → `.*`)
 * backtracks polynomially in its number of stars: `*a*a*a*a*a*a*b` against a
 * 200-character folder name held the audit for two minutes, enough to stall
 * the CI gate it runs in. Here a star is matched by the classic wildcard walk
 * that remembers only the latest star and resumes after it, so the cost is at
 * most pattern length × text length, whatever the glob.
 *
 * Supported: `*` (any characters within one path segment), `?` (one
 * character), `**` as a whole segment (any number of segments, none
 * included). Anything else is literal, as before; a leading `./` and trailing
 * slashes are ignored.
 */
export type WorkspaceMatcher = (folder: string) => boolean;

export function workspaceMatcher(glob: string): WorkspaceMatcher {
  const pattern = segmentsOf(glob.replace(/^\.\//, ""));
  return (folder) => matchSegments(pattern, segmentsOf(folder));
}

/** Path segments without empty ones from doubled or trailing slashes (npm normalizes both away). */
function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment.length > 0);
}

const GLOBSTAR = "**";

/** `**` segments against folder segments: the wildcard walk at segment level, with `matchSegment` for the rest. */
function matchSegments(pattern: readonly string[], folder: readonly string[]): boolean {
  let p = 0;
  let f = 0;
  let starP = -1;
  let starF = 0;
  while (f < folder.length) {
    if (p < pattern.length && pattern[p] === GLOBSTAR) {
      starP = p++;
      starF = f;
    } else if (p < pattern.length && matchSegment(pattern[p] as string, folder[f] as string)) {
      p++;
      f++;
    } else if (starP !== -1) {
      // Let the latest `**` take one more segment and retry what follows it.
      p = starP + 1;
      f = ++starF;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === GLOBSTAR) p++;
  return p === pattern.length;
}

const STAR = 0x2a;
const QUESTION = 0x3f;

/** One segment with `*` and `?`, by the same walk over characters. A `**` inside a segment (`a**b`) is a `*`. */
function matchSegment(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const code = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (code === STAR) {
      starP = p++;
      starT = t;
    } else if (code === QUESTION || (code !== -1 && code === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}
