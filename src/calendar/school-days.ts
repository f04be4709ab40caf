import { isIsoDate, isWeekend, type IsoDate } from "./dates.ts";

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
