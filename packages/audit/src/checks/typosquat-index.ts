import { deletions, type EditKind, singleEdit, skeleton, wordSignature } from "./name-similarity.js";

export type SquatKind = EditKind | "separator" | "homoglyph" | "word-order" | "scope-confusion" | "version-suffix";

export interface SquatMatch {
  readonly target: string;
  /** 0-based popularity rank of the imitated package. */
  readonly targetRank: number;
  readonly kind: SquatKind;
}

export interface TyposquatIndexOptions {
  /**
   * How deep into the ranking a one-edit typo is judged, by the length of the name.
   * Short names collide by accident (`ms`/`ws`, `ora`/`ori`); a one-letter difference
   * between two long names (`electorn`/`electron`) rarely does. Return 0 to skip.
   */
  readonly editDepth?: (length: number) => number;
  /** Word-order squats are judged against this many names (reordered words are a common naming accident). */
  readonly wordOrderTargets?: number;
  /** Same-shape squats (separators, homoglyphs, scope flattening) are rare by accident, so they are judged against every ranked name by default. */
  readonly shapeTargets?: number;
  /**
   * A ranked name is only judged against names at least this many times higher in the
   * ranking. Squatters imitate a name far more popular than theirs; two names of
   * similar standing (`safe-buffer` #36 / `safer-buffer` #178) are independent projects.
   */
  readonly popularityRatio?: number;
}

/**
 * Default edit depth. Squatters aim at the head of the distribution, but historic
 * squats also hit mid-ranked names (`electorn` → electron #9413, `discord.jss` →
 * discord.js #12672), so long names are judged against the whole list. Five-letter
 * names only against the head, and only for the unmistakable typos (see `STRONG_EDITS`).
 */
export function defaultEditDepth(length: number): number {
  if (length >= 7) return Number.POSITIVE_INFINITY;
  if (length === 6) return 3000;
  if (length === 5) return 500;
  return 0;
}

/** On five-letter names, substitutions and insertions are too often a different word (`flat`/`float`). */
const STRONG_EDITS = new Set(["swapped", "repeated", "omitted"]);

interface Ranked {
  readonly name: string;
  readonly rank: number;
}

function push(map: Map<string, Ranked[]>, key: string, value: Ranked): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function splitScope(name: string): { scope: string | undefined; base: string } {
  if (!name.startsWith("@")) return { scope: undefined, base: name };
  const slash = name.indexOf("/");
  return slash === -1 ? { scope: undefined, base: name } : { scope: name.slice(1, slash), base: name.slice(slash + 1) };
}

function isDigitSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return /\d/.test(a[i]!) && /\d/.test(b[i]!);
  return false;
}

/**
 * Word-order squats (`parser-json`) are judged on two- and three-word names only, and
 * never when a word is a direction (`a-to-b` and `b-to-a` are different tools).
 */
function isReorderable(name: string): boolean {
  const words = name.split(/[-_.]/);
  return words.length >= 2 && words.length <= 3 && !words.includes("to");
}

/** npm refuses longer names (validate-npm-package-name); the lockfile of a pull request may still hold one. */
const MAX_NPM_NAME_LENGTH = 214;

/**
 * An index of popular names built once (17k names, a few hundred ms) that answers
 * "which popular package does this name imitate?" in microseconds.
 */
