import type { FieldErrors } from "../platform/forms.ts";
import { isIsoDate } from "./dates.ts";
import type { TermDates } from "./school-days.ts";

/** The most rows the calendar page's form may carry. */
export const MAX_TERM_ROWS = 120;

const ROW_FIELD = /^term-(\d{1,3})-(first-day|first-month|first-year|last-day|last-month|last-year|kind)$/;

export interface TermRows {
  /** The rows that were filled in, in the order typed (their row numbers kept for errors). */
  terms: (TermDates & { row: number })[];
  errors: FieldErrors;
  /** Every row field as typed, to show the form again. */
  values: Record<string, string>;
  /** How many rows the form had. */
  count: number;
}

/** The body without the term rows' fields, for the form's fixed fields. */
export function withoutTermRows(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !ROW_FIELD.test(key)));
}

function dateOf(day: string, month: string, year: string): string | undefined {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return undefined;
  }
  const date = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
  return isIsoDate(date) ? date : undefined;
}

/**
 * Reads the calendar page's rows of GOV.UK date boxes: `term-<n>-first-day` … `term-<n>-last-year`
 * and `term-<n>-kind` (term or closure). An empty row is skipped; a half-filled or impossible one
 * gets a message on its own boxes. A closure may leave its last day empty (one day).
 */
export function readTermRows(body: Record<string, unknown>): TermRows {
  const values: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of Object.entries(body)) {
    const match = ROW_FIELD.exec(key);
    if (match) {
      values[key] = typeof value === "string" ? value.trim() : "";
      count = Math.max(count, Number(match[1]) + 1);
    }
  }
  const errors: FieldErrors = {};
  const terms: TermRows["terms"] = [];
  for (let row = 0; row < Math.min(count, MAX_TERM_ROWS); row += 1) {
    const part = (name: string) => values[`term-${row}-${name}`] ?? "";
    const kind = part("kind") === "closure" ? "closure" : "term";
    const first = [part("first-day"), part("first-month"), part("first-year")] as const;
    const last = [part("last-day"), part("last-month"), part("last-year")] as const;
    const what = `${kind === "closure" ? "closure" : "term"} ${row + 1}`;
    if ([...first, ...last].every((box) => box === "")) {
      continue;
    }
    const firstDay = dateOf(...first);
    const lastEmpty = last.every((box) => box === "");
    const lastDay = lastEmpty && kind === "closure" ? firstDay : dateOf(...last);
    if (first.every((box) => box === "")) {
      errors[`term-${row}-first`] = `Enter the first day of ${what}`;
    } else if (!firstDay) {
      errors[`term-${row}-first`] = `First day of ${what} must be a real date`;
    } else if (lastEmpty && kind === "term") {
      errors[`term-${row}-last`] = `Enter the last day of ${what}`;
    } else if (!lastDay) {
      errors[`term-${row}-last`] = `Last day of ${what} must be a real date`;
    } else if (lastDay < firstDay) {
      errors[`term-${row}-last`] = `Last day of ${what} must be the same as or after its first day`;
    } else {
      terms.push({ kind, firstDay, lastDay, row });
    }
  }
  if (count > MAX_TERM_ROWS) {
    errors["term-0-first"] ??= `Enter at most ${MAX_TERM_ROWS} terms and closures; paste or import a file for more`;
  }
  return { terms, errors, values, count };
}

/** Saved term dates as the rows' values, to fill the form. */
export function termRowValues(terms: readonly TermDates[]): Record<string, string> {
  const values: Record<string, string> = {};
  terms.forEach((term, row) => {
    values[`term-${row}-first`] = term.firstDay;
    values[`term-${row}-last`] = term.lastDay;
    values[`term-${row}-kind`] = term.kind;
  });
  return values;
}
