import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { testEngine } from "../../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { runDueJobs } from "../../platform/jobs/jobs.ts";
import { sweepStoredFiles } from "../../cases/attachments.ts";
import { JOB_HANDLERS } from "../../steward.ts";
import { popplerPages } from "../pdf/verify.ts";
import { loadMupdf } from "../pdf/mupdf.ts";
import { emailsTo } from "../../testing/mail.ts";

const INCIDENT = [
  "Incident report, 14 January 2027",
  "Jamie Hill was pushed over by Tobiah Ashdown near the climbing frame.",
  "Tobiah's mother, Mrs Ashdown, telephoned the school on 07700 900123 to apologise.",
  "Jamie was checked by the first aider and went back to class.",
].join("\n");

/** A school, its owner signed in, and a SAR from Jordan Parent about their child Jamie Hill. */
async function schoolWithSar(steward: TestSteward, type = "sar") {
  steward.clock.set("2027-01-30T10:00:00Z");
  const licence = await buildLicence(steward.services, { organisationKind: "school" });
  const owner = new TestAgent(steward.app, steward.clock);
  await owner.signIn(licence.username);
  await owner.get("/cases/new");
  const logged = await owner.post("/cases", {
    organisationId: licence.organisationId, type, "receivedOn-day": "30", "receivedOn-month": "1", "receivedOn-year": "2027", receivedTime: "", channel: "email",
    requesterName: "Jordan Parent", requesterContact: "", subjectKind: "pupil", subjectName: "Jamie Hill", summary: "Everything about my child, please.",
    ...(type === "breach" ? { receivedTime: "09:00" } : {}),
  });
  expect(logged.statusCode, logged.body.slice(0, 800)).toBe(303);
  const casePath = logged.headers.location!.replace(/\?.*$/, "");
  return { ...licence, owner, casePath, area: `${casePath}/disclosure` };
}

async function upload(agent: TestAgent, area: string, filename: string, bytes: Buffer, purpose = "disclosure") {
  await agent.get(area);
  return agent.upload(`${area}/documents`, filename, bytes, { purpose });
}

