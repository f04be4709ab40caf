/**
 * The words around a candidate, which decide how sure a suggestion is: "NHS no." before ten digits,
 * "DOB" before a date, "switchboard" before the school's own number. In a table (an MIS export as
 * CSV, a pasted spreadsheet) the words that label a value are its column's header, not its
 * neighbours, so the header of the cell a candidate sits in counts as its context too.
 */
export interface TextContext {
  readonly text: string;
  /** The header of the table column holding this offset, lower-cased, when it is in a table. */
  columnHeaderAt(offset: number): string | undefined;
}

interface TableLine {
  start: number;
  end: number;
  /** Where each cell starts, as offsets into the text. */
  cellStarts: number[];
  headers: string[];
}

export function textContext(text: string): TextContext {
  const tableLines = findTables(text);
  return {
    text,
    columnHeaderAt(offset) {
      const line = lineContaining(tableLines, offset);
      if (!line) {
        return undefined;
      }
      let cell = 0;
      while (cell + 1 < line.cellStarts.length && line.cellStarts[cell + 1]! <= offset) {
        cell += 1;
      }
      return line.headers[cell];
    },
  };
}

/** Text to be matched literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How far any recognizer looks for a line's start or end: a text with no newlines must not make each look cost the whole text. */
const LINE_LOOK = 300;

/** Where the line holding `offset` starts, looking back at most LINE_LOOK characters (a longer line starts there, as far as context goes). */
export function lineStartBefore(text: string, offset: number): number {
  const from = Math.max(0, offset - LINE_LOOK);
  const at = text.slice(from, offset).lastIndexOf("\n");
  return at === -1 ? from : from + at + 1;
}

/** Where the line holding `offset` ends, looking ahead at most LINE_LOOK characters. */
export function lineEndAfter(text: string, offset: number): number {
  const to = Math.min(text.length, offset + LINE_LOOK);
  const at = text.slice(offset, to).indexOf("\n");
  return at === -1 ? to : offset + at;
}

/** The first matching word of `words` before the candidate (on its line or the line above), after it on its line, or in its column's header. */
export function contextWord(context: TextContext, start: number, end: number, words: RegExp, { before = 48, after = 28, sameLine = false } = {}): string | undefined {
  const { text } = context;
  const lineStart = lineStartBefore(text, start);
  const previousLineStart = lineStart > 0 && !sameLine ? lineStartBefore(text, lineStart - 1) : lineStart;
  const windowStart = Math.max(start - before, start - before > lineStart ? lineStart : previousLineStart);
  const windowEnd = Math.min(end + after, lineEndAfter(text, end));
  const found = lastMatch(words, text.slice(windowStart, start)) ?? firstMatch(words, text.slice(end, windowEnd));
  if (found) {
    return found;
  }
  const header = context.columnHeaderAt(start);
  return header ? firstMatch(words, header) : undefined;
}

/** Each context pattern's global copy, made once. */
const globalCopies = new WeakMap<RegExp, RegExp>();

function globalCopy(words: RegExp): RegExp {
  let copy = globalCopies.get(words);
  if (!copy) {
    copy = new RegExp(words.source, words.flags.replace("g", "") + "g");
    globalCopies.set(words, copy);
  }
  return copy;
}

function firstMatch(words: RegExp, text: string): string | undefined {
  const global = globalCopy(words);
  global.lastIndex = 0;
  return global.exec(text)?.[0];
}

function lastMatch(words: RegExp, text: string): string | undefined {
  const global = globalCopy(words);
  global.lastIndex = 0;
  let last: string | undefined;
  for (let match = global.exec(text); match; match = global.exec(text)) {
    last = match[0];
    if (match[0] === "") {
      global.lastIndex += 1;
    }
  }
  return last;
}

function lineContaining(lines: TableLine[], offset: number): TableLine | undefined {
  let low = 0;
  let high = lines.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const line = lines[middle]!;
    if (offset < line.start) {
      high = middle - 1;
    } else if (offset > line.end) {
      low = middle + 1;
    } else {
      return line;
    }
  }
  return undefined;
}

/** Runs of lines split by the same separator into the same number (3 or more) of cells; the first line of a run is its header. */
function findTables(text: string): TableLine[] {
  const found: TableLine[] = [];
  const lines: { start: number; end: number; value: string }[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    lines.push({ start, end: end === -1 ? text.length : end, value: text.slice(start, end === -1 ? text.length : end) });
    if (end === -1) {
      break;
    }
    start = end + 1;
  }
  let index = 0;
  while (index < lines.length) {
    const header = lines[index]!;
    const separator = header.value.includes("\t") ? "\t" : header.value.includes(",") ? "," : header.value.includes("|") ? "|" : undefined;
    const headerCells = separator ? splitCells(header.value, separator) : [];
    // A header names its columns: short labels, no long numbers (a sentence with commas is not a header).
    if (!separator || headerCells.length < 3 || /\d{4,}/.test(header.value) || headerCells.some((cell) => cell.text.trim().split(/\s+/).length > 5)) {
      index += 1;
      continue;
    }
    const headers = headerCells.map((cell) => cell.text.trim().toLowerCase());
    let next = index + 1;
    while (next < lines.length && splitCells(lines[next]!.value, separator).length === headerCells.length) {
      const line = lines[next]!;
      found.push({ start: line.start, end: line.end, cellStarts: splitCells(line.value, separator).map((cell) => line.start + cell.start), headers });
      next += 1;
    }
    index = next > index + 1 ? next : index + 1;
  }
  return found;
}

/** Cells of a line, quoted cells (CSV's "Smith, Jane") kept whole. */
function splitCells(line: string, separator: string): { start: number; text: string }[] {
  const cells: { start: number; text: string }[] = [];
  let cellStart = 0;
  let quoted = false;
  for (let index = 0; index <= line.length; index += 1) {
    const character = line[index];
    if (character === '"') {
      quoted = !quoted;
    } else if (index === line.length || (character === separator && !quoted)) {
      cells.push({ start: cellStart, text: line.slice(cellStart, index) });
      cellStart = index + 1;
    }
  }
  return cells;
}
