import { describe, expect, it } from "vitest";
import { trickyPdf } from "../../testing/tricky-pdfs.ts";
import { redactPdf } from "../redact-command.ts";
import { assembleBundle } from "./bundle.ts";
import { readDocumentText } from "./page-text.ts";
import { popplerPages, verifyRedaction } from "./verify.ts";

describe("the disclosure bundle", () => {
  it("has a cover, an index with page ranges, every page numbered with the reference, and a schedule that never shows removed text", async () => {
    const letter = await redactPdf(await trickyPdf({ pages: [[{ text: "Letter about the trip. Priya Okafor rang.", y: 700 }], [{ text: "Second page of the letter.", y: 700 }]] }), ["Priya Okafor"]);
    const note = await trickyPdf({ pages: [[{ text: "Teacher's note: Jamie settled well.", y: 700 }]] });
    const { pdf, pages } = await assembleBundle({
      reference: "SAR-HIL-2026-0007",
      organisationName: "Hillside Primary School",
      preparedOn: "2 December 2026",
      documents: [
        { title: "Letter to parents, 3 March 2026", pdf: letter.pdf! },
        { title: "Class teacher's note", pdf: note },
      ],
      schedule: [{ document: 0, page: 0, kind: "Name", code: "3P", reason: "Another person's information (DPA 2018 Schedule 2 paragraph 16)" }],
    });
    expect(pages).toBe(6);
    const text = await readDocumentText(pdf);
    expect(text.pages[0]).toContain("Hillside Primary School");
    expect(text.pages[0]).toContain("Reference: SAR-HIL-2026-0007");
    expect(text.pages[1]).toContain("1. Letter to parents, 3 March 2026: pages 3 to 4");
    expect(text.pages[1]).toContain("2. Class teacher's note: page 5");
    expect(text.pages[2]).toContain("Letter about the trip.");
    expect(text.pages[4]).toContain("Jamie settled well.");
    expect(text.pages[5]).toContain("Page 3: Letter to parents, 3 March 2026. Name. [3P] Another person's information");
    text.pages.forEach((page, index) => expect(page).toContain(`SAR-HIL-2026-0007 page ${index + 1} of 6`));
    // The independent extractor agrees, and nothing removed came back with the bundle.
    expect((await popplerPages(pdf))?.join("\n")).toContain("SAR-HIL-2026-0007 page 6 of 6");
    expect(text.text).not.toContain("Okafor");
    const structure = await verifyRedaction(pdf, pdf, [], []);
    expect(structure.problems).toEqual([]);
  });
});
