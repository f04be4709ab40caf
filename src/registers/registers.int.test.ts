import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { sendReviewReminders } from "./review-reminders.ts";
import { STARTER_ACTIVITIES } from "./starter-set.ts";

/** A processing activity's form as a DPO fills it in. */
const activity = (fields: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  title: "Music lessons", purposes: "To arrange peripatetic music lessons.", dataSubjects: ["pupils", "parents"], otherDataSubjects: "", dataCategories: "Names, classes, instruments, parents’ contact details.",
  criminalOffenceData: "no", article6: "6-1-e", recipients: "The music service.", transfers: "no", retention: "Current year + 1 year.",
  securityMeasures: "", systems: "", assetOwner: "Music lead", privacyNotice: "", status: "draft", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
});

const supplier = (fields: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  title: "Harmony Music Ltd", service: "Books and bills music lessons.", role: "processor", companyNumber: "01234567", contact: "privacy@harmony.example", icoRegistration: "ZA123456",
  dataLocation: "UK", transfers: "", subProcessors: "", noticeAddress: "", status: "draft", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
});

describe(`the registers (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());
  // Each test starts on the same day, whatever the one before did to the clock.
  beforeEach(() => steward.clock.set("2027-01-30T10:00:00Z"));

  async function school() {
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    return { licence, owner, dpo };
  }

  /** Entries other than training records (giving someone the DPO role makes theirs). */
  const countEntries = async (organisationId: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from register_entries where org_id = ${organisationId} and kind <> 'training'`.execute(steward.services.database.db)).rows[0]!.n);

  /** Someone the form offers as an owner (an entry in use needs one): the DPO of that school, if offered. */
  const anOwner = async (agent: TestAgent, path = "/registers/processing/new") => {
    const options = [...(await agent.get(path)).body.matchAll(/<option value="([0-9a-f-]{36})"[^>]*>([^<]*)</g)];
    return (options.find(([, , name]) => name!.includes("dpo person")) ?? options[0])![1]!;
  };

  const idFrom = (location: string | undefined) => /\/registers\/[a-z-]+\/([0-9a-f-]{36})/.exec(location ?? "")![1]!;

  it("starts a new school from the typical activities, as drafts, once each", async () => {
    const { licence, dpo } = await school();
    const empty = await dpo.agent.get("/registers/processing");
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('id="starter-prompt"');
    const form = await dpo.agent.get("/registers/processing/starters");
    expect(form.body).toContain("Admissions");
    const added = await dpo.agent.post("/registers/processing/starters", { organisationId: licence.organisationId, starters: STARTER_ACTIVITIES.map((starter) => starter.key) });
    expect(added.statusCode, added.body.slice(0, 500)).toBe(303);
    expect(await countEntries(licence.organisationId)).toBe(STARTER_ACTIVITIES.length);
    // A second click (or a second tab) adds nothing twice.
    await dpo.agent.get("/registers/processing/starters");
    const again = await dpo.agent.post("/registers/processing/starters", { organisationId: licence.organisationId, starters: ["admissions", "cctv"] });
    expect(again.statusCode).toBe(303);
    expect(await countEntries(licence.organisationId)).toBe(STARTER_ACTIVITIES.length);
    const list = await dpo.agent.get("/registers/processing");
    expect(list.body).toContain("Biometric catering");
    expect(list.body).toContain("Draft: not yet checked");
    // Every starter passes the same checks a DPO's own entry does: opened and saved unchanged, it is accepted.
    const cctv = /href="\/registers\/processing\/([0-9a-f-]{36})">CCTV</.exec(list.body)![1]!;
    const page = await dpo.agent.get(`/registers/processing/${cctv}`);
    expect(page.body).toContain("Schedule 1");
    expect(page.body).toContain("Para 10 Preventing or detecting unlawful acts");
  });

  it("refuses an activity that misses what Article 30 and the conditions need, saying what, and stores nothing", async () => {
    const { licence, dpo } = await school();
    await dpo.agent.get("/registers/processing/new");
    const cases: [Record<string, string | string[]>, string][] = [
      [{ purposes: "" }, "Enter the purposes of the processing"],
      [{ article6: [] }, "Select the lawful basis (Article 6)"],
      [{ specialCategories: "health" }, "Select the condition for the special category data (Article 9)"],
      [{ specialCategories: "health", article9: "9-2-g" }, "Select the Schedule 1 condition the Article 9 condition needs"],
      [{ criminalOffenceData: "yes" }, "Select the Schedule 1 condition for the criminal offence data"],
      [{ transfers: "yes" }, "Enter the countries the data goes to"],
      [{ article6: "6-1-z" }, "Select the lawful basis from the list"],
      [{ "reviewOn-day": "31", "reviewOn-month": "2" }, "The date of its next review must be a real date"],
    ];
    for (const [fields, message] of cases) {
      const response = await dpo.agent.post("/registers/processing/new", { organisationId: licence.organisationId, ...activity(fields) });
      expect(response.statusCode, message).toBe(400);
      expect(response.body).toContain(message.replace(/’/g, "&#39;"));
      // What was typed and ticked comes back.
      expect(response.body).toContain("Music lessons");
      expect(response.body).toMatch(/value="parents" checked/);
    }
    // An id that is not one is refused as a mistake, not a crash.
    const hyphens = "-".repeat(36);
    const badLink = await dpo.agent.post("/registers/processing/new", { organisationId: licence.organisationId, ...activity({ supplierIds: hyphens, ownerUserId: hyphens }) });
    expect(badLink.statusCode).toBe(400);
    // A field the form does not have is refused outright.
    expect((await dpo.agent.post("/registers/processing/new", { organisationId: licence.organisationId, ...activity({ orgId: "x" }) })).statusCode).toBe(400);
    expect(await countEntries(licence.organisationId)).toBe(0);
  });

  it("links suppliers to activities and exports the record as PDF, XLSX and CSV, with nothing read as a formula", async () => {
    const { licence, dpo } = await school();
    await dpo.agent.get("/registers/suppliers/new");
    const made = await dpo.agent.post("/registers/suppliers/new", { organisationId: licence.organisationId, ...supplier() });
    expect(made.statusCode, made.body.slice(0, 800)).toBe(303);
    const supplierId = idFrom(made.headers.location);
    await dpo.agent.get("/registers/processing/new");
    const saved = await dpo.agent.post("/registers/processing/new", {
      organisationId: licence.organisationId,
      ...activity({ supplierIds: supplierId, systems: "=HYPERLINK(\"http://evil.example\")", specialCategories: "health", article9: "9-2-h", schedule1: "s1-2", transfers: "yes", transferCountries: "United States", transferSafeguard: "idta" }),
    });
    expect(saved.statusCode, saved.body.slice(0, 800)).toBe(303);
    const activityId = idFrom(saved.headers.location);
    const supplierPage = await dpo.agent.get(`/registers/suppliers/${supplierId}`);
    expect(supplierPage.body).toMatch(new RegExp(`id="used-by"[\\s\\S]*href="/registers/processing/${activityId}">Music lessons`));

    const csv = await dpo.agent.get("/registers/processing/export.csv");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-disposition"]).toContain("record-of-processing-2027-01-30.csv");
    const [header, row] = csv.body.split("\r\n");
    expect(header).toContain("Lawful basis (Article 6)");
    expect(row).toContain("6(1)(e) Public task");
    expect(row).toContain("Harmony Music Ltd");
    expect(row).toContain("United States, under International data transfer agreement (IDTA)");
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"")"`);

    const xlsx = await dpo.agent.get("/registers/processing/export.xlsx");
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.rawPayload))["xl/worksheets/sheet1.xml"]!);
    expect(sheet).not.toContain("<f>");
    expect(sheet).toContain('t="inlineStr"');
    expect(sheet).toContain("=HYPERLINK(&quot;http://evil.example&quot;)");
    expect(sheet).toContain("Music lessons");

    const pdf = await dpo.agent.get("/registers/processing/export.pdf");
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const folder = mkdtempSync(path.join(tmpdir(), "ropa-"));
    writeFileSync(path.join(folder, "ropa.pdf"), pdf.rawPayload);
    const text = execFileSync("pdftotext", ["-layout", path.join(folder, "ropa.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("Record of processing activities (UK GDPR Article 30)");
    expect(text).toContain(`Controller: ${licence.name}`);
    expect(text).toContain(`Data protection officer: ${dpo.fullName}`);
    expect(text).toContain("To arrange peripatetic music lessons.");
    expect(text).toContain("9(2)(h) Health or social care");

    const suppliers = await dpo.agent.get("/registers/suppliers/export.csv");
    expect(suppliers.body).toContain("ZA123456");
  });

  it("keeps each organisation's registers to itself: lists, pages, exports and links to another's supplier", async () => {
    const a = await school();
    const b = await school();
    await a.dpo.agent.get("/registers/suppliers/new");
    const made = await a.dpo.agent.post("/registers/suppliers/new", { organisationId: a.licence.organisationId, ...supplier({ title: "Secret Supplier A" }) });
    const supplierId = idFrom(made.headers.location);
    expect((await b.dpo.agent.get(`/registers/suppliers/${supplierId}`)).statusCode).toBe(404);
    expect((await b.dpo.agent.get(`/registers/suppliers/${supplierId}/edit`)).statusCode).toBe(404);
    expect((await b.dpo.agent.get("/registers/suppliers")).body).not.toContain("Secret Supplier A");
    expect((await b.dpo.agent.get("/registers/suppliers/export.csv")).body).not.toContain("Secret Supplier A");
    expect((await b.dpo.agent.get(`/registers/suppliers?organisationId=${a.licence.organisationId}`)).statusCode).toBe(404);
    await b.dpo.agent.get("/registers/suppliers");
    expect((await b.dpo.agent.post(`/registers/suppliers/${supplierId}/edit`, supplier({ title: "Taken over" }))).statusCode).toBe(404);
    expect((await b.dpo.agent.post(`/registers/suppliers/${supplierId}/review`)).statusCode).toBe(404);
    // Posting a new entry into another organisation, or naming its supplier, does nothing.
    expect((await b.dpo.agent.post("/registers/suppliers/new", { organisationId: a.licence.organisationId, ...supplier() })).statusCode).toBe(404);
    await b.dpo.agent.get("/registers/processing/new");
    const linked = await b.dpo.agent.post("/registers/processing/new", { organisationId: b.licence.organisationId, ...activity({ supplierIds: supplierId }) });
    expect(linked.statusCode).toBe(400);
    expect(linked.body).toContain("Select the suppliers from the list");
    expect(await countEntries(b.licence.organisationId)).toBe(0);
    const stored = await sql<{ title: string }>`select title from register_entries where id = ${supplierId}`.execute(steward.services.database.db);
    expect(stored.rows[0]!.title).toBe("Secret Supplier A");
    // Staff cannot read the registers; an auditor reads but cannot change.
    const staff = await addPerson(steward.app, steward.clock, a.owner, "staff", a.licence.organisationId);
    expect((await staff.agent.get("/registers")).statusCode).toBe(403);
    const auditor = await addPerson(steward.app, steward.clock, a.owner, "auditor", a.licence.organisationId);
    expect((await auditor.agent.get(`/registers/suppliers/${supplierId}`)).statusCode).toBe(200);
    expect((await auditor.agent.post(`/registers/suppliers/${supplierId}/review`)).statusCode).toBe(403);
    // Every look is on the trail, naming the entry.
    const trail = await a.owner.get(`/audit?record=${supplierId}`);
    expect(trail.body).toContain("Looked at a register entry");
    expect(trail.body).toContain("Secret Supplier A");
  });

  async function trust() {
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.submit("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    await owner.submit("/schools/new", { name: "Oak Academy", postalAddress: "1 Oak Road\nLeeds", telephone: "0113 496 0002" });
    const users = (await owner.get("/users/new")).body;
    const elmId = /<option value="([^"]+)"[^>]*>Elm Academy/.exec(users)![1]!;
    const oakId = /<option value="([^"]+)"[^>]*>Oak Academy/.exec(users)![1]!;
    const trustDpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    const elmDpo = await addPerson(steward.app, steward.clock, owner, "dpo", elmId);
    const oakDpo = await addPerson(steward.app, steward.clock, owner, "dpo", oakId);
    return { licence, owner, elmId, oakId, trustDpo, elmDpo, oakDpo };
  }

  it("lets a trust keep templates its schools copy, each copy showing when the template changed, each school seeing only its own", async () => {
    const t = await trust();
    await t.trustDpo.agent.get(`/registers/processing/new?organisationId=${t.licence.organisationId}`);
    const made = await t.trustDpo.agent.post("/registers/processing/new", { organisationId: t.licence.organisationId, ...activity({ title: "Trust CCTV", isTemplate: "yes" }) });
    expect(made.statusCode, made.body.slice(0, 600)).toBe(303);
    const templateId = idFrom(made.headers.location);

    // Elm's DPO sees the template and copies it; Oak's sees it too but Elm's copy stays Elm's.
    const list = await t.elmDpo.agent.get("/registers/processing");
    expect(list.body).toContain('id="templates"');
    expect(list.body).toContain("Trust CCTV");
    const copied = await t.elmDpo.agent.post(`/registers/processing/templates/${templateId}/copy`, { organisationId: t.elmId });
    expect(copied.statusCode).toBe(303);
    const copyId = idFrom(copied.headers.location);
    expect((await t.elmDpo.agent.get(`/registers/processing/${copyId}`)).body).not.toContain('id="template-news"');
    expect((await t.oakDpo.agent.get(`/registers/processing/${copyId}`)).statusCode).toBe(404);
    expect((await t.oakDpo.agent.get("/registers/processing")).body).not.toContain(copyId);
    // A school cannot read the trust's own entries, only its templates; nor copy into another school.
    expect((await t.elmDpo.agent.get(`/registers/processing/${templateId}`)).statusCode).toBe(404);
    expect((await t.oakDpo.agent.post(`/registers/processing/templates/${templateId}/copy`, { organisationId: t.elmId })).statusCode).toBe(404);

    // The trust changes the template: the copy says so and in what; the school takes it, or keeps its own.
    await t.trustDpo.agent.get(`/registers/processing/${templateId}/edit`);
    const changed = await t.trustDpo.agent.post(`/registers/processing/${templateId}/edit`, activity({ title: "Trust CCTV", isTemplate: "yes", retention: "31 days unless needed for an incident." }));
    expect(changed.statusCode, changed.body.slice(0, 600)).toBe(303);
    const news = await t.elmDpo.agent.get(`/registers/processing/${copyId}`);
    expect(news.body).toContain('id="template-news"');
    expect(news.body).toMatch(/differs from yours in: retention/);
    expect((await t.elmDpo.agent.post(`/registers/processing/${copyId}/template`, { answer: "use" })).statusCode).toBe(303);
    const taken = await t.elmDpo.agent.get(`/registers/processing/${copyId}`);
    expect(taken.body).not.toContain('id="template-news"');
    expect(taken.body).toContain("31 days unless needed for an incident.");

    // Unticking the box stops sharing it: a school no longer sees it.
    await t.trustDpo.agent.get(`/registers/processing/${templateId}/edit`);
    expect((await t.trustDpo.agent.post(`/registers/processing/${templateId}/edit`, activity({ title: "Trust CCTV", templateAsked: "yes" }))).statusCode).toBe(303);
    expect((await t.oakDpo.agent.get("/registers/processing")).body).not.toContain('id="templates"');

    // The trust's DPO sees every school's entries, with the school named.
    const all = await t.trustDpo.agent.get("/registers/processing");
    expect(all.body).toContain("Elm Academy");
  });

  it("reminds the owner and the DPO at 30 days, 7 days and on the day, once each, in one email for several entries", async () => {
    const { licence, dpo } = await school();
    // The owner of the entries is the licence owner, not the DPO: both are told.
    const options = [...(await dpo.agent.get("/registers/processing/new")).body.matchAll(/<option value="([0-9a-f-]{36})"[^>]*>([^<]*)</g)];
    const ownerId = options.find(([, , name]) => !name!.includes("dpo person"))![1]!;
    for (const title of ["Music lessons", "Swimming"]) {
      await dpo.agent.get("/registers/processing/new");
      const saved = await dpo.agent.post("/registers/processing/new", { organisationId: licence.organisationId, ...activity({ title, ownerUserId: ownerId, "reviewOn-day": "10", "reviewOn-month": "3", "reviewOn-year": "2027" }) });
      expect(saved.statusCode, saved.body.slice(0, 600)).toBe(303);
    }
    const reviewMails = async () => (await emailsTo(steward.services, dpo.email)).filter((mail) => /Register reviews/.test(mail.subject));
    // 30 January: 39 days out, nothing yet.
    expect(await sendReviewReminders(steward.services)).toBe(0);
    steward.clock.set("2027-02-08T08:00:00Z");
    // Two processes at once: the entries are reminded of once.
    const [first, second] = await Promise.all([sendReviewReminders(steward.services), sendReviewReminders(steward.services)]);
    expect(first + second).toBe(2);
    expect(await reviewMails()).toHaveLength(1);
    expect((await reviewMails())[0]!.body).toMatch(/Music lessons[\s\S]*Swimming/);
    expect((await emailsTo(steward.services, licence.email)).filter((mail) => /Register reviews/.test(mail.subject))).toHaveLength(1);
    expect(await sendReviewReminders(steward.services)).toBe(0);
    steward.clock.set("2027-03-04T08:00:00Z");
    await sendReviewReminders(steward.services);
    steward.clock.set("2027-03-10T08:00:00Z");
    await sendReviewReminders(steward.services);
    await sendReviewReminders(steward.services);
    const mails = await reviewMails();
    expect(mails).toHaveLength(3);
    expect(mails.some((mail) => /due now/.test(mail.body))).toBe(true);
    // The dashboard lists them as due; a review moves them a year on and off the list.
    await dpo.agent.signIn(dpo.username);
    const dashboard = await dpo.agent.get("/dashboard");
    expect(dashboard.body).toMatch(/id="register-reviews"[\s\S]*Music lessons/);
    expect(dashboard.body).toContain("Due today");
    const musicId = /href="\/registers\/processing\/([0-9a-f-]{36})">Music lessons/.exec(dashboard.body)![1]!;
    await dpo.agent.get(`/registers/processing/${musicId}`);
    const reviewed = await dpo.agent.post(`/registers/processing/${musicId}/review`);
    expect(reviewed.statusCode).toBe(303);
    const after = await dpo.agent.get(reviewed.headers.location!);
    expect(after.body).toContain("10 Mar 2028");
    expect(after.body).toContain("The review is recorded.");
    expect((await dpo.agent.get("/dashboard")).body).not.toMatch(/id="register-reviews"[\s\S]*Music lessons/);
  });

  it("reads a supplier's privacy notice, pasted or uploaded, into a new supplier's answers, each finding with its sentence", async () => {
    const { licence, dpo } = await school();
    const notice = readFileSync(new URL("../../../shared/fixtures/privacy-notices/cpoms.txt", import.meta.url), "utf8");
    const page = await dpo.agent.get("/registers/suppliers/read");
    expect(page.statusCode).toBe(200);
    const read = await dpo.agent.post("/registers/suppliers/read", { organisationId: licence.organisationId, text: notice });
    expect(read.statusCode, read.body.slice(0, 800)).toBe(303);
    const form = await dpo.agent.get(read.headers.location!);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('id="notice-findings"');
    expect(form.body).toContain('id="found-controller"');
    // The answers come filled in from the notice, with the sentences beside them.
    const readingId = /name="noticeReadingId" value="([0-9a-f-]{36})"/.exec(form.body)![1]!;
    const title = /id="title" name="title" type="text" value="([^"]*)"/.exec(form.body)?.[1];
    expect(title, "the supplier's name from the notice").toMatch(/CPOMS/i);
    await dpo.agent.get(read.headers.location!);
    const saved = await dpo.agent.post("/registers/suppliers/new", { organisationId: licence.organisationId, ...supplier({ title: title!, noticeReadingId: readingId }) });
    expect(saved.statusCode, saved.body.slice(0, 800)).toBe(303);
    const entry = await dpo.agent.get(saved.headers.location!);
    expect(entry.body).toContain('id="notice-findings"');

    // Too short to be a notice, or a file Steward cannot read: said, and nothing kept.
    const readings = async () => Number((await sql<{ n: string }>`select count(*) as n from supplier_notice_readings where org_id = ${licence.organisationId}`.execute(steward.services.database.db)).rows[0]!.n);
    const before = await readings();
    await dpo.agent.get("/registers/suppliers/read");
    const short = await dpo.agent.post("/registers/suppliers/read", { organisationId: licence.organisationId, text: "https://example.com/privacy" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("too short to be one");
    const exe = await dpo.agent.upload(`/registers/suppliers/read/upload?organisationId=${licence.organisationId}`, "notice.exe", Buffer.from("MZ"));
    expect(exe.statusCode).toBe(400);
    expect(exe.body).toContain("cannot read a privacy notice from a .exe file");
    expect(await readings()).toBe(before);

    // Uploaded as a saved web page, it reads the same way.
    await dpo.agent.get("/registers/suppliers/read");
    const html = `<html><head><title>Privacy</title><script>alert(1)</script></head><body>${notice.split("\n\n").map((paragraph) => `<p>${paragraph.replace(/</g, "&lt;")}</p>`).join("")}</body></html>`;
    const uploaded = await dpo.agent.upload(`/registers/suppliers/read/upload?organisationId=${licence.organisationId}`, "cpoms.html", Buffer.from(html));
    expect(uploaded.statusCode, uploaded.body.slice(0, 800)).toBe(303);
    const fromHtml = await dpo.agent.get(uploaded.headers.location!);
    expect(fromHtml.body).toContain('id="found-controller"');
    expect(fromHtml.body).toContain("Read by Steward from cpoms.html");

    // Another school can neither open the reading nor hang it on its own supplier.
    const other = await school();
    expect((await other.dpo.agent.get(`/registers/suppliers/new?reading=${readingId}`)).statusCode).toBe(404);
    await other.dpo.agent.get("/registers/suppliers/new");
    const stolen = await other.dpo.agent.post("/registers/suppliers/new", { organisationId: other.licence.organisationId, ...supplier({ noticeReadingId: readingId }) });
    expect(stolen.statusCode).toBe(400);
    expect(await countEntries(other.licence.organisationId)).toBe(0);
  });

  async function logAndClose(agent: TestAgent, organisationId: string) {
    await agent.get("/cases/new");
    const logged = await agent.post("/cases", {
      organisationId, type: "sar", receivedOn: "2027-01-30", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.",
    });
    expect(logged.statusCode, logged.body.slice(0, 800)).toBe(303);
    const path = logged.headers.location!.replace(/\?.*$/, "");
    await agent.get(path);
    expect((await agent.post(`${path}/close`, { outcome: "disclosed-in-full", sentOn: "2027-01-30", responseChannel: "email", confirmed: "yes" })).statusCode).toBe(303);
    return path.split("/").pop()!;
  }

  it("keeps a retention schedule from the IRMS toolkit, and lists closed cases past it for the DPO to approve, with a disposal log", async () => {
    const { licence, dpo } = await school();
    await dpo.agent.get("/registers/retention/starters");
    const added = await dpo.agent.post("/registers/retention/starters", { organisationId: licence.organisationId, starters: ["admission-register", "cctv", "steward-requests"] });
    expect(added.statusCode).toBe(303);
    const list = await dpo.agent.get(added.headers.location!);
    expect(list.body).toContain("3 added as drafts");
    const admission = /href="\/registers\/retention\/([0-9a-f-]{36})">Admission register/.exec(list.body)![1]!;
    expect((await dpo.agent.get(`/registers/retention/${admission}`)).body).toContain("Verified against the law or an official source");
    const rule = /href="\/registers\/retention\/([0-9a-f-]{36})">Request and complaint case files in Steward/.exec(list.body)![1]!;

    // The school's own period needs its reason; a rule for Steward's cases needs its months; one in use, its owner.
    const owner = await anOwner(dpo.agent, `/registers/retention/${rule}/edit`);
    const retention = (fields: Record<string, string | string[]>) => ({
      title: "Request and complaint case files in Steward", trigger: "The case is closed", period: "1 year", action: "destroy", source: "own", reason: "Our choice.",
      caseRecords: ["sar", "complaint"], keepMonths: "12", status: "active", ownerUserId: owner, "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
    });
    await dpo.agent.get(`/registers/retention/${rule}/edit`);
    const noReason = await dpo.agent.post(`/registers/retention/${rule}/edit`, retention({ reason: "" }));
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Say why the school keeps these for a different period");
    const noMonths = await dpo.agent.post(`/registers/retention/${rule}/edit`, retention({ keepMonths: "" }));
    expect(noMonths.body).toContain("Enter how many months Steward keeps these cases after they close");
    const noOwner = await dpo.agent.post(`/registers/retention/${rule}/edit`, retention({ ownerUserId: "" }));
    expect(noOwner.statusCode).toBe(400);
    expect(noOwner.body).toContain("an entry in use needs an owner");
    expect((await dpo.agent.post(`/registers/retention/${rule}/edit`, retention({}))).statusCode).toBe(303);

    const caseId = await logAndClose(dpo.agent, licence.organisationId);
    expect((await dpo.agent.get("/registers/disposals")).body).not.toContain(`value="${caseId}"`);
    // Thirteen months on, the case is past the rule's 12 months.
    steward.clock.set("2028-03-01T10:00:00Z");
    await dpo.agent.signIn(dpo.username);
    const due = await dpo.agent.get("/registers/disposals");
    expect(due.body).toContain(`value="${caseId}"`);
    expect(due.body).toContain("past Request and complaint case files in Steward (12 months)");
    // Another school cannot approve it.
    const other = await school();
    await other.dpo.agent.get("/registers/disposals");
    expect((await other.dpo.agent.post("/registers/disposals/approve", { caseIds: caseId })).statusCode).toBe(400);
    expect((await other.dpo.agent.get("/registers/disposals")).body).not.toContain(caseId);
    const approved = await dpo.agent.post("/registers/disposals/approve", { caseIds: caseId });
    expect(approved.statusCode).toBe(303);
    const after = await dpo.agent.get(approved.headers.location!);
    expect(after.body).toContain("Destruction approved for 1 case.");
    expect(after.body).toMatch(/Approved for destruction by dpo person/);
    expect((await dpo.agent.post("/registers/disposals/approve", { caseIds: caseId })).statusCode).toBe(400);
    const trail = await dpo.agent.get(`/audit?record=${caseId}`);
    expect(trail.body).toContain("Approved a closed case&#39;s destruction");

    // The disposal log: checked, then kept.
    await dpo.agent.get("/registers/disposals/new");
    const future = await dpo.agent.post("/registers/disposals/new", { organisationId: licence.organisationId, what: "Exam scripts 2026", "disposedOn-day": "2", "disposedOn-month": "3", "disposedOn-year": "2028", method: "shredded", disposedBy: "Sam Bursar", authority: "Retention schedule", retentionEntryId: "", evidence: "" });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain("must be today or in the past");
    const recorded = await dpo.agent.post("/registers/disposals/new", { organisationId: licence.organisationId, what: "Exam scripts 2026", "disposedOn-day": "1", "disposedOn-month": "3", "disposedOn-year": "2028", method: "confidential-waste", disposedBy: "Sam Bursar", authority: "Retention schedule", retentionEntryId: admission, evidence: "Certificate 123" });
    expect(recorded.statusCode, recorded.body.slice(0, 500)).toBe(303);
    const log = await dpo.agent.get("/registers/disposals/export.csv");
    expect(log.body).toContain("Exam scripts 2026");
    expect(log.body).toContain("Confidential waste contractor");
    expect(log.body).toContain("Admission register");
  });

  it("records the ICO registration and the named DPO once, reminds of the fee, and names the DPO in letters and on the request page", async () => {
    const { licence, dpo } = await school();
    const facts = (fields: Record<string, string>) => ({
      title: "ICO registration and DPO", icoRegistration: "za 123456", feeTier: "tier-1", dpoName: "Jo Bloggs, Example DPO Services", dpoEmail: "dpo@example-dpo.example", dpoPhone: "01632 960 123", dpoAddress: "",
      status: "active", ownerUserId: owner, "reviewOn-day": "15", "reviewOn-month": "2", "reviewOn-year": "2027", ...fields,
    });
    const owner = await anOwner(dpo.agent, "/registers/ico-and-dpo/new");
    await dpo.agent.get("/registers/ico-and-dpo/new");
    const saved = await dpo.agent.post("/registers/ico-and-dpo/new", { organisationId: licence.organisationId, ...facts({}) });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    const page = await dpo.agent.get(saved.headers.location!);
    expect(page.body).toContain("ZA123456");
    expect(page.body).not.toContain('id="ico-registration-odd"');
    expect(page.body).toContain("Data protection fee renews on");
    // One each: a second is refused; an odd number is kept, with a warning to check it.
    const second = await dpo.agent.post("/registers/ico-and-dpo/new", { organisationId: licence.organisationId, ...facts({}) });
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain("already recorded: change it instead");
    const id = idFrom(saved.headers.location);
    await dpo.agent.get(`/registers/ico-and-dpo/${id}/edit`);
    expect((await dpo.agent.post(`/registers/ico-and-dpo/${id}/edit`, facts({ icoRegistration: "Z12345" }))).statusCode).toBe(303);
    expect((await dpo.agent.get(`/registers/ico-and-dpo/${id}`)).body).toContain('id="ico-registration-odd"');
    expect((await dpo.agent.post(`/registers/ico-and-dpo/${id}/edit`, facts({}))).statusCode).toBe(303);

    // The fee renewal is on the review schedule: due within 30 days.
    expect((await dpo.agent.get("/registers")).body).toMatch(/id="reviews"[\s\S]*ICO registration and DPO/);
    // The public request page names the DPO and the registration.
    const publicName = (await sql<{ publicName: string }>`select public_name from organisations where id = ${licence.organisationId}`.execute(steward.services.database.db)).rows[0]!.publicName;
    const publicPage = await new TestAgent(steward.app, steward.clock).get(`/r/${publicName}`);
    expect(publicPage.body).toContain("Jo Bloggs, Example DPO Services");
    expect(publicPage.body).toContain("number ZA123456");
    // The record of processing names the DPO as the school does (Article 30(1)(a)).
    const ropa = await dpo.agent.get("/registers/processing/export.pdf");
    const folder = mkdtempSync(path.join(tmpdir(), "ropa-dpo-"));
    writeFileSync(path.join(folder, "ropa.pdf"), ropa.rawPayload);
    expect(execFileSync("pdftotext", [path.join(folder, "ropa.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ")).toContain("Data protection officer: Jo Bloggs, Example DPO Services (dpo@example-dpo.example, 01632 960 123)");
    // A subject access response names the DPO.
    await dpo.agent.get("/cases/new");
    const logged = await dpo.agent.post("/cases", { organisationId: licence.organisationId, type: "sar", receivedOn: "2027-01-30", receivedTime: "", channel: "email", requesterName: "Jordan Parent", requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data." });
    const caseId = logged.headers.location!.replace(/\?.*$/, "").split("/").pop()!;
    const draft = await dpo.agent.get(`/cases/${caseId}/letters/new?kind=sar-response`);
    expect(draft.statusCode).toBe(200);
    expect(draft.body).toContain("contact our data protection officer: Jo Bloggs, Example DPO Services (dpo@example-dpo.example, 01632 960 123)");
  });

  it("keeps training records with the person's name sealed, one made when a sensitive role is given, and says who is overdue", async () => {
    const { licence, dpo } = await school();
    // Giving the DPO role (with the training confirmed) made their training record.
    const list = await dpo.agent.get("/registers/training");
    expect(list.body).toContain("Data protection training (confirmed when the role was granted)");
    const confirmedId = /href="\/registers\/training\/([0-9a-f-]{36})">[^<]*: Data protection training/.exec(list.body)![1]!;
    const confirmed = await dpo.agent.get(`/registers/training/${confirmedId}`);
    expect(confirmed.body).toContain(dpo.fullName);
    expect(confirmed.body).toMatch(/Confirmed by [^<]+ when giving the data protection officer role/);
    await dpo.agent.get("/registers/training/new");
    const training = { personName: "Priya Teacher-Sealed", title: "Safeguarding and data protection INSET", "completedOn-day": "3", "completedOn-month": "9", "completedOn-year": "2025", provider: "The trust", evidence: "INSET register", status: "active", ownerUserId: await anOwner(dpo.agent, "/registers/training/new"), "reviewOn-day": "3", "reviewOn-month": "9", "reviewOn-year": "2026" };
    const noDate = await dpo.agent.post("/registers/training/new", { organisationId: licence.organisationId, ...training, "completedOn-day": "", "completedOn-month": "", "completedOn-year": "" });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.body).toContain("Enter the date the training was done");
    const saved = await dpo.agent.post("/registers/training/new", { organisationId: licence.organisationId, ...training });
    expect(saved.statusCode, saved.body.slice(0, 600)).toBe(303);
    // Left empty, the refresher is due a year after the training.
    const defaulted = await dpo.agent.post("/registers/training/new", { organisationId: licence.organisationId, ...training, personName: "Sam Office", "reviewOn-day": "", "reviewOn-month": "", "reviewOn-year": "" });
    expect(defaulted.statusCode, defaulted.body.slice(0, 400)).toBe(303);
    expect((await dpo.agent.get(defaulted.headers.location!)).body).toContain("3 Sep 2026");
    // The refresher was due in September 2026: overdue.
    const after = await dpo.agent.get("/registers/training");
    expect(after.body).toMatch(/Safeguarding and data protection INSET[\s\S]*?Overdue/);
    expect((await dpo.agent.get(`/registers/training/${idFrom(saved.headers.location)}`)).body).toContain("Priya Teacher-Sealed");
    // Changing the record made on the role's grant keeps whose it is.
    await dpo.agent.get(`/registers/training/${confirmedId}/edit`);
    const edited = await dpo.agent.post(`/registers/training/${confirmedId}/edit`, { ...training, personName: dpo.fullName, title: "Data protection training (confirmed when the role was granted)", provider: "The trust" });
    expect(edited.statusCode, edited.body.slice(0, 400)).toBe(303);
    const kept = await sql<{ person: string | null }>`select details->>'personUserId' as person from register_entries where id = ${confirmedId}`.execute(steward.services.database.db);
    expect(kept.rows[0]!.person).toMatch(/^[0-9a-f-]{36}$/);
    // The name is nowhere in the database as text.
    const raw = await sql<{ row: string }>`select row_to_json(e)::text as row from register_entries e where org_id = ${licence.organisationId} and kind = 'training'`.execute(steward.services.database.db);
    expect(raw.rows.map((row) => row.row).join(" ")).not.toContain("Priya");
    expect(raw.rows.map((row) => row.row).join(" ")).not.toContain(dpo.fullName);
  });

  it("takes a DPIA from screening through the seven steps to a frozen, signed version, and shares it with another school", async () => {
    const { licence, dpo } = await school();
    await dpo.agent.get("/registers/dpias/new");
    const made = await dpo.agent.post("/registers/dpias/new", { organisationId: licence.organisationId, title: "Fingerprint catering", examples: "biometrics", criteria: [], screeningNotes: "", status: "draft", ownerUserId: await anOwner(dpo.agent, "/registers/dpias/new"), "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027" });
    expect(made.statusCode, made.body.slice(0, 600)).toBe(303);
    const id = idFrom(made.headers.location);
    const page = await dpo.agent.get(`/registers/dpias/${id}`);
    expect(page.body).toContain("A DPIA is needed.");
    expect(page.body).toContain("Biometric data used to identify someone");
    expect(page.body).toContain('id="still-to-do"');
    expect((await dpo.agent.post(`/registers/dpias/${id}/sign`)).statusCode).toBe(400);

    const answers: Record<string, Record<string, string>> = {
      need: { aims: "Cashless meals.", typeOfProcessing: "Fingerprint templates.", whyNeeded: "" },
      processing: { nature: "Templates at the till.", scope: "400 pupils.", context: "Children; parents consent.", purposes: "Quicker queues." },
      consultation: { consulted: "yes", consultationDetail: "Parents surveyed; 80% in favour.", notConsultedWhy: "" },
      necessity: { lawfulBasis: "Consent, with a card for anyone else.", alternatives: "Cards.", minimisation: "Templates only.", transparency: "A letter to parents.", processorsAndTransfers: "" },
      signoff: { measuresApprovedBy: "The head", residualApprovedBy: "The governors", dpoAdvice: "Go ahead with consent.", adviceFollowed: "yes", overruledReason: "", consultationReviewedBy: "" },
    };
    // A step's checks: not consulted needs a reason; advice not followed needs reasons.
    await dpo.agent.get(`/registers/dpias/${id}/steps/consultation`);
    const noReason = await dpo.agent.post(`/registers/dpias/${id}/steps/consultation`, { consulted: "no", consultationDetail: "", notConsultedWhy: "" });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Say why the people whose data it is were not asked");
    for (const [step, fields] of Object.entries(answers)) {
      await dpo.agent.get(`/registers/dpias/${id}/steps/${step}`);
      const saved = await dpo.agent.post(`/registers/dpias/${id}/steps/${step}`, fields);
      expect(saved.statusCode, `${step}: ${saved.body.slice(0, 400)}`).toBe(303);
    }
    // Risks: a medium or high one needs its measure; a high one left after it raises Article 36.
    await dpo.agent.get(`/registers/dpias/${id}/risks`);
    const unmeasured = await dpo.agent.post(`/registers/dpias/${id}/risks`, { description: "Templates breached at the supplier.", likelihood: "possible", severity: "severe" });
    expect(unmeasured.statusCode).toBe(400);
    expect(unmeasured.body).toContain("Enter the measure that reduces this risk");
    const high = await dpo.agent.post(`/registers/dpias/${id}/risks`, { description: "Templates breached at the supplier.", likelihood: "probable", severity: "severe", measure: "Contract terms.", effect: "accepted", likelihoodAfter: "probable", severityAfter: "severe" });
    expect(high.statusCode).toBe(303);
    const flagged = await dpo.agent.get(`/registers/dpias/${id}`);
    expect(flagged.body).toContain('id="prior-consultation"');
    // With a high risk left it cannot be signed until the ICO's consultation is recorded (Article 36).
    const unconsulted = await dpo.agent.post(`/registers/dpias/${id}/sign`);
    expect(unconsulted.statusCode).toBe(400);
    expect(unconsulted.body).toContain("record when the ICO was consulted and its advice");
    // A measure said to reduce a risk must leave it scored lower.
    await dpo.agent.get(`/registers/dpias/${id}/risks`);
    const notReduced = await dpo.agent.post(`/registers/dpias/${id}/risks`, { description: "Lost cards.", likelihood: "possible", severity: "significant", measure: "Spare cards.", effect: "reduced", likelihoodAfter: "possible", severityAfter: "significant" });
    expect(notReduced.statusCode).toBe(400);
    expect(notReduced.body).toContain("scored no lower than before");
    const riskId = /\/risks\/([0-9a-f-]{36})\/remove/.exec((await dpo.agent.get(`/registers/dpias/${id}/risks`)).body)![1]!;
    expect((await dpo.agent.post(`/registers/dpias/${id}/risks/${riskId}/remove`)).statusCode).toBe(303);
    await dpo.agent.get(`/registers/dpias/${id}/risks`);
    expect((await dpo.agent.post(`/registers/dpias/${id}/risks`, { description: "Templates breached at the supplier.", likelihood: "possible", severity: "severe", measure: "Templates, not images; deletion on leaving.", effect: "reduced", likelihoodAfter: "remote", severityAfter: "significant", measureOwner: "Business manager" })).statusCode).toBe(303);
    const ready = await dpo.agent.get(`/registers/dpias/${id}`);
    expect(ready.body).not.toContain('id="prior-consultation"');
    expect(ready.body).toMatch(/id="risks"[\s\S]*High[\s\S]*Low/);

    // Signed: frozen. Its steps refuse changes until a new version is started; the signed one stays.
    await dpo.agent.get(`/registers/dpias/${id}`);
    const signed = await dpo.agent.post(`/registers/dpias/${id}/sign`);
    expect(signed.statusCode, signed.body.slice(0, 400)).toBe(303);
    await dpo.agent.get(`/registers/dpias/${id}/steps/need`);
    const frozen = await dpo.agent.post(`/registers/dpias/${id}/steps/need`, { ...answers["need"]!, aims: "Changed after signing." });
    expect(frozen.statusCode).toBe(400);
    await dpo.agent.get(`/registers/dpias/${id}/edit`);
    expect((await dpo.agent.post(`/registers/dpias/${id}/edit`, { title: "Renamed", examples: "biometrics", status: "active", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027" })).statusCode).toBe(400);
    // Its owner, status and review date still change: it can be marked no longer in use without a new version.
    expect((await dpo.agent.post(`/registers/dpias/${id}/edit`, { title: "Fingerprint catering", examples: "biometrics", criteria: ["vulnerable", "biometric"], screeningNotes: "", status: "retired", ownerUserId: await anOwner(dpo.agent, `/registers/dpias/${id}/edit`), "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2028" })).statusCode).toBe(303);
    expect((await dpo.agent.get(`/registers/dpias/${id}`)).body).toContain("signed, version 1");
    await dpo.agent.get(`/registers/dpias/${id}`);
    expect((await dpo.agent.post(`/registers/dpias/${id}/new-version`)).statusCode).toBe(303);
    await dpo.agent.get(`/registers/dpias/${id}/steps/need`);
    expect((await dpo.agent.post(`/registers/dpias/${id}/steps/need`, { ...answers["need"]!, aims: "Cashless meals, and the library." })).statusCode).toBe(303);
    const version1 = await dpo.agent.get(`/registers/dpias/${id}/versions/1`);
    expect(version1.statusCode).toBe(200);
    expect(version1.body).toContain("Cashless meals.");
    expect(version1.body).not.toContain("and the library");
    const draft = await dpo.agent.get(`/registers/dpias/${id}`);
    expect(draft.body).toContain("draft after version 1");
    expect(draft.body).toContain("Step 7: Sign off and record outcomes");
    expect(draft.body).toMatch(/id="versions"[\s\S]*Version 1/);

    // The PDF says what was signed; the JSON goes to another school, which imports it as its own draft.
    const pdf = await dpo.agent.get(`/registers/dpias/${id}/export.pdf`);
    const folder = mkdtempSync(path.join(tmpdir(), "dpia-"));
    writeFileSync(path.join(folder, "dpia.pdf"), pdf.rawPayload);
    const text = execFileSync("pdftotext", [path.join(folder, "dpia.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("Data protection impact assessment: Fingerprint catering");
    expect(text).toContain("Templates, not images");
    const json = await dpo.agent.get(`/registers/dpias/${id}/export.json`);
    expect(JSON.parse(json.body).format).toBe("steward-dpia/1");
    const other = await school();
    expect((await other.dpo.agent.get(`/registers/dpias/${id}`)).statusCode).toBe(404);
    expect((await other.dpo.agent.get(`/registers/dpias/${id}/versions/1`)).statusCode).toBe(404);
    await other.dpo.agent.get("/registers/dpias/import");
    const bad = await other.dpo.agent.upload(`/registers/dpias/import?organisationId=${other.licence.organisationId}`, "dpia.json", Buffer.from('{"format":"something else"}'));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Upload a DPIA that Steward exported");
    const imported = await other.dpo.agent.upload(`/registers/dpias/import?organisationId=${other.licence.organisationId}`, "dpia.json", Buffer.from(json.body));
    expect(imported.statusCode, imported.body.slice(0, 500)).toBe(303);
    const theirs = await other.dpo.agent.get(imported.headers.location!);
    expect(theirs.body).toContain("Fingerprint catering");
    expect(theirs.body).toContain("Imported from");
    // Their copy is a draft with the steps but not the sign-off, which is theirs to give.
    expect(theirs.body).toContain("Step 7: Sign off and record outcomes");
    expect(theirs.body).toMatch(/Step 7: Sign off[\s\S]{0,400}To do/);
  });

  it("runs a self-audit area by area, red, amber or green with evidence and actions, and shows progress from one audit to the next", async () => {
    const { licence, dpo } = await school();
    const newAudit = async (title: string) => {
      await dpo.agent.get("/registers/self-audits/new");
      const made = await dpo.agent.post("/registers/self-audits/new", { organisationId: licence.organisationId, title, status: "draft", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "1", "reviewOn-year": "2028" });
      expect(made.statusCode, made.body.slice(0, 400)).toBe(303);
      return idFrom(made.headers.location);
    };
    const first = await newAudit("Self-audit, spring 2027");
    const training = /href="\/registers\/training\/([0-9a-f-]{36})"/.exec((await dpo.agent.get("/registers/training")).body)![1]!;
    const area = (rag: Record<string, string>, extra: Record<string, string> = {}) => ({
      "induction-rag": rag["induction"]!, "induction-evidenceEntryId": training, "induction-evidence": "", "induction-action": "", "induction-actionOwner": "", "induction-actionDueOn-day": "", "induction-actionDueOn-month": "", "induction-actionDueOn-year": "",
      "refresher-rag": rag["refresher"]!, "refresher-evidenceEntryId": "", "refresher-evidence": "", "refresher-action": "", "refresher-actionOwner": "", "refresher-actionDueOn-day": "", "refresher-actionDueOn-month": "", "refresher-actionDueOn-year": "",
      "sensitive-roles-rag": rag["sensitive-roles"]!, "sensitive-roles-evidenceEntryId": "", "sensitive-roles-evidence": "", "sensitive-roles-action": "", "sensitive-roles-actionOwner": "", "sensitive-roles-actionDueOn-day": "", "sensitive-roles-actionDueOn-month": "", "sensitive-roles-actionDueOn-year": "",
      ...extra,
    });
    await dpo.agent.get(`/registers/self-audits/${first}/areas/training`);
    const noAction = await dpo.agent.post(`/registers/self-audits/${first}/areas/training`, area({ induction: "green", refresher: "red", "sensitive-roles": "amber" }));
    expect(noAction.statusCode).toBe(400);
    expect(noAction.body).toContain("Enter the action that would make it green");
    const saved = await dpo.agent.post(`/registers/self-audits/${first}/areas/training`, area({ induction: "green", refresher: "red", "sensitive-roles": "amber" }, {
      "refresher-action": "Book the annual refresher.", "refresher-actionOwner": "Business manager", "refresher-actionDueOn-day": "1", "refresher-actionDueOn-month": "4", "refresher-actionDueOn-year": "2027",
      "sensitive-roles-action": "DSL course.", "sensitive-roles-actionOwner": "Head", "sensitive-roles-actionDueOn-day": "1", "sensitive-roles-actionDueOn-month": "5", "sensitive-roles-actionDueOn-year": "2027",
    }));
    expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
    const page = await dpo.agent.get(`/registers/self-audits/${first}`);
    expect(page.body).toMatch(/id="totals">[\s\S]*1 red[\s\S]*1 amber[\s\S]*1 green[\s\S]*27 to answer/);
    expect(page.body).toContain("Evidence: <a class=\"govuk-link\" href=\"/registers/training/");
    expect(page.body).toContain("Action: Book the annual refresher. (Business manager, by 1 Apr 2027)");
    // Another school's entry cannot be its evidence.
    const other = await school();
    const theirs = /href="\/registers\/training\/([0-9a-f-]{36})"/.exec((await other.dpo.agent.get("/registers/training")).body)![1]!;
    await dpo.agent.get(`/registers/self-audits/${first}/areas/training`);
    const stolen = await dpo.agent.post(`/registers/self-audits/${first}/areas/training`, area({ induction: "green", refresher: "green", "sensitive-roles": "green" }, { "induction-evidenceEntryId": theirs }));
    expect(stolen.statusCode).toBe(400);
    expect((await other.dpo.agent.get(`/registers/self-audits/${first}`)).statusCode).toBe(404);

    steward.clock.advance({ minutes: 5 });
    const second = await newAudit("Self-audit, autumn 2027");
    await dpo.agent.get(`/registers/self-audits/${second}/areas/training`);
    expect((await dpo.agent.post(`/registers/self-audits/${second}/areas/training`, area({ induction: "green", refresher: "green", "sensitive-roles": "green" }))).statusCode).toBe(303);
    const progress = await dpo.agent.get(`/registers/self-audits/${second}`);
    expect(progress.body).toMatch(/id="progress"[\s\S]*Self-audit, spring 2027[\s\S]*>1<[\s\S]*Self-audit, autumn 2027 \(this one\)[\s\S]*>0<[\s\S]*>0<[\s\S]*>3</);
  });

  it("gives the governors' report the registers: reviews overdue, DPIAs open, training coverage and the self-audit's red items, naming nobody", async () => {
    const { licence, owner, dpo } = await school();
    await addPerson(steward.app, steward.clock, owner, "admin", licence.organisationId);
    await dpo.agent.get("/registers/dpias/starters");
    expect((await dpo.agent.post("/registers/dpias/starters", { organisationId: licence.organisationId, starters: ["cctv"] })).statusCode).toBe(303);
    await dpo.agent.get("/registers/processing/new");
    expect((await dpo.agent.post("/registers/processing/new", { organisationId: licence.organisationId, ...activity({ "reviewOn-day": "1", "reviewOn-month": "1", "reviewOn-year": "2027" }) })).statusCode).toBe(303);
    await dpo.agent.get("/registers/self-audits/new");
    const audit = idFrom((await dpo.agent.post("/registers/self-audits/new", { organisationId: licence.organisationId, title: "Self-audit, spring 2027", status: "draft", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "1", "reviewOn-year": "2028" })).headers.location);
    await dpo.agent.get(`/registers/self-audits/${audit}/areas/leadership`);
    const answer = (id: string, rag: string, action = "") => ({ [`${id}-rag`]: rag, [`${id}-evidenceEntryId`]: "", [`${id}-evidence`]: "", [`${id}-action`]: action, [`${id}-actionOwner`]: action ? "Head" : "", [`${id}-actionDueOn-day`]: action ? "1" : "", [`${id}-actionDueOn-month`]: action ? "6" : "", [`${id}-actionDueOn-year`]: action ? "2027" : "" });
    expect((await dpo.agent.post(`/registers/self-audits/${audit}/areas/leadership`, { ...answer("dpo-appointed", "green"), ...answer("governors-report", "red", "Put data protection on the summer agenda."), ...answer("ico-fee", "green") })).statusCode).toBe(303);

    const report = await owner.get("/reports/governors");
    expect(report.statusCode).toBe(200);
    const registers = report.body.slice(report.body.indexOf('id="registers"'), report.body.indexOf("</table>", report.body.indexOf('id="registers"')));
    // One review overdue (the activity due 1 Jan); the CCTV DPIA open; the DPO trained (their role's confirmation), the admin too.
    expect(registers).toMatch(/>1<\/td>\s*<td[^>]*>1<\/td>\s*<td[^>]*>2 of 2<\/td>\s*<td[^>]*>0</);
    expect(report.body).toContain("Leadership and oversight: The governors receive a data protection report at least once a year. Action: Put data protection on the summer agenda. (by 1 Jun 2027)");
    expect(registers).not.toContain(dpo.fullName);
    const pdf = await owner.get("/reports/governors.pdf");
    const folder = mkdtempSync(path.join(tmpdir(), "governors-"));
    writeFileSync(path.join(folder, "report.pdf"), pdf.rawPayload);
    const text = execFileSync("pdftotext", [path.join(folder, "report.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("The registers today");
    expect(text.replace(/\s+/g, " ")).toContain("Put data protection on the summer agenda.");
  });

  it("checks a supplier's and a policy's answers, saying what is wrong and storing nothing, and records a policy's new version", async () => {
    const { licence, dpo } = await school();
    await dpo.agent.get("/registers/suppliers/new");
    for (const [fields, message] of [
      [{ role: "" }, "Select whether it is a processor or a controller"],
      [{ service: "" }, "Enter what the supplier does for the school"],
      [{ "dpaSignedOn-day": "31", "dpaSignedOn-month": "13", "dpaSignedOn-year": "2026" }, "must be a real date"],
      [{ certifications: "iso-9001" }, "Select the certifications from the list"],
    ] as [Record<string, string>, string][]) {
      const response = await dpo.agent.post("/registers/suppliers/new", { organisationId: licence.organisationId, ...supplier(fields) });
      expect(response.statusCode, message).toBe(400);
      expect(response.body).toContain(message);
    }
    const policy = (fields: Record<string, string>) => ({
      title: "Privacy notice for parents", policyKind: "privacy-notice-parents", versionLabel: "3", "approvedOn-day": "10", "approvedOn-month": "9", "approvedOn-year": "2026",
      approvedBy: "Governing board", publishedAt: "Website, policies page", changes: "", status: "draft", ownerUserId: "", "reviewOn-day": "10", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
    });
    await dpo.agent.get("/registers/policies/new");
    const noVersion = await dpo.agent.post("/registers/policies/new", { organisationId: licence.organisationId, ...policy({ versionLabel: "" }) });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.body).toContain("Enter its version");
    const badKind = await dpo.agent.post("/registers/policies/new", { organisationId: licence.organisationId, ...policy({ policyKind: "manifesto" }) });
    expect(badKind.body).toContain("Select what kind of policy or notice it is");
    expect(await countEntries(licence.organisationId)).toBe(0);
    const saved = await dpo.agent.post("/registers/policies/new", { organisationId: licence.organisationId, ...policy({}) });
    expect(saved.statusCode).toBe(303);
    const id = idFrom(saved.headers.location);
    await dpo.agent.get(`/registers/policies/${id}/edit`);
    expect((await dpo.agent.post(`/registers/policies/${id}/edit`, policy({ versionLabel: "4", changes: "Adds the new MIS." }))).statusCode).toBe(303);
    const page = await dpo.agent.get(`/registers/policies/${id}`);
    expect(page.body).toContain("Adds the new MIS.");
    expect(page.body).toContain("Privacy notice: parents and carers");
    // Each version's change is on the trail.
    const trail = await dpo.agent.get(`/audit?record=${id}`);
    expect(trail.body).toContain("Changed a register entry");
    expect(trail.body).toContain("Added a register entry");
  });
});