/**
 * A multipart/form-data body split into parts as the app's parser splits it (RFC 2046 section 5.1.1, RFC 7578).
 *
 * The delimiter is the one Content-Type's `boundary` parameter declares: busboy (multer, @fastify/multipart) and
 * undici's formData() (Hono, Next.js) both take it from there. The shield used to take the body's first line: a
 * client that opened the body with `--FAKE` and a binary "file" had the real parts read as that file's content, and
 * skipped, while busboy skipped the preamble and handed the app the fields after it.
 */

/** A part's header block (without its blank line) and its content, as the parser hands it on. */
export interface RawPart {
  readonly head: string;
  readonly content: string;
}

/**
 * A body split on one boundary. `outside`: text that is in no part (preamble, epilogue, what follows a line that
 * starts with the delimiter but does not end like one): the parser drops it.
 */
export interface MultipartReading {
  readonly parts: readonly RawPart[];
  readonly outside: readonly string[];
}

const MEDIA_TYPE = /^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
/** `; name=token` or `; name="quoted \" string"`, as busboy's parseContentType reads a parameter. */
const PARAMETER = /[ \t]*;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))/y;

/**
 * The boundary busboy takes from a Content-Type header: the first `boundary` parameter (its name in any case),
 * quoted or bare. Undefined where busboy finds none (it throws, and the app gets an error, not data); after a
 * malformed parameter busboy throws too, and what was read before it is kept: a reading more costs nothing.
 */
