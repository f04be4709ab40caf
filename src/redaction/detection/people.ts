import { contextWord, type TextContext } from "./context.ts";
import type { Recognizer } from "./identifiers.ts";
import { firstNames, notNames, ordinaryWordNames, surnames } from "./name-lists.ts";
import type { Suggestion } from "./suggestion.ts";

/** The part a person plays in a request: the data subject's own data is kept; everyone else's is suggested for removal. */
export const PERSON_PARTS = ["data-subject", "requester", "parent", "sibling", "staff", "other-pupil", "other"] as const;
export type PersonPart = (typeof PERSON_PARTS)[number];

export const PART_NAMES: Record<PersonPart, string> = {
  "data-subject": "the data subject",
  requester: "the requester",
  parent: "a parent or carer",
  sibling: "a sibling",
  staff: "a member of staff",
  "other-pupil": "another pupil",
  other: "someone else",
};

export interface KnownPerson {
  name: string;
  part: PersonPart;
}

const TITLES = "(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master|Sir|Rev|Revd)";
const TITLE_PREFIX = new RegExp(`^${TITLES}\\.?\\s+`, "i");
/** A capitalised name word: "Hill", "O'Brien", "McDonald", "Smith-Jones", "Zoë". */
const NAME_WORD = String.raw`(?:Mc|Mac|O['’]|D['’])?[A-Z][a-zà-öø-ÿ]+(?:[-'’][A-Z][a-zà-öø-ÿ]+)?`;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface NameForm {
  pattern: string;
  /** Case-sensitive forms (a first name alone) must be written capitalised: "Hill" is a name, "hill" is not. */
  caseSensitive: boolean;
  score: number;
  label: string;
}

/** The forms people actually write a listed person's name in. */
function nameForms(person: KnownPerson): NameForm[] {
  const words = person.name.replace(TITLE_PREFIX, "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [];
  }
  const first = words[0]!;
  const last = words[words.length - 1]!;
  const forms: NameForm[] = [{ pattern: words.map(escape).join(String.raw`\s+`), caseSensitive: false, score: 0.99, label: "full name" }];
  if (words.length > 2) {
    forms.push({ pattern: `${escape(first)}\\s+${escape(last)}`, caseSensitive: false, score: 0.99, label: "first name and surname" });
  }
  if (words.length > 1) {
    forms.push(
      { pattern: `${escape(last)},\\s*${escape(first)}`, caseSensitive: false, score: 0.99, label: '"Surname, First"' },
      { pattern: `${TITLES}\\.?\\s+(?:${escape(first[0]!)}\\.?\\s+)?${escape(last)}`, caseSensitive: true, score: 0.97, label: "surname with a title" },
      { pattern: `${escape(first[0]!)}\\.?\\s+${escape(last)}`, caseSensitive: true, score: 0.95, label: "initial and surname" },
      { pattern: escape(last), caseSensitive: true, score: 0.8, label: "surname" },
    );
    if (person.part === "staff") {
      const initials = words.map((word) => word[0]!.toUpperCase());
      forms.push({ pattern: initials.join(""), caseSensitive: true, score: 0.8, label: "initials (as staff sign notes)" });
      forms.push({ pattern: initials.map((letter) => `${letter}\\.`).join(""), caseSensitive: true, score: 0.8, label: "initials" });
    }
  }
  if (first.length > 1) {
    forms.push({ pattern: escape(first), caseSensitive: true, score: 0.9, label: "first name" });
  }
  return forms;
}

/** Every mention of each listed person, in the forms people write; the person named goes with each suggestion. */
export function knownPeopleRecognizer(name: string, people: readonly KnownPerson[], source: string): Recognizer {
  const compiled = people.flatMap((person) =>
    nameForms(person).map((form) => ({
      person,
      form,
      regex: new RegExp(`(?<![\\p{L}\\p{N}])${form.pattern}(?![\\p{L}\\p{N}])`, form.caseSensitive ? "gu" : "giu"),
    })),
  );
  return {
    name,
    find(context) {
      const found: Suggestion[] = [];
      for (const { person, form, regex } of compiled) {
        for (const match of context.text.matchAll(regex)) {
          // Case-insensitive forms still start with a capital: "JAMIE HILL" and "Jamie Hill", never "jamie hill" in a sentence.
          if (!form.caseSensitive && !/^\p{Lu}/u.test(match[0])) {
            continue;
          }
          found.push({
            start: match.index,
            end: match.index + match[0].length,
            type: "person",
            score: form.score,
            recognizer: name,
            why: `${form.label} of ${person.name} (${source}: ${PART_NAMES[person.part]})`,
            person: person.name,
          });
        }
      }
      return found;
    },
  };
}

