import { execFile } from "node:child_process";
import type { PDFDocument } from "mupdf";
import { loadMupdf, mupdfMessage } from "./mupdf.ts";
import { ocrAvailable } from "./ocr.ts";
import { readDocumentText, type DocumentText } from "./page-text.ts";

/**
 * The gate a redacted PDF must pass before it can go into a bundle. Two extractors that share no
 * code (poppler's pdftotext, when installed, and MuPDF with clipping off, which also reads text
 * placed off the page) must each find every removed string fewer times than before by the number
 * removed; the file must have one revision, no annotations, metadata, embedded files, forms or
 * scripts, and as many pages as the original; the file's own bytes, written out uncompressed, must
 * hold each removed string no more often than that allows; a scan (or a searchable scan's
 * picture) must not show it to OCR; and the text outside the boxes must be what it was.
 */
export interface RemovedText {
  page: number;
  text: string;
}

export interface Verification {
  verified: boolean;
  /** Each failure with its page and why; empty when verified. */
  problems: string[];
  /** Whether poppler's independent extractor took part (it is optional: without it MuPDF alone reads). */
  independentExtractor: boolean;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, "");
}

function count(haystack: string, needle: string): number {
  if (needle === "") {
    return 0;
  }
  let found = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
    found += 1;
  }
  return found;
}

function words(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Pages of a PDF as poppler's pdftotext reads them, or undefined when it is not installed. */
export function popplerPages(pdf: Uint8Array, timeoutMs = 60_000): Promise<string[] | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile("pdftotext", ["-enc", "UTF-8", "-", "-"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: timeoutMs }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        resolve(undefined);
      } else if (error) {
        reject(new Error(`pdftotext failed: ${error.message.slice(0, 300)}`));
      } else {
        const pages = stdout.split("\f");
        resolve(pages.slice(0, pages.length > 1 ? -1 : pages.length));
      }
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(pdf);
  });
}

/**
 * `originalText`: the original as detection read it, when the caller has it (its OCR is not done
 * twice). Pages the original's OCR read are read by OCR again in the redacted file: a scan's
 * removed words must be unreadable there too. Their words are not compared one by one (OCR reads
 * a redacted page's neighbours a little differently each time).
 */
export interface VerifyOptions {
  /** The original as detection read it, when the caller has it (its OCR is not done twice). */
  originalText?: DocumentText;
  /** Pages with boxes drawn by hand or withheld whole: their words cannot be compared one by one. */
  boxedPages?: readonly number[];
}

