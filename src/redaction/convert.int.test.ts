import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scannedPdf, trickyPdf, withRevision } from "../testing/tricky-pdfs.ts";
import { ConversionError, convertToPdf, libreOfficeAvailable } from "./convert.ts";
import { loadMupdf } from "./pdf/mupdf.ts";
import { readDocumentText } from "./pdf/page-text.ts";

const eml = (boundary: string) =>
  [
    "From: Sarah Jones <sarah.jones@example.org>",
    "To: Tom Baker <t.baker@hillside.sch.uk>",
    "Subject: Jamie's report",
    "Date: Tue, 03 Mar 2026 09:15:00 +0000",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>Hello Tom,</p><p>Please see the attached note about Jamie. <img src='https://tracker.example/pixel.png'></p><script>alert('x')</script>",
    `--${boundary}`,
    "Content-Type: text/plain; name=note.txt",
    "Content-Disposition: attachment; filename=note.txt",
    "",
    "Priya Patel's note: Jamie was upset at lunch.",
    `--${boundary}--`,
    "",
  ].join("\r\n");

describe("converting documents to normalised PDFs", () => {
  it("lays out an email with its headers and text, lists its attachments and hands each back as a document of its own, never running or fetching anything", async () => {
    const converted = await convertToPdf("message.eml", new TextEncoder().encode(eml("b1")));
    const text = (await readDocumentText(converted.pdf)).text;
    for (const shown of ["From: Sarah Jones <sarah.jones@example.org>", "To: Tom Baker <t.baker@hillside.sch.uk>", "Subject: Jamie's report", "Please see the attached note about Jamie.", "Attachments", "Attachment 1: TXT file"]) {
      expect(text.replace(/\s+/g, " "), shown).toContain(shown);
    }
    expect(text).not.toContain("alert");
    // The attachment is listed by number and kind, never by its name (a name is not reviewed as text is, and may name someone).
    expect(text).not.toContain("note.txt");
    expect(converted.attachments).toHaveLength(1);
    expect(converted.attachments[0]!.filename).toBe("note.txt");
    const attachment = await convertToPdf(converted.attachments[0]!.filename, converted.attachments[0]!.bytes);
    expect((await readDocumentText(attachment.pdf)).text).toContain("Priya Patel's note: Jamie was upset at lunch.");
  });

  it("keeps text and CSV as written, so detection reads a table's columns", async () => {
    const csv = "UPN,Legal Surname,Legal Forename\nB801200005001,Pemberton,Tobiah\n";
    const converted = await convertToPdf("export.csv", new TextEncoder().encode(csv));
    expect((await readDocumentText(converted.pdf)).text).toContain("B801200005001,Pemberton,Tobiah");
  });

  it("puts an image on a page that OCR then reads", async () => {
    const mupdf = await loadMupdf();
    const scan = mupdf.Document.openDocument(await scannedPdf([{ text: "Letter from Mrs Jane Smith", y: 760 }]), "application/pdf");
    const png = scan.loadPage(0).toPixmap(mupdf.Matrix.scale(150 / 72, 150 / 72), mupdf.ColorSpace.DeviceGray, false).asPNG();
    const converted = await convertToPdf("photo.png", png);
    expect(converted.pages).toBe(1);
    expect((await readDocumentText(converted.pdf)).pages[0]).toContain("Jane Smith");
  });

  it("rewrites a PDF whole, so an earlier revision's text is gone from the copy reviewed", async () => {
    const first = await trickyPdf({ pages: [[{ text: "Call 01632 960001.", y: 700 }]] });
    const converted = await convertToPdf("letter.pdf", await withRevision(first, [{ text: "Nothing here.", y: 700 }]));
    expect(Buffer.from(converted.pdf).toString("latin1").match(/%%EOF/g)).toHaveLength(1);
  });

  it("reads a Word document through LibreOffice", async () => {
    expect(await libreOfficeAvailable(), "install libreoffice-writer-nogui: .ci/run does").toBe(true);
    const folder = await mkdtemp(path.join(tmpdir(), "steward-docx-"));
    try {
      await writeFile(path.join(folder, "letter.html"), "<html><body><h1>Review</h1><p>Jamie Hill met Mrs Okafor on Monday.</p><table><tr><td>Parent</td><td>07700 900123</td></tr></table></body></html>");
      execFileSync("soffice", ["--headless", "--norestore", `-env:UserInstallation=file://${folder}/profile`, "--convert-to", "docx:MS Word 2007 XML", "--outdir", folder, path.join(folder, "letter.html")], { timeout: 120_000, stdio: "ignore" });
      const converted = await convertToPdf("letter.docx", new Uint8Array(await readFile(path.join(folder, "letter.docx"))));
      const text = (await readDocumentText(converted.pdf)).text;
      expect(text).toContain("Jamie Hill met Mrs Okafor on Monday.");
      expect(text).toContain("07700 900123");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("keeps nothing of a photo's EXIF, and refuses a text file too long to lay out", async () => {
    const mupdf = await loadMupdf();
    const pixmap = new mupdf.Pixmap(mupdf.ColorSpace.DeviceRGB, [0, 0, 40, 30], false);
    pixmap.clear(255);
    const jpeg = Buffer.from(pixmap.asJPEG(80, false));
    const comment = Buffer.from("Photo of Jane Smith at 14 Elm Road", "latin1");
    const segment = Buffer.concat([Buffer.from([0xff, 0xe1, (comment.length + 2) >> 8, (comment.length + 2) & 0xff]), comment]);
    const withExif = Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
    const converted = await convertToPdf("photo.jpg", withExif);
    expect(Buffer.from(converted.pdf).toString("latin1")).not.toContain("Jane Smith");
    await expect(convertToPdf("huge.txt", new Uint8Array(3 * 1024 * 1024).fill(65))).rejects.toThrow(/larger than 2 MB/);
  });

  it("refuses what it cannot read with a clear message", async () => {
    await expect(convertToPdf("virus.exe", new Uint8Array([1, 2, 3]))).rejects.toThrow(new ConversionError("Steward cannot read .exe files: upload a PDF, Word, OpenDocument, RTF, email (.eml), image, text or CSV file"));
    await expect(convertToPdf("broken.pdf", new TextEncoder().encode("%PDF-1.7 nothing"))).rejects.toThrow(ConversionError);
    await expect(convertToPdf("broken.png", new TextEncoder().encode("not an image"))).rejects.toThrow(new ConversionError("The selected image is damaged"));
  });
});
