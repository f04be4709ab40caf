import { formatDate, formatDateWithWeekday, formatLondonMoment, isIsoDate } from "./dates.ts";

/** Nunjucks filters for dates and moments, in GOV.UK style and London time (given to createViews). */
export const DATE_FILTERS = {
  dateTime: (value: Date | string | null | undefined) => (value ? formatLondonMoment(new Date(value)) : ""),
  date: (value: string | null | undefined) => (value && isIsoDate(value) ? formatDate(value) : ""),
  longDate: (value: string | null | undefined) => (value && isIsoDate(value) ? formatDateWithWeekday(value) : ""),
};
