import { strToU8, zipSync } from "fflate";
import { csvCell } from "../audit/trail.ts";
import { formatLondonDateTime } from "../calendar/dates.ts";
import type { CaseSummary } from "./cases.ts";

/** One exported cell: text, a calendar date, or a moment (shown in London time). */
type Cell = string | { date: string } | { moment: Date };

const dateCell = (date: string | null): Cell => (date ? { date } : "");
const momentCell = (moment: Date | null): Cell => (moment ? { moment: new Date(moment) } : "");

/** The columns of an exported case list, the same in CSV and XLSX. */
const COLUMNS: { header: string; value: (item: CaseSummary) => Cell }[] = [
  { header: "Reference", value: (item) => item.reference },
  { header: "School", value: (item) => item.organisationName },
  { header: "Type", value: (item) => item.typeName },
  { header: "Stage", value: (item) => item.statusName },
  { header: "Requester", value: (item) => item.requesterName },
  // A breach runs from the moment the school became aware; everything else from the day it came.
  { header: "Received", value: (item) => (item.type === "breach" ? momentCell(item.receivedAt) : dateCell(item.receivedOn)) },
  { header: "Due", value: (item) => (item.dueAt ? momentCell(item.dueAt) : item.dueOn ? dateCell(item.dueOn) : "Clock stopped") },
  { header: "Time left", value: (item) => item.countdown?.text ?? "" },
  { header: "Assigned to", value: (item) => item.assigneeName ?? "" },
  { header: "Closed", value: (item) => momentCell(item.closedAt) },
  { header: "Outcome", value: (item) => item.outcomeName ?? "" },
  { header: "Responded on", value: (item) => (item.response.sentOn ? dateCell(item.response.sentOn) : item.response.timeliness === "not-recorded" ? "Not recorded" : "") },
  { header: "How sent", value: (item) => item.response.channelName ?? "" },
  { header: "Reported to the ICO", value: (item) => dateCell(item.icoReportedOn) },
  { header: "On time", value: (item) => item.response.timelinessName ?? "" },
];

/** A moment as London wall-clock time, "2027-01-30 10:00": what the school's own clocks said. */
const londonMinute = (moment: Date) => formatLondonDateTime(moment).slice(0, 16).replace("T", " ");

const asText = (cell: Cell): string => (typeof cell === "string" ? cell : "date" in cell ? cell.date : londonMinute(cell.moment));

export function casesAsCsv(cases: readonly CaseSummary[]): string {
  const lines = [COLUMNS.map((column) => csvCell(column.header)).join(",")];
  for (const item of cases) {
    lines.push(COLUMNS.map((column) => csvCell(asText(column.value(item)))).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** Spreadsheets count days from 30 December 1899; a time of day is the fraction of a day. */
const SPREADSHEET_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function serialOf(cell: { date: string } | { moment: Date }): number {
  // A moment becomes London wall-clock time first: a spreadsheet date has no time zone.
  const wallClock = "date" in cell ? `${cell.date}T00:00:00Z` : `${formatLondonDateTime(cell.moment).slice(0, 19)}Z`;
  return (Date.parse(wallClock) - SPREADSHEET_EPOCH) / DAY_MS;
}

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

/** Cell styles in xl/styles.xml: 1 the bold header, 2 a date, 3 a date and time. */
const HEADER_STYLE = 1;
const DATE_STYLE = 2;
const MOMENT_STYLE = 3;

function xlsxCell(cell: Cell, reference: string, style?: number): string {
  if (typeof cell !== "string") {
    const serial = serialOf(cell);
    return `<c r="${reference}" s="${"date" in cell ? DATE_STYLE : MOMENT_STYLE}"><v>${Number.isInteger(serial) ? serial : serial.toFixed(8)}</v></c>`;
  }
  return `<c r="${reference}" t="inlineStr"${style ? ` s="${style}"` : ""}><is><t xml:space="preserve">${xml(cell)}</t></is></c>`;
}

/**
 * A minimal Office Open XML workbook: one sheet, text as inline strings, so nothing in it is ever
 * read as a formula (no spreadsheet injection); dates as real date cells (serial numbers with a
 * date format), so they sort and filter as dates; the header row frozen.
 */
export function casesAsXlsx(cases: readonly CaseSummary[]): Uint8Array {
  const header = `<row r="1">${COLUMNS.map((column, index) => xlsxCell(column.header, `${columnName(index)}1`, HEADER_STYLE)).join("")}</row>`;
  const body = cases
    .map((item, rowIndex) => `<row r="${rowIndex + 2}">${COLUMNS.map((column, index) => xlsxCell(column.value(item), `${columnName(index)}${rowIndex + 2}`)).join("")}</row>`)
    .join("");
  const sheetRows = header + body;
  const files: Record<string, string> = {
    "[Content_Types].xml":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml":
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="d mmm yyyy"/><numFmt numFmtId="165" formatCode="d mmm yyyy hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="4"><xf/><xf fontId="1" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
    "xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols><col min="1" max="${COLUMNS.length}" width="20" customWidth="1"/></cols><sheetData>${sheetRows}</sheetData></worksheet>`,
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, strToU8(content)])));
}