const SIGN_OFF = /^\s*(kind regards|best wishes|warm regards|many thanks|with thanks|thanks|thank you|regards|yours sincerely|yours faithfully|best|cheers|love|signed)\s*[,.!]?\s*$/i;
const GREETING = /\b(?:dear|hi|hello|morning|afternoon)\s+$/i;
const HEADER_LINE = /^\s*(from|to|cc|bcc|sent by|reply-to|attendees|present|apologies|author|completed by|written by|reported by|logged by|signed|name|staff|pupil|student|child|parent|carer|witness|witnesses)\s*:/i;
const ROLE_BEFORE = /\b(mother|father|mum|dad|mummy|daddy|sister|brother|step-?(?:mother|father|mum|dad)|aunt|auntie|uncle|grandmother|grandfather|grandma|grandad|grandpa|nan|nana|granny|cousin|carer|foster carer|guardian|son|daughter|child|pupil|student|classmate|friend|boyfriend|girlfriend|partner|husband|wife|teacher|ta|tutor|senco|dsl|social worker|head of year|headteacher|colleague|neighbour|named|called|pupils|students)\s*,?\s*$/i;
const ORGANISATION_AFTER = /^\s+(school|academy|primary|college|trust|council|hospital|surgery|centre|center|house|road|street|lane|avenue|close|drive|ltd|limited|plc|group|services|foundation|church|partnership|federation)\b/i;

function isNameWord(word: string): boolean {
  return !notNames.has(word.toLowerCase());
}

/**
 * Names nobody listed: capitalised runs that the name lists, a title ("Mrs Patel"), a greeting
 * ("Dear Sarah"), a sign-off, an email header, a role ("his sister Priya") or a table's name column
 * vouch for. Runs that name a school or a road are left alone.
 */
export const namePatterns: Recognizer = {
  name: "name-patterns",
  find(context) {
    const { text } = context;
    const found: Suggestion[] = [];
    const run = new RegExp(`(?<![\\p{L}\\p{N}'’-])(${NAME_WORD}(?:\\s(?:[A-Z]\\.?\\s)?${NAME_WORD}){0,3})(?![\\p{L}\\p{N}])`, "gu");
    for (const match of text.matchAll(run)) {
      let words = match[1]!.split(/\s+/);
      let start = match.index;
      // Leading words that are not names ("Dear", "Monday") are dropped from the run.
      while (words.length > 0 && !isNameWord(words[0]!.replace(/\.$/, ""))) {
        start += words[0]!.length + 1;
        words = words.slice(1);
      }
      while (words.length > 0 && !isNameWord(words[words.length - 1]!)) {
        words = words.slice(0, -1);
      }
      if (words.length === 0 || words.some((word) => !isNameWord(word) && !/^[A-Z]\.?$/.test(word))) {
        continue;
      }
      const end = start + words.join(" ").length;
      if (text.slice(start, end) !== words.join(" ")) {
        continue;
      }
      const after = text.slice(end, end + 24);
      if (ORGANISATION_AFTER.test(after)) {
        continue;
      }
      const reason = nameEvidence(context, start, end, words);
      if (reason) {
        found.push({ start, end, type: "person", score: reason.score, recognizer: "name-patterns", why: reason.why });
      }
    }
    found.push(...nameColumnCells(context));
    return found;
  },
};

