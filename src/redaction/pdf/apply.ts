import type { PDFDocument } from "mupdf";
import { loadMupdf, mupdfMessage } from "./mupdf.ts";
import { STRUCTURED_TEXT_OPTIONS } from "./page-text.ts";

/**
 * True removal with MuPDF: under each box the text, the image pixels and the vector art are
 * removed (not covered); then every annotation, form field, embedded file, script, outline and
 * piece of metadata goes, the reason's code is printed in each box, and the file is written as a
 * full rewrite (an incremental save keeps the original bytes after the new ones: see
 * redaction-notes.md). What is applied is a list of removals the review accepted.
 */
export type Rect = [number, number, number, number];

export type Removal =
  /** A span of a page's text: `text` as detection saw it, the `occurrence`-th time it appears on that page (counted as MuPDF searches: ignoring case and spacing). */
  | { kind: "text"; page: number; text: string; occurrence: number; code: string }
  /** A box drawn by hand, in page coordinates (points, from the top left). */
  | { kind: "box"; page: number; rect: Rect; code: string }
  /** The whole page withheld. */
  | { kind: "page"; page: number; code: string };

export interface AppliedRedaction {
  pdf: Uint8Array;
  pages: number;
  /** Boxes applied. */
  applied: number;
  /** The code printed in each box, one per box (its words are new text on the page, which verification allows). */
  labels: string[];
  /** Removals that found nothing to remove, each with its page and why: verification decides whether that is a leak. */
  problems: string[];
}

/** How many times `needle` occurs in `text` before `offset`, the way MuPDF's search matches: any case, any spacing, inside words too. */
export function occurrenceBefore(text: string, needle: string, offset: number): number {
  const pattern = searchPattern(needle);
  let count = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index >= offset) {
      break;
    }
    count += 1;
  }
  return count;
}

function searchPattern(needle: string): RegExp {
  const parts = needle.trim().split(/\s+/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(parts.join(String.raw`\s*`), "gi");
}

function boundsOf(quads: number[][]): Rect {
  const xs = quads.flatMap((quad) => [quad[0]!, quad[2]!, quad[4]!, quad[6]!]);
  const ys = quads.flatMap((quad) => [quad[1]!, quad[3]!, quad[5]!, quad[7]!]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const ROOT_KEYS_TO_REMOVE = ["Info", "Metadata", "Outlines", "Names", "OpenAction", "AA", "PieceInfo", "AcroForm", "StructTreeRoot", "MarkInfo", "Threads", "SpiderInfo", "Perms", "Legal", "Collection", "URI"];
const PAGE_KEYS_TO_REMOVE = ["Metadata", "PieceInfo", "Thumb", "AA", "B", "StructParents", "SeparationInfo", "Trans"];

/** Removes what a reader could open beyond the pages: document information, XMP, outlines, names (embedded files, scripts), forms, actions, page annotations. */
export function scrubDocument(document: PDFDocument): void {
  const trailer = document.getTrailer();
  trailer.delete("Info");
  const root = trailer.get("Root");
  for (const key of ROOT_KEYS_TO_REMOVE) {
    root.delete(key);
  }
  for (let index = 0; index < document.countPages(); index += 1) {
    const page = document.findPage(index);
    page.delete("Annots");
    for (const key of PAGE_KEYS_TO_REMOVE) {
      page.delete(key);
    }
  }
}

export async function applyRedactions(input: Uint8Array, removals: readonly Removal[]): Promise<AppliedRedaction> {
  const mupdf = await loadMupdf();
  let document: PDFDocument | null;
  try {
    document = mupdf.Document.openDocument(input, "application/pdf").asPDF() as PDFDocument | null;
  } catch (error) {
    throw new Error(`MuPDF could not open this PDF: ${mupdfMessage(error)}`);
  }
  if (!document) {
    throw new Error("MuPDF could not open this PDF: it is not a PDF");
  }
  try {
    const pages = document.countPages();
    const problems: string[] = [];
    let applied = 0;
    const allLabels: string[] = [];
    const byPage = new Map<number, Removal[]>();
    for (const removal of removals) {
      if (removal.page < 0 || removal.page >= pages) {
        problems.push(`page ${removal.page + 1}: there is no such page`);
        continue;
      }
      byPage.set(removal.page, [...(byPage.get(removal.page) ?? []), removal]);
    }
    for (let index = 0; index < pages; index += 1) {
      let page = document.loadPage(index);
      const labels: { rect: Rect; code: string }[] = [];
      const onPage = byPage.get(index) ?? [];
      if (onPage.length > 0) {
        const structured = page.toStructuredText(STRUCTURED_TEXT_OPTIONS);
        const searches = new Map<string, number[][][]>();
        for (const removal of onPage) {
          let rects: { quads?: number[][]; rect?: Rect }[] = [];
          if (removal.kind === "page") {
            rects = [{ rect: page.getBounds() as Rect }];
          } else if (removal.kind === "box") {
            rects = [{ rect: removal.rect }];
          } else {
            const needle = removal.text.trim().replace(/\s+/g, " ");
            let hits = searches.get(needle.toLowerCase());
            if (!hits) {
              hits = structured.search(needle, {}) as number[][][];
              searches.set(needle.toLowerCase(), hits);
            }
            // The chosen occurrence; if MuPDF counted differently, every occurrence, since leaving one would leak it.
            const hit = hits[removal.occurrence];
            rects = (hit ? [hit] : hits).map((quads) => ({ quads }));
            if (rects.length === 0) {
              problems.push(`page ${index + 1}: "${removal.kind}" removal found no text to remove`);
            }
          }
          for (const { quads, rect } of rects) {
            const annotation = page.createAnnotation("Redact");
            if (quads) {
              annotation.setQuadPoints(quads as never);
            } else {
              annotation.setRect(rect!);
            }
            annotation.update();
            labels.push({ rect: quads ? boundsOf(quads) : rect!, code: removal.code });
            allLabels.push(removal.code);
            applied += 1;
          }
        }
        structured.destroy();
        page.applyRedactions(true, mupdf.PDFPage.REDACT_IMAGE_PIXELS, mupdf.PDFPage.REDACT_LINE_ART_REMOVE_IF_COVERED, mupdf.PDFPage.REDACT_TEXT_REMOVE);
        // After applying, the page's annotation list is stale: load the page again before touching annotations.
        page.destroy();
        page = document.loadPage(index);
      }
      for (const annotation of page.getAnnotations()) {
        page.deleteAnnotation(annotation);
      }
      for (const widget of page.getWidgets()) {
        page.deleteAnnotation(widget);
      }
      for (const { rect, code } of labels) {
        const label = page.createAnnotation("FreeText");
        label.setRect(rect);
        label.setContents(code);
        label.setDefaultAppearance("Helv", Math.max(4, Math.min(8, (rect[3] - rect[1]) * 0.6)), [1, 1, 1]);
        label.setBorderWidth(0);
        label.update();
      }
      page.destroy();
    }
    // The labels become page content; then nothing interactive is left.
    document.bake(true, true);
    scrubDocument(document);
    // Full rewrite, unused objects dropped (garbage=4 also merges duplicates): nothing of the original revision survives.
    const pdf = document.saveToBuffer("garbage=4,compress").asUint8Array().slice();
    return { pdf, pages, applied, labels: allLabels, problems };
  } catch (error) {
    throw new Error(`MuPDF could not redact this PDF: ${mupdfMessage(error)}`);
  } finally {
    document.destroy();
  }
}
