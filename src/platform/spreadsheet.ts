import { strToU8, zipSync } from "fflate";

/*
 * Tables as CSV and as XLSX, for every export: the same columns in both. Hand-written, so Steward
 * needs no spreadsheet library; nothing in either can run as a formula.
 */

/** One cell: text, a calendar date ("2027-01-30"), or a wall-clock date and time ("2027-01-30T10:00:00", already in the school's time). */
export type Cell = string | number | { date: string } | { dateTime: string };

export interface Column<Item> {
  header: string;
  value: (item: Item) => Cell;
}

/** A spreadsheet cell that cannot run as a formula, quoted as RFC 4180 asks. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as the text a CSV holds: a date and time as "2027-01-30 10:00". */
export const cellText = (cell: Cell): string =>
  typeof cell === "string" ? cell : typeof cell === "number" ? String(cell) : "date" in cell ? cell.date : cell.dateTime.slice(0, 16).replace("T", " ");

export function tableAsCsv<Item>(columns: readonly Column<Item>[], items: readonly Item[]): string {
  const lines = [columns.map((column) => csvCell(column.header)).join(",")];
  for (const item of items) {
    lines.push(columns.map((column) => csvCell(cellText(column.value(item)))).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** Spreadsheets count days from 30 December 1899; a time of day is the fraction of a day. */
const SPREADSHEET_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

const serialOf = (cell: { date: string } | { dateTime: string }) => (Date.parse("date" in cell ? `${cell.date}T00:00:00Z` : `${cell.dateTime.slice(0, 19)}Z`) - SPREADSHEET_EPOCH) / DAY_MS;

const xml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** Column letters as spreadsheets write them: A…Z, then AA, AB… */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** Cell styles in xl/styles.xml: 1 the bold header, 2 a date, 3 a date and time, 4 wrapped text. */
const HEADER_STYLE = 1;
const DATE_STYLE = 2;
const MOMENT_STYLE = 3;
const WRAPPED_STYLE = 4;

function xlsxCell(cell: Cell, reference: string, style?: number): string {
  if (typeof cell === "number") {
    return `<c r="${reference}"><v>${cell}</v></c>`;
  }
  if (typeof cell !== "string") {
    const serial = serialOf(cell);
    return `<c r="${reference}" s="${"date" in cell ? DATE_STYLE : MOMENT_STYLE}"><v>${Number.isInteger(serial) ? serial : serial.toFixed(8)}</v></c>`;
  }
  const wrapped = style ?? (cell.length > 60 || cell.includes("\n") ? WRAPPED_STYLE : undefined);
  return `<c r="${reference}" t="inlineStr"${wrapped ? ` s="${wrapped}"` : ""}><is><t xml:space="preserve">${xml(cell)}</t></is></c>`;
}

/**
 * A minimal Office Open XML workbook: one sheet, text as inline strings, so nothing in it is ever
 * read as a formula (no spreadsheet injection); dates as real date cells (serial numbers with a
 * date format), so they sort and filter as dates; the header row frozen.
 */
export function tableAsXlsx<Item>(sheetName: string, columns: readonly Column<Item>[], items: readonly Item[]): Uint8Array {
  const header = `<row r="1">${columns.map((column, index) => xlsxCell(column.header, `${columnName(index)}1`, HEADER_STYLE)).join("")}</row>`;
  const body = items
    .map((item, rowIndex) => `<row r="${rowIndex + 2}">${columns.map((column, index) => xlsxCell(column.value(item), `${columnName(index)}${rowIndex + 2}`)).join("")}</row>`)
    .join("");
  const files: Record<string, string> = {
    "[Content_Types].xml":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xml(sheetName.replace(/[\\/?*[\]:]/g, " ").slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    "xl/_rels/workbook.xml.rels":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="d mmm yyyy"/><numFmt numFmtId="165" formatCode="d mmm yyyy hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="5"><xf/><xf fontId="1" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf></cellXfs></styleSheet>',
    "xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols><col min="1" max="${columns.length}" width="24" customWidth="1"/></cols><sheetData>${header + body}</sheetData></worksheet>`,
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, strToU8(content)])));
}
