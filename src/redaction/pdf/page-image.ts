import type { Rect, Removal } from "./apply.ts";
import { boundsOf, placesOf } from "./apply.ts";
import { loadMupdf } from "./mupdf.ts";
import { STRUCTURED_TEXT_OPTIONS } from "./page-text.ts";

/**
 * A page drawn for review: the page as the requester would see it before redaction, each mark on
 * it boxed, and numbered in the margin as the list beside it numbers it. A removal is filled dark, as it will be;
 * a suggestion still to decide is outlined in yellow; one to keep in green. Drawn on the server so
 * the review works without JavaScript, and nothing of the PDF itself reaches the browser.
 */
export interface ReviewMark {
  number: number;
  removal: Removal;
  decision: "pending" | "remove" | "keep";
}

export interface ReviewPage {
  png: Uint8Array;
  /** The image's size in pixels, and pixels per point (for a box drawn on the image, in the browser, to be given back in points). */
  width: number;
  height: number;
  scale: number;
}

/** About 110 pixels to the inch: a readable A4 page on a laptop screen. */
export const REVIEW_SCALE = 1.5;

const COLOURS: Record<ReviewMark["decision"], [number, number, number]> = {
  pending: [1, 0.8, 0],
  remove: [0.1, 0.1, 0.1],
  keep: [0, 0.6, 0.3],
};

export async function drawPageForReview(pdf: Uint8Array, pageIndex: number, marks: readonly ReviewMark[], scale = REVIEW_SCALE): Promise<ReviewPage> {
  const mupdf = await loadMupdf();
  const document = mupdf.Document.openDocument(pdf, "application/pdf");
  try {
    if (pageIndex < 0 || pageIndex >= document.countPages()) {
      throw new RangeError(`There is no page ${pageIndex + 1}`);
    }
    const page = document.loadPage(pageIndex);
    const matrix: [number, number, number, number, number, number] = [scale, 0, 0, scale, 0, 0];
    const pixmap = page.toPixmap(matrix, mupdf.ColorSpace.DeviceRGB, false, false);
    const structured = page.toStructuredText(STRUCTURED_TEXT_OPTIONS);
    const device = new mupdf.DrawDevice(matrix, pixmap);
    const font = new mupdf.Font("Helvetica");
    const searches = new Map<string, number[][][]>();
    const margin = new Map<number, number[]>();
    try {
      for (const mark of marks) {
        const places = page.isPDF() ? placesOf(page as never, structured, mark.removal, searches) : [];
        for (const place of places) {
          const rect: Rect = place.quads ? boundsOf(place.quads) : place.rect!;
          const path = new mupdf.Path();
          path.rect(rect[0] - 1, rect[1] - 1, rect[2] + 1, rect[3] + 1);
          const colour = COLOURS[mark.decision];
          if (mark.decision === "remove") {
            device.fillPath(path, false, mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, colour, 0.35);
          }
          device.strokePath(path, new mupdf.StrokeState({ lineWidth: 1.5, lineCap: "Butt", lineJoin: "Miter", miterLimit: 10 }), mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, colour, 1);
          const line = Math.round(rect[1] / 6) * 6;
          margin.set(line, [...(margin.get(line) ?? []), mark.number]);
        }
      }
      // The marks' numbers in the page's left margin, beside their line, so no label hides a word.
      const size = 7;
      for (const [line, numbers] of margin) {
        const label = [...new Set(numbers)].join(" ");
        const tab = new mupdf.Path();
        tab.rect(1, line, 3 + label.length * size * 0.6, line + size + 2);
        device.fillPath(tab, false, mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, [1, 1, 1], 1);
        const text = new mupdf.Text();
        text.showString(font, [size, 0, 0, -size, 2, line + size], label);
        device.fillText(text, mupdf.Matrix.identity, mupdf.ColorSpace.DeviceRGB, [0, 0, 0], 1);
      }
      device.close();
      const png = pixmap.asPNG().slice();
      return { png, width: pixmap.getWidth(), height: pixmap.getHeight(), scale };
    } finally {
      structured.destroy();
      device.destroy();
      pixmap.destroy();
      page.destroy();
    }
  } finally {
    document.destroy();
  }
}
