import type { PDFDocument, PDFObject } from "mupdf";
import { rebuildFromPages } from "./apply.ts";
import { loadMupdf, mupdfMessage } from "./mupdf.ts";

/**
 * The one PDF a requester receives: a cover page, an index of the documents with their page
 * ranges, the redacted documents, and a schedule of redactions (page, kind, reason; never the
 * removed text), every page numbered with the case reference ("SAR-HIL-2026-0007 page 12 of 140").
 */
export interface BundleDocument {
  title: string;
  /** The redacted, verified copy. */
  pdf: Uint8Array;
}

export interface ScheduledRedaction {
  /** The document's index in `documents`, and the page within it (both from 0). */
  document: number;
  page: number;
  /** What was removed, in words ("Name", "Phone number", "Whole page"). */
  kind: string;
  /** The code in the box and the reason in words, with its law. */
  code: string;
  reason: string;
}

export interface BundleRequest {
  reference: string;
  organisationName: string;
  /** "2 December 2026". */
  preparedOn: string;
  documents: readonly BundleDocument[];
  schedule: readonly ScheduledRedaction[];
}

const A4: [number, number, number, number] = [0, 0, 595, 842];
const MARGIN = 56;
const LINE_CHARACTERS = 92;

/** A PDF string in the font's Latin encoding; a character it cannot show becomes "?". */
function pdfText(text: string): string {
  let hex = "";
  for (const character of text) {
    const code = character.codePointAt(0)!;
    hex += (code >= 32 && code <= 255 ? code : 63).toString(16).padStart(2, "0");
  }
  return `<${hex}>`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines;
}

interface TextLine {
  text: string;
  size?: number;
  bold?: boolean;
  gap?: number;
}

/** Pages of plain text lines, as many as they need. */
function textPages(lines: readonly TextLine[]): string[] {
  const pages: string[] = [];
  let content = "";
  let y = A4[3] - MARGIN;
  for (const line of lines) {
    const size = line.size ?? 10;
    for (const part of wrap(line.text, Math.floor((LINE_CHARACTERS * 10) / size))) {
      y -= size * 1.4 + (line.gap ?? 0);
      if (y < MARGIN + 30) {
        pages.push(content);
        content = "";
        y = A4[3] - MARGIN - size * 1.4;
      }
      content += `BT /${line.bold ? "SB" : "SR"} ${size} Tf ${MARGIN} ${y.toFixed(1)} Td ${pdfText(part)} Tj ET\n`;
    }
  }
  pages.push(content);
  return pages;
}

