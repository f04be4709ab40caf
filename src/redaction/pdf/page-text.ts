import { loadMupdf, mupdfMessage } from "./mupdf.ts";
import { ocrAvailable, ocrDpiFor, ocrPage, type OcrPage } from "./ocr.ts";

/**
 * A PDF's text, page by page, as MuPDF reads it with clipping off: text placed off the page, white,
 * invisible or under a drawn box is text all the same, and is found (and so can be removed).
 */
export const STRUCTURED_TEXT_OPTIONS = "preserve-whitespace,clip=no";

export interface DocumentText {
  pages: string[];
  /** For each page read by OCR (it had no text layer), its words and their boxes. */
  ocr: (OcrPage | undefined)[];
  /** Pages with no text layer that could not be read, because tesseract is not installed. */
  unread: number[];
  /** Pages with a text layer over a large image (a searchable scan): the picture may show what the text layer says, or more. */
  pictured: number[];
  /** All pages as one text, each page followed by PAGE_BREAK, so detection sees the whole document (a name given in full on page 1 is found on page 9). */
  text: string;
  /** Where each page starts in `text`. */
  pageStarts: number[];
}

export const PAGE_BREAK = "\n\f\n";

/** Fewer letters than this in a page's text layer, with an image on it, and the page is a scan: OCR reads it. */
const SCAN_LETTERS = 12;

export interface ReadOptions {
  /** OCR pages without a text layer (default: when tesseract is installed). `only` OCRs just these pages. */
  ocr?: boolean | { only: readonly number[] };
}

export async function readDocumentText(pdf: Uint8Array, options: ReadOptions = {}): Promise<DocumentText> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf");
  const canOcr = options.ocr !== false && (await ocrAvailable());
  try {
    const pages: string[] = [];
    const ocr: (OcrPage | undefined)[] = [];
    const unread: number[] = [];
    const pictured: number[] = [];
    for (let index = 0; index < document.countPages(); index += 1) {
      const page = document.loadPage(index);
      const structured = page.toStructuredText(`${STRUCTURED_TEXT_OPTIONS},preserve-images`);
      const text = structured.asText();
      let hasImage = false;
      let imageArea = 0;
      structured.walk({
        onImageBlock: (bbox) => {
          hasImage = true;
          imageArea += Math.max(0, bbox[2] - bbox[0]) * Math.max(0, bbox[3] - bbox[1]);
        },
      });
      const pageBounds = page.getBounds();
      const pageArea = Math.max(1, (pageBounds[2] - pageBounds[0]) * (pageBounds[3] - pageBounds[1]));
      structured.destroy();
      const asked = typeof options.ocr === "object" ? options.ocr.only.includes(index) : (text.match(/\p{L}/gu)?.length ?? 0) < SCAN_LETTERS && hasImage;
      if (asked && canOcr) {
        const bounds = page.getBounds();
        const dpi = ocrDpiFor(bounds[2] - bounds[0], bounds[3] - bounds[1]);
        let png: Uint8Array;
        try {
          const pixmap = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false);
          png = pixmap.asPNG();
          pixmap.destroy();
        } catch (error) {
          throw new Error(`page ${index + 1} could not be drawn for OCR: ${mupdfMessage(error)}`);
        }
        const read = await ocrPage(png, [bounds[0], bounds[1]], dpi);
        pages.push(read.text);
        ocr.push(read);
      } else {
        if (asked) unread.push(index);
        if (!asked && imageArea > pageArea * 0.4) pictured.push(index);
        pages.push(text);
        ocr.push(undefined);
      }
      page.destroy();
    }
    return { ...joinPages(pages), ocr, unread, pictured };
  } finally {
    document.destroy();
  }
}

export function joinPages(pages: string[]): Omit<DocumentText, "ocr" | "unread" | "pictured"> {
  const pageStarts: number[] = [];
  let text = "";
  for (const page of pages) {
    pageStarts.push(text.length);
    text += page + PAGE_BREAK;
  }
  return { pages, text, pageStarts };
}

/** The page holding an offset of the joined text, and the offset within that page. */
export function pageOf(documentText: Pick<DocumentText, "pageStarts">, offset: number): { page: number; offset: number } {
  let low = 0;
  let high = documentText.pageStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (documentText.pageStarts[middle]! <= offset) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return { page: low, offset: offset - documentText.pageStarts[low]! };
}

/**
 * The pieces of a span of the joined text, page by page, in each page's own offsets: a name that
 * runs from the foot of one page to the top of the next is removed from both.
 */
export function piecesByPage(documentText: Pick<DocumentText, "pages" | "pageStarts">, start: number, end: number): { page: number; start: number; end: number }[] {
  const pieces: { page: number; start: number; end: number }[] = [];
  let { page } = pageOf(documentText, start);
  while (page < documentText.pages.length) {
    const pageStart = documentText.pageStarts[page]!;
    const pageEnd = pageStart + documentText.pages[page]!.length;
    if (pageStart >= end) {
      break;
    }
    const from = Math.max(start, pageStart) - pageStart;
    const to = Math.min(end, pageEnd) - pageStart;
    if (to > from && documentText.pages[page]!.slice(from, to).trim() !== "") {
      pieces.push({ page, start: from, end: to });
    }
    page += 1;
  }
  return pieces;
}