export function createTyposquatIndex(ranked: readonly string[], options: TyposquatIndexOptions = {}) {
  const editDepth = options.editDepth ?? defaultEditDepth;
  const wordOrderTargets = options.wordOrderTargets ?? 800;
  const shapeTargets = options.shapeTargets ?? Number.POSITIVE_INFINITY;
  const popularityRatio = options.popularityRatio ?? 10;
  const rankOf = new Map<string, number>();
  const bySkeleton = new Map<string, Ranked[]>();
  const byWords = new Map<string, Ranked[]>();
  const byDeletion = new Map<string, Ranked[]>();
  const byFlatScope = new Map<string, Ranked[]>();
  const byScopedBase = new Map<string, Ranked[]>();
  ranked.forEach((name, rank) => {
    if (rankOf.has(name)) return;
    rankOf.set(name, rank);
    if (rank >= shapeTargets) return;
    const entry = { name, rank };
    push(bySkeleton, skeleton(name), entry);
    const { scope, base } = splitScope(name);
    if (scope !== undefined) {
      push(byFlatScope, skeleton(`${scope}${base}`), entry);
      push(byScopedBase, base, entry);
      return;
    }
    if (isReorderable(name) && rank < wordOrderTargets) push(byWords, wordSignature(name), entry);
    if (rank < editDepth(name.length)) {
      push(byDeletion, name, entry);
      for (const d of deletions(name)) push(byDeletion, d, entry);
    }
  });

  function best(list: readonly Ranked[] | undefined, name: string, below: number): Ranked | undefined {
    let found: Ranked | undefined;
    for (const r of list ?? []) if (r.name !== name && r.rank < below && (!found || r.rank < found.rank)) found = r;
    return found;
  }

  /**
   * Finds the most popular name that `name` imitates. `suspectRank` is the name's own
   * 0-based rank when it is ranked (default: unranked, so judged against every name);
   * only names `popularityRatio` times higher count as targets. The caller decides
   * whether ranked names are exempt.
   */
  function match(name: string, suspectRank = Number.POSITIVE_INFINITY): SquatMatch | undefined {
    const below = (suspectRank + 1) / popularityRatio;
    const lower = name.toLowerCase();
    const { scope, base } = splitScope(lower);
    const sameShape = best(bySkeleton.get(skeleton(lower)), name, below);
    if (sameShape) {
      const stripped = (s: string) => s.replace(/[-_.]/g, "");
      const kind = stripped(sameShape.name) === stripped(lower) ? "separator" : "homoglyph";
      return { target: sameShape.name, targetRank: sameShape.rank, kind };
    }
    if (scope === undefined) {
      // `types-node` or `typesnode` for `@types/node`.
      const flat = best(byFlatScope.get(skeleton(lower)), name, below);
      if (flat) return { target: flat.name, targetRank: flat.rank, kind: "scope-confusion" };
    } else {
      // `@typess/node` for `@types/node`: a one-letter change in a popular scope.
      for (const r of byScopedBase.get(base) ?? []) {
        if (r.rank >= below || r.name === name) continue;
        const targetScope = splitScope(r.name).scope!;
        if (targetScope.length >= 4 && singleEdit(scope, targetScope))
          return { target: r.name, targetRank: r.rank, kind: "scope-confusion" };
      }
      return undefined;
    }
    if (isReorderable(lower)) {
      const reordered = best(byWords.get(wordSignature(lower)), name, below);
      if (reordered) return { target: reordered.name, targetRank: reordered.rank, kind: "word-order" };
    }
    // Digits only: `-js`/`-node` suffixes are an ordinary naming convention (source-map-js, vite-node).
    const suffix = /^(.{4,}?)[-_.]?v?\d{1,2}$/.exec(lower);
    if (suffix) {
      const original = rankOf.get(suffix[1]!);
      if (original !== undefined && original < below && original < wordOrderTargets)
        return { target: suffix[1]!, targetRank: original, kind: "version-suffix" };
    }
    // One edit changes a length by one at most, so a name past npm's limit is no edit away from any published name;
    // and its deletions would cost its length squared (a lockfile of 5,000-character names took a minute).
    if (lower.length > MAX_NPM_NAME_LENGTH + 1) return undefined;
    let edit: SquatMatch | undefined;
    const keys = [lower, ...deletions(lower)];
    for (const key of keys) {
      for (const r of byDeletion.get(key) ?? []) {
        if (r.rank >= below || r.name === lower || (edit && edit.targetRank <= r.rank)) continue;
        if (r.rank >= editDepth(r.name.length)) continue;
        const kind = singleEdit(lower, r.name);
        if (kind && r.name.length < 6 && !STRONG_EDITS.has(kind)) continue;
        // `eventemitter2` vs `eventemitter3`: numbered siblings are a naming convention, not a typo.
        if (kind && !isDigitSwap(lower, r.name)) edit = { target: r.name, targetRank: r.rank, kind };
      }
    }
    return edit;
  }

  return { match, rankOf: (name: string) => rankOf.get(name) };
}

export type TyposquatIndex = ReturnType<typeof createTyposquatIndex>;
