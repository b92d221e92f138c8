/** Anything a detector weighs: a finding, a tag verdict, a code signal. */
interface Scored {
  readonly score: number;
}

/**
 * The higher-scored of two readings, either of which may be missing. On a tie
 * the first is kept: detectors try their most specific reading first, and its
 * label is the one worth logging.
 */
export function higherScore<T extends Scored>(a: T | undefined, b: T): T;
export function higherScore<T extends Scored>(a: T | undefined, b: T | undefined): T | undefined;
export function higherScore<T extends Scored>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.score > a.score ? b : a;
}
