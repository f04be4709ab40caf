import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../platform/errors.ts";
import { projectPath } from "../../platform/project-root.ts";
import { NOTICE_FACT_KINDS, normaliseValue, readPrivacyNotice, type NoticeFact, type NoticeFactKind } from "./read-notice.ts";

export const EVALUATE_NOTICES_USAGE = `usage: npm run steward -- evaluate-notices [--notices DIR]   (DIR holds pairs X.txt + X.json: {"facts": [{"kind", "value", "evidence"}]})`;

/** A fact a person found in a notice: `evidence` is an exact piece of the sentence that states it. */
export interface LabelledFact {
  kind: NoticeFactKind;
  value: string;
  detail?: string;
  special?: boolean;
  children?: boolean;
  evidence: string;
}

export interface LabelledNotice {
  id: string;
  text: string;
  labels: LabelledFact[];
}

export interface KindScore {
  kind: NoticeFactKind | "all";
  labelled: number;
  found: number;
  /** Labels a fact matched. */
  matchedLabels: number;
  /** Facts a label supports. */
  supportedFacts: number;
  precision: number;
  recall: number;
}

export interface NoticeEvaluation {
  scores: KindScore[];
  misses: { notice: string; label: LabelledFact }[];
  extras: { notice: string; fact: NoticeFact }[];
}

/** A fact matches a label: the same kind, the same value (case, spaces, punctuation aside) and its sentence holds the label's evidence. */
export function factMatches(fact: NoticeFact, label: LabelledFact, text: string): boolean {
  if (fact.kind !== label.kind || normaliseValue(fact.value) !== normaliseValue(label.value)) return false;
  const evidence = squash(label.evidence);
  return squash(fact.sentence).includes(evidence) || squash(text.slice(fact.start, fact.end)).includes(evidence);
}

const squash = (value: string) => value.replace(/\s+/g, " ").trim();

export function evaluateNotices(notices: LabelledNotice[]): NoticeEvaluation {
  const misses: NoticeEvaluation["misses"] = [];
  const extras: NoticeEvaluation["extras"] = [];
  const tally = new Map<NoticeFactKind, { labelled: number; found: number; matchedLabels: number; supportedFacts: number }>();
  for (const kind of NOTICE_FACT_KINDS) tally.set(kind, { labelled: 0, found: 0, matchedLabels: 0, supportedFacts: 0 });
  for (const notice of notices) {
    const { facts } = readPrivacyNotice(notice.text);
    for (const label of notice.labels) {
      const count = tally.get(label.kind);
      if (!count) throw new Error(`${notice.id}: unknown fact kind ${label.kind}`);
      count.labelled += 1;
      if (facts.some((fact) => factMatches(fact, label, notice.text))) count.matchedLabels += 1;
      else misses.push({ notice: notice.id, label });
    }
    for (const fact of facts) {
      const count = tally.get(fact.kind)!;
      count.found += 1;
      if (notice.labels.some((label) => factMatches(fact, label, notice.text))) count.supportedFacts += 1;
      else extras.push({ notice: notice.id, fact });
    }
  }
  const scores: KindScore[] = [];
  const total = { labelled: 0, found: 0, matchedLabels: 0, supportedFacts: 0 };
  for (const [kind, count] of tally) {
    scores.push({ kind, ...count, precision: ratio(count.supportedFacts, count.found), recall: ratio(count.matchedLabels, count.labelled) });
    total.labelled += count.labelled;
    total.found += count.found;
    total.matchedLabels += count.matchedLabels;
    total.supportedFacts += count.supportedFacts;
  }
  scores.push({ kind: "all", ...total, precision: ratio(total.supportedFacts, total.found), recall: ratio(total.matchedLabels, total.labelled) });
  return { scores, misses, extras };
}

/** Nothing found and nothing to find is a perfect score. */
const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

/** The four real notices in ../shared/fixtures/privacy-notices, with the labels kept beside this file. */
export async function fixtureNotices(): Promise<LabelledNotice[]> {
  return loadNotices(projectPath("..", "shared", "fixtures", "privacy-notices"), projectPath("src", "registers", "notice-reader", "labels"));
}

/** Pairs of X.txt (in textDir) and X.json (in labelDir, by default the same folder). */
export async function loadNotices(textDir: string, labelDir = textDir): Promise<LabelledNotice[]> {
  let names: string[];
  try {
    names = (await readdir(textDir)).filter((name) => name.endsWith(".txt")).sort();
  } catch {
    throw new UsageError(`${textDir} is not a folder Steward can read`);
  }
  const notices: LabelledNotice[] = [];
  for (const name of names) {
    const id = name.slice(0, -4);
    let labelText: string;
    try {
      labelText = await readFile(path.join(labelDir, `${id}.json`), "utf8");
    } catch {
      continue;
    }
    const parsed = JSON.parse(labelText) as { facts?: LabelledFact[] } | LabelledFact[];
    const labels = Array.isArray(parsed) ? parsed : (parsed.facts ?? []);
    notices.push({ id, text: await readFile(path.join(textDir, name), "utf8"), labels });
  }
  if (notices.length === 0) throw new UsageError(`${textDir} holds no pairs of X.txt and X.json`);
  return notices;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);

export function evaluationTable(evaluation: NoticeEvaluation): string[] {
  const lines = [`${"kind".padEnd(20)}${"labelled".padStart(9)}${"found".padStart(7)}${"precision".padStart(11)}${"recall".padStart(9)}`];
  for (const score of evaluation.scores) {
    if (score.kind === "all") lines.push("-".repeat(56));
    lines.push(`${score.kind.padEnd(20)}${String(score.labelled).padStart(9)}${String(score.found).padStart(7)}${percent(score.precision).padStart(11)}${percent(score.recall).padStart(9)}`);
  }
  return lines;
}

export async function evaluateNoticesCommand(args: string[], write: (line: string) => void): Promise<number> {
  let folder: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "--notices") {
      folder = args[index + 1];
      if (!folder) throw new UsageError("--notices needs a folder");
      index += 1;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  const notices = folder ? await loadNotices(folder) : await fixtureNotices();
  const evaluation = evaluateNotices(notices);
  write(`${notices.length} notice(s): ${notices.map((notice) => notice.id).join(", ")}`);
  for (const line of evaluationTable(evaluation)) write(line);
  write("");
  write(`misses (labelled, not found): ${evaluation.misses.length}`);
  for (const miss of evaluation.misses) write(`  ${miss.notice}: ${miss.label.kind} "${miss.label.value}" — "${miss.label.evidence}"`);
  write(`extras (found, no label): ${evaluation.extras.length}`);
  for (const extra of evaluation.extras) write(`  ${extra.notice}: ${extra.fact.kind} "${extra.fact.value}" — "${extra.fact.sentence.slice(0, 140)}"`);
  return 0;
}
