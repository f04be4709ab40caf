import { describe, expect, it } from "vitest";
import { decompressedBytes, scannedPdf, trickyPdf, withRevision } from "../../testing/tricky-pdfs.ts";
import { redactPdf } from "../redact-command.ts";
import { applyRedactions, occurrenceBefore } from "./apply.ts";
import { readDocumentText } from "./page-text.ts";
import { loadMupdf } from "./mupdf.ts";
import { ocrAvailable } from "./ocr.ts";
import { popplerPages, verifyRedaction } from "./verify.ts";

/**
 * True removal on PDFs made to fool redaction: after applying, neither poppler's pdftotext (an
 * extractor that shares no code with MuPDF) nor MuPDF with clipping off nor the file's own bytes
 * hold what was removed, and the text around it survives.
 */
const poppler = await popplerPages(await trickyPdf({ pages: [[{ text: "probe", y: 700 }]] }));

async function everyReading(pdf: Uint8Array): Promise<string> {
  const mupdfText = (await readDocumentText(pdf)).text;
  const popplerText = (await popplerPages(pdf))?.join("\n") ?? "";
  return `${mupdfText}\n${popplerText}\n${await decompressedBytes(pdf)}`;
}

describe("redacting tricky PDFs", () => {
  it("finds poppler's pdftotext installed, so two extractors check every redaction here", () => {
    expect(poppler, "install poppler-utils: .ci/run does").toBeDefined();
  });

  it("removes a name written visibly, invisibly, in white, off the page and under a drawn box, and keeps the text beside it", async () => {
    const input = await trickyPdf({
      pages: [
        [
          { text: "Meeting note with Mrs Alice Walker (parent) about attendance.", y: 760 },
          { text: "Invisible: Alice Walker was here.", y: 740, mode: "invisible" },
          { text: "White: Alice Walker was here.", y: 720, mode: "white" },
          { text: "Offpage: Alice Walker was here.", x: 700, y: 700 },
          { text: "Covered: Alice Walker was here.", y: 680, mode: "under-a-box" },
          { text: "The office phoned about the trip.", y: 660 },
        ],
      ],
    });
    expect(await decompressedBytes(input)).toContain("Alice Walker");
    const { summary, pdf } = await redactPdf(input, ["Alice Walker"]);
    expect(summary).toMatchObject({ pages: 1, verified: true, problems: [] });
    expect(summary.applied).toBeGreaterThanOrEqual(5);
    const after = await everyReading(pdf!);
    expect(after).not.toMatch(/Alice|Walker/);
    for (const kept of ["Meeting note with Mrs", "(parent) about attendance.", "The office phoned about the trip.", "was here."]) {
      expect((await readDocumentText(pdf!)).text).toContain(kept);
    }
  });

  it("leaves nothing of an earlier revision: the phone number only the first revision held is gone", async () => {
    const first = await trickyPdf({ pages: [[{ text: "Call Robert Brown on 01632 960001.", y: 700 }]] });
    const latest = await withRevision(await withRevision(first, [{ text: "Robert Brown asked for a call back.", y: 700 }]), [{ text: "Robert Brown asked again.", y: 700 }]);
    expect(Buffer.from(latest).toString("latin1")).toContain("01632 960001");
    const { summary, pdf } = await redactPdf(latest, ["Robert Brown"]);
    expect(summary.verified).toBe(true);
    const after = await everyReading(pdf!);
    expect(after).not.toContain("Robert Brown");
    expect(after).not.toContain("01632 960001");
    expect(Buffer.from(pdf!).toString("latin1").match(/%%EOF/g)).toHaveLength(1);
    expect(after).toContain("asked again.");
  });

  it("removes annotations, form fields, embedded files, scripts and metadata that name people", async () => {
    const input = await trickyPdf({
      pages: [[{ text: "Review for Jamie Hill, Year 6.", y: 700 }]],
      metadata: "Sarah Hill",
      note: "Ask Priya Patel about this",
      formValue: "Tom Baker",
      embedded: "Notes about Tom Baker",
      script: "app.alert('Tom Baker')",
    });
    const before = await decompressedBytes(input);
    for (const name of ["Sarah Hill", "Priya Patel", "Tom Baker"]) {
      expect(before).toContain(name);
    }
    const { summary, pdf } = await redactPdf(input, ["Jamie Hill"]);
    expect(summary).toMatchObject({ verified: true, problems: [] });
    const after = await everyReading(pdf!);
    for (const name of ["Jamie Hill", "Sarah Hill", "Priya Patel", "Tom Baker", "JavaScript", "EmbeddedFile", "/Annots"]) {
      expect(after, name).not.toContain(name);
    }
    expect(after).toContain("Year 6.");
  });

  it("removes a name that runs from the foot of one page to the top of the next from both", async () => {
    const input = await trickyPdf({ pages: [[{ text: "The office phoned Tobiah", y: 60 }], [{ text: "Ashdown about the trip.", y: 800 }]] });
    const { summary, pdf } = await redactPdf(input, ["Tobiah Ashdown"]);
    expect(summary.verified).toBe(true);
    const after = await everyReading(pdf!);
    expect(after).not.toMatch(/Tobiah|Ashdown/);
    expect(after).toContain("about the trip.");
  });

  it("copies nothing but the pages: page labels, keys of nobody's standard, piece info and unused forms naming people never leave", async () => {
    const input = await trickyPdf({ pages: [[{ text: "A note about the trip.", y: 700 }]], hiddenAway: "Marisol Kowalczyk" });
    expect(await decompressedBytes(input)).toContain("Marisol Kowalczyk");
    const { pdf } = await applyRedactions(input, []);
    expect(await decompressedBytes(pdf)).not.toContain("Marisol");
    expect((await readDocumentText(pdf)).text).toContain("A note about the trip.");
  });

  it("keeps what the page draws through forms, a form that draws itself and a name written with # escapes included", async () => {
    const mupdf = await loadMupdf();
    const document = new mupdf.PDFDocument();
    const font = document.addSimpleFont(new mupdf.Font("Helvetica"));
    const form = document.addStream("BT /F1 11 Tf 72 600 Td (Drawn by the form.) Tj ET /Me Do", { Type: "XObject", Subtype: "Form", BBox: [0, 0, 595, 842] });
    form.put("Resources", document.addObject({ Font: { F1: font }, XObject: { Me: form } }));
    document.insertPage(-1, document.addPage([0, 0, 595, 842], 0, document.addObject({ Font: { F1: font }, XObject: { "Fm 1": form } }), "BT /F1 11 Tf 72 700 Td (The page's own text.) Tj ET /Fm#201 Do"));
    const { pdf } = await applyRedactions(document.saveToBuffer("garbage=4").asUint8Array().slice(), []);
    const text = (await readDocumentText(pdf)).text;
    expect(text).toContain("The page's own text.");
    expect(text).toContain("Drawn by the form.");
  });

  it("fails verification when removed text is still in the page's code, where no extractor shows it", async () => {
    const input = await trickyPdf({ pages: [[{ text: "Meeting with Jane Smith.", y: 700 }]], rawContent: "/Span <</ActualText (Jane Smith)>> BDC EMC BT /F1 0.001 Tf 72 600 Td (Jane Smith) Tj ET" });
    const { summary, pdf } = await redactPdf(input, ["Jane Smith"]);
    if (summary.verified) {
      expect(await decompressedBytes(pdf!)).not.toContain("Jane Smith");
    } else {
      expect(summary.problems.join("\n")).toMatch(/still|hidden in the page's code/);
    }
  });

  it("refuses a page where pdftotext reads a removed name more often than MuPDF did (tiny text MuPDF skips)", async () => {
    const input = await trickyPdf({ pages: [[{ text: "Meeting with Jane Smith.", y: 700 }]], rawContent: "BT /F1 0 Tf 72 600 Td (Jane Smith) Tj ET" });
    const { summary, pdf } = await redactPdf(input, ["Jane Smith"]);
    if (summary.verified) {
      expect((await popplerPages(pdf!))?.join("")).not.toContain("Jane Smith");
    } else {
      expect(pdf).toBeUndefined();
    }
  });

  it("counts a long run of one name without building a pattern from it", () => {
    const text = "Jane Smith ".repeat(5_000);
    expect(occurrenceBefore(text, text.trim(), 0)).toBe(0);
    expect(occurrenceBefore("Jane  SMITH and jane\nsmith", "Jane Smith", 20)).toBe(2);
  });

  it("refuses a document whose layers are hidden by their base state", async () => {
    const mupdf = await loadMupdf();
    const document = mupdf.Document.openDocument(await trickyPdf({ pages: [[{ text: "A visible line.", y: 700 }]], hiddenLayer: "Robert Brown, 12 Oak Road" }), "application/pdf").asPDF()!;
    const properties = document.getTrailer().get("Root").get("OCProperties");
    properties.put("D", document.addObject({ BaseState: document.newName("OFF") }));
    const input = document.saveToBuffer("garbage=4").asUint8Array().slice();
    const { summary } = await redactPdf(input, ["Robert Brown"]);
    expect(summary.verified).toBe(false);
    expect(summary.problems.join("\n")).toContain("layers that are switched off");
  });

  it("refuses a document with layers switched off, which review cannot see", async () => {
    const input = await trickyPdf({ pages: [[{ text: "A visible line.", y: 700 }]], hiddenLayer: "Hidden: Jane Smith disclosed a concern" });
    const { summary, pdf } = await redactPdf(input, ["Jane Smith"]);
    expect(summary.verified).toBe(false);
    expect(pdf).toBeUndefined();
    expect(summary.problems.join("\n")).toContain("layers that are switched off");
  });

  it("redacts a rotated page and keeps its page count", async () => {
    const input = await trickyPdf({ rotate: 90, pages: [[{ text: "Letter to Mr Idris Ashdown of 14 Elm Road.", y: 700 }], [{ text: "Page two names nobody.", y: 700 }]] });
    const { summary, pdf } = await redactPdf(input, ["Idris Ashdown"]);
    expect(summary).toMatchObject({ pages: 2, verified: true });
    const after = await everyReading(pdf!);
    expect(after).not.toContain("Ashdown");
    expect(after).not.toContain("14 Elm Road");
    expect(after).toContain("Page two names nobody.");
  });

  it("removes only the chosen occurrence of a repeated name, and keeps the one the DPO kept", async () => {
    const input = await trickyPdf({ pages: [[{ text: "Jamie asked. Jamie waited. Jamie left.", y: 700 }]] });
    const text = (await readDocumentText(input)).pages[0]!;
    const second = text.indexOf("Jamie", text.indexOf("Jamie") + 1);
    expect(occurrenceBefore(text, "Jamie", second)).toBe(1);
    const applied = await applyRedactions(input, [{ kind: "text", page: 0, text: "Jamie", occurrence: 1, code: "3P" }]);
    const after = (await readDocumentText(applied.pdf)).pages[0]!;
    expect(after.match(/Jamie/g)).toHaveLength(2);
    expect(after).toContain("Jamie asked.");
    expect(after).toContain("Jamie left.");
    expect((await verifyRedaction(input, applied.pdf, [{ page: 0, text: "Jamie" }], applied.labels)).verified).toBe(true);
  });

  it("withholds a whole page (text off the page included) and draws a box by hand", async () => {
    const input = await trickyPdf({ pages: [[{ text: "Keep this line.", y: 760 }, { text: "Box over this: Secret Name", y: 700 }], [{ text: "A page withheld entirely.", y: 700 }, { text: "Offpage withheld words", x: 700, y: 600 }]] });
    const applied = await applyRedactions(input, [
      { kind: "box", page: 0, rect: [150, 130, 300, 150], code: "SH" },
      { kind: "page", page: 1, code: "LP" },
    ]);
    const text = await readDocumentText(applied.pdf);
    expect(text.pages[0]).toContain("Keep this line.");
    expect(text.pages[0]).not.toContain("Secret Name");
    expect(text.pages[1]).not.toContain("withheld");
    expect(text.pages[1]).toContain("LP");
    expect(text.pages).toHaveLength(2);
    expect(await decompressedBytes(applied.pdf)).not.toContain("withheld");
    const verification = await verifyRedaction(input, applied.pdf, [{ page: 1, text: "A page withheld entirely." }], applied.labels, { boxedPages: [0, 1] });
    expect(verification.problems).toEqual([]);
  });

  it("fails verification, naming the page, when removed text is still there, when words outside the boxes went, or when the file was saved incrementally", async () => {
    const input = await trickyPdf({ pages: [[{ text: "Nothing removed about Tom Baker here.", y: 700 }]] });
    const untouched = await applyRedactions(input, []);
    const leaked = await verifyRedaction(input, untouched.pdf, [{ page: 0, text: "Tom Baker" }], []);
    expect(leaked.verified).toBe(false);
    expect(leaked.problems.join("\n")).toMatch(/^page 1: MuPDF \(clipping off\) still reads removed text/m);
    expect(leaked.problems.join("\n")).toMatch(/^page 1: pdftotext still reads removed text/m);

    const tooMuch = await applyRedactions(input, [{ kind: "box", page: 0, rect: [60, 120, 500, 160], code: "3P" }]);
    const over = await verifyRedaction(input, tooMuch.pdf, [{ page: 0, text: "Tom Baker" }], tooMuch.labels);
    expect(over.problems.join("\n")).toMatch(/page 1: \d+ word\(s\) outside the boxes were removed too/);

    const redacted = await applyRedactions(input, [{ kind: "text", page: 0, text: "Tom Baker", occurrence: 0, code: "3P" }]);
    const incremental = await withRevision(redacted.pdf, [{ text: "Nothing removed about 3P here.", y: 700 }]);
    const revisions = await verifyRedaction(input, incremental, [{ page: 0, text: "Tom Baker" }], redacted.labels);
    expect(revisions.verified).toBe(false);
    expect(revisions.problems.join("\n")).toMatch(/end-of-file markers|revisions/);
  });

  it("reads a scanned page by OCR, removes the words' pixels, and OCR of the result finds none of them", async () => {
    expect(await ocrAvailable(), "install tesseract-ocr and tesseract-ocr-eng: .ci/run does").toBe(true);
    const input = await scannedPdf([
      { text: "Meeting note 12 March 2026", y: 760 },
      { text: "Present: Mrs Jane Smith (parent) and Mr Robert Brown.", y: 730 },
      { text: "Mobile 07700 900123, NI number QQ 12 34 56 C.", y: 700 },
      { text: "The attendance plan was agreed.", y: 670 },
    ]);
    const before = await readDocumentText(input);
    expect(before.ocr[0]).toBeDefined();
    expect(before.pages[0]).toContain("Jane Smith");
    const { summary, pdf } = await redactPdf(input, ["Jane Smith"]);
    expect(summary).toMatchObject({ verified: true, problems: [] });
    const after = (await readDocumentText(pdf!, { ocr: { only: [0] } })).pages[0]!;
    for (const removed of ["Jane", "Smith", "Robert", "Brown", "07700", "900123", "QQ"]) {
      expect(after, removed).not.toContain(removed);
    }
    expect(after).toContain("Meeting note");
    expect(after).toContain("attendance plan was agreed");
  });

  it("lists a scan it could not read (no tesseract), which the redact command then refuses to pass", async () => {
    const input = await scannedPdf([{ text: "Jane Smith's letter", y: 760 }]);
    const text = await readDocumentText(input, { ocr: false });
    expect(text.unread).toEqual([0]);
  });

  it("refuses a file that is not a PDF with a clear error", async () => {
    await expect(applyRedactions(new TextEncoder().encode("not a pdf at all"), [])).rejects.toThrow(/MuPDF could not|not a PDF|PDF/);
  });
});
