import { formatLondonDateTime } from "../calendar/dates.ts";
import { tableAsCsv, tableAsXlsx, type Cell as SpreadsheetCell, type Column } from "../platform/spreadsheet.ts";
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

/** A moment as the school's wall-clock time: a spreadsheet date has no time zone. */
const wallClock = (cell: Cell): SpreadsheetCell => (typeof cell === "string" || "date" in cell ? cell : { dateTime: formatLondonDateTime(cell.moment).slice(0, 19) });

const columns: Column<CaseSummary>[] = COLUMNS.map((column) => ({ header: column.header, value: (item) => wallClock(column.value(item)) }));

export const casesAsCsv = (cases: readonly CaseSummary[]): string => tableAsCsv(columns, cases);

export const casesAsXlsx = (cases: readonly CaseSummary[]): Uint8Array => tableAsXlsx("Cases", columns, cases);
