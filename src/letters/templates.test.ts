import { describe, expect, it } from "vitest";
import {
  checkTemplate,
  LETTER_TEMPLATES,
  letterTemplate,
  lettersFor,
  infoRegulatorFor,
  MERGE_FIELDS,
  renderTemplate,
  unfilledParts,
  type LetterKind,
  type MergeField,
} from "./templates.ts";

const KINDS: LetterKind[] = [
  "acknowledgement",
  "identity-request",
  "clarification-request",
  "fee-request",
  "extension",
  "sar-response",
  "refusal-unfounded-excessive",
  "rights-response",
  "foi-response",
  "foi-refusal",
  "complaint-acknowledgement",
  "complaint-outcome",
];

const SIGN_OFF = "Yours sincerely,\n\n{{senderName}}\n{{senderRole}}\n{{organisationName}}";

const VALUES: Record<MergeField, string> = {
  requesterName: "Ms Amara Okafor",
  reference: "SAR-2026-014",
  receivedOn: "3 February 2026",
  dueOn: "3 March 2026",
  extendedTo: "5 May 2026",
  today: "10 February 2026",
  organisationName: "Hill Top Primary School",
  organisationAddress: "1 School Lane\nLeeds\nLS1 1AA",
  senderName: "Sam Patel",
  senderRole: "Data protection officer",
  requesterPageLink: "https://steward.example/r/abc123",
  releaseDays: "28",
  requestSummary: "Emails about my son's exclusion in January",
  infoRegulator: "the Information Commissioner's Office",
  dpoContact: "Jo Bloggs (dpo@hilltop.example)",
};

describe("the letter templates", () => {
  it("has exactly one template for every kind", () => {
    expect(LETTER_TEMPLATES.map((template) => template.kind).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) {
      expect(letterTemplate(kind).kind).toBe(kind);
    }
  });

  it("lists exactly the merge fields the app fills in", () => {
    expect(Object.keys(MERGE_FIELDS).sort()).toEqual(
      [
        "requesterName",
        "reference",
        "receivedOn",
        "dueOn",
        "extendedTo",
        "today",
        "organisationName",
        "organisationAddress",
        "senderName",
        "senderRole",
        "requesterPageLink",
        "releaseDays",
        "requestSummary",
        "infoRegulator",
        "dpoContact",
      ].sort(),
    );
  });

  it.each(KINDS)("%s: subject and body pass checkTemplate, and the body is letter-shaped", (kind) => {
    const template = letterTemplate(kind);
    expect(checkTemplate(template.subject)).toEqual([]);
    expect(checkTemplate(template.body)).toEqual([]);
    expect(template.body.startsWith("Dear {{requesterName}},\n\n")).toBe(true);
    expect(template.body.endsWith(`\n\n${SIGN_OFF}`)).toBe(true);
    // Paragraphs are separated by one blank line, never two.
    expect(template.body).not.toMatch(/\n\n\n/);
    expect(template.name).not.toBe("");
    expect(template.purpose).not.toBe("");
  });

  it("marks the letters that stop the clock, and only those", () => {
    const stops = Object.fromEntries(LETTER_TEMPLATES.filter((t) => t.stopsClock).map((t) => [t.kind, t.stopsClock]));
    expect(stops).toEqual({ "identity-request": "identity", "clarification-request": "clarification", "fee-request": "fee" });
  });

  it("marks the letters that are the response, and only those", () => {
    const responses = LETTER_TEMPLATES.filter((t) => t.isResponse).map((t) => t.kind);
    expect(responses.sort()).toEqual(["complaint-acknowledgement", "foi-refusal", "foi-response", "refusal-unfounded-excessive", "rights-response", "sar-response"]);
  });

  it("the subject access response names the ICO, its contact details and the judicial remedy, and links the download", () => {
    const body = letterTemplate("sar-response").body;
    expect(body).toContain("Information Commissioner's Office");
    expect(body).toContain("ico.org.uk/make-a-complaint");
    expect(body).toContain("0303 123 1113");
    expect(body).toContain("judicial remedy");
    expect(body).toContain("{{requesterPageLink}}");
    expect(body).toContain("{{releaseDays}} days");
    expect(body).toMatch(/correct.*delete.*restrict.*object/s);
  });

  it("the subject access response lists the unconfirmed 'complain to the school' wording", () => {
    const template = letterTemplate("sar-response");
    expect(template.body).toContain("please tell us first");
    expect(template.unverified.join(" ")).toMatch(/complain to the school/);
  });

  it("the refusal names the ICO and the judicial remedy", () => {
    const body = letterTemplate("refusal-unfounded-excessive").body;
    expect(body).toContain("Information Commissioner's Office");
    expect(body).toContain("judicial remedy");
  });

  it("the FOI refusal covers the exemption, the public interest, the review and the regulator for the case's law", () => {
    const body = letterTemplate("foi-refusal").body;
    expect(body).toContain("exemption");
    expect(body).toContain("public interest");
    expect(body).toContain("internal review");
    expect(body).toContain("{{infoRegulator}}");
    expect(infoRegulatorFor("foi-school")).toContain("Information Commissioner's Office");
    expect(infoRegulatorFor("eir")).toContain("Information Commissioner's Office");
    expect(infoRegulatorFor("foi-scotland")).toContain("Scottish Information Commissioner");
    expect(infoRegulatorFor("eir-scotland")).toContain("within six months");
  });

  it("the complaint acknowledgement does not cite the unconfirmed section number, and says so", () => {
    const template = letterTemplate("complaint-acknowledgement");
    expect(template.body).not.toContain("164A");
    expect(template.unverified.join(" ")).toMatch(/unconfirmed/);
  });

  it("gives no letters for a breach or for advice", () => {
    expect(lettersFor("breach")).toEqual([]);
    expect(lettersFor("advice")).toEqual([]);
  });

  it("gives each case type its letters", () => {
    const kinds = (type: Parameters<typeof lettersFor>[0]) => lettersFor(type).map((t) => t.kind);
    expect(kinds("foi-school")).toContain("foi-refusal");
    for (const type of ["foi", "foi-school", "eir", "foi-scotland", "eir-scotland"] as const) {
      expect(kinds(type)).toEqual(["acknowledgement", "foi-response", "foi-refusal"]);
    }
    expect(kinds("sar")).toEqual([
      "acknowledgement",
      "identity-request",
      "clarification-request",
      "fee-request",
      "extension",
      "sar-response",
      "refusal-unfounded-excessive",
    ]);
    expect(kinds("rights")).toEqual(["acknowledgement", "identity-request", "clarification-request", "extension", "refusal-unfounded-excessive", "rights-response"]);
    expect(kinds("educational-record")).toEqual(["acknowledgement", "sar-response"]);
    expect(kinds("complaint")).toEqual(["complaint-acknowledgement", "complaint-outcome"]);
  });
});

