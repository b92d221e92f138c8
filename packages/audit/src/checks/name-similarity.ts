/**
 * Ways a package name imitates another. Each function is small and linear in the
 * name's length (npm names are at most 214 characters).
 */

/** Characters that look alike in a terminal or on a web page (npm names are lowercase ASCII). */
const HOMOGLYPHS: ReadonlyArray<readonly [RegExp, string]> = [
  [/rn/g, "m"],
  [/vv/g, "w"],
  [/0/g, "o"],
  [/1/g, "l"],
  [/!/g, "l"],
];

/** Drops separators and folds homoglyphs: `cross-env`, `crossenv` and `cr0ss_env` all become `crossenv`. */
export function skeleton(name: string): string {
  let out = name.toLowerCase().replace(/[-_.]/g, "");
  for (const [pattern, replacement] of HOMOGLYPHS) out = out.replace(pattern, replacement);
  return out;
}

/** The words of a name, sorted: `parser-json` and `json-parser` share a signature. */
export function wordSignature(name: string): string {
  return name
    .toLowerCase()
    .split(/[-_.]/)
    .filter((w) => w !== "")
    .sort()
    .join("-");
}

const KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/** True when `a` and `b` are adjacent on a QWERTY keyboard (same row or diagonal). */
export function areKeyboardNeighbours(a: string, b: string): boolean {
  const pos = (c: string): [number, number] | undefined => {
    for (let row = 0; row < KEYBOARD_ROWS.length; row++) {
      const col = KEYBOARD_ROWS[row]!.indexOf(c);
      if (col !== -1) return [row, col];
    }
    return undefined;
  };
  const pa = pos(a);
  const pb = pos(b);
  if (!pa || !pb) return false;
  return Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1 && a !== b;
}

export type EditKind = "omitted" | "repeated" | "inserted" | "swapped" | "keyboard-neighbour" | "substituted";

/**
 * When `candidate` is exactly one edit away from `target`, says which edit.
 * One edit (Damerau: insert, delete, substitute, transpose adjacent) is the classic typo.
 */
export function singleEdit(candidate: string, target: string): EditKind | undefined {
  const lc = candidate.length;
  const lt = target.length;
  if (Math.abs(lc - lt) > 1 || candidate === target) return undefined;
  let i = 0;
  while (i < Math.min(lc, lt) && candidate[i] === target[i]) i++;
  if (lc === lt) {
    if (candidate.slice(i + 1) === target.slice(i + 1)) {
      return areKeyboardNeighbours(candidate[i]!, target[i]!) ? "keyboard-neighbour" : "substituted";
    }
    if (candidate[i] === target[i + 1] && candidate[i + 1] === target[i] && candidate.slice(i + 2) === target.slice(i + 2))
      return "swapped";
    return undefined;
  }
  if (lc === lt + 1) {
    if (candidate.slice(i + 1) !== target.slice(i)) return undefined;
    return candidate[i] === target[i - 1] || candidate[i] === target[i] ? "repeated" : "inserted";
  }
  return candidate.slice(i) === target.slice(i + 1) ? "omitted" : undefined;
}

/** The one-character deletions of a word: the SymSpell index key that finds single edits without comparing every pair. */
export function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}
