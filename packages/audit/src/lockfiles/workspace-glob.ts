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
const STAR = 0x2a;
const QUESTION = 0x3f;

/** `**` segments against folder segments, each other segment by `matchSegment`. */
function matchSegments(pattern: readonly string[], folder: readonly string[]): boolean {
  return wildcardWalk(
    pattern.length,
    folder.length,
    (p) => pattern[p] === GLOBSTAR,
    (p, f) => matchSegment(pattern[p] as string, folder[f] as string),
  );
}

/** One segment with `*` and `?`. A `**` inside a segment (`a**b`) is a `*`. */
function matchSegment(pattern: string, text: string): boolean {
  return wildcardWalk(
    pattern.length,
    text.length,
    (p) => pattern.charCodeAt(p) === STAR,
    (p, t) => {
      const code = pattern.charCodeAt(p);
      return code === QUESTION || code === text.charCodeAt(t);
    },
  );
}

/**
 * The classic wildcard match, over segments or over characters: a star is
 * remembered, and on a mismatch only the latest star takes one more item
 * before what follows it is retried. Every other pattern item matches exactly
 * one text item (`matches`), which is what makes retrying from the latest star
 * enough, and the cost at most pattern × text.
 */
function wildcardWalk(
  patternLength: number,
  textLength: number,
  isStar: (p: number) => boolean,
  matches: (p: number, t: number) => boolean,
): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < textLength) {
    if (p < patternLength && isStar(p)) {
      starP = p++;
      starT = t;
    } else if (p < patternLength && matches(p, t)) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < patternLength && isStar(p)) p++;
  return p === patternLength;
}