describe(`the disclosure area: collect, read, review, redact and bundle (${testEngine})`, () => {
  let steward: TestSteward;
  const runJobs = () => runDueJobs(steward.services, JOB_HANDLERS, "test-worker");
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function documentsOf(organisationId: string) {
    const { rows } = await sql<{ id: string; state: string; purpose: string; fromDocumentId: string | null; failure: string | null }>`
      select id, state, purpose, from_document_id, failure from disclosure_documents where org_id = ${organisationId} order by added_at, id`.execute(steward.services.database.db);
    return rows;
  }

  it("takes a SAR from an upload to a bundle in which the other pupil and his mother's number are gone and the child's own name is kept", async () => {
    const school = await schoolWithSar(steward);
    expect((await school.owner.get(school.casePath)).body).toContain(`href="${school.area}"`);

    // The people the request concerns: the case gives the child and the parent; the DPO adds the other pupil.
    await school.owner.get(school.area);
    const added = await school.owner.post(`${school.area}/people`, { name: "Tobiah Ashdown", part: "other-pupil" });
    expect(added.statusCode).toBe(303);
    const area = await school.owner.get(school.area);
    expect(area.body).toContain("Jamie Hill");
    expect(area.body).toContain("Tobiah Ashdown");

    const uploaded = await upload(school.owner, school.area, "incident.txt", Buffer.from(INCIDENT));
    expect(uploaded.statusCode, uploaded.body.slice(0, 800)).toBe(303);
    expect((await school.owner.get(school.area)).body).toContain("Being read");
    expect(await runJobs()).toBeGreaterThan(0);
    const [document] = await documentsOf(school.organisationId);
    expect(document!.state).toBe("review");

    const reviewPath = `${school.area}/documents/${document!.id}/pages/1`;
    const review = await school.owner.get(reviewPath);
    expect(review.statusCode).toBe(200);
    // The other pupil, his mother's surname and her number are suggested; the data subject's own name is kept by default.
    expect(review.body).toMatch(/Tobiah Ashdown/);
    expect(review.body).toMatch(/07700 900123/);
    const jamieMark = /name="(decision-[0-9a-f-]{36})"[^>]*value="keep" checked/.exec(review.body);
    expect(jamieMark, "a mark decided keep").not.toBeNull();

    const image = await school.owner.get(`${reviewPath}/image.png`);
    expect(image.statusCode).toBe(200);
    expect(image.headers["content-type"]).toBe("image/png");
    expect(image.rawPayload.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");

    // Redacting with suggestions undecided is refused, with the reason on the page.
    const early = await school.owner.post(`${reviewPath}/redact`);
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain("Decide every suggestion first");

    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/decide-all`, { which: "person", person: "Tobiah Ashdown", decision: "remove", reasonCode: "3P" })).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/phrase`, { phrase: "climbing frame", reasonCode: "3P" })).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/decide-all`, { which: "undecided", decision: "remove", reasonCode: "3P" })).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/redact`)).statusCode).toBe(303);
    await runJobs();
    expect((await documentsOf(school.organisationId))[0]!.state).toBe("redacted");

    const bundle = await school.owner.get(`${school.area}/bundle.pdf`);
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers["content-type"]).toBe("application/pdf");
    expect(bundle.headers["content-disposition"]).toMatch(/^attachment;/);
    const pages = await popplerPages(new Uint8Array(bundle.rawPayload));
    const text = pages!.join("\n");
    expect(text).toContain("Jamie Hill");
    // The schedule lists each removal with its kind and reason, never the words removed.
    expect(text.replace(/\s+/g, " ")).toMatch(/Page \d+: Document 1: text file\. Name\. \[3P\] Another person's information \(DPA 2018 Schedule 2 paragraph 16\)/);
    expect(text).toMatch(/Phone number\. \[3P\]/);
    for (const gone of ["Tobiah", "Ashdown", "07700", "900123", "climbing frame"]) {
      expect(text, gone).not.toContain(gone);
    }
    // The file's name is not reviewed, so it never reaches the requester: documents are numbered.
    expect(text).not.toContain("incident.txt");
    // Nor in the file's bytes, compressed or not, whatever a reader shows.
    expect(bundle.rawPayload.toString("latin1")).not.toMatch(/Tobiah|Ashdown/);

    const { rows: audit } = await sql<{ action: string }>`select action from audit_events where org_id = ${school.organisationId} and action like 'disclosure.%'`.execute(steward.services.database.db);
    const actions = new Set(audit.map((row) => row.action));
    for (const action of ["disclosure.view", "disclosure.add", "disclosure.person-add", "disclosure.review", "disclosure.decide", "disclosure.redact", "disclosure.verified", "disclosure.bundle"]) {
      expect(actions, action).toContain(action);
    }
    // Nothing of what was read reaches the log.
    expect(steward.logs.join("")).not.toMatch(/Tobiah|Ashdown|07700/);
  });

  it("withholds a whole page, and the bundle keeps only its reason", async () => {
    const school = await schoolWithSar(steward);
    await upload(school.owner, school.area, "note.txt", Buffer.from("Confidential note from the school nurse about another family."));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const reviewPath = `${school.area}/documents/${document!.id}/pages/1`;
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/withhold`, { reasonCode: "SH" })).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    await school.owner.post(`${reviewPath}/decide-all`, { which: "undecided", decision: "keep" });
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/redact`)).statusCode).toBe(303);
    await runJobs();
    const bundle = new Uint8Array((await school.owner.get(`${school.area}/bundle.pdf`)).rawPayload);
    const pages = (await popplerPages(bundle))!;
    expect(pages.join("\n")).not.toContain("nurse");
    // The withheld page shows its reason's code, readable: dark ink on the page, not white on white.
    const withheldPage = pages.findIndex((page) => /^\s*SH\s*$/m.test(page) && !/Schedule/.test(page));
    expect(withheldPage).toBeGreaterThanOrEqual(0);
    const mupdf = await loadMupdf();
    const opened = mupdf.Document.openDocument(bundle, "application/pdf");
    const pixmap = opened.loadPage(withheldPage).toPixmap([1, 0, 0, 1, 0, 0], mupdf.ColorSpace.DeviceGray, false, false);
    // Counted in the page's middle band only: the bundle's page number is dark ink at the foot of every page.
    const [width, height, stride] = [pixmap.getWidth(), pixmap.getHeight(), pixmap.getStride()];
    const pixels = pixmap.getPixels();
    let dark = 0;
    for (let y = Math.floor(height * 0.35); y < Math.floor(height * 0.65); y += 1) {
      for (let x = 0; x < width; x += 1) {
        if (pixels[y * stride + x]! < 100) dark += 1;
      }
    }
    expect(dark, "dark pixels in the middle of the withheld page").toBeGreaterThan(50);
  });

  it("makes each of an email's attachments a document of its own, and keeps working files out of the bundle", async () => {
    const school = await schoolWithSar(steward);
    const email = [
      "From: Class Teacher <teacher@school.example>",
      "To: Head <head@school.example>",
      "Subject: Jamie",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Notes on Jamie Hill attached.",
      "--b1",
      "Content-Type: text/plain; charset=utf-8",
      'Content-Disposition: attachment; filename="notes.txt"',
      "",
      "Jamie Hill read well today.",
      "--b1",
      "Content-Type: application/octet-stream",
      'Content-Disposition: attachment; filename="notes"',
      "",
      "A file with no kind Steward knows.",
      "--b1--",
      "",
    ].join("\r\n");
    expect((await upload(school.owner, school.area, "teacher.eml", Buffer.from(email))).statusCode).toBe(303);
    expect((await upload(school.owner, school.area, "my working notes.txt", Buffer.from("DPO's own notes: ask the head about Tobiah."), "working")).statusCode).toBe(303);
    await runJobs();
    await runJobs();
    const documents = await documentsOf(school.organisationId);
    const working = documents.filter((row) => row.purpose === "working");
    const emailDocument = documents.find((row) => row.purpose === "disclosure" && row.fromDocumentId === null)!;
    const attachment = documents.find((row) => row.fromDocumentId !== null)!;
    expect(working.map((row) => row.state)).toEqual(["working"]);
    expect([emailDocument.state, attachment.state]).toEqual(["review", "review"]);
    expect(attachment.fromDocumentId).toBe(emailDocument.id);
    const area = (await school.owner.get(school.area)).body;
    expect(area).toContain("attached to teacher.eml");
    // The attachment Steward cannot read is not a document that blocks the bundle: the email's row says it was left out.
    expect(documents).toHaveLength(3);
    expect(area).toContain("1 attachment not added");

    for (const document of [emailDocument, attachment]) {
      const reviewPath = `${school.area}/documents/${document.id}/pages/1`;
      await school.owner.get(reviewPath);
      await school.owner.post(`${reviewPath}/decide-all`, { which: "undecided", decision: "keep" });
      await school.owner.get(reviewPath);
      await school.owner.post(`${reviewPath}/redact`);
    }
    await runJobs();
    // The file store's sweep (files no row holds) keeps every file a document holds: original, PDF, text as read, redacted copy.
    // The test clock is ahead of the files' real times, so every one of them is old enough to be swept if nothing held it.
    const swept = await sweepStoredFiles(steward.services);
    expect(swept).toBe(0);
    expect((await school.owner.get(`${school.area}/documents/${attachment.id}/original`)).statusCode).toBe(200);
    expect((await school.owner.get(`${school.area}/documents/${attachment.id}/pages/1/image.png`)).statusCode).toBe(200);
    const text = (await popplerPages(new Uint8Array((await school.owner.get(`${school.area}/bundle.pdf`)).rawPayload)))!.join("\n");
    expect(text).toContain("read well today");
    expect(text).not.toContain("working notes");
    expect(text).not.toContain("ask the head");
  });

  it("refuses what it cannot read with a clear message, and writes nothing", async () => {
    const school = await schoolWithSar(steward);
    const spreadsheet = await upload(school.owner, school.area, "export.xlsx", Buffer.from("PK\u0003\u0004 not really"));
    expect(spreadsheet.statusCode).toBe(400);
    expect(spreadsheet.body).toContain("Steward cannot read Excel workbooks for redaction yet");
    const fake = await upload(school.owner, school.area, "letter.doc", Buffer.from("just text pretending"));
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain("not really a Word 97–2003 file");
    const noFile = await school.owner.post(`${school.area}/people`, { name: "", part: "sibling" });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.body).toContain("Enter the person");
    expect(await documentsOf(school.organisationId)).toEqual([]);
    // A bundle before anything is redacted is refused, on the area's page.
    const bundle = await school.owner.get(`${school.area}/bundle.pdf`);
    expect(bundle.statusCode).toBe(400);
    expect(bundle.body).toContain("Every document for disclosure must be redacted");
  });

  it("tells the DPO when a document cannot be read, and does not try for ever", async () => {
    const school = await schoolWithSar(steward);
    expect((await upload(school.owner, school.area, "broken.pdf", Buffer.from("%PDF-1.7\nthis is no PDF at all"))).statusCode).toBe(303);
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    expect(document!.state).toBe("failed");
    expect(document!.failure).toMatch(/could not be read/);
    expect((await school.owner.get(school.area)).body).toContain("Could not be read");
  });

  it("shows another organisation's case, document, page and bundle to nobody, and the area only to those who manage cases", async () => {
    const school = await schoolWithSar(steward);
    await upload(school.owner, school.area, "incident.txt", Buffer.from(INCIDENT));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const documentPath = `${school.area}/documents/${document!.id}`;

    const other = await schoolWithSar(steward);
    for (const path of [school.area, `${documentPath}/pages/1`, `${documentPath}/pages/1/image.png`, `${documentPath}/original`, `${school.area}/bundle.pdf`]) {
      expect((await other.owner.get(path)).statusCode, path).toBe(404);
    }
    // The other school's own document under this case's address is not found either.
    await other.owner.get(other.area);
    expect((await other.owner.post(`${documentPath}/pages/1/decide-all`, { which: "undecided", decision: "keep" })).statusCode).toBe(404);
    expect((await other.owner.post(`${school.area}/people`, { name: "Someone Else", part: "other" })).statusCode).toBe(404);
    // A page that does not exist, and a document id that is not one.
    expect((await school.owner.get(`${documentPath}/pages/9`)).statusCode).toBe(404);
    expect((await school.owner.get(`${school.area}/documents/not-an-id/pages/1`)).statusCode).toBe(404);

    const staff = await addPerson(steward.app, steward.clock, school.owner, "staff", school.organisationId);
    expect((await staff.agent.get(school.area)).statusCode).toBe(403);
    const auditor = await addPerson(steward.app, steward.clock, school.owner, "auditor", school.organisationId);
    expect((await auditor.agent.get(`${documentPath}/pages/1/image.png`)).statusCode).toBe(403);

    // A breach has no disclosure area.
    const breach = await schoolWithSar(steward, "breach");
    expect((await breach.owner.get(breach.area)).statusCode).toBe(404);
  });

  it("never lets a stale page overwrite another reviewer's decision, and answers each mistake with a clear error", async () => {
    const school = await schoolWithSar(steward);
    await school.owner.get(school.area);
    await school.owner.post(`${school.area}/people`, { name: "Tobiah Ashdown", part: "other-pupil" });
    await upload(school.owner, school.area, "incident.txt", Buffer.from(INCIDENT));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const reviewPath = `${school.area}/documents/${document!.id}/pages/1`;
    const dpo = await addPerson(steward.app, steward.clock, school.owner, "dpo", school.organisationId);

    // Both open the page; the DPO removes a suggestion; the owner, from the page as it was, keeps it.
    const stale = (await school.owner.get(reviewPath)).body;
    const phoneId = /name="shown-([0-9a-f-]{36})" value="pending:"/.exec(stale)![1]!;
    const shown = "pending:";
    await dpo.agent.get(reviewPath);
    expect((await dpo.agent.post(`${reviewPath}/decisions`, { [`decision-${phoneId}`]: "remove", [`reason-${phoneId}`]: "3P", [`shown-${phoneId}`]: shown })).statusCode).toBe(303);
    const overwritten = await school.owner.post(`${reviewPath}/decisions`, { [`decision-${phoneId}`]: "keep", [`reason-${phoneId}`]: "3P", [`shown-${phoneId}`]: shown });
    expect(overwritten.statusCode).toBe(400);
    expect(overwritten.body).toContain("Someone else changed decisions on this page");
    const { rows } = await sql<{ decision: string }>`select decision from disclosure_redactions where org_id = ${school.organisationId} and id = ${phoneId}`.execute(steward.services.database.db);
    expect(rows[0]!.decision).toBe("remove");

    // Words the document does not hold; a page withheld twice; a kind with nothing in it; a part only the case's details give.
    await school.owner.get(reviewPath);
    const missing = await school.owner.post(`${reviewPath}/phrase`, { phrase: "trampoline", reasonCode: "3P" });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("The document does not contain these words");
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/withhold`, { reasonCode: "SH" })).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    const twice = await school.owner.post(`${reviewPath}/withhold`, { reasonCode: "SH" });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain("This page is withheld already");
    await school.owner.get(reviewPath);
    const none = await school.owner.post(`${reviewPath}/decide-all`, { which: "kind", kind: "nhs-number", decision: "remove", reasonCode: "3P" });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain("The document has no marks of this kind");
    await school.owner.get(school.area);
    const part = await school.owner.post(`${school.area}/people`, { name: "Another Child", part: "data-subject" });
    expect(part.statusCode).toBe(400);
    const unknownReason = await school.owner.post(`${reviewPath}/withhold`, { reasonCode: "s40" });
    expect(unknownReason.statusCode, "an FOI exemption on a SAR").toBe(400);
  });

  it("sends a redacted document back to review when someone is added to the request, and removes a wrong document with its reason", async () => {
    const school = await schoolWithSar(steward);
    await upload(school.owner, school.area, "incident.txt", Buffer.from(INCIDENT));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const reviewPath = `${school.area}/documents/${document!.id}/pages/1`;
    await school.owner.get(reviewPath);
    await school.owner.post(`${reviewPath}/decide-all`, { which: "undecided", decision: "keep" });
    await school.owner.get(reviewPath);
    await school.owner.post(`${reviewPath}/redact`);
    await runJobs();
    expect((await documentsOf(school.organisationId))[0]!.state).toBe("redacted");

    await school.owner.get(school.area);
    const added = await school.owner.post(`${school.area}/people`, { name: "Tobiah Ashdown", part: "other-pupil" });
    // The area checks again by itself for a few minutes, without JavaScript.
    expect(added.headers.location).toContain("check=1");
    const checking = await school.owner.get(added.headers.location!);
    expect(checking.body).toMatch(/<meta http-equiv="refresh" content="10;url=[^"]*check=2">/);
    expect((await documentsOf(school.organisationId))[0]!.state).toBe("reading");
    expect((await school.owner.get(`${school.area}/bundle.pdf`)).statusCode, "no bundle from a copy made before the new person").toBe(400);
    await runJobs();
    expect((await documentsOf(school.organisationId))[0]!.state).toBe("review");
    expect((await school.owner.get(reviewPath)).body).toMatch(/decision-[0-9a-f-]{36}[^]*Tobiah Ashdown/);

    await school.owner.get(`${school.area}/documents/${document!.id}/remove`);
    const noReason = await school.owner.post(`${school.area}/documents/${document!.id}/remove`, { removalReason: "" });
    expect(noReason.statusCode).toBe(400);
    expect((await school.owner.post(`${school.area}/documents/${document!.id}/remove`, { removalReason: "About another family" })).statusCode).toBe(303);
    expect(await documentsOf(school.organisationId)).toHaveLength(1);
    const { rows } = await sql<{ removedAt: Date | null }>`select removed_at from disclosure_documents where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(rows[0]!.removedAt).not.toBeNull();
    expect((await school.owner.get(reviewPath)).statusCode).toBe(404);
    expect(await steward.services.files.get({ organisationId: school.organisationId, id: document!.id })).toBeUndefined();
    // The timeline says a document went and that its reason is kept; it never quotes a file name or the reason, which outlive the working data.
    const timeline = (await school.owner.get(school.casePath)).body;
    expect(timeline).toContain("Removed a document (text file) from the disclosure area");
    expect(timeline).not.toContain("About another family");
    expect(timeline).not.toContain("incident.txt");
  });

  it("keeps nobody's information automatically on an FOI request", async () => {
    const school = await schoolWithSar(steward, "foi");
    await upload(school.owner, school.area, "minutes.txt", Buffer.from("Governors' minutes. Jordan Parent asked about the budget."));
    await runJobs();
    const { rows } = await sql<{ decision: string }>`select decision from disclosure_redactions where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.decision === "pending")).toBe(true);
  });

  it("gives a member of staff a search task: they see only the task, upload into it and finish it; the DPO sees what came in", async () => {
    const school = await schoolWithSar(steward);
    const teacher = await addPerson(steward.app, steward.clock, school.owner, "staff", school.organisationId);
    const other = await addPerson(steward.app, steward.clock, school.owner, "staff", school.organisationId);
    const area = (await school.owner.get(school.area)).body;
    const teacherId = new RegExp(`<option value="([0-9a-f-]{36})">${teacher.fullName}</option>`).exec(area)![1]!;

    // Mistakes first: nothing written.
    const noTitle = await school.owner.post(`${school.area}/tasks`, { title: "", assigneeId: teacherId, "dueOn-day": "5", "dueOn-month": "2", "dueOn-year": "2027" });
    expect(noTitle.statusCode).toBe(400);
    expect(noTitle.body).toContain("Enter what to search for");
    await school.owner.get(school.area);
    const past = await school.owner.post(`${school.area}/tasks`, { title: "Class emails", assigneeId: teacherId, "dueOn-day": "5", "dueOn-month": "1", "dueOn-year": "2027" });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain("today or in the future");
    await school.owner.get(school.area);
    const stranger = await school.owner.post(`${school.area}/tasks`, { title: "Class emails", assigneeId: "00000000-0000-4000-8000-000000000000", "dueOn-day": "5", "dueOn-month": "2", "dueOn-year": "2027" });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain("Select who will search");

    await school.owner.get(school.area);
    const given = await school.owner.post(`${school.area}/tasks`, { title: "Your emails about Jamie since September", assigneeId: teacherId, "dueOn-day": "5", "dueOn-month": "2", "dueOn-year": "2027" });
    expect(given.statusCode, given.body.slice(0, 500)).toBe(303);
    // The email names the reference and the date, not what the task says.
    const email = (await emailsTo(steward.services, teacher.email)).find((candidate) => candidate.subject.includes("search for documents"));
    expect(email!.subject).toContain("SAR-2027-0001");
    expect(email!.body).not.toContain("Jamie");
    const taskPath = /\/tasks\/[0-9a-f-]{36}/.exec(email!.body)![0];

    expect((await teacher.agent.get("/dashboard")).body).toContain("Your search tasks");
    expect((await teacher.agent.get("/tasks")).body).toContain("Your emails about Jamie since September");
    // The task is all the teacher sees: not the case, not its disclosure area; and nobody else sees the task.
    expect((await teacher.agent.get(school.casePath)).statusCode).toBe(404);
    expect((await teacher.agent.get(school.area)).statusCode).toBe(403);
    expect((await other.agent.get(taskPath)).statusCode).toBe(404);
    await other.agent.get("/tasks");
    expect((await other.agent.upload(`${taskPath}/documents`, "sneaky.txt", Buffer.from("x"))).statusCode).toBe(404);

    await teacher.agent.get(taskPath);
    expect((await teacher.agent.upload(`${taskPath}/documents`, "email to parent.txt", Buffer.from(INCIDENT))).statusCode).toBe(303);
    await runJobs();
    expect((await teacher.agent.get(taskPath)).body).toContain("email to parent.txt");
    await teacher.agent.get(taskPath);
    const unanswered = await teacher.agent.post(`${taskPath}/finish`, {});
    expect(unanswered.statusCode).toBe(400);
    expect((await teacher.agent.post(`${taskPath}/finish`, { outcome: "done" })).statusCode).toBe(303);
    await teacher.agent.get(taskPath);
    const again = await teacher.agent.upload(`${taskPath}/documents`, "late.txt", Buffer.from("More"));
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("This task is finished");

    const dpoView = (await school.owner.get(school.area)).body;
    expect(dpoView).toContain("email to parent.txt");
    expect(dpoView).toMatch(/Your emails about Jamie since September[^]*Done[^]*1 uploaded/);
  });

  it("when the school asks for it, needs a second person who did not review to approve the bundle, and again after any change", async () => {
    const school = await schoolWithSar(steward);
    await school.owner.get("/settings");
    expect((await school.owner.post("/settings", { disclosureApprovalRequired: "yes" })).statusCode).toBe(303);
    await upload(school.owner, school.area, "incident.txt", Buffer.from(INCIDENT));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const reviewPath = `${school.area}/documents/${document!.id}/pages/1`;
    const redact = async () => {
      await school.owner.get(reviewPath);
      await school.owner.post(`${reviewPath}/decide-all`, { which: "undecided", decision: "remove", reasonCode: "3P" });
      await school.owner.get(reviewPath);
      expect((await school.owner.post(`${reviewPath}/redact`)).statusCode).toBe(303);
      await runJobs();
    };
    await redact();
    const unapproved = await school.owner.get(`${school.area}/bundle.pdf`);
    expect(unapproved.statusCode).toBe(400);
    expect(unapproved.body).toContain("asks for a second person to approve the bundle");
    // Nor can it leave piece by piece.
    const piece = await school.owner.get(`${school.area}/documents/${document!.id}/redacted`);
    expect(piece.statusCode).toBe(400);
    expect(piece.body).toContain("asks for a second person to approve the bundle");
    // The reviewer cannot approve their own work.
    const own = await school.owner.post(`${school.area}/approve`);
    expect(own.statusCode).toBe(400);
    expect(own.body).toContain("someone else must approve it");
    // Nor can someone who only pressed Redact, or listed a person: they took part too.
    const helper = await addPerson(steward.app, steward.clock, school.owner, "dpo", school.organisationId);
    await helper.agent.get(school.area);
    await helper.agent.post(`${school.area}/people`, { name: "Someone Listed", part: "sibling" });
    await runJobs();
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/redact`)).statusCode).toBe(303);
    await runJobs();
    await helper.agent.get(school.area);
    expect((await helper.agent.post(`${school.area}/approve`)).body).toContain("someone else must approve it");

    const second = await addPerson(steward.app, steward.clock, school.owner, "dpo", school.organisationId);
    await second.agent.get(school.area);
    expect((await second.agent.post(`${school.area}/approve`)).statusCode).toBe(303);
    expect((await school.owner.get(school.area)).body).toContain(`Approved for release by ${second.fullName}`);
    expect((await school.owner.get(`${school.area}/bundle.pdf`)).statusCode).toBe(200);

    // Redacted again after the approval: the bundle is a different one, and needs approving again.
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/change`)).statusCode).toBe(303);
    await school.owner.get(reviewPath);
    expect((await school.owner.post(`${reviewPath}/redact`)).statusCode).toBe(303);
    await runJobs();
    expect((await school.owner.get(`${school.area}/bundle.pdf`)).statusCode).toBe(400);
  });

  it("reads with the organisation's own settings: recognizers switched off, words always removed, and the school's people list", async () => {
    const school = await schoolWithSar(steward);
    const settings = `/redaction-settings?organisationId=${school.organisationId}`;
    const page = (await school.owner.get(settings)).body;
    const on = [...page.matchAll(/name="on-([a-z-]+)"/g)].map((match) => match[1]!).filter((name) => name !== "phone");
    expect(on.length).toBeGreaterThan(10);
    expect((await school.owner.post("/redaction-settings/recognizers", { organisationId: school.organisationId, ...Object.fromEntries(on.map((name) => [`on-${name}`, "yes"])) })).statusCode).toBe(303);
    await school.owner.get(settings);
    const short = await school.owner.post("/redaction-settings/words", { organisationId: school.organisationId, words: "Rose Cottage\nab" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("too short to remove everywhere");
    expect((await school.owner.post("/redaction-settings/words", { organisationId: school.organisationId, words: "Rose Cottage\n" })).statusCode).toBe(303);

    // The people list, from an MIS export: quoted cells, a role column; a file that cannot be read changes nothing.
    await school.owner.get(settings);
    const noHeader = await school.owner.upload("/redaction-settings/people", "pupils.csv", Buffer.from("Priya,Patel\n"), { organisationId: school.organisationId, listOf: "pupils" });
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.body).toContain("The first line must name the columns");
    await school.owner.get(settings);
    const noRole = await school.owner.upload("/redaction-settings/people", "people.csv", Buffer.from("Forename,Surname\nPriya,Patel\n"), { organisationId: school.organisationId, listOf: "mixed" });
    expect(noRole.statusCode).toBe(400);
    await school.owner.get(settings);
    const list = 'Legal Forename,Legal Surname,Role\r\n"Priya","Patel",Pupil\r\n"Oluwaseun","Adeyemi-Clarke, Jr",Parent\r\n';
    expect((await school.owner.upload("/redaction-settings/people", "people.csv", Buffer.from(list), { organisationId: school.organisationId, listOf: "mixed" })).statusCode).toBe(303);
    expect((await school.owner.get(settings)).body).toContain("2 people, imported on");
    // Sealed at rest.
    const { rows } = await sql<{ alwaysRemove: string; people: string }>`select always_remove, people from redaction_settings where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(JSON.stringify(rows)).not.toMatch(/Rose Cottage|Priya/);

    await upload(school.owner, school.area, "note.txt", Buffer.from("Priya Patel visited Rose Cottage. Call 07700 900123 if needed."));
    await runJobs();
    const [document] = await documentsOf(school.organisationId);
    const { rows: marks } = await sql<{ kind: string; recognizer: string }>`select kind, recognizer from disclosure_redactions where org_id = ${school.organisationId} and document_id = ${document!.id}`.execute(steward.services.database.db);
    const recognizers = new Set(marks.map((mark) => mark.recognizer));
    expect(recognizers).toContain("school-people");
    expect(recognizers).toContain("word-list");
    expect(marks.map((mark) => mark.kind)).not.toContain("phone");

    // Another organisation's settings are not there to see or change; staff cannot open them.
    const other = await schoolWithSar(steward);
    expect((await other.owner.get(settings)).statusCode).toBe(404);
    await other.owner.get("/redaction-settings");
    expect((await other.owner.post("/redaction-settings/words", { organisationId: school.organisationId, words: "Taken over" })).statusCode).toBe(404);
    const staff = await addPerson(steward.app, steward.clock, school.owner, "staff", school.organisationId);
    expect((await staff.agent.get(settings)).statusCode).toBe(403);
  });
});
