import { convertToPdf, extensionOf, htmlAsText } from "../../redaction/convert.ts";
import { readDocumentText } from "../../redaction/pdf/page-text.ts";
import { badRequest } from "../../platform/errors.ts";

/** The kinds of upload a privacy notice can come as. */
export const NOTICE_EXTENSIONS = ["txt", "md", "html", "htm", "pdf", "docx", "doc", "odt", "rtf"] as const;

/** Beyond this a file is not a privacy notice (a 30-page notice as HTML is well under 1 MB). */
const MAX_TEXT_BYTES = 5 * 1024 * 1024;

/**
 * An uploaded privacy notice as plain text: text and Markdown as UTF-8; HTML through the same
 * tag-stripping reader as emails (nothing is run or fetched); PDF, Word, OpenDocument and RTF
 * through Steward's conversion to PDF and MuPDF's reading of its text (pages joined).
 */
export async function noticeText(filename: string, bytes: Uint8Array): Promise<string> {
  const extension = extensionOf(filename);
  switch (extension) {
    case "txt":
    case "md":
      return decodeText(limited(bytes));
    case "html":
    case "htm":
      return htmlAsText(decodeText(limited(bytes)));
    case "pdf":
    case "docx":
    case "doc":
    case "odt":
    case "rtf": {
      const converted = await convertToPdf(filename, bytes);
      return (await readDocumentText(converted.pdf)).text;
    }
    default:
      throw badRequest(
        `Steward cannot read a privacy notice from ${extension && extension !== filename.toLowerCase() ? `a .${extension} file` : "a file without an extension"}: upload it as text (.txt, .md), a web page (.html), PDF, Word (.docx, .doc), OpenDocument (.odt) or RTF, or paste the text instead`,
      );
  }
}

function limited(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_TEXT_BYTES) {
    throw badRequest(`The file is larger than ${MAX_TEXT_BYTES / 1024 / 1024} MB, which is too large for a privacy notice: paste the notice's text instead`);
  }
  return bytes;
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/^\uFEFF/, "");
}
