import { readFile, rm, writeFile } from "node:fs/promises";
import { knownPeopleOption } from "./detect-command.ts";
import { detectPersonalData } from "./detection/detect.ts";
import { DEFAULT_THRESHOLD } from "./detection/suggestion.ts";
import { applyRedactions, type Removal } from "./pdf/apply.ts";
import { readDocumentText } from "./pdf/page-text.ts";
import { removalsForSpan } from "./pdf/removals.ts";
import { verifyRedaction, type RemovedText } from "./pdf/verify.ts";
import { THIRD_PARTY } from "./reasons.ts";
import { UsageError } from "../platform/errors.ts";

export const REDACT_USAGE = 'usage: npm run steward -- redact IN.pdf OUT.pdf [--known-people "Name;Name"]';

export interface RedactSummary {
  pages: number;
  suggestions: number;
  applied: number;
  verified: boolean;
  problems: string[];
}

/**
 * Redacts a PDF with no review: detects, accepts every suggestion at or above the default
 * threshold (the known people's every mention included), applies, verifies, and writes OUT only
 * when verification passed (a file that failed could leak). The same detector and the same apply
 * and verify code serve the review pages.
 */
export async function redactPdf(input: Uint8Array, knownPeople: readonly string[]): Promise<{ summary: RedactSummary; pdf?: Uint8Array }> {
  const text = await readDocumentText(input);
  const suggestions = detectPersonalData(text.text, { knownPeople: knownPeople.map((name) => ({ name, part: "other" as const })) });
  // Detection returns nothing below MINIMUM_SCORE; accepting without review asks for DEFAULT_THRESHOLD, which may be set higher.
  const accepted = suggestions.filter((suggestion) => suggestion.score >= DEFAULT_THRESHOLD);
  const removals: Removal[] = [];
  const removed: RemovedText[] = [];
  for (const suggestion of accepted) {
    // A scan has no text to remove: the words' pixels go, box by box.
    const span = removalsForSpan(text, suggestion.start, suggestion.end, THIRD_PARTY);
    removals.push(...span.removals);
    removed.push(...span.removed);
  }
  const applied = await applyRedactions(input, removals);
  const verification = await verifyRedaction(input, applied.pdf, removed, applied.labels, { originalText: text });
  const unread = text.unread.map((page) => `page ${page + 1}: a scan with no text layer, not read (install tesseract-ocr to read scans)`);
  const problems = [...applied.problems, ...verification.problems, ...unread];
  // An unread scan may hold anything: it cannot pass unseen.
  const verified = verification.verified && unread.length === 0;
  return {
    summary: { pages: applied.pages, suggestions: suggestions.length, applied: applied.applied, verified, problems },
    ...(verified ? { pdf: applied.pdf } : {}),
  };
}

export async function redactCommand(args: string[], write: (line: string) => void): Promise<number> {
  const files: string[] = [];
  let people: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "--known-people") {
      people = knownPeopleOption(args[++index]);
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 2) {
    throw new UsageError("give the PDF to redact and where to write the redacted copy");
  }
  const [inputFile, outputFile] = files as [string, string];
  const input = new Uint8Array(await readFile(inputFile));
  if (Buffer.from(input.subarray(0, 1024)).toString("latin1").indexOf("%PDF-") === -1) {
    throw new UsageError(`${inputFile} is not a PDF`);
  }
  // An OUT left by an earlier run must never pass for this one's result, whatever happens next.
  await rm(outputFile, { force: true });
  const { summary, pdf } = await redactPdf(input, people);
  if (pdf) {
    await writeFile(outputFile, pdf);
  }
  write(JSON.stringify(summary));
  return summary.verified ? 0 : 1;
}
