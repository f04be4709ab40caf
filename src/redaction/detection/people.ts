import { contextWord, escapeRegExp as escape, lineStartBefore, type TextContext } from "./context.ts";
import type { Recognizer } from "./identifiers.ts";
import { couldBeAName } from "./language-model.ts";
import { firstNames, notNames, ordinaryWordNames, organisationEndings, surnames } from "./name-lists.ts";
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
const NAME_WORD = String.raw`(?:Mc|Mac|O['’]|D['’])?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?`;
/** A word of a street's name, which may be possessive ("Queen's"). */
const STREET_WORD = String.raw`${NAME_WORD}(?:['’]s)?`;

interface NameForm {
  /** The form's first word, lower-cased: the text is read word by word, and only forms starting with the word at hand are tried. */
  key: string;
  pattern: string;
  /** Case-sensitive forms (a first name alone) must be written capitalised: "Hill" is a name, "hill" is not. */
  caseSensitive: boolean;
  score: number;
  label: string;
  initials?: true;
}

const WORD = /[\p{L}\p{N}]+/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function keyOf(literal: string): string {
  return (literal.match(/[\p{L}\p{N}]+/u)?.[0] ?? "").toLowerCase();
}

/** The forms people actually write a listed person's name in; initials only for staff (or where asked), since "JH" in a note is how staff sign. */
function nameForms(person: KnownPerson, withInitials = person.part === "staff"): NameForm[] {
  const words = person.name.replace(TITLE_PREFIX, "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [];
  }
  const first = words[0]!;
  const last = words[words.length - 1]!;
  const initial = first[0]!;
  const form = (key: string, pattern: string, caseSensitive: boolean, score: number, label: string): NameForm => ({ key: keyOf(key), pattern, caseSensitive, score, label });
  const forms: NameForm[] = [form(first, words.map(escape).join(String.raw`\s+`), false, 0.99, "full name")];
  if (words.length > 2) {
    forms.push(form(first, `${escape(first)}\\s+${escape(last)}`, false, 0.99, "first name and surname"));
  }
  if (words.length > 1) {
    forms.push(
      form(last, `${escape(last)},\\s*${escape(first)}`, false, 0.99, '"Surname, First"'),
      // The title stays outside the box: "Mrs ████" is how a redacted letter reads.
      form(last, `(?<=${TITLES}\\.?\\s+)${escape(last)}`, true, 0.97, "surname with a title"),
      form(initial, `(?<=${TITLES}\\.?\\s+)${escape(initial)}\\.?\\s+${escape(last)}`, true, 0.97, "surname with a title"),
      form(initial, `${escape(initial)}\\.?\\s+${escape(last)}`, true, 0.95, "initial and surname"),
      form(last, escape(last), true, 0.8, "surname"),
    );
    const initials = words.map((word) => word[0]!.toUpperCase());
    // Initials that spell a school word ("SEN", "TA") would box every mention of it.
    if (withInitials && !notNames.has(initials.join("").toLowerCase())) {
      forms.push({ ...form(initials.join(""), initials.join(""), true, 0.8, "initials (as staff sign notes)"), initials: true });
      forms.push({ ...form(initials[0]!, initials.map((letter) => `${letter}\\.`).join(""), true, 0.8, "initials"), initials: true });
    }
  }
  if (first.length > 1) {
    forms.push(form(first, escape(first), true, 0.9, "first name"));
  }
  return forms;
}

interface RecognizerOptions {
  /** Where the people come from, for the why: "in this request", "named in full elsewhere in this document". */
  source: string;
  /** Scores are multiplied by this (names the document gave are less sure than names a DPO listed). */
  scale?: number;
  initials?: boolean;
  /** Leave out single-word forms that are also ordinary words ("Will", "May"). */
  skipOrdinaryWords?: boolean;
}

interface CompiledForm {
  person: KnownPerson;
  form: NameForm;
  /** Sticky: tried only where a word starting the form starts. */
  regex: RegExp;
}

