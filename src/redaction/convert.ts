import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PDFDocument } from "mupdf";
import { officeFileHas } from "../cases/attachments.ts";
import { JobError } from "../platform/jobs/jobs.ts";
import { stripJpegMetadata, stripPngMetadata } from "../cases/image-metadata.ts";
import { loadMupdf, mupdfMessage } from "./pdf/mupdf.ts";

/**
 * Every document to consider becomes a normalised PDF, kept beside its untouched original: a PDF
 * is rewritten whole by MuPDF (repaired, one revision); an image or scan becomes a page; text and
 * CSV are laid out as they are written; an email is laid out with its headers, its body and the
 * list of its attachments, each attachment coming back to be converted as a document of its own;
 * Word, OpenDocument and RTF go through LibreOffice, when it is installed.
 */
export const CONVERTIBLE = ["pdf", "docx", "doc", "odt", "rtf", "eml", "jpg", "jpeg", "png", "tif", "tiff", "txt", "csv"] as const;
export type Convertible = (typeof CONVERTIBLE)[number];

/** Hostile files are bounded: pages, pixels, time. */
export const LIMITS = { pages: 2_000, megapixels: 60, libreOfficeSeconds: 120, attachments: 50, textBytes: 2 * 1024 * 1024 };

/** A document Steward cannot read, in a sentence for the person who gave it (shown on the page when its job fails). */
export class ConversionError extends JobError {
  override name = "ConversionError";
}

export interface Converted {
  pdf: Uint8Array;
  pages: number;
  /** An email's attachments, each to become a document of its own. */
  attachments: { filename: string; bytes: Uint8Array }[];
}

export function extensionOf(filename: string): string {
  return filename.toLowerCase().split(".").pop() ?? "";
}

export async function convertToPdf(filename: string, bytes: Uint8Array): Promise<Converted> {
  const extension = extensionOf(filename);
  switch (extension) {
    case "pdf":
      return { ...(await normalisePdf(bytes)), attachments: [] };
    case "jpg":
    case "jpeg":
    case "png":
    case "tif":
    case "tiff":
      return { ...(await imageToPdf(withoutImageMetadata(extension, bytes))), attachments: [] };
    case "txt":
    case "csv":
      if (bytes.length > LIMITS.textBytes) {
        throw new ConversionError(`The text file is larger than ${LIMITS.textBytes / 1024 / 1024} MB: split it, or upload it as a PDF`);
      }
      return { ...(await htmlToPdf(`<pre>${escapeHtml(decodeText(bytes))}</pre>`)), attachments: [] };
    case "eml":
      return emailToPdf(bytes);
    case "docx":
    case "doc":
    case "odt":
    case "rtf":
      return { ...(await normalisePdf(await libreOfficeToPdf(filename, bytes))), attachments: [] };
    default:
      throw new ConversionError(`Steward cannot read .${extension} files: upload a PDF, Word, OpenDocument, RTF, email (.eml), image, text or CSV file`);
  }
}

/** "PDF file", "DOCX file": what a file is, from its name's extension alone. */
function kindOfFile(filename: string | undefined): string {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(filename ?? "")?.[1];
  return extension ? `${extension.toUpperCase()} file` : "file";
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/^\uFEFF/, "");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function checkPages(count: number): void {
  if (count === 0) {
    throw new ConversionError("The document has no pages");
  }
  if (count > LIMITS.pages) {
    throw new ConversionError(`The document has ${count.toLocaleString("en-GB")} pages; Steward takes up to ${LIMITS.pages.toLocaleString("en-GB")} in one document: split it first`);
  }
}

async function normalisePdf(bytes: Uint8Array): Promise<{ pdf: Uint8Array; pages: number }> {
  const mupdf = await loadMupdf();
  let document: PDFDocument | undefined;
  try {
    document = mupdf.Document.openDocument(bytes, "application/pdf").asPDF() as PDFDocument;
    if (document.needsPassword()) {
      throw new ConversionError("The PDF is protected by a password: remove the password and upload it again");
    }
    const pages = document.countPages();
    checkPages(pages);
    return { pdf: document.saveToBuffer("garbage=4,compress").asUint8Array().slice(), pages };
  } catch (error) {
    throw error instanceof ConversionError ? error : new ConversionError(`The PDF could not be read: ${mupdfMessage(error)}`);
  } finally {
    document?.destroy();
  }
}

/** A photo's EXIF (camera, place, time, a caption naming someone) and a PNG's text chunks are not part of the picture: they go before anything is kept. */
function withoutImageMetadata(extension: string, bytes: Uint8Array): Uint8Array {
  if (extension === "jpg" || extension === "jpeg" || extension === "png") {
    const stripped = extension === "png" ? stripPngMetadata(Buffer.from(bytes)) : stripJpegMetadata(Buffer.from(bytes));
    if (!stripped.ok) {
      throw new ConversionError(stripped.message);
    }
    return new Uint8Array(stripped.bytes);
  }
  return bytes;
}

