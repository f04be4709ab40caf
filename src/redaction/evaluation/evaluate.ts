import { detectPersonalData } from "../detection/detect.ts";
import { PERSONAL_DATA_KINDS, type PersonalDataKind, type Suggestion } from "../detection/suggestion.ts";
import type { EvaluationDocument, GoldSpan } from "./documents.ts";

/**
 * Precision, recall and F2 (β = 2: a miss, personal data disclosed, is worse than an extra box)
 * of the detector on documents with gold spans, per kind and overall.
 *
 * Counting is by span, forgiving of edges, as a reviewer would judge a box: a gold span is found
 * when suggestions cover at least 70% of its characters (of any kind: a name boxed as an address is
 * still removed); a suggestion is right when at least half of its characters lie in gold spans.
 * Per-kind recall is by the gold's kind and per-kind precision by the suggestion's.
 */
export interface KindScore {
  kind: PersonalDataKind | "overall";
  gold: number;
  found: number;
  suggested: number;
  correct: number;
  precision: number;
  recall: number;
  f2: number;
}

export interface EvaluationResult {
  scores: KindScore[];
  misses: { document: string; text: string; kind: PersonalDataKind }[];
  extras: { document: string; text: string; kind: PersonalDataKind; why: string }[];
  characters: number;
}

function covered(span: { start: number; end: number }, others: readonly { start: number; end: number }[]): number {
  let inside = 0;
  for (let offset = span.start; offset < span.end; offset += 1) {
    if (others.some((other) => other.start <= offset && offset < other.end)) {
      inside += 1;
    }
  }
  return inside / Math.max(1, span.end - span.start);
}

export function f2(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
}

export function evaluateDetection(documents: readonly EvaluationDocument[], detect: (document: EvaluationDocument) => Suggestion[] = defaultDetect): EvaluationResult {
  const tally = new Map<PersonalDataKind | "overall", { gold: number; found: number; suggested: number; correct: number }>();
  const count = (kind: PersonalDataKind | "overall") => {
    let entry = tally.get(kind);
    if (!entry) {
      entry = { gold: 0, found: 0, suggested: 0, correct: 0 };
      tally.set(kind, entry);
    }
    return entry;
  };
  const misses: EvaluationResult["misses"] = [];
  const extras: EvaluationResult["extras"] = [];
  let characters = 0;
  for (const document of documents) {
    characters += document.text.length;
    const suggestions = detect(document);
    for (const gold of document.gold) {
      const found = covered(gold, suggestions) >= 0.7;
      for (const kind of [gold.kind, "overall"] as const) {
        count(kind).gold += 1;
        count(kind).found += found ? 1 : 0;
      }
      if (!found) {
        misses.push({ document: document.id, text: document.text.slice(gold.start, gold.end), kind: gold.kind });
      }
    }
    for (const suggestion of suggestions) {
      const correct = covered(suggestion, document.gold as GoldSpan[]) >= 0.5;
      for (const kind of [suggestion.type, "overall"] as const) {
        count(kind).suggested += 1;
        count(kind).correct += correct ? 1 : 0;
      }
      if (!correct) {
        extras.push({ document: document.id, text: document.text.slice(suggestion.start, suggestion.end), kind: suggestion.type, why: suggestion.why });
      }
    }
  }
  const scores = [...PERSONAL_DATA_KINDS, "overall" as const]
    .filter((kind) => tally.has(kind))
    .map((kind) => {
      const { gold, found, suggested, correct } = tally.get(kind)!;
      const precision = suggested === 0 ? 1 : correct / suggested;
      const recall = gold === 0 ? 1 : found / gold;
      return { kind, gold, found, suggested, correct, precision, recall, f2: f2(precision, recall) };
    });
  return { scores, misses, extras, characters };
}

function defaultDetect(document: EvaluationDocument): Suggestion[] {
  return detectPersonalData(document.text, { knownPeople: document.knownPeople.map((name) => ({ name, part: "other" })) });
}

/** The scores as a table a reader can compare across commits. */
export function scoreTable(result: EvaluationResult): string {
  const rows = result.scores.map((score) =>
    [score.kind.padEnd(22), String(score.gold).padStart(6), String(score.suggested).padStart(9), score.precision.toFixed(3).padStart(9), score.recall.toFixed(3).padStart(7), score.f2.toFixed(3).padStart(6)].join(" "),
  );
  return [["kind".padEnd(22), "gold".padStart(6), "suggested".padStart(9), "precision".padStart(9), "recall".padStart(7), "F2".padStart(6)].join(" "), ...rows].join("\n");
}
