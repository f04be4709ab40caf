import { eachDay, formatDate, isIsoDate, isWeekend, type IsoDate } from "./dates.ts";

/**
 * A school's session calendar, as the school writes it: its terms, and closures inside them (INSET
 * days, a snow day). A school day is a weekday inside a term, not in a closure and not a bank
 * holiday: the days the school holds a session (FOI school-day regulations, educational records).
 */
export interface TermDates {
  kind: "term" | "closure";
  firstDay: IsoDate;
  lastDay: IsoDate;
}

export type SchoolDayTest = (date: IsoDate) => boolean;

/** Builds the "is this a school day?" test from term dates; `isHoliday` is the school's own nation's. */
export function schoolDayTest(terms: readonly TermDates[], isHoliday: (date: IsoDate) => boolean): SchoolDayTest {
  const open = terms.filter((term) => term.kind === "term");
  const closed = terms.filter((term) => term.kind === "closure");
  const within = (date: IsoDate, range: TermDates) => date >= range.firstDay && date <= range.lastDay;
  return (date) =>
    !isWeekend(date) && !isHoliday(date) && open.some((term) => within(date, term)) && !closed.some((closure) => within(date, closure));
}

/** The span the term dates cover, so a count that runs past the last entered term can say so. */
export function lastTermDay(terms: readonly TermDates[]): IsoDate | undefined {
  const days = terms.filter((term) => term.kind === "term").map((term) => term.lastDay);
  return days.length === 0 ? undefined : days.reduce((latest, day) => (day > latest ? day : latest));
}

export type TermDatesResult = { ok: true; terms: TermDates[] } | { ok: false; errors: string[] };

const MAX_ROWS = 500;

/**
 * Reads term dates from CSV: a header `first_day,last_day,kind`, then one row per term or closure
 * (kind is `term` or `closure`; a closure of one day may leave last_day empty). Dates are
 * YYYY-MM-DD. Every problem is reported with its line number; nothing is accepted unless all is.
 */
export function readTermDatesCsv(text: string): TermDatesResult {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0 && !line.startsWith("#"));
  const errors: string[] = [];
  const header = lines.shift();
  if (!header || header.line.toLowerCase().replace(/\s/g, "") !== "first_day,last_day,kind") {
    return { ok: false, errors: ["The first line must be the header first_day,last_day,kind"] };
  }
  if (lines.length === 0) {
    return { ok: false, errors: ["The file has no terms in it"] };
  }
  if (lines.length > MAX_ROWS) {
    return { ok: false, errors: [`The file has more than ${MAX_ROWS} rows`] };
  }
  const terms: TermDates[] = [];
  for (const { line, number } of lines) {
    const [firstDay = "", lastDayCell = "", kindCell = "term", ...rest] = line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    const kind = kindCell === "" ? "term" : kindCell.toLowerCase();
    const lastDay = lastDayCell === "" && kind === "closure" ? firstDay : lastDayCell;
    if (rest.length > 0) {
      errors.push(`Line ${number}: expected 3 columns`);
    } else if (!isIsoDate(firstDay) || !isIsoDate(lastDay)) {
      errors.push(`Line ${number}: dates must be real dates written YYYY-MM-DD`);
    } else if (lastDay < firstDay) {
      errors.push(`Line ${number}: the last day is before the first day`);
    } else if (kind !== "term" && kind !== "closure") {
      errors.push(`Line ${number}: kind must be term or closure`);
    } else {
      terms.push({ kind, firstDay, lastDay });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, terms };
}

/** Writes term dates back out in the same CSV shape, so an admin can download, edit and re-import. */
export function writeTermDatesCsv(terms: readonly TermDates[]): string {
  return ["first_day,last_day,kind", ...terms.map((term) => `${term.firstDay},${term.lastDay},${term.kind}`)].join("\n") + "\n";
}