/**
 * Every mention of each listed person, in the forms people write; the person named goes with each
 * suggestion. The text is read once, word by word, so a bundle naming hundreds of people costs
 * about what one costs.
 */
export function knownPeopleRecognizer(name: string, people: readonly KnownPerson[], options: RecognizerOptions): Recognizer {
  const { source, scale = 1 } = options;
  const byKey = new Map<string, CompiledForm[]>();
  for (const person of people) {
    for (const form of nameForms(person, options.initials)) {
      const single = form.pattern.toLowerCase();
      if (options.skipOrdinaryWords && (ordinaryWordNames.has(single) || notNames.has(single))) {
        continue;
      }
      // No "u" flag: with it, V8 compiles case-insensitive patterns slowly enough to dominate a bundle's detection. The word's end is checked apart.
      const compiled = { person, form, regex: new RegExp(form.pattern, form.caseSensitive ? "y" : "yi") };
      byKey.set(form.key, [...(byKey.get(form.key) ?? []), compiled]);
    }
  }
  return {
    name,
    find(context) {
      const found: Suggestion[] = [];
      if (byKey.size === 0) {
        return found;
      }
      for (const word of context.text.matchAll(WORD)) {
        for (const { person, form, regex } of byKey.get(word[0].toLowerCase()) ?? []) {
          regex.lastIndex = word.index;
          const match = regex.exec(context.text);
          // Case-insensitive forms still start with a capital: "JAMIE HILL" and "Jamie Hill", never "jamie hill" in a sentence.
          if (!match || LETTER_OR_DIGIT.test(context.text[word.index + match[0].length] ?? "") || (!form.caseSensitive && !/^\p{Lu}/u.test(match[0]))) {
            continue;
          }
          // Initials before a capitalised word are an acronym in a name ("DP Advice Service"), not a person.
          if (form.initials && /^\s+\p{Lu}\p{Ll}/u.test(context.text.slice(word.index + match[0].length, word.index + match[0].length + 3))) {
            continue;
          }
          found.push({
            start: match.index,
            end: match.index + match[0].length,
            type: "person",
            score: Math.round(form.score * scale * 100) / 100,
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

/**
 * The people a document itself names in full ("Tobiah Ashdown", "Ashdown, Tobiah", "Mrs K. Mwangi"
 * is not full), so its later "Tobiah", "Ashdown" and "TA" are found too: one mention that a title
 * or a header vouched for vouches for the rest.
 */
export function peopleNamedInFull(text: string, suggestions: readonly Suggestion[]): KnownPerson[] {
  const names = new Map<string, KnownPerson>();
  for (const suggestion of suggestions) {
    if (suggestion.type !== "person" || suggestion.score < 0.55) {
      continue;
    }
    let value = text.slice(suggestion.start, suggestion.end).replace(/['’]s$/, "").trim();
    const reversed = /^([^,]+),\s*(.+)$/.exec(value);
    if (reversed) {
      value = `${reversed[2]} ${reversed[1]}`;
    }
    const words = value.split(/\s+/);
    if (words.length < 2 || words.length > 4 || !words.every((word) => WHOLE_NAME_WORD.test(word) && !notNames.has(word.toLowerCase())) || !couldBeAName(words)) {
      continue;
    }
    names.set(value, { name: value, part: "other" });
  }
  return [...names.values()];
}

const TITLE_BEFORE = new RegExp(`\\b${TITLES}\\.?\\s$`);
const WHOLE_NAME_WORD = new RegExp(`^${NAME_WORD}$`, "u");

const SIGN_OFF = /^\s*(kind regards|best wishes|warm regards|many thanks|with thanks|thanks|thank you|regards|yours sincerely|yours faithfully|best|cheers|love|signed)\s*[,.!]?\s*$/i;
const GREETING = /\b(?:dear|hi|hello|morning|afternoon)\s+$/i;
/** A label at the start of a line that introduces people: "From:", "Present:", "Name of child:", "Parent/carer:". */
const HEADER_LINE = /^\s*(?:[\w'’/ ]{0,24}\b)?(from|to|cc|bcc|sent by|reply-to|attendees|present|apologies|author|completed by|written by|reported by|logged by|recorded by|signed|name|names|staff|pupil|student|child|young person|parent|carer|mother|father|witness|witnesses|teacher|tutor|contact|social worker|gp|keyworker|key worker)\b[\w'’/ ]{0,16}:/i;
const ROLE_BEFORE = /\b(mum's partner|dad's partner|mother|father|mum|dad|mummy|daddy|sister|brother|step-?(?:mother|father|mum|dad)|aunt|auntie|uncle|grandmother|grandfather|grandma|grandad|grandpa|nan|nana|granny|cousin|carer|foster carer|guardian|son|daughter|child|pupil|student|classmate|friend|boyfriend|girlfriend|partner|husband|wife|teacher|ta|tutor|senco|dsl|social worker|head of year|headteacher|colleague|neighbour|named|called|pupils|students)\s*,?\s*$/i;
/** Capitalised words after a run that make it an organisation's or a road's name ("St Mary's Primary School", "Hillside Academy"); lower-case "Jamie's school" is still Jamie. */
const ORGANISATION_AFTER = /^(?:['’]s)?\s+(High|Community|Junior|Infants?|Grammar|Catholic|Nursery|C of E|CE|Church|School|Academy|Primary|College|Trust|Council|Hospital|Surgery|Centre|Center|Road|Street|Lane|Avenue|Close|Drive|Ltd|Limited|PLC|Group|Services|Foundation|Partnership|Federation|Medical|Practice)\b/;

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
    // A run of capitalised words, on one line or wrapped onto the next (PDF lines end where the page did); never across a tab or a table's cells.
    const gap = String.raw`(?: +| *\n *)`;
    const run = new RegExp(`(?<![\\p{L}\\p{N}'’-])(${NAME_WORD}(?:${gap}(?:[A-Z]\\.?${gap})?${NAME_WORD}){0,5})(?![\\p{L}\\p{N}])`, "gu");
    for (const match of text.matchAll(run)) {
      // The run splits at words that are not names ("Dear", "Mrs", "Monday"): "Mrs Ashdown Mr Farrow" is two names.
      const groups: { word: string; start: number; end: number }[][] = [[]];
      for (const token of match[1]!.matchAll(/\S+/g)) {
        const word = token[0];
        if (isNameWord(word.replace(/\.$/, "")) || (/^[A-Z]\.?$/.test(word) && groups[groups.length - 1]!.length > 0)) {
          groups[groups.length - 1]!.push({ word, start: match.index + token.index, end: match.index + token.index + word.length });
        } else if (groups[groups.length - 1]!.length > 0) {
          groups.push([]);
        }
      }
      // In a table, a line is a row: a run never wraps from one row's last cell to the next row's first.
      const splitGroups = groups.flatMap((group) => {
        if (group.length < 2 || !text.slice(group[0]!.start, group[group.length - 1]!.end).includes("\n") || context.columnHeaderAt(group[0]!.start) === undefined) {
          return [group];
        }
        const lines: (typeof group)[] = [[]];
        group.forEach((entry, index) => {
          if (index > 0 && text.slice(group[index - 1]!.end, entry.start).includes("\n")) lines.push([]);
          lines[lines.length - 1]!.push(entry);
        });
        return lines;
      });
      for (const group of splitGroups) {
        if (group.length === 0) {
          continue;
        }
        const words = group.map((entry) => entry.word);
        const start = group[0]!.start;
        const end = group[group.length - 1]!.end;
        const after = text.slice(end, end + 24);
        const ending = /^\s+([A-Z][a-z]+)/.exec(after)?.[1]?.toLowerCase();
        if (ORGANISATION_AFTER.test(after) || organisationEndings.has(words[words.length - 1]!.toLowerCase()) || (ending && organisationEndings.has(ending))) {
          continue;
        }
        const reason = nameEvidence(context, start, end, words);
        if (reason) {
          found.push({ start, end, type: "person", score: reason.score, recognizer: "name-patterns", why: reason.why });
        }
      }
    }
    return found.concat(nameColumnCells(context));
  },
};

function nameEvidence(context: TextContext, start: number, end: number, words: string[]): { score: number; why: string } | undefined {
  const { text } = context;
  const lower = words.map((word) => word.toLowerCase());
  const before = text.slice(Math.max(0, start - 40), start);
  const lineStart = lineStartBefore(text, start);
  const lineBefore = text.slice(lineStart, start);
  const titled = TITLE_BEFORE.exec(before);
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
  // A header or a role vouches for a name but not for these words: they must look like one ("From: Information Governance" does not).
  const nameLike = knownFirst >= 0 || couldBeAName(words);
  if (HEADER_LINE.test(lineBefore) && !lineBefore.includes("@") && nameLike) {
    const header = HEADER_LINE.exec(lineBefore)![1]!;
    return { score: 0.9, why: `a name in the "${header}" line` };
  }
  const role = ROLE_BEFORE.exec(before);
  if (role && nameLike) {
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
  for (const match of text.matchAll(/(?<=^|[,\t|][ \t]{0,3}"?)([\p{L}][\p{L}'’.\- ]*[\p{L}])(?="?[ \t]*(?:[,\t|]|$))/gmu)) {
    const start = match.index;
    const header = context.columnHeaderAt(start);
    if (!header || !NAME_COLUMN.test(header) || NOT_A_NAME_COLUMN.test(header)) {
      continue;
    }
    const value = match[1]!;
    if (value.toLowerCase() === header || value.split(/\s+/).every((word) => !isNameWord(word)) || value.split(/\s+/).length > 5) {
      continue;
    }
    found.push({ start, end: start + value.length, type: "person", score: 0.9, recognizer: "name-patterns", why: `a cell in the table's "${header}" column` });
  }
  return found;
}

const STREET_SUFFIX = "(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Gardens|Gdns|Place|Pl|Court|Ct|Grove|Gr|Terrace|Ter|Walk|Rise|View|Park|Hill|Mews|Row|Square|Sq|Green|Parade|Vale|Fields?|Meadows?|Wharf|Croft|Chase|Heights|Approach|Boulevard|Broadway|End|Gate|Nook|Wood|Yard)";
/** The street, then the town (and county) when they follow on the same line: "14 Elm Road, Leeds". */
const STREET = new RegExp(
  String.raw`(?<![\w])(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+(?:${STREET_WORD}\s+){1,3}${STREET_SUFFIX}\.?(?:,?[ \t]+${NAME_WORD}(?:[ \t]${NAME_WORD})?){0,2}(?![\w])`,
  "gu",
);

/** A person's street address: a house number, a street's name and its kind ("14 Elm Road", "Flat 2, 9 Mill Lane"). */
const ORGANISATION_NAME = /\b(School|Academy|College|Trust|Council|Surgery|Practice|Hospital|Centre|Ltd|Limited)\b/;

export const streetAddresses: Recognizer = {
  name: "addresses",
  find(context) {
    const found: Suggestion[] = [];
    const { text } = context;
    for (const match of text.matchAll(STREET)) {
      // A letterhead's address (the line under the school's or a surgery's name, or on the same line) is the organisation's.
      const lineStart = lineStartBefore(text, match.index);
      const previousLine = lineStart > 0 ? text.slice(lineStartBefore(text, lineStart - 1), lineStart - 1) : "";
      if (ORGANISATION_NAME.test(text.slice(lineStart, match.index)) || (lineStart > 0 && ORGANISATION_NAME.test(previousLine))) {
        continue;
      }
      found.push({ start: match.index, end: match.index + match[0].replace(/\.$/, "").length, type: "address", score: 0.9, recognizer: "addresses", why: "a house number, a street name and its kind" });
    }
    return found;
  },
};
