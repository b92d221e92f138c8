/**
 * One Aho-Corasick automaton over every catalogue token, so a User-Agent is
 * classified in a single left-to-right pass: time is linear in the length of
 * the string plus the matches found, however many tokens the catalogue holds,
 * and there is no regex to backtrack.
 */

/** A token as written in the catalogue: `^` anchors it at the start, `\b` on either side asks for a word boundary. */
export interface TokenSpec {
  readonly text: string;
  readonly atStart: boolean;
  readonly boundaryBefore: boolean;
  readonly boundaryAfter: boolean;
}

export interface TokenMatch {
  /** Index of the token in the list the automaton was built from. */
  readonly token: number;
  readonly start: number;
  readonly end: number;
}

export interface TokenAutomaton {
  /** Every token found in `text` (already lowercased), in order of their end position. */
  scan(text: string): TokenMatch[];
}

/** Parses `^foo`, `\bfoo`, `foo\b`; the text itself is lowercased. Throws on an empty token. */
export function parseToken(raw: string): TokenSpec {
  let text = raw;
  const atStart = text.startsWith("^");
  if (atStart) text = text.slice(1);
  const boundaryBefore = text.startsWith("\\b");
  if (boundaryBefore) text = text.slice(2);
  const boundaryAfter = text.endsWith("\\b");
  if (boundaryAfter) text = text.slice(0, -2);
  if (text.length === 0) throw new Error(`empty token "${raw}"`);
  return { text: text.toLowerCase(), atStart, boundaryBefore, boundaryAfter };
}

function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
}

export function createTokenAutomaton(tokens: readonly TokenSpec[]): TokenAutomaton {
  // Transitions as one Map per state keyed by char code: the alphabet of a
  // User-Agent is open (any Unicode), so a dense table would waste memory.
  const next: Map<number, number>[] = [new Map()];
  const fail: number[] = [0];
  const outputs: number[][] = [[]];

  for (const [index, token] of tokens.entries()) {
    let state = 0;
    for (let i = 0; i < token.text.length; i++) {
      const code = token.text.charCodeAt(i);
      let target = next[state]!.get(code);
      if (target === undefined) {
        target = next.length;
        next.push(new Map());
        fail.push(0);
        outputs.push([]);
        next[state]!.set(code, target);
      }
      state = target;
    }
    outputs[state]!.push(index);
  }

  // Breadth-first: each state's failure link is the longest proper suffix that is also a prefix.
  const queue: number[] = [];
  for (const child of next[0]!.values()) queue.push(child);
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    for (const [code, child] of next[state]!) {
      let link = fail[state]!;
      while (link !== 0 && !next[link]!.has(code)) link = fail[link]!;
      const candidate = next[link]!.get(code);
      fail[child] = candidate !== undefined && candidate !== child ? candidate : 0;
      outputs[child] = [...outputs[child]!, ...outputs[fail[child]!]!];
      queue.push(child);
    }
  }

  function scan(text: string): TokenMatch[] {
    const found: TokenMatch[] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let target = next[state]!.get(code);
      while (target === undefined && state !== 0) {
        state = fail[state]!;
        target = next[state]!.get(code);
      }
      state = target ?? 0;
      const hits = outputs[state]!;
      for (let h = 0; h < hits.length; h++) {
        const tokenIndex = hits[h]!;
        const token = tokens[tokenIndex]!;
        const end = i + 1;
        const start = end - token.text.length;
        if (token.atStart && start !== 0) continue;
        if (token.boundaryBefore && start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
        if (token.boundaryAfter && end < text.length && isWordChar(text.charCodeAt(end))) continue;
        found.push({ token: tokenIndex, start, end });
      }
    }
    return found;
  }

  return { scan };
}