/** Refuses a picture too large to draw safely (a decompression bomb). */
function checkPixels(width: number, height: number): void {
  if ((width * height) / 1_000_000 > LIMITS.megapixels) {
    throw new ConversionError(`The image is ${Math.round((width * height) / 1_000_000)} megapixels; Steward takes up to ${LIMITS.megapixels}`);
  }
}

/** An image on an A4 page (turned to landscape when it is wider than tall), scaled to fit. */
async function imageToPdf(bytes: Uint8Array): Promise<{ pdf: Uint8Array; pages: number }> {
  const mupdf = await loadMupdf();
  const document = new mupdf.PDFDocument();
  try {
    const image = new mupdf.Image(bytes);
    const [width, height] = [image.getWidth(), image.getHeight()];
    checkPixels(width, height);
    const [pageWidth, pageHeight] = width > height ? [842, 595] : [595, 842];
    // Fitted to the page, never enlarged past one point a pixel.
    const scale = Math.min((pageWidth - 40) / width, (pageHeight - 40) / height, 1);
    const [drawWidth, drawHeight] = [width * scale, height * scale];
    const reference = document.addImage(image);
    const content = `q ${drawWidth.toFixed(2)} 0 0 ${drawHeight.toFixed(2)} ${((pageWidth - drawWidth) / 2).toFixed(2)} ${((pageHeight - drawHeight) / 2).toFixed(2)} cm /Scan Do Q`;
    document.insertPage(-1, document.addPage([0, 0, pageWidth, pageHeight], 0, document.addObject({ XObject: { Scan: reference } }), content));
    return { pdf: document.saveToBuffer("garbage=4,compress").asUint8Array().slice(), pages: 1 };
  } catch (error) {
    throw error instanceof ConversionError ? error : new ConversionError(`The image could not be read: ${mupdfMessage(error)}`);
  } finally {
    document.destroy();
  }
}

const PAGE_STYLE = "<style>@page { margin: 2cm } body { font-family: sans-serif; font-size: 10pt } pre { white-space: pre-wrap; font-family: monospace; font-size: 9pt } th { text-align: left; padding-right: 1em; vertical-align: top } table { margin-bottom: 1em }</style>";

/** Lays HTML out on A4 pages with MuPDF (no browser, no scripts, no network: MuPDF's HTML reader fetches nothing). */
async function htmlToPdf(body: string): Promise<{ pdf: Uint8Array; pages: number }> {
  const mupdf = await loadMupdf();
  const html = mupdf.Document.openDocument(new TextEncoder().encode(`<!doctype html><html><head><meta charset="utf-8">${PAGE_STYLE}</head><body>${body}</body></html>`), "text/html");
  const buffer = new mupdf.Buffer();
  try {
    html.layout(595, 842, 10);
    const pages = html.countPages();
    checkPages(pages);
    const writer = new mupdf.DocumentWriter(buffer, "pdf", "");
    for (let index = 0; index < pages; index += 1) {
      const page = html.loadPage(index);
      const device = writer.beginPage(page.getBounds());
      page.run(device, mupdf.Matrix.identity);
      writer.endPage();
      page.destroy();
    }
    writer.close();
    return { pdf: buffer.asUint8Array().slice(), pages };
  } catch (error) {
    throw error instanceof ConversionError ? error : new ConversionError(`The text could not be laid out: ${mupdfMessage(error)}`);
  } finally {
    html.destroy();
    buffer.destroy();
  }
}

