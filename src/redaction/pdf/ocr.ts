import { execFile } from "node:child_process";
import type { Rect } from "./apply.ts";

/**
 * OCR with Debian's tesseract (tesseract-ocr, tesseract-ocr-eng), run as a child process per page,
 * for pages with no text layer (scans, photographs of letters). OMP_THREAD_LIMIT=1: with OpenMP's
 * threads tesseract stalls a 2-core machine (redaction-notes.md measured 217 s against 12.5 s).
 * Without tesseract installed, scanned pages are listed as unread and nothing is guessed.
 */
export const OCR_DPI = 300;
const OCR_TIMEOUT_MS = 120_000;

export interface OcrWord {
  text: string;
  /** Where the word sits in the page's OCR text. */
  start: number;
  end: number;
  /** In page coordinates (points, from the top left), as redaction boxes are. */
  rect: Rect;
}

export interface OcrPage {
  text: string;
  words: OcrWord[];
}

let available: Promise<boolean> | undefined;

export function ocrAvailable(): Promise<boolean> {
  available ??= new Promise((resolve) => {
    execFile("tesseract", ["--version"], { timeout: 10_000 }, (error) => resolve(!error));
  });
  return available;
}

/** The resolution a page is drawn at for OCR: OCR_DPI, or less for a page so large it would pass MAX_OCR_MEGAPIXELS. */
export const MAX_OCR_MEGAPIXELS = 60;
export function ocrDpiFor(widthPoints: number, heightPoints: number): number {
  const squareInches = Math.max(1e-6, (widthPoints / 72) * (heightPoints / 72));
  return Math.max(20, Math.min(OCR_DPI, Math.floor(Math.sqrt((MAX_OCR_MEGAPIXELS * 1_000_000) / squareInches))));
}

/** OCR of one page drawn as a PNG at `dpi`, whose top-left corner is `origin` in page coordinates. */
export function ocrPage(png: Uint8Array, origin: [number, number], dpi = OCR_DPI): Promise<OcrPage> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "tesseract",
      ["stdin", "stdout", "--oem", "1", "--psm", "3", "--dpi", String(dpi), "tsv"],
      { encoding: "utf8", timeout: OCR_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_THREAD_LIMIT: "1" } },
      (error, stdout) => {
        if (error) {
          reject(new Error(`tesseract could not read the page: ${error.message.slice(0, 300)}`));
          return;
        }
        resolve(readTsv(stdout, origin, dpi));
      },
    );
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(png);
  });
}

function readTsv(tsv: string, [x0, y0]: [number, number], dpi: number): OcrPage {
  const scale = 72 / dpi;
  const words: OcrWord[] = [];
  let text = "";
  let previous: { block: string; line: string } | undefined;
  for (const row of tsv.split("\n").slice(1)) {
    const cells = row.split("\t");
    if (cells.length < 12 || cells[0] !== "5") {
      continue;
    }
    const word = cells.slice(11).join("\t").trim();
    if (word === "") {
      continue;
    }
    const [block, paragraph, line] = [cells[2]!, cells[3]!, cells[4]!];
    const lineKey = `${block}.${paragraph}.${line}`;
    if (previous) {
      text += previous.block !== block ? "\n\n" : previous.line !== lineKey ? "\n" : " ";
    }
    previous = { block, line: lineKey };
    const [left, top, width, height] = cells.slice(6, 10).map(Number) as [number, number, number, number];
    // One point of padding: a box exactly on the glyphs' edges can leave a sliver of them.
    const rect: Rect = [x0 + left * scale - 1, y0 + top * scale - 1, x0 + (left + width) * scale + 1, y0 + (top + height) * scale + 1];
    words.push({ text: word, start: text.length, end: text.length + word.length, rect });
    text += word;
  }
  return { text: text ? `${text}\n` : "", words };
}

/** The boxes covering a span of an OCR page's text: each word it touches, joined along a line. */
export function boxesFor(page: OcrPage, start: number, end: number): Rect[] {
  const boxes: Rect[] = [];
  for (const word of page.words) {
    if (word.end <= start || word.start >= end) {
      continue;
    }
    const last = boxes[boxes.length - 1];
    if (last && Math.abs(last[1] - word.rect[1]) < 4 && word.rect[0] - last[2] < 20) {
      last[2] = Math.max(last[2], word.rect[2]);
      last[3] = Math.max(last[3], word.rect[3]);
      last[1] = Math.min(last[1], word.rect[1]);
    } else {
      boxes.push([...word.rect]);
    }
  }
  return boxes;
}
