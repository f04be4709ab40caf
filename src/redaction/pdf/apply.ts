import type { PDFDocument, PDFObject, PDFPage, StructuredText } from "mupdf";
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

/**
 * How many times `needle` occurs in `text` before `offset`, the way MuPDF's search matches: any
 * case, any spacing, inside words too. Compared without whitespace, by plain search (a needle as
 * long as a run of 5,000 names would overflow a regular expression).
 */
export function occurrenceBefore(text: string, needle: string, offset: number): number {
  const target = needle.toLowerCase().replace(/\s+/g, "");
  if (target === "") {
    return 0;
  }
  let squeezed = "";
  const origin: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (!/\s/.test(character)) {
      squeezed += character.toLowerCase();
      origin.push(index);
    }
  }
  let count = 0;
  for (let at = squeezed.indexOf(target); at !== -1 && origin[at]! < offset; at = squeezed.indexOf(target, at + target.length)) {
    count += 1;
  }
  return count;
}

/** Where on a page a removal falls: quads of text, or a box. Searches are kept in `searches`, since a page often removes one name many times. */
export function placesOf(page: PDFPage, structured: StructuredText, removal: Removal, searches: Map<string, number[][][]>): { quads?: number[][]; rect?: Rect }[] {
  if (removal.kind === "page") {
    return [{ rect: page.getBounds() as Rect }];
  }
  if (removal.kind === "box") {
    return [{ rect: removal.rect }];
  }
  const needle = removal.text.trim().replace(/\s+/g, " ");
  let hits = searches.get(needle.toLowerCase());
  if (!hits) {
    hits = structured.search(needle, {}) as number[][][];
    searches.set(needle.toLowerCase(), hits);
  }
  // The chosen occurrence; if MuPDF counted differently, every occurrence, since leaving one would leak it.
  const hit = hits[removal.occurrence];
  return (hit ? [hit] : hits).map((quads) => ({ quads }));
}

