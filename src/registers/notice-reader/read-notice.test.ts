import { describe, expect, it } from "vitest";
import { loadMupdf } from "../../redaction/pdf/mupdf.ts";
import { StewardError } from "../../platform/errors.ts";
import { evaluateNotices, evaluateNoticesCommand, fixtureNotices } from "./evaluate-notices.ts";
import { noticeText } from "./notice-text.ts";
import { readPrivacyNotice, type NoticeFactKind, type NoticeReading } from "./read-notice.ts";

const valuesOf = (reading: NoticeReading, kind: NoticeFactKind) => reading.facts.filter((fact) => fact.kind === kind).map((fact) => fact.value);
const factOf = (reading: NoticeReading, kind: NoticeFactKind, value: string) => reading.facts.find((fact) => fact.kind === kind && fact.value === value);
const codes = (reading: NoticeReading) => reading.flags.map((flag) => flag.code);

describe("the four real notices, against labels made by hand", () => {
  it("finds every labelled fact and nothing else, in every kind", async () => {
    const evaluation = evaluateNotices(await fixtureNotices());
    // Reached on these four: precision 1 and recall 1 for every kind (157 labels).
    for (const score of evaluation.scores) {
      expect({ kind: score.kind, precision: score.precision, recall: score.recall }).toEqual({ kind: score.kind, precision: 1, recall: 1 });
    }
    expect(evaluation.misses).toEqual([]);
    expect(evaluation.extras).toEqual([]);
  });

  it("prints the table through the command", async () => {
    const lines: string[] = [];
    expect(await evaluateNoticesCommand([], (line) => lines.push(line))).toBe(0);
    expect(lines.join("\n")).toMatch(/all\s+157\s+\d+\s+100\.0%\s+100\.0%/);
  });

  it("flags what the real notices leave out", async () => {
    const notices = Object.fromEntries((await fixtureNotices()).map((notice) => [notice.id, readPrivacyNotice(notice.text)]));
    expect(codes(notices["ecdop"]!)).toEqual(expect.arrayContaining(["no-retention", "no-ico-registration", "no-ico-complaint", "no-lawful-basis"]));
    expect(codes(notices["cpoms"]!)).toEqual(expect.arrayContaining(["no-transfers", "no-ico-registration", "no-encryption", "us-link"]));
    expect(codes(notices["dpocoms"]!)).toEqual(expect.arrayContaining(["us-analytics", "no-ico-registration"]));
    expect(codes(notices["school-pupil-tracker"]!)).not.toContain("no-ico-registration");
    expect(codes(notices["school-pupil-tracker"]!)).not.toContain("no-retention");
  });
});

