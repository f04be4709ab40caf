import winkNLP, { type WinkMethods } from "wink-nlp";
import model from "wink-eng-lite-web-model";
import { lineEndAfter, lineStartBefore } from "./context.ts";
import type { Recognizer } from "./identifiers.ts";
import { firstNames, notNames, organisationEndings, organisationWords, placesAndOrganisations, surnames } from "./name-lists.ts";
import type { Suggestion } from "./suggestion.ts";

/**
 * Names and places nobody listed and no name list knows ("Oluwaseun", "Brackenfield"), from the
 * parts of speech a small English model (wink-nlp's web model, inside its npm package: nothing is
 * fetched) gives each word: a run of proper nouns in the middle of a sentence is very likely a
 * person or a place, and two of them together even where a sentence starts. The model has no person or place label, so these are suggested as names with
 * a modest score, for the DPO to confirm.
 */
let nlp: WinkMethods | undefined;
/** The model's lexicon takes ids 0 to this; a word it has never seen gets a later one. */
let lexiconSize = 0;

function language(): WinkMethods {
  if (!nlp) {
    nlp = winkNLP(model);
    // Read before anything else, this nonsense word's id is the first one past the lexicon.
    lexiconSize = (nlp.readDoc("zqxwvjkq").tokens().out(nlp.its.uniqueId) as number[])[0]!;
  }
  return nlp;
}

const commonWords = new Map<string, boolean>();

/**
 * Whether a capitalised word is an ordinary English word ("Information", "Controller", "Quality")
 * rather than a name: it is in the model's lexicon and on neither name list. Title Case headings
 * are full of them; names mostly are not ("Oluwaseun", "Ashdown" are not in the lexicon).
 */
export function isCommonWord(word: string): boolean {
  const lower = word.toLowerCase();
  if (firstNames.has(lower) || surnames.has(lower)) {
    return false;
  }
  if (placesAndOrganisations.has(lower) || notNames.has(lower)) {
    return true;
  }
  let common = commonWords.get(lower);
  if (common === undefined) {
    const methods = language();
    common = (methods.readDoc(lower).tokens().out(methods.its.uniqueId) as number[])[0]! < lexiconSize;
    commonWords.set(lower, common);
  }
  return common;
}

/**
 * Whether capitalised words could be a person's name: none of them a place or an organisation,
 * and at least one on a name list or no ordinary English word ("Briony Khan" yes, "Information
 * Governance" no).
 */
export function couldBeAName(words: readonly string[]): boolean {
  const lower = words.map((word) => word.toLowerCase().replace(/\.$/, ""));
  if (lower.some((word) => placesAndOrganisations.has(word))) {
    return false;
  }
  return lower.some((word, index) => firstNames.has(word) || surnames.has(word) || (!/^[a-z]$/.test(word) && !isCommonWord(words[index]!)));
}

const ORGANISATION_WORD = /^(school|academy|primary|college|trust|council|hospital|surgery|centre|center|road|street|lane|avenue|close|drive|ltd|limited|plc|group|services|foundation|church|federation|partnership|university|team|unit|department)$/i;

/** A capitalised word that does not start its sentence and is not a common school word: worth asking the model about. */
const CANDIDATE = /(?<=[\p{Ll},;:)][ \t\n]{1,3})\p{Lu}\p{Ll}+/gu;

/**
 * Asks the model only about capitalised words no other recognizer explained, each with the stretch
 * of its line around it (up to a sentence's end either side, at most 160 characters), so its cost
 * follows the unexplained words, not the length of the bundle.
 */
export const languageModel: Recognizer = {
  name: "language-model",
  find(context, alreadyFound = []) {
    const found: Suggestion[] = [];
    const { text } = context;
    const explained = [...alreadyFound].sort((a, b) => a.start - b.start);
    let explainedIndex = 0;
    let askedUpTo = -1;
    for (const candidate of text.matchAll(CANDIDATE)) {
      const start = candidate.index;
      if (start < askedUpTo || notNames.has(candidate[0].toLowerCase())) {
        continue;
      }
      while (explainedIndex < explained.length && explained[explainedIndex]!.end <= start) {
        explainedIndex += 1;
      }
      const covering = explained[explainedIndex];
      if (covering && covering.start <= start) {
        continue;
      }
      const lineStart = lineStartBefore(text, start);
      const lineEnd = lineEndAfter(text, start);
      const stretchStart = Math.max(lineStart, wordStartAt(text, sentenceStartBefore(text, start, 80)));
      const stretchEnd = Math.min(lineEnd, wordEndAt(text, sentenceEndAfter(text, start, 80)));
      for (const run of properNounRuns(text.slice(stretchStart, stretchEnd), stretchStart)) {
        found.push(run);
      }
      askedUpTo = stretchEnd;
    }
    return found;
  },
};

