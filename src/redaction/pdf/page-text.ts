import { loadMupdf } from "./mupdf.ts";

/**
 * A PDF's text, page by page, as MuPDF reads it with clipping off: text placed off the page, white,
 * invisible or under a drawn box is text all the same, and is found (and so can be removed).
 */
export const STRUCTURED_TEXT_OPTIONS = "preserve-whitespace,clip=no";

export interface DocumentText {
  pages: string[];
  /** All pages as one text, each page followed by PAGE_BREAK, so detection sees the whole document (a name given in full on page 1 is found on page 9). */
  text: string;
  /** Where each page starts in `text`. */
  pageStarts: number[];
}

export const PAGE_BREAK = "\n\f\n";

export async function readDocumentText(pdf: Uint8Array): Promise<DocumentText> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf");
  try {
    const pages: string[] = [];
    for (let index = 0; index < document.countPages(); index += 1) {
      const page = document.loadPage(index);
      const structured = page.toStructuredText(STRUCTURED_TEXT_OPTIONS);
      pages.push(structured.asText());
      structured.destroy();
      page.destroy();
    }
    return joinPages(pages);
  } finally {
    document.destroy();
  }
}

export function joinPages(pages: string[]): DocumentText {
  const pageStarts: number[] = [];
  let text = "";
  for (const page of pages) {
    pageStarts.push(text.length);
    text += page + PAGE_BREAK;
  }
  return { pages, text, pageStarts };
}

/** The page holding an offset of the joined text, and the offset within that page. */
export function pageOf(documentText: DocumentText, offset: number): { page: number; offset: number } {
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
