import { escapeRegExp, textContext } from "./context.ts";
import { IDENTIFIER_RECOGNIZERS, type Recognizer } from "./identifiers.ts";
import { languageModel } from "./language-model.ts";
import { knownPeopleRecognizer, namePatterns, peopleNamedInFull, streetAddresses, type KnownPerson } from "./people.ts";
import { resolveOverlaps, type Suggestion } from "./suggestion.ts";

/**
 * The one detector: the command line's `detect` and `redact`, and the review pages, all call
 * detectPersonalData. It knows nothing of cases or organisations: the caller passes the people
 * the request concerns, the school's own people list, its word lists and which recognizers it has
 * switched off.
 */
export const RECOGNIZER_NAMES = [
  "known-people",
  "school-people",
  "name-patterns",
  "language-model",
  "addresses",
  "word-list",
  ...IDENTIFIER_RECOGNIZERS.map((recognizer) => recognizer.name),
] as const;

export const RECOGNIZER_DESCRIPTIONS: Record<string, string> = {
  "known-people": "People in this request, in the forms their names are written",
  "school-people": "The school's own people list (pupils, parents and staff)",
  "name-patterns": "Names vouched for by a title, greeting, sign-off, email header, role or name column",
  "language-model": "Other names and places, found by a small English language model",
  addresses: "Street addresses",
  "word-list": "The organisation's always-remove words",
  "nhs-number": "NHS numbers (mod 11 check)",
  uln: "Unique learner numbers (check digit)",
  "ni-number": "National Insurance numbers (HMRC's prefix rules)",
  upn: "Unique pupil numbers, permanent and temporary (check letter)",
  postcode: "UK postcodes",
  phone: "UK phone numbers",
  email: "Email addresses",
  "date-of-birth": "Dates of birth (a date after words such as DOB or born)",
  "bank-details": "Bank sort codes, account numbers and IBANs",
  "vehicle-registration": "Vehicle registrations",
};

export interface DetectionOptions {
  /** The people the request concerns, with their parts. */
  knownPeople?: readonly KnownPerson[];
  /** The school's own people list. */
  schoolPeople?: readonly KnownPerson[];
  /** Words and phrases always to remove. */
  alwaysRemove?: readonly string[];
  /** Recognizers the organisation has switched off, by name. */
  switchedOff?: ReadonlySet<string>;
  /** Suggestions scoring below this are not returned. */
  minimumScore?: number;
}

/** Below this a suggestion is noise rather than a question worth a DPO's time. */
export const MINIMUM_SCORE = 0.5;

function wordListRecognizer(words: readonly string[]): Recognizer {
  const phrases = words.map((word) => word.trim()).filter((word) => word.length > 0);
  const regex = phrases.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.map((phrase) => escapeRegExp(phrase).replace(/\s+/g, "\\s+")).join("|")})(?![\\p{L}\\p{N}])`, "giu")
    : undefined;
  return {
    name: "word-list",
    find(context) {
      return regex
        ? [...context.text.matchAll(regex)].map((match) => ({
            start: match.index,
            end: match.index + match[0].length,
            type: "word-list" as const,
            score: 0.99,
            recognizer: "word-list",
            why: `"${match[0]}" is on the organisation's always-remove list`,
          }))
        : [];
    },
  };
}

export function detectPersonalData(text: string, options: DetectionOptions = {}): Suggestion[] {
  const context = textContext(text);
  const recognizers: Recognizer[] = [
    knownPeopleRecognizer("known-people", options.knownPeople ?? [], { source: "in this request" }),
    // A list of thousands holds names that are ordinary words ("May", "Will"): those alone are not taken for the person.
    knownPeopleRecognizer("school-people", options.schoolPeople ?? [], { source: "on the school's people list", scale: 0.95, skipOrdinaryWords: true }),
    wordListRecognizer(options.alwaysRemove ?? []),
    namePatterns,
    streetAddresses,
    ...IDENTIFIER_RECOGNIZERS,
  ];
  const switchedOff = options.switchedOff ?? new Set<string>();
  const minimum = options.minimumScore ?? MINIMUM_SCORE;
  // concat, never push(...many): a long bundle has more suggestions than a call's arguments may hold.
  let found = recognizers.filter((recognizer) => !switchedOff.has(recognizer.name)).flatMap((recognizer) => recognizer.find(context));
  // The language model last, and only where nothing else explained a capitalised word.
  if (!switchedOff.has("language-model")) {
    found = found.concat(languageModel.find(context, found));
  }
  // Second pass: the people this document names in full, wherever it names them again (first name, surname, initials).
  if (!switchedOff.has("name-patterns")) {
    const named = peopleNamedInFull(text, found);
    found = found.concat(knownPeopleRecognizer("name-patterns", named, { source: "named in full elsewhere in this document", scale: 0.85, initials: true, skipOrdinaryWords: true }).find(context));
  }
  return resolveOverlaps(found.filter((suggestion) => suggestion.score >= minimum));
}
