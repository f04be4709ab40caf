import { deflateRawSync } from "node:zlib";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { checkAttachment, cleanFilename, MAX_UNPACKED_BYTES } from "./attachments.ts";

/**
 * A ZIP of deflated entries whose headers declare whatever sizes the test says, as a zip bomb's
 * do: each entry is `unpacked` zero bytes, deflated.
 */
function lyingZip(entries: { name: string; unpacked: number; declared: number }[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = deflateRawSync(Buffer.alloc(entry.unpacked), { level: 1 });
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(entry.declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(entry.declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    directory.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

function jpeg({ width = 640, height = 480 } = {}): Buffer {
  const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), Buffer.from([(payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
  const frame = Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from("JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000", "latin1")),
    segment(0xe1, Buffer.from("Exif\u0000\u0000GPSLatitude 53.8008 Leeds Jo Photographer", "latin1")),
    segment(0xfe, Buffer.from("taken by Jo Photographer", "latin1")),
    segment(0xc0, frame),
    Buffer.from([0xff, 0xda, 0x00, 0x02, 0x12, 0x34, 0x56, 0xff, 0xd9]),
  ]);
}

function png({ width = 100, height = 100 } = {}): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, "latin1"), data, Buffer.alloc(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("tEXt", Buffer.from("Author\u0000Jo Photographer", "latin1")),
    chunk("IDAT", Buffer.from([1, 2, 3])),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("checking an attachment", () => {
  it("takes a PDF whose bytes say PDF, and keeps it as it is", async () => {
    const pdf = Buffer.from("%PDF-1.7\n%%EOF\n");
    expect(await checkAttachment("letter.pdf", pdf)).toEqual({ ok: true, type: "pdf", bytes: pdf });
  });

  it.each([
    ["a .pdf that is a ZIP", "letter.pdf", Buffer.from("PK\u0003\u0004rest")],
    ["a .png that is a PDF", "photo.png", Buffer.from("%PDF-1.7")],
    ["a .txt with binary in it", "notes.txt", Buffer.from([0x61, 0x00, 0x62])],
    ["a .docx that is not Word", "report.docx", Buffer.from(zipSync({ "xl/workbook.xml": strToU8("<x/>") }))],
  ])("refuses %s", async (_why, name, bytes) => {
    expect(await checkAttachment(name, bytes)).toMatchObject({ ok: false, message: expect.stringContaining("not really") });
  });

  it("refuses types outside the list, empty files and files over 10 MB", async () => {
    expect(await checkAttachment("setup.exe", Buffer.from("MZ"))).toMatchObject({ ok: false });
    expect(await checkAttachment("page.html", Buffer.from("<script>"))).toMatchObject({ ok: false });
    expect(await checkAttachment("drawing.svg", Buffer.from("<svg/>"))).toMatchObject({ ok: false });
    expect(await checkAttachment("empty.pdf", Buffer.alloc(0))).toMatchObject({ ok: false, message: "The selected file is empty" });
    expect(await checkAttachment("big.txt", Buffer.alloc(10 * 1024 * 1024 + 1, 97))).toMatchObject({ ok: false, message: expect.stringContaining("10 MB") });
  });

  it("takes a real Word file, and refuses one that climbs out of its folder or unpacks to hundreds of megabytes", async () => {
    expect(await checkAttachment("report.docx", Buffer.from(zipSync({ "word/document.xml": strToU8("<w:document/>") })))).toMatchObject({ ok: true, type: "docx" });
    expect(await checkAttachment("report.docx", Buffer.from(zipSync({ "word/document.xml": strToU8("<w/>"), "../../etc/evil": strToU8("x") })))).toMatchObject({ ok: false });
    const bomb = Buffer.from(zipSync({ "word/document.xml": strToU8("<w/>") }));
    // Claim 300 MB unpacked in the central directory, as a zip bomb does.
    const directory = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(300 * 1024 * 1024, directory + 24);
    expect(await checkAttachment("report.docx", bomb)).toMatchObject({ ok: false });
  });

  it("inflates every entry of an Office file, refusing one whose zip says it is small but unpacks past the cap", async () => {
    const honest = lyingZip([{ name: "word/document.xml", unpacked: 5000, declared: 5000 }]);
    expect(await checkAttachment("report.docx", honest)).toMatchObject({ ok: true, type: "docx" });
    // 210 MB of zeros, about 1 MB deflated, declared as 1 KB: a zip bomb that lies.
    const bomb = lyingZip([
      { name: "word/document.xml", unpacked: 1000, declared: 1000 },
      { name: "word/media/image1.png", unpacked: MAX_UNPACKED_BYTES + 10 * 1024 * 1024, declared: 1024 },
    ]);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    expect(await checkAttachment("report.docx", bomb)).toMatchObject({ ok: false });
    // Under the cap, but not the size it says: refused too.
    expect(await checkAttachment("report.docx", lyingZip([{ name: "word/document.xml", unpacked: 2 * 1024 * 1024, declared: 10 }]))).toMatchObject({ ok: false });
    // Many entries, each under the cap, adding up past it.
    const many = lyingZip(Array.from({ length: 3 }, (_, index) => ({ name: `xl/sheet${index}.xml`, unpacked: 70 * 1024 * 1024, declared: 70 * 1024 * 1024 })));
    expect(await checkAttachment("sheet.xlsx", many)).toMatchObject({ ok: false });
  }, 30_000);

  it("removes a photo's EXIF (GPS, author) and comments, keeping the picture", async () => {
    const result = await checkAttachment("photo.jpg", jpeg());
    expect(result.ok).toBe(true);
    const kept = result.ok ? result.bytes : Buffer.alloc(0);
    expect(kept.includes("GPSLatitude")).toBe(false);
    expect(kept.includes("Jo Photographer")).toBe(false);
    expect(kept.includes("JFIF")).toBe(true);
    expect(kept.subarray(-9).equals(Buffer.from([0xff, 0xda, 0x00, 0x02, 0x12, 0x34, 0x56, 0xff, 0xd9]))).toBe(true);
  });

  it("removes a PNG's text chunks, and refuses a picture too big to open safely", async () => {
    const result = await checkAttachment("scan.png", png());
    expect(result.ok && result.bytes.includes("Jo Photographer")).toBe(false);
    expect(result.ok && result.bytes.includes("IDAT")).toBe(true);
    expect(await checkAttachment("scan.png", png({ width: 100_000, height: 100_000 }))).toMatchObject({ ok: false, message: expect.stringContaining("megapixels") });
    expect(await checkAttachment("photo.jpeg", jpeg({ width: 60_000, height: 60_000 }))).toMatchObject({ ok: false });
  });
});

describe("file names", () => {
  it.each([
    ["../../etc/passwd", "passwd"],
    ["C:\\Users\\jo\\letter.pdf", "letter.pdf"],
    ["na\u0000me\r\n.pdf", "name.pdf"],
    ["..", "attachment"],
    // Bidirectional overrides and isolates, which make a name read other than it is.
    ["invoice\u202Efdp.docx", "invoicefdp.docx"],
    ["\u202A\u202B\u202C\u202Dletter\u2066\u2067\u2068\u2069.pdf", "letter.pdf"],
    ["\u202E\u2066", "attachment"],
  ])("keeps %j only as a plain name: %j", (given, kept) => {
    expect(cleanFilename(given)).toBe(kept);
  });
});
