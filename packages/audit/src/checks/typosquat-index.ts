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
   * Single-character edits are only judged against names at least this long:
   * among short names (`ms`/`ws`, `ora`/`ori`) a one-letter difference is normal,
   * not a sign of imitation.
   */
  readonly minEditLength?: number;
  /**
   * Only names this popular are judged worth imitating. Squatters aim at the head of
   * the distribution (that is where the installs are); in the long tail, near-identical
   * names are mostly independent projects (`split`/`split2`), so judging them would drown
   * real alarms in false ones.
   */
  readonly targets?: number;
  /** Same-shape squats (separators, homoglyphs, scope flattening) are rarer by accident, so they are judged against more names. */
  readonly shapeTargets?: number;
}

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

/**
 * An index of popular names built once (17k names, a few hundred ms) that answers
 * "which popular package does this name imitate?" in microseconds.
 */
export function createTyposquatIndex(ranked: readonly string[], options: TyposquatIndexOptions = {}) {
  const minEditLength = options.minEditLength ?? 6;
  const targets = options.targets ?? 800;
  const shapeTargets = Math.max(options.shapeTargets ?? 800, targets);
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
    if (rank >= targets) return;
    if (isReorderable(name)) push(byWords, wordSignature(name), entry);
    if (name.length >= minEditLength) {
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
   * Finds the most popular name that `name` imitates, among names ranked above `below`
   * (default: all). The caller decides whether popular names are exempt.
   */
  function match(name: string, below = Number.POSITIVE_INFINITY): SquatMatch | undefined {
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
    const suffix = /^(.{4,}?)[-_.]?(?:v?\d{1,2}|js|node)$/.exec(lower);
    if (suffix) {
      const original = rankOf.get(suffix[1]!);
      if (original !== undefined && original < below && original < targets)
        return { target: suffix[1]!, targetRank: original, kind: "version-suffix" };
    }
    let edit: SquatMatch | undefined;
    const keys = [lower, ...deletions(lower)];
    for (const key of keys) {
      for (const r of byDeletion.get(key) ?? []) {
        if (r.rank >= below || r.name === lower || (edit && edit.targetRank <= r.rank)) continue;
        const kind = singleEdit(lower, r.name);
        // `eventemitter2` vs `eventemitter3`: numbered siblings are a naming convention, not a typo.
        if (kind && !isDigitSwap(lower, r.name)) edit = { target: r.name, targetRank: r.rank, kind };
      }
    }
    return edit;
  }

  return { match, rankOf: (name: string) => rankOf.get(name) };
}

export type TyposquatIndex = ReturnType<typeof createTyposquatIndex>;