/** "St Mary's High School", "Hillside Academy": the words either side make a run part of an organisation's name. */
function partOfAnOrganisation(line: string, start: number, end: number): boolean {
  if (/\b(St|Saint)\.?\s+$/.test(line.slice(Math.max(0, start - 7), start))) {
    return true;
  }
  const next = /^(?:['’]s)?\s+([A-Z][A-Za-z]*)/.exec(line.slice(end, end + 30))?.[1]?.toLowerCase();
  return next !== undefined && organisationWords.has(next);
}

/** Stretches never cut a word in two ("Informatio" is no name). */
function wordStartAt(text: string, offset: number): number {
  let index = offset;
  while (index > 0 && /[\p{L}\p{N}]/u.test(text[index - 1]!)) index -= 1;
  return index;
}

function wordEndAt(text: string, offset: number): number {
  let index = offset;
  while (index < text.length && /[\p{L}\p{N}]/u.test(text[index]!)) index += 1;
  return index;
}

function sentenceStartBefore(text: string, offset: number, limit: number): number {
  for (let index = offset - 1; index >= Math.max(0, offset - limit); index -= 1) {
    if (/[.!?]/.test(text[index]!) && /\s/.test(text[index + 1] ?? "")) {
      return index + 1;
    }
  }
  return Math.max(0, offset - limit);
}

function sentenceEndAfter(text: string, offset: number, limit: number): number {
  for (let index = offset; index < Math.min(text.length, offset + limit); index += 1) {
    if (/[.!?]/.test(text[index]!) && /\s|$/.test(text[index + 1] ?? "")) {
      return index + 1;
    }
  }
  return Math.min(text.length, offset + limit);
}

function properNounRuns(line: string, offset: number): Suggestion[] {
  const nlpMethods = language();
  const its = nlpMethods.its;
  const tokens = nlpMethods.readDoc(line).tokens();
  const values = tokens.out(its.value) as string[];
  const parts = tokens.out(its.pos) as string[];
  const found: Suggestion[] = [];
  let cursor = 0;
  let run: { start: number; end: number; words: string[]; sentenceStart: boolean } | undefined;
  let previousEndsSentence = true;
  const close = () => {
    // A lone capitalised word starting a sentence is too often an ordinary word; two proper nouns there are still a name.
    // Runs holding an ordinary word ("Information Security") or ending as an organisation's name do not count.
    if (run && (run.words.length > 1 || !run.sentenceStart) && couldBeAName(run.words) && !organisationEndings.has(run.words[run.words.length - 1]!.toLowerCase().replace(/\.$/, "")) && !partOfAnOrganisation(line, run.start, run.end)) {
      found.push({
        start: offset + run.start,
        end: offset + run.end,
        type: "person",
        score: run.words.length > 1 && !run.sentenceStart ? 0.6 : 0.55,
        recognizer: "language-model",
        why: `the language model reads "${run.words.join(" ")}" as a proper noun in the middle of a sentence (a name or a place)`,
      });
    }
    run = undefined;
  };
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    const at = line.indexOf(value, cursor);
    if (at === -1) {
      continue;
    }
    cursor = at + value.length;
    // A whole capitalised word ("HoY8" and "iPad" are not names).
    const properName = parts[index] === "PROPN" && /^\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)*$/u.test(value) && !notNames.has(value.toLowerCase());
    // "St Mary's Primary": the word after a possessive decides.
    const next = /^['’]s$/.test(values[index + 1] ?? "") ? values[index + 2] : values[index + 1];
    if (properName && !ORGANISATION_WORD.test(next ?? "")) {
      if (run && line.slice(run.end, at).trim() === "") {
        run.end = cursor;
        run.words.push(value);
      } else {
        close();
        run = { start: at, end: cursor, words: [value], sentenceStart: previousEndsSentence };
      }
    } else {
      close();
    }
    if (ORGANISATION_WORD.test(value) && found.length > 0 && found[found.length - 1]!.end === offset + at - 1) {
      found.pop();
    }
    previousEndsSentence = parts[index] === "SPACE" ? previousEndsSentence : /^[.!?:"“]$/.test(value) || index === -1;
  }
  close();
  return found;
}
