/**
 * Photos carry metadata people do not know they are sharing: the camera's GPS position, the
 * author's name, the time. Before an image is kept, its metadata blocks are removed whole; the
 * picture data itself is left untouched (no re-encoding, so nothing about the image changes).
 */

/** The largest picture kept: a 40-megapixel phone photo fits; a decompression bomb does not. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export type ImageResult = { ok: true; bytes: Buffer } | { ok: false; message: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Text, EXIF and timestamp chunks: what a PNG can say about who, where and when. */
const PNG_METADATA_CHUNKS = new Set(["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]);

export function stripPngMetadata(bytes: Buffer): ImageResult {
  const kept: Buffer[] = [PNG_SIGNATURE];
  let offset = PNG_SIGNATURE.length;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.subarray(offset + 4, offset + 8).toString("latin1");
    const end = offset + 12 + length;
    if (end > bytes.length) {
      return { ok: false, message: "The selected image is damaged" };
    }
    if (type === "IHDR" && bytes.readUInt32BE(offset + 8) * bytes.readUInt32BE(offset + 12) > MAX_IMAGE_PIXELS) {
      return { ok: false, message: "The selected image is too large: it must be under 50 megapixels" };
    }
    if (!PNG_METADATA_CHUNKS.has(type)) {
      kept.push(bytes.subarray(offset, end));
    }
    offset = end;
    if (type === "IEND") {
      return { ok: true, bytes: Buffer.concat(kept) };
    }
  }
  return { ok: false, message: "The selected image is damaged" };
}

/**
 * JPEG: keeps APP0 (JFIF) and APP14 (Adobe colour), drops the other APPn segments (EXIF with
 * GPS, XMP, IPTC, maker notes) and comments, and copies everything from the image data on.
 */
export function stripJpegMetadata(bytes: Buffer): ImageResult {
  const kept: Buffer[] = [bytes.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      return { ok: false, message: "The selected image is damaged" };
    }
    const marker = bytes[offset + 1]!;
    if (marker === 0xda) {
      kept.push(bytes.subarray(offset));
      return { ok: true, bytes: Buffer.concat(kept) };
    }
    const length = bytes.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) {
      return { ok: false, message: "The selected image is damaged" };
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && bytes.readUInt16BE(offset + 5) * bytes.readUInt16BE(offset + 7) > MAX_IMAGE_PIXELS) {
      return { ok: false, message: "The selected image is too large: it must be under 50 megapixels" };
    }
    const isMetadata = (marker >= 0xe1 && marker <= 0xef && marker !== 0xee) || marker === 0xfe;
    if (!isMetadata) {
      kept.push(bytes.subarray(offset, end));
    }
    offset = end;
  }
  return { ok: false, message: "The selected image is damaged" };
}
