import type { PDFDocument } from "mupdf";
import { loadMupdf } from "../redaction/pdf/mupdf.ts";

/**
 * PDFs that have fooled redaction tools, made by the tests themselves with MuPDF: text drawn off
 * the page, invisible, white or under a drawn box; older revisions that still hold what the latest
 * one deleted; a rotated page; a form field, an embedded file, a script, annotations and metadata
 * that name people. Each line is drawn in Helvetica, so its bytes show in the decompressed file.
 */
export interface PdfLine {
  text: string;
  x?: number;
  y: number;
  /** A PDF text rendering mode (3 = invisible) or fill grey (1 = white). */
  mode?: "normal" | "invisible" | "white" | "under-a-box";
}

function escapePdfString(text: string): string {
  return text.replace(/[\\()]/g, (character) => `\\${character}`);
}

function contentOf(lines: readonly PdfLine[]): string {
  return lines
    .map(({ text, x = 72, y, mode = "normal" }) => {
      const show = `BT /F1 11 Tf ${x} ${y} Td (${escapePdfString(text)}) Tj ET`;
      switch (mode) {
        case "invisible":
          return `BT 3 Tr /F1 11 Tf ${x} ${y} Td (${escapePdfString(text)}) Tj ET`;
        case "white":
          return `q 1 g ${show} Q`;
        case "under-a-box":
          return `${show} q 0 g ${x - 2} ${y - 3} ${text.length * 7} 14 re f Q`;
        default:
          return show;
      }
    })
    .join("\n");
}

export interface TrickyPdfOptions {
  pages: PdfLine[][];
  /** Title, Author and Keywords in the document information, and an XMP stream. */
  metadata?: string;
  /** A sticky note on page 1 with this comment. */
  note?: string;
  /** A text form field on page 1 holding this value. */
  formValue?: string;
  /** An embedded file holding this text. */
  embedded?: string;
  /** A script run on opening. */
  script?: string;
  /** Degrees the first page is turned. */
  rotate?: 0 | 90 | 180 | 270;
  /** Text put where no extractor looks: page labels, a catalog key of nobody's standard, a page key, an unused form's content. */
  hiddenAway?: string;
  /** Raw content added to page 1 as it is (marked content, layers). */
  rawContent?: string;
  /** A layer, switched off, whose content holds this text. */
  hiddenLayer?: string;
}

export async function trickyPdf(options: TrickyPdfOptions): Promise<Uint8Array> {
  const mupdf = await loadMupdf();
  const document = new mupdf.PDFDocument();
  const font = document.addSimpleFont(new mupdf.Font("Helvetica"));
  options.pages.forEach((lines, index) => {
    const resources = document.addObject({ Font: { F1: font } });
    document.insertPage(-1, document.addPage([0, 0, 595, 842], index === 0 ? (options.rotate ?? 0) : 0, resources, contentOf(lines)));
  });
  const root = document.getTrailer().get("Root");
  if (options.metadata) {
    // A plain JavaScript string would become a PDF name; metadata and values are PDF strings.
    const value = document.newString(options.metadata);
    document.getTrailer().put("Info", document.addObject({ Title: value, Author: value, Keywords: value }));
    root.put("Metadata", document.addStream(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>${options.metadata}</dc:creator></x:xmpmeta>`, { Type: "Metadata", Subtype: "XML" }));
  }
  if (options.note) {
    const page = document.loadPage(0);
    const note = page.createAnnotation("Text");
    note.setRect([300, 100, 320, 120]);
    note.setContents(options.note);
    note.update();
  }
  if (options.formValue) {
    const field = document.addObject({ Type: "Annot", Subtype: "Widget", FT: "Tx", T: "guardian", V: document.newString(options.formValue), Rect: [72, 600, 300, 620], F: 4 });
    const page = document.findPage(0);
    const annotations = page.get("Annots");
    if (annotations.isNull()) {
      page.put("Annots", [field]);
    } else {
      annotations.push(field);
    }
    root.put("AcroForm", document.addObject({ Fields: [field] }));
  }
  if (options.embedded) {
    const file = document.addEmbeddedFile("notes.txt", "text/plain", options.embedded, new Date("2026-01-01"), new Date("2026-01-01"));
    document.insertEmbeddedFile("notes.txt", file);
  }
  if (options.hiddenAway) {
    const text = document.newString(options.hiddenAway);
    root.put("PageLabels", document.addObject({ Nums: [0, document.addObject({ S: "D", P: text })] }));
    root.put("StewardTestNote", text);
    const page = document.findPage(0);
    page.put("PieceInfo", document.addObject({ Note: text }));
    page.put("CustomNote", text);
    const unused = document.addStream(`BT /F1 11 Tf 72 72 Td (${escapePdfString(options.hiddenAway)}) Tj ET`, { Type: "XObject", Subtype: "Form", BBox: [0, 0, 595, 842], Resources: { Font: { F1: font } } });
    page.get("Resources").put("XObject", document.addObject({ Unused: unused }));
  }
  if (options.rawContent || options.hiddenLayer) {
    const page = document.findPage(0);
    let extra = options.rawContent ?? "";
    if (options.hiddenLayer) {
      const layer = document.addObject({ Type: "OCG", Name: document.newString("Notes") });
      root.put("OCProperties", document.addObject({ OCGs: [layer], D: document.addObject({ OFF: [layer] }) }));
      page.get("Resources").put("Properties", document.addObject({ L1: layer }));
      extra += `\n/OC /L1 BDC BT /F1 11 Tf 72 500 Td (${escapePdfString(options.hiddenLayer)}) Tj ET EMC`;
    }
    page.put("Contents", [page.get("Contents"), document.addStream(extra, {})]);
  }
  if (options.script) {
    root.put("OpenAction", document.addObject({ S: "JavaScript", JS: document.newString(options.script) }));
  }
  return document.saveToBuffer("garbage=4").asUint8Array().slice();
}

/** A later revision, saved incrementally, that replaces page 1's lines: the earlier lines stay in the file's bytes. */
export async function withRevision(pdf: Uint8Array, lines: PdfLine[]): Promise<Uint8Array> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf").asPDF() as PDFDocument;
  const page = document.findPage(0);
  page.put("Contents", document.addStream(contentOf(lines), {}));
  return document.saveToBuffer("incremental").asUint8Array().slice();
}

/** Every object of a PDF written out uncompressed: what a determined reader could dig out of its bytes. */
export async function decompressedBytes(pdf: Uint8Array): Promise<string> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf").asPDF() as PDFDocument;
  return Buffer.from(document.saveToBuffer("decompress").asUint8Array()).toString("latin1");
}

/** An image-only page, as a scanner makes: the lines drawn at 200 dpi into a greyscale picture, and no text layer at all. */
export async function scannedPdf(lines: PdfLine[]): Promise<Uint8Array> {
  const mupdf = await loadMupdf();
  const source = mupdf.Document.openDocument(await trickyPdf({ pages: [lines.map((line) => ({ ...line, mode: "normal" as const }))] }), "application/pdf");
  const pixmap = source.loadPage(0).toPixmap(mupdf.Matrix.scale(200 / 72, 200 / 72), mupdf.ColorSpace.DeviceGray, false);
  const scan = new mupdf.PDFDocument();
  const image = scan.addImage(new mupdf.Image(pixmap));
  scan.insertPage(-1, scan.addPage([0, 0, 595, 842], 0, scan.addObject({ XObject: { Scan: image } }), "q 595 0 0 842 0 0 cm /Scan Do Q"));
  return scan.saveToBuffer("garbage=4,compress").asUint8Array().slice();
}
