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

/**
 * Matches written into reusable typed arrays: the hot path classifies every request, and one object per match
 * (plus the array holding them) was most of its garbage. Valid until the next `scanInto` on the same buffer.
 */
export interface MatchBuffer {
  count: number;
  token: Int32Array;
  start: Int32Array;
  end: Int32Array;
}

export function createMatchBuffer(capacity = 64): MatchBuffer {
  return { count: 0, token: new Int32Array(capacity), start: new Int32Array(capacity), end: new Int32Array(capacity) };
}

function pushMatch(buffer: MatchBuffer, token: number, start: number, end: number): void {
  if (buffer.count === buffer.token.length) {
    const grown = createMatchBuffer(buffer.count * 2);
    grown.token.set(buffer.token);
    grown.start.set(buffer.start);
    grown.end.set(buffer.end);
    buffer.token = grown.token;
    buffer.start = grown.start;
    buffer.end = grown.end;
  }
  buffer.token[buffer.count] = token;
  buffer.start[buffer.count] = start;
  buffer.end[buffer.count] = end;
  buffer.count++;
}

export interface TokenAutomaton {
  /** Every token found in `text` (matched case-insensitively), in order of their end position. */
  scan(text: string): TokenMatch[];
  /** Same matches as `scan`, written into `buffer` (reset first) instead of allocated; returns the count. */
  scanInto(text: string, buffer: MatchBuffer): number;
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

  // Per-token facts as flat arrays, so the inner loop reads numbers rather than chasing objects.
  const tokenLength = Int32Array.from(tokens, (t) => t.text.length);
  const tokenFlags = Int32Array.from(tokens, (t) => (t.atStart ? 1 : 0) | (t.boundaryBefore ? 2 : 0) | (t.boundaryAfter ? 4 : 0));
  // Each state's outputs as one slice of a flat array: outputStart[state]..outputStart[state + 1].
  const outputStart = new Int32Array(outputs.length + 1);
  const flatOutputs: number[] = [];
  for (let state = 0; state < outputs.length; state++) {
    outputStart[state] = flatOutputs.length;
    flatOutputs.push(...outputs[state]!);
  }
  outputStart[outputs.length] = flatOutputs.length;
  const outputList = Int32Array.from(flatOutputs);

  function scanInto(text: string, buffer: MatchBuffer): number {
    buffer.count = 0;
    let state = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? delta[(state << 7) | code]! : 0;
      const last = outputStart[state + 1]!;
      for (let h = outputStart[state]!; h < last; h++) {
        const tokenIndex = outputList[h]!;
        const flags = tokenFlags[tokenIndex]!;
        const end = i + 1;
        const start = end - tokenLength[tokenIndex]!;
        if (flags !== 0) {
          if (flags & 1 && start !== 0) continue;
          if (flags & 2 && start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
          if (flags & 4 && end < length && isWordChar(text.charCodeAt(end))) continue;
        }
        pushMatch(buffer, tokenIndex, start, end);
      }
    }
    return buffer.count;
  }

  function scan(text: string): TokenMatch[] {
    const buffer = createMatchBuffer(8);
    const found: TokenMatch[] = [];
    for (let m = 0, count = scanInto(text, buffer); m < count; m++)
      found.push({ token: buffer.token[m]!, start: buffer.start[m]!, end: buffer.end[m]! });
    return found;
  }

  return { scan, scanInto };
}