describe("held-out notices, worded differently", () => {
  it("reads a US edtech app with Google Analytics, AWS and standard contractual clauses", () => {
    const reading = readPrivacyNotice(`# BrightPath Learning Privacy Policy

BrightPath Learning, Inc. ("BrightPath", "we", "us") provides the BrightPath reading app to schools. When a school uses BrightPath, the school is the data controller and BrightPath acts as a data processor on behalf of the school.

## Information we collect
We collect student names, class and year group, reading scores and usage data such as pages viewed and time spent in the app. Teachers give us their email address and a password.

## Analytics
We use Google Analytics and Hotjar to understand how teachers use our website.

## Where your data is stored
Our service is hosted on Amazon Web Services (AWS) in the United States. Where personal data from the UK is transferred to the US we rely on the European Commission's Standard Contractual Clauses together with the UK Addendum.

## Security
All data is encrypted in transit using TLS 1.2 and at rest using AES-256. We are SOC 2 Type II audited and run annual penetration tests.

## Retention
We delete student data within 90 days after the school ends its subscription. Teacher accounts are kept for up to 24 months after the last sign-in.
`);
    expect(valuesOf(reading, "controller")).toContain("BrightPath Learning, Inc");
    expect(valuesOf(reading, "role")).toEqual(["processor"]);
    expect(valuesOf(reading, "analytics")).toEqual(["Google Analytics", "Hotjar"]);
    expect(valuesOf(reading, "hosting")).toContain("Amazon Web Services");
    expect(factOf(reading, "transfer", "outside UK/EEA")?.detail).toBe("standard contractual clauses");
    expect(valuesOf(reading, "security")).toEqual(expect.arrayContaining(["encryption in transit", "encryption at rest", "SOC 2", "penetration testing"]));
    expect(valuesOf(reading, "retention")).toEqual(["90 days", "24 months"]);
    expect(factOf(reading, "data-category", "pupil data") ?? factOf(reading, "data-category", "name")).toBeDefined();
    expect(valuesOf(reading, "data-category")).toEqual(expect.arrayContaining(["email address", "usage data", "assessment data"]));
    expect(codes(reading)).toEqual(expect.arrayContaining(["us-analytics", "provider-outside-uk", "no-ico-registration", "no-ico-complaint"]));
    expect(codes(reading)).not.toContain("no-encryption");
    expect(codes(reading)).not.toContain("no-retention");
  });

  it("reads a UK MIS with a Companies House number, ISO 27001 and Azure in the UK", () => {
    const reading = readPrivacyNotice(`Fernleigh Education Systems Ltd – Privacy Notice for Schools

Fernleigh Education Systems Ltd is a company registered in England and Wales (company number 09876543). Our registered office is at Unit 4, Riverside Park, Leeds, LS1 4AB. We are registered with the Information Commissioner's Office (registration number ZA123456).

Fernleigh acts as a data processor for the schools and trusts that use Fernleigh MIS: each school remains the controller of its pupils' data.

We process pupil records including attendance records, assessment results, special educational needs, ethnicity, free school meals eligibility and medical conditions, and parents' contact details.

All customer data is hosted in Microsoft Azure data centres in the UK (UK South and UK West) and does not leave the UK. We hold ISO 27001 certification and Cyber Essentials Plus, data is encrypted at rest and in transit, and staff access requires multi-factor authentication.

We keep school data for 6 years after the end of the contract, unless the school asks us to delete it sooner.

You can complain to the ICO at ico.org.uk/make-a-complaint or by calling 0303 123 1113.
`);
    expect(valuesOf(reading, "controller")).toContain("Fernleigh Education Systems Ltd");
    expect(valuesOf(reading, "company-number")).toEqual(["09876543"]);
    expect(valuesOf(reading, "registered-address")).toEqual(["Unit 4, Riverside Park, Leeds, LS1 4AB"]);
    expect(valuesOf(reading, "ico-registration")).toEqual(["ZA123456"]);
    expect(valuesOf(reading, "role")).toEqual(["processor"]);
    expect(valuesOf(reading, "hosting")).toContain("Microsoft Azure");
    expect(valuesOf(reading, "transfer")).toEqual(["UK only"]);
    expect(valuesOf(reading, "security")).toEqual(expect.arrayContaining(["ISO 27001", "Cyber Essentials Plus", "encryption at rest", "two-factor authentication"]));
    expect(valuesOf(reading, "retention")).toEqual(["6 years"]);
    const categories = reading.facts.filter((fact) => fact.kind === "data-category");
    expect(categories.map((fact) => fact.value)).toEqual(expect.arrayContaining(["pupil data", "attendance", "assessment data", "SEN information", "ethnicity", "free school meals", "health", "contact details"]));
    expect(categories.find((fact) => fact.value === "ethnicity")?.special).toBe(true);
    expect(categories.find((fact) => fact.value === "SEN information")?.children).toBe(true);
    expect(valuesOf(reading, "complaint")).toEqual(["ICO"]);
    expect(codes(reading)).not.toContain("no-ico-registration");
    expect(codes(reading)).not.toContain("no-transfers");
    expect(codes(reading)).not.toContain("no-ico-complaint");
  });

  it("flags a notice that says nothing about retention, transfers, the ICO or its number", () => {
    const reading = readPrivacyNotice(`Privacy statement

Homework Hero Limited ("we") runs a homework planner for secondary schools. We collect your name, your email address and the homework you set. We use this information to provide the service, which is necessary for the performance of our contract with your school. If you have questions about this statement, email privacy@homeworkhero.co.uk.
`);
    expect(codes(reading)).toEqual(expect.arrayContaining(["no-retention", "no-transfers", "no-ico-registration", "no-ico-complaint", "no-rights"]));
    expect(valuesOf(reading, "lawful-basis")).toEqual(["contract"]);
    expect(valuesOf(reading, "privacy-contact")).toEqual(["privacy@homeworkhero.co.uk"]);
    expect(valuesOf(reading, "controller")).toEqual(["Homework Hero Limited"]);
    const missing = reading.flags.find((flag) => flag.code === "no-retention");
    expect(missing?.kind).toBe("missing");
    expect(missing?.message).toMatch(/retention period/);
  });

  it("accepts an ICO number written in lower case, and normalises it", () => {
    const reading = readPrivacyNotice("Our ICO registration number is zb968646. Our DPO is Priya Shah, who can be reached at dpo@example-school-app.co.uk.");
    expect(valuesOf(reading, "ico-registration")).toEqual(["ZB968646"]);
    expect(valuesOf(reading, "privacy-contact")).toEqual(["Priya Shah"]);
    expect(codes(reading)).not.toContain("no-ico-registration");
  });

  it("reads retention periods from a table, with what each applies to", () => {
    const reading = readPrivacyNotice(`## How long we keep information

| Information | Retention period |
| --- | --- |
| Pupil assessment records | 3 years after the pupil leaves |
| Support tickets | 18 months |
| Invoices | Seven years |
`);
    const retention = reading.facts.filter((fact) => fact.kind === "retention");
    expect(retention.map((fact) => [fact.value, fact.detail])).toEqual([
      ["3 years", "Pupil assessment records"],
      ["18 months", "Support tickets"],
      ["7 years", "Invoices"],
    ]);
  });

  it("names sub-processors, an outsourced DPO and a Data Privacy Framework transfer", () => {
    const reading = readPrivacyNotice(`Who we share data with
We use the following sub-processors: Mailchimp (newsletters), Stripe (card payments) and Zendesk (support tickets). Our website is served through Cloudflare.
Some of these providers are in the USA; transfers there rely on the UK Extension to the EU-US Data Privacy Framework.
Our Data Protection Officer is Judicium Consulting Ltd, who can be contacted at dataservices@judicium.com.
You have the right to request a copy of your data, to have it corrected or erased, and to object. To exercise any of these rights, email dataservices@judicium.com.
`);
    expect(valuesOf(reading, "sub-processor")).toEqual(["Mailchimp", "Stripe", "Zendesk", "Cloudflare"]);
    expect(factOf(reading, "transfer", "outside UK/EEA")?.detail).toBe("UK Extension to the EU-US Data Privacy Framework");
    expect(valuesOf(reading, "privacy-contact")).toEqual(["Judicium Consulting Ltd"]);
    expect(valuesOf(reading, "rights")).toEqual(expect.arrayContaining(["access", "rectification", "erasure", "objection", "contact DPO"]));
    expect(codes(reading)).toContain("provider-outside-uk");
  });

  it("reads a council-style notice: public task, legitimate interests, data kept in the UK", () => {
    const reading = readPrivacyNotice(`We process this information because it is necessary for the performance of a task carried out in the public interest (Article 6(1)(e)). For our newsletter we rely on our legitimate interests. All records are stored on servers in the UK and never leave the United Kingdom. If you are unhappy with how we have used your data, you can complain to us at complaints@council.example.gov.uk, and you also have the right to complain to the Information Commissioner.`);
    expect(valuesOf(reading, "lawful-basis")).toEqual(["public-task", "legitimate-interests"]);
    expect(valuesOf(reading, "transfer")).toEqual(["UK only"]);
    expect(valuesOf(reading, "complaint")).toEqual(expect.arrayContaining(["ICO", "contact by email"]));
  });

  it("does not take a denial for a claim", () => {
    const reading = readPrivacyNotice(`We do not use Google Analytics or any other tracking service. We do not use cookies. We will never ask for your date of birth. We do not transfer personal data outside the UK. The school is the data controller; you are responsible for your class lists.`);
    expect(valuesOf(reading, "analytics")).toEqual([]);
    expect(valuesOf(reading, "cookies")).toEqual(["no cookies"]);
    expect(valuesOf(reading, "data-category")).toEqual([]);
    expect(valuesOf(reading, "transfer")).toEqual(["no transfers outside UK/EEA"]);
    expect(valuesOf(reading, "role")).toEqual([]);
    expect(codes(reading)).toContain("role-unclear");
  });

  it("shows each fact with its sentence and where that sentence is", () => {
    const text = "Intro line.\n\n- **We keep** support emails for 2 years.\n";
    const reading = readPrivacyNotice(text);
    const fact = factOf(reading, "retention", "2 years")!;
    expect(fact.sentence).toBe("We keep support emails for 2 years.");
    expect(text.slice(fact.start, fact.end)).toContain("support emails for 2 years");
  });

  it("stays fast on hostile input", () => {
    const inputs = [
      "a".repeat(200_000),
      "(".repeat(100_000) + ")".repeat(100_000),
      "[".repeat(50_000) + "](mailto:" + "x".repeat(50_000),
      "Z".repeat(100_000) + " Ltd",
      "We keep ".repeat(40_000) + "for 5 years",
      "Data Protection Officer is A B C D E F G H ".repeat(10_000),
      "| cell ".repeat(50_000),
      "**".repeat(100_000),
      "The Name Ltd and ".repeat(30_000),
      "a.".repeat(150_000),
      "x".repeat(600_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      readPrivacyNotice(input);
      expect(performance.now() - started).toBeLessThan(1_500);
    }
  });

  it("reads a 30-page notice in well under a second", async () => {
    const notices = await fixtureNotices();
    const long = notices.map((notice) => notice.text).join("\n\n").repeat(3);
    expect(long.length).toBeGreaterThan(100_000);
    const started = performance.now();
    readPrivacyNotice(long);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("noticeText", () => {
  it("reads text and Markdown as UTF-8", async () => {
    expect(await noticeText("notice.md", new TextEncoder().encode("\uFEFF# Privacy – notice"))).toBe("# Privacy – notice");
  });

  it("reads an HTML notice without its scripts and styles", async () => {
    const html = `<html><head><title>x</title><style>p{}</style></head><body><h1>Privacy</h1><p>We keep data for 6&nbsp;years.</p><script>alert(1)</script><ul><li>Our ICO number is ZA123456</li></ul></body></html>`;
    const text = await noticeText("Privacy.HTML", new TextEncoder().encode(html));
    expect(text).toContain("We keep data for 6 years.");
    expect(text).not.toContain("alert");
    expect(valuesOf(readPrivacyNotice(text), "ico-registration")).toEqual(["ZA123456"]);
  });

  it("reads a PDF's text", async () => {
    const mupdf = await loadMupdf();
    const document = new mupdf.PDFDocument();
    const font = document.addSimpleFont(new mupdf.Font("Helvetica"));
    document.insertPage(-1, document.addPage([0, 0, 595, 842], 0, document.addObject({ Font: { F1: font } }), "BT /F1 11 Tf 72 700 Td (We keep support tickets for 18 months.) Tj ET"));
    const pdf = document.saveToBuffer("garbage=4").asUint8Array().slice();
    const text = await noticeText("notice.pdf", pdf);
    expect(text).toContain("We keep support tickets for 18 months.");
    expect(valuesOf(readPrivacyNotice(text), "retention")).toEqual(["18 months"]);
  });

  it("refuses a kind of file it cannot read, as a bad request", async () => {
    const refusal = noticeText("notice.exe", new Uint8Array([1, 2, 3]));
    await expect(refusal).rejects.toBeInstanceOf(StewardError);
    await expect(noticeText("notice.exe", new Uint8Array([1]))).rejects.toMatchObject({ code: "bad_request", message: expect.stringMatching(/cannot read a privacy notice from a \.exe file/) });
    await expect(noticeText("README", new Uint8Array([1]))).rejects.toMatchObject({ message: expect.stringMatching(/without an extension/) });
  });
});