export async function verifyRedaction(original: Uint8Array, redacted: Uint8Array, removed: readonly RemovedText[], labels: readonly string[], options: VerifyOptions = {}): Promise<Verification> {
  const problems: string[] = [];
  const before = options.originalText ?? (await readDocumentText(original));
  const ocrPages = before.ocr.flatMap((page, index) => (page ? [index] : []));
  // A searchable scan's picture is read again too, where something was removed from its page: its pixels must not show it.
  const picturedWithRemovals = before.pictured.filter((page) => removed.some((entry) => entry.page === page));
  const [after, pictures, poppler, popplerBefore] = await Promise.all([
    readDocumentText(redacted, { ocr: { only: ocrPages } }),
    picturedWithRemovals.length > 0 ? readDocumentText(redacted, { ocr: { only: picturedWithRemovals } }) : undefined,
    popplerPages(redacted),
    popplerPages(original),
  ]);
  if (picturedWithRemovals.length > 0 && !(await ocrAvailable())) {
    problems.push(`pages ${picturedWithRemovals.map((page) => page + 1).join(", ")}: text over a picture, whose picture cannot be checked without tesseract`);
  }
  if (after.pages.length !== before.pages.length) {
    problems.push(`the redacted file has ${after.pages.length} pages; the original has ${before.pages.length}`);
  }
  const removedByPage = new Map<number, Map<string, number>>();
  for (const { page, text } of removed) {
    const needle = normalise(text);
    const onPage = removedByPage.get(page) ?? new Map<string, number>();
    onPage.set(needle, (onPage.get(needle) ?? 0) + 1);
    removedByPage.set(page, onPage);
  }
  const labelWords = words(labels.join(" "));
  /** For each removed string, how many mentions the review kept, across the document. */
  const keptByText = new Map<string, number>();
  for (let page = 0; page < before.pages.length; page += 1) {
    const original = normalise(before.pages[page] ?? "");
    const scanned = before.ocr[page] !== undefined;
    const extractors: [string, string, string][] = [[scanned ? "OCR of the redacted scan" : "MuPDF (clipping off)", original, normalise(after.pages[page] ?? "")]];
    if (poppler && popplerBefore && !scanned) {
      extractors.push(["pdftotext", normalise(popplerBefore[page] ?? ""), normalise(poppler[page] ?? "")]);
    }
    if (pictures && picturedWithRemovals.includes(page)) {
      extractors.push(["OCR of the page's picture", original, normalise(pictures.pages[page] ?? "")]);
    }
    for (const [needle, removedCount] of removedByPage.get(page) ?? []) {
      // What may stay is what the reviewer saw and kept: the mentions MuPDF read (the text review works from), less those removed.
      const seen = count(original, needle);
      const allowed = Math.max(0, seen - removedCount);
      keptByText.set(needle, (keptByText.get(needle) ?? 0) + allowed);
      for (const [extractor, was, now] of extractors) {
        if (count(was, needle) > seen) {
          problems.push(`page ${page + 1}: ${extractor} reads removed text (${needle.length} characters) more often than the text review saw: some of it is hidden from MuPDF (tiny or hidden text), so the page cannot be checked`);
        }
        const left = count(now, needle);
        if (left > allowed) {
          problems.push(`page ${page + 1}: ${extractor} still reads removed text (${needle.length} characters) ${left - allowed} more time(s) than it should`);
        }
      }
    }
    if (scanned || options.boxedPages?.includes(page)) {
      continue;
    }
    // Outside the boxes nothing changed: every word of the original that was not removed is still there.
    const expected = words(before.pages[page] ?? "");
    for (const { page: removedPage, text } of removed) {
      if (removedPage === page) {
        for (const [word, times] of words(text)) {
          expected.set(word, (expected.get(word) ?? 0) - times);
        }
      }
    }
    const actual = words(after.pages[page] ?? "");
    let missing = 0;
    for (const [word, times] of expected) {
      missing += Math.max(0, times - (actual.get(word) ?? 0));
    }
    let added = 0;
    for (const [word, times] of actual) {
      added += Math.max(0, times - Math.max(0, expected.get(word) ?? 0) - (labelWords.get(word) ?? 0));
    }
    if (missing > 0) {
      problems.push(`page ${page + 1}: ${missing} word(s) outside the boxes were removed too`);
    }
    if (added > 0) {
      problems.push(`page ${page + 1}: ${added} word(s) appeared that the original did not have`);
    }
  }
  for (const problem of await rawProblems(redacted, removed, keptByText)) problems.push(problem);
  for (const problem of await structureProblems(original, redacted)) problems.push(problem);
  return { verified: problems.length === 0, problems, independentExtractor: poppler !== undefined };
}

/**
 * What no extractor reads but the file's bytes still hold (a zero-size word, a marked-content
 * /ActualText, a Type 3 glyph, an unused form): every object written out uncompressed, and each
 * removed string counted there before and after.
 */
