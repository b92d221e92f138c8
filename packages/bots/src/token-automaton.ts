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
  /** Every token found in `text` (matched case-insensitively), in order of their end position. */
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

const ASCII = 128;

export function createTokenAutomaton(tokens: readonly TokenSpec[]): TokenAutomaton {
  const nonAscii = tokens.find((t) => [...t.text].some((c) => c.charCodeAt(0) >= ASCII));
  if (nonAscii) throw new Error(`token "${nonAscii.text}" has a non-ASCII character; User-Agent product tokens are ASCII`);
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
  const order: number[] = [];
  for (const child of next[0]!.values()) order.push(child);
  for (let head = 0; head < order.length; head++) {
    const state = order[head]!;
    for (const [code, child] of next[state]!) {
      let link = fail[state]!;
      while (link !== 0 && !next[link]!.has(code)) link = fail[link]!;
      const candidate = next[link]!.get(code);
      fail[child] = candidate !== undefined && candidate !== child ? candidate : 0;
      outputs[child] = [...outputs[child]!, ...outputs[fail[child]!]!];
      order.push(child);
    }
  }

  // Compile to a dense table over ASCII (a DFA: failure links folded in), so scanning is one array read per
  // character. Upper-case letters share the lower-case transitions, so the input need not be lowercased first.
  // Characters outside ASCII appear in no token and send the scan back to the root.
  const width = ASCII;
  const delta = new Int32Array(next.length * width);
  for (const state of [0, ...order]) {
    for (let code = 0; code < width; code++) {
      const own = next[state]!.get(code);
      delta[state * width + code] = own !== undefined ? own : state === 0 ? 0 : delta[fail[state]! * width + code]!;
    }
    for (let code = 65; code <= 90; code++) delta[state * width + code] = delta[state * width + code + 32]!;
  }
  const hasOutput = outputs.map((list) => list.length > 0);

  function scan(text: string): TokenMatch[] {
    const found: TokenMatch[] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? delta[(state << 7) | code]! : 0;
      if (!hasOutput[state]) continue;
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
