import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { PERSONAL_DATA_KINDS, type PersonalDataKind } from "../detection/suggestion.ts";
import { evaluationDocuments, type EvaluationDocument } from "./documents.ts";
import { evaluateDetection, scoreTable } from "./evaluate.ts";
import { UsageError } from "../../platform/errors.ts";

export const EVALUATE_USAGE = `usage: npm run steward -- evaluate-detection [--seed N] [--documents N] [--write FILE.jsonl] [--show N]
       npm run steward -- evaluate-detection --gold FILE.jsonl   (each line {"id", "text", "known_people": [...], "spans": [{"start", "end", "type"}]})`;

/**
 * Detection's precision, recall and F2 per kind: on Steward's synthetic school documents (made
 * afresh from a seed), or on a set of your own with gold spans. --write saves the synthetic set in
 * the --gold format, to read or to run another detector on.
 */
export async function evaluateCommand(args: string[], write: (line: string) => void): Promise<number> {
  let seed = 2026;
  let count = 500;
  let show = 10;
  let gold: string | undefined;
  let output: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const value = args[index + 1];
    if (arg === "--seed" || arg === "--documents" || arg === "--show") {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) {
        throw new UsageError(`${arg} needs a whole number`);
      }
      if (arg === "--seed") seed = number;
      else if (arg === "--documents") count = number;
      else show = number;
      index += 1;
    } else if (arg === "--gold" || arg === "--write") {
      if (value === undefined) {
        throw new UsageError(`${arg} needs a file`);
      }
      if (arg === "--gold") gold = value;
      else output = value;
      index += 1;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  const documents = gold ? await readGoldDocuments(gold) : evaluationDocuments(seed, count);
  if (output) {
    await writeFile(output, documents.map((document) => JSON.stringify({ id: document.id, style: document.style, text: document.text, known_people: document.knownPeople, spans: document.gold.map(({ start, end, kind }) => ({ start, end, type: kind })) })).join("\n") + "\n");
  }
  const started = performance.now();
  const result = evaluateDetection(documents);
  const seconds = (performance.now() - started) / 1000;
  write(`${documents.length} documents (${gold ? gold : `synthetic, seed ${seed}`}), ${result.characters.toLocaleString("en-GB")} characters, detected in ${seconds.toFixed(1)} s`);
  write(scoreTable(result));
  if (show > 0) {
    write(`\nfirst ${show} misses: ${result.misses.slice(0, show).map((miss) => `${miss.kind} "${miss.text}"`).join("; ") || "none"}`);
    write(`first ${show} extra boxes: ${result.extras.slice(0, show).map((extra) => `${extra.kind} "${extra.text}"`).join("; ") || "none"}`);
  }
  return 0;
}

/** A gold set: one {"id", "text", "known_people", "spans": [{"start", "end", "type"}]} per line. */
export async function readGoldDocuments(file: string): Promise<EvaluationDocument[]> {
  const documents: EvaluationDocument[] = [];
  let number = 0;
  for await (const line of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity })) {
    number += 1;
    if (line.trim() === "") continue;
    let item: { id?: unknown; text?: unknown; known_people?: unknown; spans?: unknown };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      throw new UsageError(`line ${number} of ${file} is not JSON`);
    }
    const spans = Array.isArray(item.spans) ? (item.spans as { start?: unknown; end?: unknown; type?: unknown }[]) : undefined;
    if (typeof item.text !== "string" || !spans || spans.some((span) => typeof span.start !== "number" || typeof span.end !== "number")) {
      throw new UsageError(`line ${number} of ${file} needs "text" and "spans" ([{"start", "end", "type"}])`);
    }
    documents.push({
      id: String(item.id ?? number),
      style: "given",
      text: item.text,
      knownPeople: Array.isArray(item.known_people) ? item.known_people.filter((name): name is string => typeof name === "string") : [],
      gold: spans.map((span) => ({ start: span.start as number, end: span.end as number, kind: (PERSONAL_DATA_KINDS as readonly string[]).includes(String(span.type)) ? (span.type as PersonalDataKind) : "person" })),
    });
  }
  return documents;
}
