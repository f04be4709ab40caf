import { csvCell } from "../platform/spreadsheet.ts";
import { formatDate } from "../calendar/dates.ts";
import { periodText, type GovernorsReport, type ReportFigures } from "./governors.ts";
import { textPdf, type PdfLine } from "./pdf.ts";

/** "8 of 10 (80%)", or "None answered". */
export const onTimeText = (figures: ReportFigures) => (figures.answered ? `${figures.onTime} of ${figures.answered} (${figures.shareOnTime}%)` : "None answered");
export const medianText = (figures: ReportFigures) => (figures.medianDays === null ? "None answered" : `${figures.medianDays} day${figures.medianDays === 1 ? "" : "s"}`);
export const icoText = (figures: ReportFigures) => (figures.icoReports ? `${figures.icoReports} (${figures.icoReportsOnTime} within 72 hours)` : "0");

/** Each organisation's row, then the whole trust's: the CSV and the PDF read the report the same way. */
function rowsOf(report: GovernorsReport): { name: string; period: string; figures: ReportFigures }[] {
  const rows = report.organisations.map((organisation) => ({ name: organisation.name, period: periodText(organisation.period), figures: organisation.figures }));
  return report.total ? [...rows, { name: "Whole trust", period: report.periodName, figures: report.total }] : rows;
}

export function reportAsCsv(report: GovernorsReport): string {
  const types = report.organisations[0]?.figures.byType ?? [];
  const header = [
    "School", "Period", "Cases received", ...types.map((type) => type.typeName),
    "Answered", "Answered on time", "Share on time (%)", "Closed with no date recorded", "Median days to respond",
    "Breaches", "Reported to the ICO", "Reported within 72 hours", "Complaints", "Still open",
  ];
  const lines = [header.map(csvCell).join(",")];
  for (const { name, period, figures } of rowsOf(report)) {
    lines.push(
      [
        name, period, figures.received, ...figures.byType.map((type) => type.count),
        figures.answered, figures.onTime, figures.shareOnTime ?? "", figures.notRecorded, figures.medianDays ?? "",
        figures.breaches, figures.icoReports, figures.icoReportsOnTime, figures.complaints, figures.stillOpen,
      ].map(csvCell).join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

export function reportAsPdf(report: GovernorsReport): Uint8Array {
  const lines: PdfLine[] = [
    { text: report.title, size: 16, bold: true },
    { text: report.periodName, size: 12, gapBefore: 4 },
    { text: `Made by Steward on ${formatDate(report.generatedOn)}. Counts only: no one is named.`, size: 9, gapBefore: 2 },
  ];
  const figure = (label: string, value: string | number): PdfLine => ({ text: label, columns: [{ at: 260, text: String(value) }] });
  for (const { name, period, figures } of rowsOf(report)) {
    lines.push({ text: name, size: 13, bold: true, gapBefore: 14 }, { text: period, size: 9 });
    lines.push(
      figure("Cases received", figures.received),
      ...figures.byType.filter((type) => type.count > 0).map((type) => figure(`    ${type.typeName}`, type.count)),
      figure("Requests answered on time", onTimeText(figures)),
      figure("Median days to respond", medianText(figures)),
      figure("Personal data breaches", figures.breaches),
      figure("Reported to the ICO", icoText(figures)),
      figure("Data protection complaints", figures.complaints),
      figure("Still open", figures.stillOpen),
    );
    if (figures.notRecorded) {
      lines.push({ text: `${figures.notRecorded} closed before Steward recorded when responses were sent: not counted in the share on time.`, size: 9 });
    }
  }
  lines.push({ text: "The registers today", size: 13, bold: true, gapBefore: 16 });
  for (const organisation of report.organisations) {
    const summary = organisation.registers;
    lines.push(
      { text: organisation.name, bold: true, gapBefore: 8 },
      figure("Reviews overdue", summary.reviewsOverdue),
      figure("DPIAs not yet signed", `${summary.dpiasOpen}${summary.dpiasNeedingIco ? ` (${summary.dpiasNeedingIco} needing the ICO's advice first)` : ""}`),
      figure("Trained, of those who open sensitive records", `${summary.sensitiveRolesTrained} of ${summary.sensitiveRoles}`),
      figure("Training refreshers overdue", summary.trainingOverdue),
    );
    if (summary.latestAudit) {
      lines.push({ text: `Red items in "${summary.latestAudit.title}": ${summary.latestAudit.red.length ? "" : "none."}`, size: 10 });
      for (const item of summary.latestAudit.red) lines.push({ text: `- ${item.area}: ${item.question} Action: ${item.action}${item.actionDueOn ? ` (by ${formatDate(item.actionDueOn)})` : ""}`, size: 9 });
    }
  }
  lines.push({ text: "On time: the response was sent on or before the deadline in force (with any clock stops and extensions). Median days: calendar days from receipt to the response being sent.", size: 9, gapBefore: 16 });
  return textPdf(report.title, lines);
}