function nameEvidence(context: TextContext, start: number, end: number, words: string[]): { score: number; why: string } | undefined {
  const { text } = context;
  const lower = words.map((word) => word.toLowerCase());
  const before = text.slice(Math.max(0, start - 40), start);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineBefore = text.slice(lineStart, start);
  const titled = new RegExp(`\\b${TITLES}\\.?\\s$`).exec(before);
  if (titled) {
    return { score: 0.95, why: `a capitalised name after the title "${titled[0].trim()}"` };
  }
  const knownFirst = lower.findIndex((word) => firstNames.has(word));
  const ordinaryFirst = lower.findIndex((word) => ordinaryWordNames.has(word));
  const knownSurname = lower.some((word, index) => index > 0 && surnames.has(word));
  if (GREETING.test(before)) {
    return { score: 0.9, why: "a name after a greeting" };
  }
  const previousLines = text.slice(Math.max(0, lineStart - 80), lineStart).split("\n");
  const previousLine = previousLines.length > 1 ? previousLines[previousLines.length - 2] ?? "" : "";
  if (lineBefore.trim() === "" && SIGN_OFF.test(previousLine) && words.length <= 4) {
    return { score: 0.9, why: "a name on the line after a sign-off" };
  }
  if (HEADER_LINE.test(lineBefore) && !lineBefore.includes("@")) {
    const header = HEADER_LINE.exec(lineBefore)![1]!;
    return { score: 0.9, why: `a name in the "${header}" line` };
  }
  const role = ROLE_BEFORE.exec(before);
  if (role && (knownFirst >= 0 || words.length >= 1)) {
    return { score: 0.85, why: `a name after the word "${role[1]}"` };
  }
  if (knownFirst >= 0 && (words.length > 1 || !ordinaryWordNames.has(lower[knownFirst]!))) {
    return { score: words.length > 1 ? 0.9 : 0.8, why: `"${words[knownFirst]}" is a common first name` };
  }
  if (ordinaryFirst === 0 && words.length > 1) {
    return { score: 0.75, why: `"${words[0]}" can be a first name, and a capitalised word follows it` };
  }
  if (knownSurname && words.length > 1) {
    return { score: 0.85, why: "a capitalised word before a common surname" };
  }
  if (words.length === 1 && surnames.has(lower[0]!) && contextWord(context, start, end, /\b(family|surname|household)\b/i)) {
    return { score: 0.7, why: "a common surname near the word family or surname" };
  }
  return undefined;
}

const NAME_COLUMN = /\b(name|names|forename|forenames|surname|first|last|legal|preferred|pupil|student|child|parent|carer|contact|staff|teacher|tutor|sibling|mother|father|guardian|emergency|witness|author|recorded by|member)\b/i;
const NOT_A_NAME_COLUMN = /\b(school|class|form|group|year|relationship|type|role|subject|course|establishment|setting)\b/i;

/** In a table whose column names people ("Forename", "Parent name", "Emergency contact"), the cells are names. */
function nameColumnCells(context: TextContext): Suggestion[] {
  const found: Suggestion[] = [];
  const { text } = context;
  for (const match of text.matchAll(/(?<=^|[,\t|]\s*"?)([\p{L}][\p{L}'’.\- ]*[\p{L}])(?="?\s*(?:[,\t|]|$))/gmu)) {
    const start = match.index;
    const header = context.columnHeaderAt(start);
    if (!header || !NAME_COLUMN.test(header) || NOT_A_NAME_COLUMN.test(header)) {
      continue;
    }
    const value = match[1]!;
    if (value.toLowerCase() === header || value.split(/\s+/).every((word) => !isNameWord(word)) || value.length > 60) {
      continue;
    }
    found.push({ start, end: start + value.length, type: "person", score: 0.9, recognizer: "name-patterns", why: `a cell in the table's "${header}" column` });
  }
  return found;
}

const STREET_SUFFIX = "(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Gardens|Gdns|Place|Pl|Court|Ct|Grove|Gr|Terrace|Ter|Walk|Rise|View|Park|Hill|Mews|Row|Square|Sq|Green|Parade|Vale|Fields?|Meadows?|Wharf|Croft|Chase|Heights|Approach|Boulevard|Broadway|End|Gate|Nook|Wood|Yard)";
/** The street, then the town (and county) when they follow on the same line: "14 Elm Road, Leeds". */
const STREET = new RegExp(
  String.raw`(?<![\w])(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+(?:${NAME_WORD}\s+){1,3}${STREET_SUFFIX}\.?(?:,?[ \t]+${NAME_WORD}(?:[ \t]${NAME_WORD})?){0,2}(?![\w])`,
  "gu",
);

/** A street address: a house number, a street's name and its kind ("14 Elm Road", "Flat 2, 9 Mill Lane"). */
export const streetAddresses: Recognizer = {
  name: "addresses",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(STREET)) {
      found.push({ start: match.index, end: match.index + match[0].replace(/\.$/, "").length, type: "address", score: 0.9, recognizer: "addresses", why: "a house number, a street name and its kind" });
    }
    return found;
  },
};