export function declaredBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = MEDIA_TYPE.exec(contentType);
  if (type === null) return undefined;
  PARAMETER.lastIndex = type[0].length;
  for (let match = PARAMETER.exec(contentType); match !== null; match = PARAMETER.exec(contentType)) {
    if ((match[1] as string).toLowerCase() !== "boundary") continue;
    return match[2] !== undefined ? match[2].replace(/\\([\\"])/g, "$1") : match[3];
  }
  return undefined;
}

/** A first line longer than this is no delimiter line a client wrote (RFC 2046 bounds a boundary at 70 characters). */
const MAX_FIRST_LINE = 1024;

/**
 * The boundary the body's first line spells (`--boundary`), after any blank lines undici skips. Parsers that
 * require the body to open with the delimiter (undici, formidable) read a body split on it or fail; a hand-rolled
 * parser may take it over the header. Undefined when the first line is no delimiter line.
 */
export function firstLineBoundary(text: string): string | undefined {
  let start = 0;
  while (text[start] === "\r" || text[start] === "\n") start++;
  if (!text.startsWith("--", start)) return undefined;
  const lineEnd = text.indexOf("\n", start);
  const end = lineEnd === -1 ? text.length : lineEnd;
  if (end - start > MAX_FIRST_LINE) return undefined;
  // Less the CR and any transport padding: spaces and tabs.
  let last = end;
  while (last > start + 2 && (text[last - 1] === "\r" || text[last - 1] === " " || text[last - 1] === "\t")) last--;
  return text.slice(start + 2, last);
}

/**
 * `text` split on `boundary` as busboy splits it and, when that differs, as a lenient parser would. The readings
 * are for the shield to inspect them all: what any of them hands over as a field is read as one.
 */
export function readMultipart(text: string, boundary: string): MultipartReading[] {
  const strict = readAsBusboy(text, boundary);
  return strict.regular ? [strict] : [strict, readLeniently(text, boundary)];
}

/** busboy refuses part headers longer than this (node's default header size); past it the request fails. */
const MAX_HEAD = 16 * 1024;

/**
 * busboy's reading: a delimiter is CRLF `--boundary` (it writes a CRLF ahead of the body, so the body may open with
 * `--boundary`); `--` after it closes the body, CRLF opens a part's headers, anything else drops the text up to the
 * next delimiter (no transport padding, no bare LF). The header block ends at the first CRLF CRLF, and busboy's
 * header parser runs on across a delimiter: a part whose headers did not end takes the next part's headers as its
 * own. `regular`: no delimiter line was dropped and no bare-LF one skipped, so a lenient reading finds the same.
 */
function readAsBusboy(text: string, boundary: string): MultipartReading & { readonly regular: boolean } {
  const dashed = `--${boundary}`;
  const parts: RawPart[] = [];
  const outside: string[] = [];
  let regular = true;
  // Searching for LF `--boundary` finds busboy's delimiters (those after a CR) and the bare-LF ones in one pass.
  const find = (from: number): number => {
    for (let at = text.indexOf(`\n${dashed}`, from); at !== -1; at = text.indexOf(`\n${dashed}`, at + 1)) {
      if (text[at - 1] === "\r") return at - 1;
      regular = false;
    }
    return -1;
  };
  let match = text.startsWith(dashed) ? 0 : find(0);
  if (match === -1) return { parts, outside: [text], regular };
  if (match > 0) outside.push(text.slice(0, match));
  let end = match === 0 && text.startsWith(dashed) ? dashed.length : match + 2 + dashed.length;
  // A head not ended yet, kept in pieces: each piece is searched once (with the 3 characters before it, for a blank
  // line across two), so a run of short unended heads costs no more than reading them.
  let pending: string[] | undefined;
  let pendingLength = 0;
  let tail = ""; // the pending head's last 3 characters
  while (true) {
    match = find(end);
    const segment = text.slice(end, match === -1 ? text.length : match);
    if (pending !== undefined || segment.startsWith("\r\n")) {
      const piece = pending === undefined ? segment.slice(2) : segment;
      const found = (tail + piece).indexOf("\r\n\r\n");
      if (found !== -1) {
        const head = pending === undefined ? piece : pending.join("") + piece;
        const headEnd = pendingLength - tail.length + found;
        parts.push({ head: head.slice(0, headEnd), content: head.slice(headEnd + 4) });
        pending = undefined;
        pendingLength = 0;
        tail = "";
      } else if (pendingLength + piece.length <= MAX_HEAD) {
        pending ??= [];
        pending.push(piece);
        pendingLength += piece.length;
        tail = (tail + piece).slice(-3);
      } else {
        pending = undefined; // busboy fails the request here
        pendingLength = 0;
        tail = "";
      }
    } else if (segment.startsWith("--")) {
      outside.push(text.slice(end + 2));
      break;
    } else {
      outside.push(segment);
      regular = false;
    }
    if (match === -1) break;
    end = match + 2 + dashed.length;
  }
  return { parts, outside, regular };
}

/**
 * RFC 2046 read leniently, as parsers other than busboy do: a delimiter line is `--boundary` at a line start (after
 * CRLF or a bare LF), followed by transport padding (spaces, tabs) and the line break, or by `--` for the close
 * delimiter; a line that merely starts with the delimiter is content. Headers end at the first blank line.
 */
function readLeniently(text: string, boundary: string): MultipartReading {
  const dashed = `--${boundary}`;
  const parts: RawPart[] = [];
  const outside: string[] = [];
  let partStart = -1; // where the current part's headers start, once a delimiter line was read
  let from = 0;
  for (let line = text.startsWith(dashed) ? 0 : nextLineStart(text, dashed, 0); line !== -1; line = nextLineStart(text, dashed, from)) {
    from = line + 1;
    const after = line + dashed.length;
    const close = text.startsWith("--", after);
    const bodyStart = close ? after + 2 : lineBreakAfterPadding(text, after);
    if (bodyStart === -1) continue; // `--boundaryX`: content
    const before = text.slice(partStart === -1 ? 0 : partStart, line);
    if (partStart === -1) outside.push(before);
    else parts.push(splitHead(before.replace(/\r?\n$/, "")));
    if (close) {
      outside.push(text.slice(bodyStart));
      return { parts, outside };
    }
    partStart = bodyStart;
  }
  if (partStart === -1) outside.push(text);
  else parts.push(splitHead(text.slice(partStart)));
  return { parts, outside };
}

function nextLineStart(text: string, dashed: string, from: number): number {
  const at = text.indexOf(`\n${dashed}`, from);
  return at === -1 ? -1 : at + 1;
}

/** After the delimiter at `at`: where the next line starts, past padding; -1 when something else follows. */
function lineBreakAfterPadding(text: string, at: number): number {
  let i = at;
  while (text[i] === " " || text[i] === "\t") i++;
  if (i === text.length) return i;
  if (text[i] === "\n") return i + 1;
  return text[i] === "\r" && text[i + 1] === "\n" ? i + 2 : -1;
}

const BLANK_LINE = /\r?\n\r?\n/;

function splitHead(part: string): RawPart {
  // A part that opens with its blank line has no headers.
  const empty = /^\r?\n/.exec(part);
  if (empty !== null) return { head: "", content: part.slice(empty[0].length) };
  const blank = BLANK_LINE.exec(part);
  // No blank line: no headers a parser would end, so all of it is read as content.
  if (blank === null) return { head: "", content: part };
  return { head: part.slice(0, blank.index), content: part.slice(blank.index + blank[0].length) };
}