/** The smallest box around a removal's quads. */
export function boundsOf(quads: number[][]): Rect {
  const xs = quads.flatMap((quad) => [quad[0]!, quad[2]!, quad[4]!, quad[6]!]);
  const ys = quads.flatMap((quad) => [quad[1]!, quad[3]!, quad[5]!, quad[7]!]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}


/** What a page keeps: its boxes, turn, content and the resources that content draws with. Nothing else a reader could open. */
const PAGE_KEYS_KEPT = new Set(["Type", "Parent", "MediaBox", "CropBox", "Rotate", "Resources", "Contents", "Group", "UserUnit"]);

/** Removes metadata from every image and form a page's resources hold, and from the forms' own resources in turn. */
function scrubResources(resources: PDFObject, seen: Set<string>): void {
  if (resources.isNull() || !resources.isDictionary()) {
    return;
  }
  const objects = resources.get("XObject");
  if (objects.isNull() || !objects.isDictionary()) {
    return;
  }
  objects.forEach((value) => {
    const object = value.resolve();
    const key = value.isIndirect() ? String(value.asIndirect()) : "";
    if (key && seen.has(key)) {
      return;
    }
    if (key) seen.add(key);
    for (const name of ["Metadata", "PieceInfo", "OC", "StructParent", "StructParents", "Name", "AF"]) {
      object.delete(name);
    }
    if (object.get("Subtype").isName() && object.get("Subtype").asName() === "Form") {
      scrubResources(object.get("Resources"), seen);
    }
  });
}

/** A page's or form's content, its streams joined. */
function contentOf(contents: PDFObject): string {
  // Streams are read through their references (MuPDF's resolve() of a stream reference gives its dictionary only).
  const parts: PDFObject[] = [];
  if (contents.isArray()) {
    contents.forEach((part) => parts.push(part));
  } else if (!contents.isNull()) {
    parts.push(contents);
  }
  return parts.map((part) => (part.isStream() ? Buffer.from(part.readStream().asUint8Array()).toString("latin1") : "")).join("\n");
}

/**
 * A page's own copy of its resources, holding only the images and forms its content draws (an
 * unused form can hold anything, and no extractor reads it). The copy is the page's own, since
 * pages often share one resources dictionary.
 */
function usedResources(document: PDFDocument, resources: PDFObject, content: string, formsDone = new Set<number>()): PDFObject {
  const copy = document.newDictionary();
  if (resources.isNull() || !resources.isDictionary()) {
    return copy;
  }
  // Names as the dictionary holds them: "/Im#201 Do" in content draws the resource named "Im 1".
  const drawn = new Set([...content.matchAll(/\/([^\s/<>[\]()]+)\s+Do\b/g)].map((match) => match[1]!.replace(/#([0-9a-fA-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)))));
  resources.forEach((value, key) => {
    if (key !== "XObject") {
      copy.put(String(key), value);
      return;
    }
    const objects = document.newDictionary();
    value.resolve().forEach((object, name) => {
      if (drawn.has(String(name))) {
        // Each form once, however many forms draw it (or however a hostile file loops them).
        const number = object.isIndirect() ? object.asIndirect() : -1;
        if (object.isStream() && object.get("Subtype").isName() && object.get("Subtype").asName() === "Form" && !formsDone.has(number)) {
          if (number >= 0) formsDone.add(number);
          object.put("Resources", usedResources(document, object.get("Resources"), contentOf(object), formsDone));
        }
        objects.put(String(name), object);
      }
    });
    copy.put("XObject", objects);
  });
  return copy;
}

/**
 * Builds the file that leaves Steward from an allowlist, not a blocklist: a new document into
 * which only the pages are copied, each keeping only PAGE_KEYS_KEPT, their images and forms
 * without metadata. Whatever else the original's catalog held (document information, XMP,
 * outlines, names and embedded files, page labels, destinations, associated files, forms,
 * scripts, actions, layers, the structure tree, keys nobody standard defined) is simply never
 * copied.
 */
export async function rebuildFromPages(document: PDFDocument): Promise<PDFDocument> {
  const mupdf = await loadMupdf();
  const clean = new mupdf.PDFDocument();
  for (let index = 0; index < document.countPages(); index += 1) {
    clean.graftPage(-1, document, index);
  }
  const seen = new Set<string>();
  for (let index = 0; index < clean.countPages(); index += 1) {
    const page = clean.findPage(index);
    const keys: string[] = [];
    page.forEach((_value, key) => keys.push(String(key)));
    for (const key of keys) {
      if (!PAGE_KEYS_KEPT.has(key)) {
        page.delete(key);
      }
    }
    page.put("Resources", usedResources(clean, page.get("Resources"), contentOf(page.get("Contents"))));
    // graftPage leaves out the page's transparency group, which changes how a LibreOffice page is drawn: copied by hand.
    const group = document.findPage(index).get("Group");
    if (!group.isNull()) {
      page.put("Group", clean.graftObject(group));
    }
    scrubResources(page.get("Resources"), seen);
  }
  // MuPDF writes its own name as producer into a new document's information: that goes too.
  clean.getTrailer().delete("Info");
  clean.getTrailer().get("Root").delete("Info");
  return clean;
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
      let labels: { rect: Rect; code: string; withheld?: true }[] = [];
      const onPage = byPage.get(index) ?? [];
      if (onPage.length > 0) {
        const structured = page.toStructuredText(STRUCTURED_TEXT_OPTIONS);
        const searches = new Map<string, number[][][]>();
        for (const removal of onPage) {
          const rects = placesOf(page, structured, removal, searches);
          if (rects.length === 0) {
            problems.push(`page ${index + 1}: "${removal.kind}" removal found no text to remove`);
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
        // A withheld page keeps nothing, not even text drawn off the page: its content goes whole, and only the label is drawn.
        const withheld = onPage.find((removal) => removal.kind === "page");
        if (withheld) {
          const object = page.getObject();
          object.put("Contents", document.addStream("", {}));
          object.put("Resources", document.newDictionary());
          page.destroy();
          page = document.loadPage(index);
          // One label, readable in the middle of the white page: the other boxes' labels would say where and how many names there were.
          const [x0, y0, x1, y1] = page.getBounds() as Rect;
          labels = [{ rect: [x0 + (x1 - x0) * 0.2, y0 + (y1 - y0) * 0.45, x1 - (x1 - x0) * 0.2, y0 + (y1 - y0) * 0.52], code: withheld.code, withheld: true }];
        }
      }
      for (const annotation of page.getAnnotations()) {
        page.deleteAnnotation(annotation);
      }
      for (const widget of page.getWidgets()) {
        page.deleteAnnotation(widget);
      }
      for (const { rect, code, withheld } of labels) {
        const label = page.createAnnotation("FreeText");
        label.setRect(rect);
        label.setContents(code);
        // White on a removal's black box; black, larger, on a withheld page (which is white: its content is gone whole).
        label.setDefaultAppearance("Helv", withheld ? 28 : Math.max(4, Math.min(8, (rect[3] - rect[1]) * 0.6)), withheld ? [0, 0, 0] : [1, 1, 1]);
        label.setBorderWidth(0);
        label.update();
      }
      page.destroy();
    }
    // The labels become page content; then only the pages leave, rebuilt from an allowlist.
    document.bake(true, true);
    const clean = await rebuildFromPages(document);
    // Full rewrite, unused objects dropped (garbage=4 also merges duplicates): nothing of the original revision survives.
    const pdf = clean.saveToBuffer("garbage=4,compress").asUint8Array().slice();
    clean.destroy();
    return { pdf, pages, applied, labels: allLabels, problems };
  } catch (error) {
    throw new Error(`MuPDF could not redact this PDF: ${mupdfMessage(error)}`);
  } finally {
    document.destroy();
  }
}
