import { describe, expect, it } from "vitest";
import { downloadDisposition, uploadedFile } from "./files.ts";

describe("downloads", () => {
  it("downloads under a name no header can be broken by, in any language", () => {
    expect(downloadDisposition('say "hi".pdf')).toBe(`attachment; filename="say _hi_.pdf"; filename*=UTF-8''say%20%22hi%22.pdf`);
    expect(downloadDisposition("Zoë’s letter.pdf")).toContain("filename*=UTF-8''Zo%C3%AB%E2%80%99s%20letter.pdf");
  });
});

describe("uploads", () => {
  const file = { filename: "letter.pdf", bytes: Buffer.from("%PDF-1.4") };

  it("takes the one file a form sent, beside its CSRF token", () => {
    expect(uploadedFile({ _csrf: "t", file })).toEqual(file);
  });

  it("says when a file was larger than the limit, so its form can say so on the file field", () => {
    expect(uploadedFile({ _csrf: "t", file: { ...file, tooLarge: true } })).toEqual({ ...file, tooLarge: true });
    expect(uploadedFile({ _csrf: "t", file: { ...file, tooLarge: "yes" } })).toEqual(file);
  });

  it("takes nothing when there is no file, a field beside it, or something that is not a file", () => {
    expect(uploadedFile({ _csrf: "t" })).toBeUndefined();
    expect(uploadedFile(undefined)).toBeUndefined();
    expect(uploadedFile({ _csrf: "t", file, caseId: "someone else's" })).toBeUndefined();
    expect(uploadedFile({ _csrf: "t", file: "letter.pdf" })).toBeUndefined();
    expect(uploadedFile({ _csrf: "t", file: { filename: 7, bytes: file.bytes } })).toBeUndefined();
  });
});