describe("renderTemplate", () => {
  it("fills in every field, with optional spaces inside the braces", () => {
    expect(renderTemplate("Dear {{requesterName}}, ref {{ reference }}.", VALUES)).toBe("Dear Ms Amara Okafor, ref SAR-2026-014.");
  });

  it("keeps a value literally, never reading placeholders or HTML inside it", () => {
    const summary = "Copy of {{reference}} <script>alert(1)</script> $& $1 {{ toString }}";
    expect(renderTemplate("You asked for: {{requestSummary}}", { ...VALUES, requestSummary: summary })).toBe(`You asked for: ${summary}`);
  });

  it("leaves no placeholder behind in any letter", () => {
    for (const template of LETTER_TEMPLATES) {
      expect(renderTemplate(template.body, VALUES)).not.toMatch(/\{\{|\}\}/);
      expect(renderTemplate(template.subject, VALUES)).toContain(VALUES.reference);
    }
  });

  it("throws when a value is missing rather than printing 'undefined'", () => {
    const { reference: _reference, ...withoutReference } = VALUES;
    expect(() => renderTemplate("Ref {{reference}}", withoutReference as Record<MergeField, string>)).toThrow(/no value for \{\{reference\}\}/);
  });
});

describe("checkTemplate refuses anything but a bare known field name", () => {
  it.each([
    ["{{ constructor }}", /not a field Steward knows/],
    ["{{__proto__}}", /not a field Steward knows/],
    ["{{toString}}", /not a field Steward knows/],
    ["{{foo}}", /\{\{foo\}\} is not a field Steward knows: use one of requesterName, reference/],
    ["{{a.b}}", /not allowed/],
    ["{{#each x}}", /not allowed/],
    ["{{#if}}", /not allowed/],
    ["{{ constructor.constructor('x')() }}", /not allowed/],
    ["{{}}", /not allowed/],
    ["Dear {{x}", /not closed/],
    ["Dear }}", /no "\{\{" before it/],
    ["{{requesterName} and {{reference}}", /not closed/],
  ])("%s", (text, message) => {
    const problems = checkTemplate(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join(" ")).toMatch(message);
    expect(() => renderTemplate(text, VALUES)).toThrow(/cannot be filled in/);
  });

  it("accepts plain text with single braces and no fields", () => {
    expect(checkTemplate("A { single } brace is only text.")).toEqual([]);
    expect(renderTemplate("A { single } brace is only text.", VALUES)).toBe("A { single } brace is only text.");
  });

  it("reports every problem, not just the first", () => {
    expect(checkTemplate("{{foo}} and {{a.b}} and }}")).toHaveLength(3);
  });
});

describe("unfilledParts", () => {
  it("finds each square-bracketed part", () => {
    expect(unfilledParts("We need [say what] by [date].")).toEqual(["[say what]", "[date]"]);
    expect(unfilledParts("Nothing to fill in.")).toEqual([]);
  });

  // The letters that need the DPO's own words, and the ones that can go as they are.
  const NEEDS_WORDS: LetterKind[] = [
    "identity-request",
    "clarification-request",
    "fee-request",
    "extension",
    "sar-response",
    "refusal-unfounded-excessive",
    "rights-response",
    "foi-refusal",
    "complaint-outcome",
  ];

  it.each(KINDS)("%s: a rendered letter lists the brackets left in it", (kind) => {
    const template = letterTemplate(kind);
    const rendered = renderTemplate(template.body, VALUES);
    const left = unfilledParts(rendered);
    expect(left).toEqual(unfilledParts(template.body));
    expect(left.length > 0).toBe(NEEDS_WORDS.includes(kind));
    expect(unfilledParts(template.subject)).toEqual([]);
  });
});