/** A date as a UK spreadsheet writes it (31/01/2027, 31-1-27, 31.01.2027) or as YYYY-MM-DD; undefined otherwise. */
export function readUkDate(cell: string): IsoDate | undefined {
  const text = cell.trim();
  if (isIsoDate(text)) {
    return text;
  }
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (!match) {
    return undefined;
  }
  const year = match[3]!.length === 2 ? `20${match[3]}` : match[3]!;
  const date = `${year}-${match[2]!.padStart(2, "0")}-${match[1]!.padStart(2, "0")}`;
  return isIsoDate(date) ? date : undefined;
}

const CLOSURE_WORDS = /^(closure|closed|inset|inset day|training day|staff training)$/i;

/**
 * Reads term dates pasted from a spreadsheet or typed as CSV: one term or closure a line, cells
 * split by tabs (a spreadsheet's copy) or commas; dates as DD/MM/YYYY or YYYY-MM-DD; a cell saying
 * "closure" (or "INSET", "closed") makes the line a closure, and any other words (a term's name,
 * a header row) are passed over. A closure may give one date. Every problem is reported with its
 * line number; nothing is accepted unless all is.
 */
export function readPastedTermDates(text: string): TermDatesResult {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0 && !line.startsWith("#"));
  if (lines.length > MAX_ROWS) {
    return { ok: false, errors: [`There are more than ${MAX_ROWS} lines`] };
  }
  const errors: string[] = [];
  const terms: TermDates[] = [];
  for (const [index, { line, number }] of lines.entries()) {
    const cells = line.split(line.includes("\t") ? "\t" : ",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1").trim());
    const dates = cells.map(readUkDate);
    const found = dates.filter((date): date is IsoDate => date !== undefined);
    const kind = cells.some((cell) => CLOSURE_WORDS.test(cell)) ? "closure" : "term";
    const dateLike = cells.filter((cell, at) => dates[at] === undefined && /\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}/.test(cell));
    if (dateLike.length > 0) {
      errors.push(`Line ${number}: ${dateLike[0]} is not a real date`);
    } else if (found.length === 0) {
      // A header row ("first_day,last_day,kind", "Term, Starts, Ends") says what the columns are.
      if (index !== 0) errors.push(`Line ${number}: enter the first and last day, like 02/09/2026`);
    } else if (found.length > 2) {
      errors.push(`Line ${number}: enter only the first and last day`);
    } else if (found.length === 1 && kind !== "closure") {
      errors.push(`Line ${number}: enter the term's last day as well as its first`);
    } else {
      const [firstDay, lastDay = firstDay] = found as [IsoDate, IsoDate?];
      if (lastDay < firstDay) {
        errors.push(`Line ${number}: the last day is before the first day`);
      } else {
        terms.push({ kind, firstDay, lastDay });
      }
    }
  }
  if (errors.length === 0 && terms.length === 0) {
    errors.push("There are no term dates in what was pasted");
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, terms };
}

/**
 * Terms that overlap an earlier one (closures sit inside terms, so only terms are compared), each
 * with its place in `terms` and what to say.
 */
export function overlappingTerms(terms: readonly TermDates[]): { index: number; message: string }[] {
  const sorted = terms
    .map((term, index) => ({ term, index }))
    .filter(({ term }) => term.kind === "term")
    .sort((a, b) => a.term.firstDay.localeCompare(b.term.firstDay) || a.index - b.index);
  const problems: { index: number; message: string }[] = [];
  for (let at = 1; at < sorted.length; at += 1) {
    const [before, after] = [sorted[at - 1]!.term, sorted[at]!];
    if (after.term.firstDay <= before.lastDay) {
      problems.push({
        index: after.index,
        message: `The term from ${formatDate(after.term.firstDay)} to ${formatDate(after.term.lastDay)} overlaps the term from ${formatDate(before.firstDay)} to ${formatDate(before.lastDay)}`,
      });
    }
  }
  return problems;
}

/** How many school days a term holds: its weekdays, less bank holidays and the school's closures. */
export function schoolDaysIn(term: TermDates, isSchoolDay: SchoolDayTest): number {
  let count = 0;
  for (const day of eachDay(term.firstDay, term.lastDay)) {
    if (isSchoolDay(day)) count += 1;
  }
  return count;
}
