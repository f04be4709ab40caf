import { strToU8, zipSync } from "fflate";
import { csvCell } from "../audit/trail.ts";
import type { CaseSummary } from "./cases.ts";

/** The columns of an exported case list, the same in CSV and XLSX. */
const COLUMNS: { header: string; value: (item: CaseSummary) => string }[] = [
  { header: "Reference", value: (item) => item.reference },
  { header: "School", value: (item) => item.organisationName },
  { header: "Type", value: (item) => item.typeName },
  { header: "Stage", value: (item) => item.statusName },
  { header: "Requester", value: (item) => item.requesterName },
  { header: "Received", value: (item) => item.receivedOn },
  { header: "Due", value: (item) => (item.dueAt ? new Date(item.dueAt).toISOString() : (item.dueOn ?? "clock stopped")) },
  { header: "Time left", value: (item) => item.countdown?.text ?? "" },
  { header: "Assigned to", value: (item) => item.assigneeName ?? "" },
  { header: "Closed", value: (item) => (item.closedAt ? new Date(item.closedAt).toISOString() : "") },
  { header: "Outcome", value: (item) => item.outcomeName ?? "" },
];

export function casesAsCsv(cases: readonly CaseSummary[]): string {
  const lines = [COLUMNS.map((column) => csvCell(column.header)).join(",")];
  for (const item of cases) {
    lines.push(COLUMNS.map((column) => csvCell(column.value(item))).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

const xml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/**
 * A minimal Office Open XML workbook: one sheet, every cell an inline string, so nothing in it is
 * ever read as a formula (no spreadsheet injection), and the header row frozen.
 */
export function casesAsXlsx(cases: readonly CaseSummary[]): Uint8Array {
  const rows = [COLUMNS.map((column) => column.header), ...cases.map((item) => COLUMNS.map((column) => column.value(item)))];
  const columnName = (index: number) => String.fromCharCode(65 + index);
  const sheetRows = rows
    .map(
      (cells, rowIndex) =>
        `<row r="${rowIndex + 1}">${cells
          .map((cell, cellIndex) => `<c r="${columnName(cellIndex)}${rowIndex + 1}" t="inlineStr"${rowIndex === 0 ? ' s="1"' : ""}><is><t xml:space="preserve">${xml(cell)}</t></is></c>`)
          .join("")}</row>`,
    )
    .join("");
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
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf/><xf fontId="1" applyFont="1"/></cellXfs></styleSheet>',
    "xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>${sheetRows}</sheetData></worksheet>`,
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, strToU8(content)])));
}
