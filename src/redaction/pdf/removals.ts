import { occurrenceBefore, type Removal } from "./apply.ts";
import { boxesFor } from "./ocr.ts";
import { piecesByPage, type DocumentText } from "./page-text.ts";
import type { RemovedText } from "./verify.ts";

/**
 * What removing a span of a document's joined text takes, page by page: on a page with a text
 * layer, that text (the how-many-th time it appears there, as MuPDF searches); on a scan, the
 * boxes of the words OCR read there, since a scan has no text to remove. `removed` is what
 * verification then checks is gone. The redact command and the review's apply step both use it.
 */
export function removalsForSpan(text: Pick<DocumentText, "pages" | "pageStarts" | "ocr">, start: number, end: number, code: string): { removals: Removal[]; removed: RemovedText[] } {
  const removals: Removal[] = [];
  const removed: RemovedText[] = [];
  for (const piece of piecesByPage(text, start, end)) {
    const pageText = text.pages[piece.page]!;
    const value = pageText.slice(piece.start, piece.end).trim();
    const scan = text.ocr[piece.page];
    if (scan) {
      for (const rect of boxesFor(scan, piece.start, piece.end)) {
        removals.push({ kind: "box", page: piece.page, rect, code });
      }
    } else {
      removals.push({ kind: "text", page: piece.page, text: value, occurrence: occurrenceBefore(pageText, value, piece.start + pageText.slice(piece.start).indexOf(value)), code });
    }
    removed.push({ page: piece.page, text: value });
  }
  return { removals, removed };
}
