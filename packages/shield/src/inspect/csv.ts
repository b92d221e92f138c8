import type { CandidateSink } from "./limits.js";

/**
 * A CSV body (`text/csv`, or a multipart file part of that type or named
 * `*.csv`), cell by cell. An import handler stores each cell on its own, so
 * an injection sits in one cell, and the quote of `O'Brien` in one cell does
 * not open a string that `; call after 5pm` three cells later would close (read
 * as one value, a contact list with both was a stacked query).
 *
 * RFC 4180, read leniently as spreadsheet exports are written: fields
 * separated by commas, or by the semicolons or tabs of the first line when it
 * has more of those (many locales export so); `"` quotes a field, `""` is a
 * quote inside it, line breaks inside quotes belong to the field. When every
 * cell of the first row is a plain name, it names the columns: a cell is
 * inspected under `body.<row>.<column>` (`body.3.notes`) with the column's name,
 * as a JSON record's field would be, and the names as keys. One pass; stops at
 * the sink's limits.
 */
export function addCsv(text: string, prefix: string, sink: CandidateSink): void {
  const delimiter = delimiterOf(text);
  let names: string[] | undefined;
  const cell = (row: number, column: number, value: string) => {
    const name = names?.[column] ?? String(column);
    sink.add(`${prefix}.${row}.${name}`, "body", value, name);
  };
  // The first row waits until it is whole: whether it is a header depends on all its cells.
  let firstRow: string[] | undefined = [];
  const settleFirstRow = () => {
    const cells = firstRow as string[];
    firstRow = undefined;
    names = headerOf(cells, sink, prefix);
    if (names === undefined) for (let c = 0; c < cells.length; c++) cell(0, c, cells[c] as string);
  };
  let row = 0;
  let column = 0;
  let i = 0;
  while (!sink.full) {
    const field = readField(text, i, delimiter);
    i = field.end;
    if (firstRow !== undefined) firstRow.push(field.value);
    else cell(row, column, field.value);
    if (i >= text.length) break;
    if (text.charCodeAt(i) === delimiter) {
      column++;
      i++;
      continue;
    }
    // A line break: `\r\n`, `\n` or `\r`.
    i += text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    if (firstRow !== undefined) settleFirstRow();
    row++;
    column = 0;
  }
  // A body of one line is settled the same way (a header alone is inspected as its names).
  if (firstRow !== undefined) settleFirstRow();
}

const COMMA = 44;
const SEMICOLON = 59;
const TAB = 9;
const QUOTE = 34;

/** The first line's most frequent separator outside quotes: `,` unless `;` or a tab outnumbers it. */
function delimiterOf(text: string): number {
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 10 || c === 13) break;
    else if (c === COMMA) commas++;
    else if (c === SEMICOLON) semicolons++;
    else if (c === TAB) tabs++;
  }
  if (semicolons > commas && semicolons >= tabs) return SEMICOLON;
  return tabs > commas ? TAB : COMMA;
}

/** One field from `start`: its value, and where the delimiter or line break after it (or the end) is. */
function readField(text: string, start: number, delimiter: number): { value: string; end: number } {
  if (text.charCodeAt(start) !== QUOTE) {
    const end = fieldEnd(text, start, delimiter);
    return { value: text.slice(start, end), end };
  }
  let value = "";
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) {
      // An unterminated quote: the rest of the body is this field, as a lenient parser reads it.
      return { value: value + text.slice(from), end: text.length };
    }
    value += text.slice(from, quote);
    if (text.charCodeAt(quote + 1) === QUOTE) {
      value += '"';
      from = quote + 2;
      continue;
    }
    // Text between the closing quote and the delimiter (`"a"b,`) stays with the field, as spreadsheets keep it.
    const end = fieldEnd(text, quote + 1, delimiter);
    return { value: value + text.slice(quote + 1, end), end };
  }
}

function fieldEnd(text: string, from: number, delimiter: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === delimiter || c === 10 || c === 13) return i;
  }
  return text.length;
}

/** A column name: a letter or `_` first, then letters, digits, spaces and `_ . -`, as spreadsheets' headers are. */
const COLUMN_NAME = /^[\p{L}_][\p{L}\p{N} _.-]{0,63}$/u;

/** The first row as column names when every cell is one (the names are inspected as keys); otherwise undefined. */
function headerOf(cells: readonly string[], sink: CandidateSink, prefix: string): string[] | undefined {
  if (!cells.every((cell) => COLUMN_NAME.test(cell.trim()))) return undefined;
  const names = cells.map((cell) => cell.trim());
  for (const name of names) sink.add(prefix, "body-key", name);
  return names;
}
