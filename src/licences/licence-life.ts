import { addCalendarMonths, addDays, daysBetween, formatDate, londonDateOf, type IsoDate } from "../calendar/dates.ts";
import type { LicenceState } from "../platform/database/schema.ts";

/**
 * The rules of a licence's life, as plain functions of its row and the date: what is due next.
 * The privacy notice Steward keeps (DPOCOMS's) says data is kept for the licence's term plus 12
 * months, that a lapsed licence can be reinstated within those 12 months with everything but
 * redacted data, and that after 12 months dormant nothing is left.
 */

/** Warnings before a term ends, in days: each sent once per term end. */
export const EXPIRY_WARNING_DAYS = [60, 30, 7] as const;
/** How long a dormant licence keeps its data before it is destroyed. */
export const DORMANT_MONTHS = 12;
/** A deletion asked for can be undone for this long. */
export const COOLING_OFF_DAYS = 7;
/** A new licence's term, and a renewal's. */
export const TERM_MONTHS = 12;

/** The term a licence starting (or renewed from a lapse) on `today` runs: 12 months, ending the day before the anniversary. */
export function termFrom(today: IsoDate): { startsOn: IsoDate; endsOn: IsoDate } {
  return { startsOn: today, endsOn: addDays(addCalendarMonths(today, TERM_MONTHS).date, -1) };
}

/** A renewal of a licence still in its term carries on from its end; a lapsed one starts today. */
export function renewedTerm(licence: { termStartsOn: IsoDate; termEndsOn: IsoDate }, today: IsoDate): { startsOn: IsoDate; endsOn: IsoDate } {
  if (licence.termEndsOn >= today) {
    return { startsOn: licence.termStartsOn, endsOn: addDays(addCalendarMonths(addDays(licence.termEndsOn, 1), TERM_MONTHS).date, -1) };
  }
  return termFrom(today);
}

/** A term can be renewed in its last 60 days (when the first warning comes), or once it has ended. */
export const RENEWAL_WINDOW_DAYS = 60;

export function isRenewable(licence: { termEndsOn: IsoDate }, today: IsoDate): boolean {
  return daysBetween(today, licence.termEndsOn) <= RENEWAL_WINDOW_DAYS;
}

/** The day a dormant licence's data is destroyed: 12 months after it became dormant. */
export function destroyedOn(dormantSince: Date): IsoDate {
  return addCalendarMonths(londonDateOf(dormantSince), DORMANT_MONTHS).date;
}

export function isDormantLongEnough(dormantSince: Date, now: Date): boolean {
  return londonDateOf(now) >= destroyedOn(dormantSince);
}

/** The most urgent expiry warning due and not yet sent, and every threshold it covers (a late first run sends one, not three). */
export function expiryWarningDue(termEndsOn: IsoDate, today: IsoDate, sent: readonly number[]): { days: number; covers: number[] } | undefined {
  const left = daysBetween(today, termEndsOn);
  if (left < 0) return undefined;
  const reached = EXPIRY_WARNING_DAYS.filter((days) => left <= days);
  const unsent = reached.filter((days) => !sent.includes(days));
  if (unsent.length === 0) return undefined;
  return { days: Math.min(...unsent), covers: reached };
}

/** The term has ended: the day after its last day. */
export function hasExpired(termEndsOn: IsoDate, today: IsoDate): boolean {
  return today > termEndsOn;
}

export const STATE_WORDS: Record<LicenceState, string> = {
  active: "Active",
  dormant: "Dormant (expired)",
  "deletion-pending": "To be deleted (7 days to change your mind)",
  ending: "Data being destroyed",
  ended: "Ended: data destroyed",
};

/** The expiry warning's words. */
export function expiryWarningText(input: { organisationName: string; termEndsOn: IsoDate; days: number; licenceUrl: string }): { subject: string; text: string } {
  return {
    subject: `Your Steward licence for ${input.organisationName} ends on ${formatDate(input.termEndsOn)}`,
    text: [
      `The Steward licence for ${input.organisationName} ends on ${formatDate(input.termEndsOn)}, ${input.days === 7 ? "in a week" : `within ${input.days} days`}.`,
      "",
      `Renew it at ${input.licenceUrl} and nothing changes.`,
      "",
      "If it is not renewed, on the day after it ends only you (the owner) will be able to sign in: to renew it, or to download everything your organisation keeps in Steward. Nothing is deleted then.",
      `Twelve months later, every record is destroyed, for good, as our privacy notice says.`,
    ].join("\n"),
  };
}
