import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  securityMeasures: "", systems: "", assetOwner: "Music lead", privacyNotice: "", status: "active", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
});

const supplier = (fields: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  title: "Harmony Music Ltd", service: "Books and bills music lessons.", role: "processor", companyNumber: "01234567", contact: "privacy@harmony.example", icoRegistration: "ZA123456",
  dataLocation: "UK", transfers: "", subProcessors: "", noticeAddress: "", status: "active", ownerUserId: "", "reviewOn-day": "1", "reviewOn-month": "9", "reviewOn-year": "2027", ...fields,
});

describe(`the registers (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function school() {
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    return { licence, owner, dpo };
  }

  const countEntries = async (organisationId: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from register_entries where org_id = ${organisationId}`.execute(steward.services.database.db)).rows[0]!.n);

  const idFrom = (location: string | undefined) => /\/registers\/[a-z]+\/([0-9a-f-]{36})/.exec(location ?? "")![1]!;

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
});