export async function assembleBundle(request: BundleRequest): Promise<{ pdf: Uint8Array; pages: number }> {
  const mupdf = await loadMupdf();
  const bundle = new mupdf.PDFDocument();
  const sources: PDFDocument[] = [];
  try {
    const regular = bundle.addSimpleFont(new mupdf.Font("Helvetica"), "Latin");
    const bold = bundle.addSimpleFont(new mupdf.Font("Helvetica-Bold"), "Latin");
    const fonts = { SR: regular, SB: bold };
    for (const document of request.documents) {
      sources.push(mupdf.Document.openDocument(document.pdf, "application/pdf").asPDF() as PDFDocument);
    }
    const documentPages = sources.map((source) => source.countPages());

    // The index's length decides where the documents start, and the schedule's where they end: lay both out first.
    const indexLines = (firstPage: number): TextLine[] => {
      let next = firstPage;
      return [
        { text: "Index of documents", size: 16, bold: true },
        ...request.documents.map((document, index) => {
          const first = next;
          next += documentPages[index]!;
          return { text: `${index + 1}. ${document.title}: ${documentPages[index] === 1 ? `page ${first}` : `pages ${first} to ${next - 1}`}`, gap: 4 };
        }),
      ];
    };
    const coverLines: TextLine[] = [
      { text: request.organisationName, size: 14, bold: true },
      { text: "Your information: disclosure bundle", size: 20, bold: true, gap: 16 },
      { text: `Reference: ${request.reference}`, size: 12, gap: 12 },
      { text: `Prepared on ${request.preparedOn}`, size: 12 },
      { text: `${request.documents.length} document${request.documents.length === 1 ? "" : "s"}; the index on the next page says where each one starts.`, gap: 16 },
      {
        text: "Where information about other people, or information the law lets us withhold, has been removed, a black box covers the place and shows a short code for the reason. The schedule of redactions at the end lists every box by page, with its reason in full.",
        gap: 8,
      },
      { text: "If you think something is missing or has been removed wrongly, please contact us, quoting the reference above. You also have the right to complain to the Information Commissioner's Office: ico.org.uk/make-a-complaint or 0303 123 1113.", gap: 8 },
    ];
    const coverPages = textPages(coverLines);
    const indexPageCount = textPages(indexLines(1)).length;
    const firstDocumentPage = coverPages.length + indexPageCount + 1;
    const documentStarts: number[] = [];
    let next = firstDocumentPage;
    for (const count of documentPages) {
      documentStarts.push(next);
      next += count;
    }
    const scheduleLines: TextLine[] = [
      { text: "Schedule of redactions", size: 16, bold: true },
      { text: "Each row is one box: the bundle page it is on, the document, what kind of information was removed, and why. The removed information itself is not shown.", gap: 4 },
      ...(request.schedule.length === 0
        ? [{ text: "Nothing was removed.", gap: 8 }]
        : [...request.schedule]
            .sort((a, b) => documentStarts[a.document]! + a.page - (documentStarts[b.document]! + b.page))
            .map((entry) => ({ text: `Page ${documentStarts[entry.document]! + entry.page}: ${request.documents[entry.document]!.title}. ${entry.kind}. [${entry.code}] ${entry.reason}.`, gap: 3 }))),
    ];
    const index = textPages(indexLines(firstDocumentPage));
    const schedule = textPages(scheduleLines);

    const addTextPage = (content: string) => bundle.insertPage(-1, bundle.addPage(A4, 0, bundle.addObject({ Font: fonts }), content));
    coverPages.forEach(addTextPage);
    index.forEach(addTextPage);
    sources.forEach((source, documentIndex) => {
      for (let page = 0; page < documentPages[documentIndex]!; page += 1) {
        bundle.graftPage(-1, source, page);
      }
    });
    schedule.forEach(addTextPage);

    // Every page numbered with the reference, in its own small stream added after the page's content.
    const total = bundle.countPages();
    for (let page = 0; page < total; page += 1) {
      const object = bundle.findPage(page);
      const box = object.get("MediaBox");
      const [x0, y0] = [box.isNull() ? 0 : box.get(0).asNumber(), box.isNull() ? 0 : box.get(1).asNumber()];
      let resources = object.get("Resources");
      if (resources.isNull()) {
        resources = bundle.newDictionary();
        object.put("Resources", resources);
      }
      let fontDictionary: PDFObject = resources.get("Font");
      if (fontDictionary.isNull()) {
        fontDictionary = bundle.newDictionary();
        resources.put("Font", fontDictionary);
      }
      fontDictionary.put("StewardPageNumber", regular);
      const label = `${request.reference} page ${page + 1} of ${total}`;
      const stamp = bundle.addStream(`q 0 g BT /StewardPageNumber 8 Tf ${x0 + MARGIN} ${y0 + 21} Td ${pdfText(label)} Tj ET Q`, {});
      // The page's own content inside q … Q, so whatever state it leaves set (a transform, invisible text) cannot hide the number.
      const contents = object.get("Contents");
      const save = bundle.addStream("q\n", {});
      const restore = bundle.addStream("\nQ\n", {});
      const parts: PDFObject[] = [];
      if (contents.isArray()) {
        contents.forEach((part) => parts.push(part));
      } else if (!contents.isNull()) {
        parts.push(contents);
      }
      object.put("Contents", [save, ...parts, restore, stamp]);
    }
    const clean = await rebuildFromPages(bundle);
    try {
      return { pdf: clean.saveToBuffer("garbage=4,compress").asUint8Array().slice(), pages: total };
    } finally {
      clean.destroy();
    }
  } catch (error) {
    throw new Error(`MuPDF could not make the bundle: ${mupdfMessage(error)}`);
  } finally {
    for (const source of sources) source.destroy();
    bundle.destroy();
  }
}
