import { nearestLatin } from "../platform/latin.ts";

/**
 * A small PDF writer for reports of text: A4 pages, the built-in Helvetica and Helvetica-Bold
 * (every PDF reader has them, so nothing is embedded), lines laid out top to bottom and a new
 * page when one fills. Hand-written, as export.ts writes XLSX, so Steward needs no PDF library.
 */

export interface PdfLine {
  text: string;
  size?: number;
  bold?: boolean;
  /** Further text on the same line, each starting at its own distance from the left margin (in points). */
  columns?: { at: number; text: string; bold?: boolean }[];
  /** Space before the line, in points (a paragraph or section gap). */
  gapBefore?: number;
}

const PAGE_WIDTH = 595;
const PAGE_HEIGHT = 842;
const MARGIN = 50;

/** The characters outside ASCII that WinAnsiEncoding (Helvetica's built-in encoding) has, with their codes. */
const WIN_ANSI: Record<string, number> = {
  "€": 0x80, "‚": 0x82, "„": 0x84, "…": 0x85, "‘": 0x91, "’": 0x92, "“": 0x93, "”": 0x94, "•": 0x95, "–": 0x96, "—": 0x97, "™": 0x99,
  "Š": 0x8a, "š": 0x9a, "Œ": 0x8c, "œ": 0x9c, "Ž": 0x8e, "ž": 0x9e, "Ÿ": 0x9f,
};

/**
 * A character Helvetica's encoding lacks as its nearest Latin letter, so a Polish or Welsh name
 * prints legibly rather than as "?"; another script or an emoji stays itself, to become "?".
 * Embedding a Unicode font is the full answer (see the README).
 */
function printable(char: string): string {
  const code = char.codePointAt(0)!;
  return (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI[char] !== undefined ? char : nearestLatin(char);
}

/** A PDF string literal of the text in WinAnsiEncoding: Latin-1 as itself, a few typographic marks mapped, other Latin letters as their nearest, anything else "?". */
export function pdfString(text: string): string {
  let out = "(";
  for (const char of [...text.normalize("NFC")].map(printable).join("")) {
    const code = char.codePointAt(0)!;
    const byte = code >= 0x20 && code < 0x7f ? code : (WIN_ANSI[char] ?? (code >= 0xa0 && code <= 0xff ? code : 0x3f));
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) {
      out += `\\${String.fromCharCode(byte)}`;
    } else if (byte < 0x20 || byte > 0x7e) {
      out += `\\${byte.toString(8).padStart(3, "0")}`;
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return `${out})`;
}

/** A string outside the page content (the document's title): UTF-16BE with its byte-order mark, which every reader takes. */
export function pdfTextString(text: string): string {
  return `<FEFF${[...Buffer.from(text, "utf16le").swap16()].map((byte) => byte.toString(16).padStart(2, "0")).join("").toUpperCase()}>`;
}

/** Helvetica's average advance is about half its size: enough to wrap text that would run off the page. */
function wrap(text: string, size: number, width: number): string[] {
  const perLine = Math.max(10, Math.floor(width / (size * 0.5)));
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > perLine) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  return current ? [...lines, current] : [""];
}

export function textPdf(title: string, lines: readonly PdfLine[]): Uint8Array {
  const pages: string[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  const show = (x: number, yAt: number, text: string, size: number, bold: boolean) =>
    pages[pages.length - 1]!.push(`BT /${bold ? "F2" : "F1"} ${size} Tf ${x} ${yAt.toFixed(1)} Td ${pdfString(text)} Tj ET`);
  for (const line of lines) {
    const size = line.size ?? 10;
    const wrapped = line.columns ? [line.text] : wrap(line.text, size, PAGE_WIDTH - 2 * MARGIN);
    for (const [index, part] of wrapped.entries()) {
      const step = size * 1.4 + (index === 0 ? (line.gapBefore ?? 0) : 0);
      if (y - step < MARGIN) {
        pages.push([]);
        y = PAGE_HEIGHT - MARGIN;
      }
      y -= step;
      show(MARGIN, y, part, size, line.bold ?? false);
      for (const column of index === 0 ? (line.columns ?? []) : []) {
        show(MARGIN + column.at, y, column.text, size, column.bold ?? line.bold ?? false);
      }
    }
  }
  pages.forEach((page, index) => page.push(`BT /F1 8 Tf ${MARGIN} 30 Td ${pdfString(`Page ${index + 1} of ${pages.length}`)} Tj ET`));

  // Objects: 1 catalog, 2 page tree, 3 and 4 the fonts, 5 the document's information, then a page and its content for each page.
  const objects: string[] = [];
  const pageIds = pages.map((_page, index) => 6 + index * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  objects[4] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>";
  objects[5] = `<< /Title ${pdfTextString(title)} /Producer (Steward) >>`;
  pages.forEach((page, index) => {
    const content = page.join("\n");
    objects[pageIds[index]!] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[index]! + 1} 0 R >>`;
    objects[pageIds[index]! + 1] = `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`;
  });

  // Every byte is Latin-1 (pdfString escapes the rest), so offsets count characters one to one.
  let body = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = Buffer.byteLength(body, "latin1");
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id += 1) {
    body += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  }
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, "latin1"));
}