async function rawProblems(redacted: Uint8Array, removed: readonly RemovedText[], keptByText: ReadonlyMap<string, number>): Promise<string[]> {
  if (removed.length === 0) {
    return [];
  }
  const after = await decompressed(redacted);
  const checked = new Set<string>();
  const problems: string[] = [];
  for (const { text } of removed) {
    const value = text.toLowerCase().replace(/\s+/g, " ").trim();
    if (checked.has(value)) continue;
    checked.add(value);
    // The bytes may hold the kept mentions (when written as plain strings), never more.
    const kept = keptByText.get(normalise(text)) ?? 0;
    if (countIn(after, value) > kept) {
      problems.push(`the file's bytes still hold removed text (${value.length} characters) that no extractor shows: it is hidden in the page's code`);
    }
  }
  return problems;
}

function countIn(haystack: string, needle: string): number {
  return needle === "" ? 0 : count(haystack, needle);
}

async function decompressed(pdf: Uint8Array): Promise<string> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf").asPDF() as PDFDocument;
  try {
    // decrypt too: an encrypted file's strings are unreadable bytes until then.
    return Buffer.from(document.saveToBuffer("decompress,decrypt").asUint8Array()).toString("latin1").toLowerCase().replace(/\s+/g, " ");
  } finally {
    document.destroy();
  }
}

/** One revision, one end-of-file marker, nothing a reader could open beyond the pages, and no hidden layers left unread in the original. */
async function structureProblems(original: Uint8Array, pdf: Uint8Array): Promise<string[]> {
  const problems: string[] = [];
  const mupdfModule = await loadMupdf();
  const source = mupdfModule.Document.openDocument(original, "application/pdf").asPDF() as PDFDocument;
  try {
    // Step by step: a missing key is a null object, which cannot be asked for more. Any default that hides a layer
    // (an OFF list, a base state other than ON, usage-dependent states) is refused: the rebuilt file would show it.
    let config = source.getTrailer().get("Root");
    for (const key of ["OCProperties", "D"]) {
      config = config.isNull() ? config : config.get(key);
    }
    const off = config.isNull() ? config : config.get("OFF");
    const base = config.isNull() ? config : config.get("BaseState");
    const hides = !config.isNull() && ((off.isArray() && off.length > 0) || (base.isName() && base.asName() !== "ON") || !config.get("AS").isNull());
    if (hides) {
      problems.push("the original has layers that are switched off, which review cannot see: flatten the document (print it to PDF) and upload it again");
    }
  } finally {
    source.destroy();
  }
  const eofMarkers = count(Buffer.from(pdf).toString("latin1"), "%%EOF");
  if (eofMarkers !== 1) {
    problems.push(`the file has ${eofMarkers} end-of-file markers: it was saved incrementally, and older revisions can be read`);
  }
  const mupdf = await loadMupdf();
  let document: PDFDocument | undefined;
  try {
    document = mupdf.Document.openDocument(pdf, "application/pdf").asPDF() as PDFDocument;
    if (document.countVersions() !== 1) {
      problems.push(`the file has ${document.countVersions()} revisions`);
    }
    const trailer = document.getTrailer();
    if (!trailer.get("Info").isNull()) {
      problems.push("the file still has its document information (title, author)");
    }
    const root = trailer.get("Root");
    for (const key of ["Metadata", "Names", "AcroForm", "OpenAction", "AA", "Outlines"]) {
      if (!root.get(key).isNull()) {
        problems.push(`the file still has /${key}`);
      }
    }
    if (Object.keys(document.getEmbeddedFiles()).length > 0) {
      problems.push("the file still has embedded files");
    }
    for (let index = 0; index < document.countPages(); index += 1) {
      const page = document.findPage(index);
      const annotations = page.get("Annots");
      if (!annotations.isNull() && annotations.length > 0) {
        problems.push(`page ${index + 1}: still has ${annotations.length} annotation(s)`);
      }
      if (!page.get("Metadata").isNull()) {
        problems.push(`page ${index + 1}: still has metadata`);
      }
    }
  } catch (error) {
    problems.push(`the redacted file cannot be read: ${mupdfMessage(error)}`);
  } finally {
    document?.destroy();
  }
  return problems;
}
