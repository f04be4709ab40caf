/**
 * A suggestion: a span of a document's text that looks like personal data, what kind it is, how
 * sure the recognizer is (0 to 1) and why it thinks so, in words a DPO can check ("NHS number: ten
 * digits that pass the mod 11 check, after the words 'NHS no'"). Offsets are JavaScript string
 * indices into the text the detector was given.
 */
export const PERSONAL_DATA_KINDS = [
  "person",
  "address",
  "postcode",
  "email",
  "phone",
  "date-of-birth",
  "nhs-number",
  "ni-number",
  "upn",
  "uln",
  "sort-code",
  "bank-account",
  "vehicle-registration",
  "word-list",
] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

export const KIND_NAMES: Record<PersonalDataKind, string> = {
  person: "Name",
  address: "Address",
  postcode: "Postcode",
  email: "Email address",
  phone: "Phone number",
  "date-of-birth": "Date of birth",
  "nhs-number": "NHS number",
  "ni-number": "National Insurance number",
  upn: "Unique pupil number (UPN)",
  uln: "Unique learner number (ULN)",
  "sort-code": "Bank sort code",
  "bank-account": "Bank account number",
  "vehicle-registration": "Vehicle registration",
  "word-list": "Always-remove word",
};

export interface Suggestion {
  start: number;
  end: number;
  type: PersonalDataKind;
  /** How sure, 0 to 1. At or above DEFAULT_THRESHOLD a suggestion is accepted when nobody reviews (the redact command). */
  score: number;
  /** Which recognizer made it: "nhs-number", "known-people", "language-model", … */
  recognizer: string;
  /** Why, in words: the pattern or validator, the context words, the known person. */
  why: string;
  /** For the people recognizers: the listed person it names, so "every mention of Jamie" can be chosen at once. */
  person?: string;
}

export const DEFAULT_THRESHOLD = 0.5;

/**
 * Overlapping suggestions become one per place. Of the same kind, they join into one span (the
 * larger one's reasons kept first); of different kinds the surer one wins, and on a tie the longer.
 */
export function resolveOverlaps(suggestions: Suggestion[]): Suggestion[] {
  const ranked = [...suggestions].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  // What is kept never overlaps, so in start order its ends are in order too: overlaps are found by binary search.
  const kept: Suggestion[] = [];
  const firstEndingAfter = (offset: number) => {
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (kept[middle]!.end <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  for (const candidate of ranked) {
    const first = firstEndingAfter(candidate.start);
    let last = first;
    while (last < kept.length && kept[last]!.start < candidate.end) {
      last += 1;
    }
    const overlapping = kept.slice(first, last);
    if (overlapping.length === 0) {
      kept.splice(first, 0, { ...candidate });
      continue;
    }
    // A same-kind span that reaches past what is kept extends it ("Mrs Sarah Hill" over "Sarah Hill").
    if (overlapping.every((other) => other.type === candidate.type)) {
      const joined = overlapping[0]!;
      joined.start = Math.min(joined.start, candidate.start);
      joined.end = Math.max(overlapping[overlapping.length - 1]!.end, candidate.end);
      joined.person ??= candidate.person;
      // The union reaches no further than the candidate, which overlapped only these: no other neighbour is touched.
      kept.splice(first, last - first, joined);
    }
  }
  return kept;
}