/** An email: its headers, its text (never its HTML: no scripts, no remote images), its inline pictures, and the list of what was attached. */
async function emailToPdf(bytes: Uint8Array): Promise<Converted> {
  const { simpleParser } = await import("mailparser");
  const mail = await simpleParser(Buffer.from(bytes), { skipHtmlToText: false });
  // "Sarah Jones <sarah.jones@example.org>", as people read it (mailparser's own text quotes the name).
  const addresses = (value: unknown): string => {
    const objects = (Array.isArray(value) ? value : value ? [value] : []) as { value?: { name?: string; address?: string }[] }[];
    return objects
      .flatMap((object) => object.value ?? [])
      .map(({ name, address }) => (name && address ? `${name} <${address}>` : (name ?? address ?? "")))
      .join(", ");
  };
  const rows: [string, string][] = [
    ["From", addresses(mail.from)],
    ["To", addresses(mail.to)],
    ["Cc", addresses(mail.cc)],
    ["Date", mail.date ? mail.date.toUTCString() : ""],
    ["Subject", mail.subject ?? ""],
  ];
  const attached = mail.attachments.filter((attachment) => !(attachment.related && attachment.contentType.startsWith("image/")));
  const mupdf = await loadMupdf();
  const inline = mail.attachments.filter((attachment) => attachment.related && /^image\/(png|jpeg)$/.test(attachment.contentType));
  for (const image of inline) {
    try {
      const picture = new mupdf.Image(new Uint8Array(image.content));
      checkPixels(picture.getWidth(), picture.getHeight());
      picture.destroy();
    } catch (error) {
      throw error instanceof ConversionError ? error : new ConversionError(`A picture in the email could not be read: ${mupdfMessage(error)}`);
    }
  }
  if (attached.length > LIMITS.attachments) {
    throw new ConversionError(`The email has ${attached.length} attachments; Steward takes up to ${LIMITS.attachments}`);
  }
  const body = [
    `<table>${rows.filter(([, value]) => value).map(([name, value]) => `<tr><th>${name}:</th><td>${escapeHtml(value)}</td></tr>`).join("")}</table>`,
    `<pre>${escapeHtml(mail.text ?? (typeof mail.html === "string" ? htmlAsText(mail.html) : ""))}</pre>`,
    ...inline.map((image) => `<p><img style="max-width: 100%" src="data:${image.contentType};base64,${image.content.toString("base64")}"></p>`),
    // Listed by number and kind, never by name: a file name ("notes-mrs-brown.txt") is not text the review reads as a sentence, and would reach the requester.
    attached.length
      ? `<h3>Attachments</h3><ul>${attached.map((attachment, index) => `<li>Attachment ${index + 1}: ${escapeHtml(kindOfFile(attachment.filename))}, ${Math.max(1, Math.round(attachment.size / 1024))} KB (a document of its own)</li>`).join("")}</ul>`
      : "",
  ].join("");
  const laidOut = await htmlToPdf(body);
  return { ...laidOut, attachments: attached.map((attachment, index) => ({ filename: attachment.filename ?? `attachment-${index + 1}`, bytes: new Uint8Array(attachment.content) })) };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** An HTML-only email's words, as text: scripts and styles dropped, blocks as lines, tags removed, entities read. Nothing is run or fetched. */
export function htmlAsText(html: string): string {
  return withoutBlocks(html)
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|table)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      const code = name.startsWith("#x") || name.startsWith("#X") ? parseInt(name.slice(2), 16) : name.startsWith("#") ? Number(name.slice(1)) : undefined;
      if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Removes script, style and head blocks in one pass (a regular expression over "<script" repeated without an end takes time squared). */
function withoutBlocks(html: string): string {
  const lower = html.toLowerCase();
  let out = "";
  let at = 0;
  for (;;) {
    const found = /<(script|style|head)\b/.exec(lower.slice(at));
    if (!found) {
      return out + html.slice(at);
    }
    const start = at + found.index;
    out += html.slice(at, start);
    const end = lower.indexOf(`</${found[1]}`, start);
    if (end === -1) {
      return out;
    }
    const close = lower.indexOf(">", end);
    at = close === -1 ? html.length : close + 1;
  }
}

let sofficeFound: Promise<boolean> | undefined;

/** Whether LibreOffice is installed (Debian's libreoffice-writer-nogui): without it Word documents cannot be read, and the page says what to install. */
export function libreOfficeAvailable(): Promise<boolean> {
  sofficeFound ??= new Promise((resolve) => execFile("soffice", ["--version"], { timeout: 30_000 }, (error) => resolve(!error)));
  return sofficeFound;
}

/**
 * LibreOffice headless, as a child process with a profile of its own (so two conversions never
 * share one), a time limit, and its whole process group killed when it runs over. It shows what
 * Word shows, tracked changes included (deleted text as struck-through text), so the reviewer
 * sees them too.
 */
async function libreOfficeToPdf(filename: string, bytes: Uint8Array): Promise<Uint8Array> {
  // A .docx or .odt is a zip: unpacked and counted first, so a zip bomb never reaches LibreOffice.
  // By content, not name: LibreOffice reads a zip whatever it is called (a .docx renamed .doc).
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip && !(await officeFileHas(Buffer.from(bytes), ""))) {
    throw new ConversionError("The file is not a readable Word or OpenDocument document (or it unpacks to more than Steward takes)");
  }
  if (!(await libreOfficeAvailable())) {
    throw new ConversionError("Word, OpenDocument and RTF files need LibreOffice, which is not installed on this server: ask the operator to install libreoffice-writer-nogui, or upload the document as a PDF");
  }
  const folder = await mkdtemp(path.join(tmpdir(), "steward-convert-"));
  try {
    const input = path.join(folder, `document.${extensionOf(filename)}`);
    await writeFile(input, bytes);
    await new Promise<void>((resolve, reject) => {
      const child = spawn("soffice", ["--headless", "--norestore", "--nolockcheck", `-env:UserInstallation=${pathToFileURL(path.join(folder, "profile")).href}`, "--convert-to", "pdf", "--outdir", path.join(folder, "out"), input], {
        detached: true,
        stdio: "ignore",
        // Nothing of Steward's own settings (the master key, the database's address) reaches a program reading untrusted files.
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: folder, LANG: "C.UTF-8" },
      });
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
        reject(new ConversionError(`LibreOffice took longer than ${LIMITS.libreOfficeSeconds} s to read the document`));
      }, LIMITS.libreOfficeSeconds * 1000);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(new ConversionError(`LibreOffice could not start: ${error.message}`));
      });
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const produced = (await readdir(path.join(folder, "out")).catch(() => [] as string[])).find((name) => name.endsWith(".pdf"));
    if (!produced) {
      throw new ConversionError("LibreOffice could not read the document (is it damaged, or protected by a password?)");
    }
    return new Uint8Array(await readFile(path.join(folder, "out", produced)));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
