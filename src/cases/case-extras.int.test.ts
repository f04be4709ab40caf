import { sql } from "kysely";
import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { builtInBankHolidays, readGovUkBankHolidays } from "../calendar/bank-holidays.ts";
import { importPublishedBankHolidays } from "../calendar/calendar-settings.ts";
import { sendDueReminders } from "./reminders.ts";

describe(`reminders, attachments, dashboard, export and school calendars (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function school() {
    steward.clock.set("2027-01-30T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const organisationId = /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await owner.get("/users/new")).body)!.slice(1).find(Boolean)!;
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", organisationId);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", organisationId);
    return { owner, organisationId, dpo, staff };
  }

  async function logCase(agent: TestAgent, organisationId: string, fields: Record<string, string> = {}) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", {
      organisationId, type: "sar", receivedOn: "2027-01-30", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.", ...fields,
    });
    expect(response.statusCode, response.body.slice(0, 1500)).toBe(303);
    return response.headers.location!.replace(/\?.*$/, "");
  }

  async function upload(agent: TestAgent, path: string, filename: string, content: Buffer) {
    const page = await agent.get(path);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const boundary = "----steward-test-boundary";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return steward.app.inject({ method: "POST", url: `${path}/attachments`, payload: body, remoteAddress: agent.address, headers: { cookie: agent.cookie!, "content-type": `multipart/form-data; boundary=${boundary}` } });
  }

  it("sends each reminder once, even when two runs race, and again when the deadline moves", async () => {
    const { organisationId, staff, dpo } = await school();
    const path = await logCase(staff.agent, organisationId);
    // Due Monday 1 Mar 2027: seven days before is 22 Feb.
    steward.clock.set("2027-02-22T08:00:00Z");
    const [first, second] = await Promise.all([sendDueReminders(steward.services), sendDueReminders(steward.services)]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    const sevenDay = (await emailsTo(steward.services, dpo.email)).filter((email) => email.subject.includes("Due within 7 days"));
    expect(sevenDay).toHaveLength(1);
    await sendDueReminders(steward.services);
    expect((await emailsTo(steward.services, dpo.email)).filter((email) => email.subject.includes("Due within 7 days"))).toHaveLength(1);
    steward.clock.set("2027-02-27T08:00:00Z");
    await sendDueReminders(steward.services);
    steward.clock.set("2027-03-01T08:00:00Z");
    await sendDueReminders(steward.services);
    await sendDueReminders(steward.services);
    const subjects = (await emailsTo(steward.services, dpo.email)).map((email) => email.subject);
    expect(subjects.filter((subject) => subject.includes("2 days or fewer"))).toHaveLength(1);
    expect(subjects.filter((subject) => subject.includes("Due today"))).toHaveLength(1);
    expect(subjects.every((subject) => !subject.includes("Jordan"))).toBe(true);

    // Extended (the requester told in time): due Friday 30 Apr 2027, so the reminders start again.
    await dpo.agent.signIn(dpo.username);
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/extend`, { extensionReason: "Complex", toldOn: "2027-02-20" })).statusCode).toBe(303);
    steward.clock.set("2027-04-23T08:00:00Z");
    await Promise.all([sendDueReminders(steward.services), sendDueReminders(steward.services)]);
    const afterExtension = (await emailsTo(steward.services, dpo.email)).filter((email) => email.subject.includes("Due within 7 days"));
    expect(afterExtension.map((email) => email.subject)).toEqual([expect.stringContaining("1 Mar 2027"), expect.stringContaining("30 Apr 2027")]);
  });

  it("reminds hourly about a breach inside its 72 hours, once per hour", async () => {
    const { organisationId, staff, dpo } = await school();
    const path = await logCase(staff.agent, organisationId, { type: "breach", receivedTime: "09:00", subjectKind: "pupil", subjectName: "Class 6 pupils", summary: "Spreadsheet emailed to the wrong parent." });
    steward.clock.set("2027-01-30T10:30:00Z");
    await sendDueReminders(steward.services);
    await sendDueReminders(steward.services);
    steward.clock.set("2027-01-30T11:30:00Z");
    await sendDueReminders(steward.services);
    const hourly = async () => (await emailsTo(steward.services, dpo.email)).filter((email) => email.subject.includes("left to decide whether to report"));
    expect(await hourly()).toHaveLength(2);

    // Assessed as low risk, there is no report to make: the reminders stop. Reassessed upwards, they start again.
    const assessment = {
      likelihood: "remote", severity: "minimal", peopleCategories: "Pupils", peopleCount: "28", recordCategories: "Names", recordCount: "28",
      consequences: "None likely", measures: "Recipient deleted it", contact: "The DPO", icoReportedOn: "", peopleToldOn: "",
    };
    const assess = async (fields: typeof assessment) => {
      await dpo.agent.signIn(dpo.username);
      await dpo.agent.get(`${path}/breach`);
      const response = await dpo.agent.post(`${path}/breach`, fields);
      expect(response.headers.location).toContain(path);
    };
    const breachesPanel = async () => {
      const body = (await dpo.agent.get("/dashboard")).body;
      return body.slice(body.indexOf('id="breaches"'), body.indexOf("</table>", body.indexOf('id="breaches"')));
    };
    await dpo.agent.signIn(dpo.username);
    expect(await breachesPanel()).toMatch(/\d+ hours left/);
    await assess(assessment);
    expect(await breachesPanel()).toContain("Assessed: no need to report");
    steward.clock.set("2027-01-30T12:30:00Z");
    expect(await sendDueReminders(steward.services)).toBe(0);
    await assess({ ...assessment, likelihood: "likely", severity: "significant" });
    expect(await breachesPanel()).toContain("Assessed: report to the ICO");
    steward.clock.set("2027-01-30T13:30:00Z");
    await sendDueReminders(steward.services);
    expect(await hourly()).toHaveLength(3);
  });

  it("attachments are checked, sealed at rest, downloaded never inline, and invisible to other organisations", async () => {
    const { organisationId, staff, dpo } = await school();
    const other = await school();
    const path = await logCase(staff.agent, organisationId);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\nRiley Pupil date of birth 2015-04-01");
    expect((await upload(staff.agent, path, "request letter.pdf", pdf)).statusCode).toBe(303);
    const fake = await upload(staff.agent, path, "invoice.pdf", Buffer.from("PK\u0003\u0004not a pdf"));
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain("not really a PDF");
    const exe = await upload(staff.agent, path, "run.exe", Buffer.from("MZ\u0090\u0000"));
    expect(exe.body).toContain("must be a PDF, Word, Excel");
    const eicar = await upload(staff.agent, path, "notes.txt", Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"));
    expect(eicar.body).toContain("looks like malware");
    const big = await upload(staff.agent, path, "big.txt", Buffer.alloc(10 * 1024 * 1024 + 1, 97));
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain("must be smaller than 10 MB");
    // Only the attachment route reads a multipart body; anywhere else, even signed out, it is refused unread.
    const toLogin = await steward.app.inject({ method: "POST", url: "/login", payload: "--x\r\n", headers: { "content-type": "multipart/form-data; boundary=x" } });
    expect(toLogin.statusCode).toBe(415);

    const page = await dpo.agent.get(path);
    const href = /href="(\/cases\/[^"]+\/attachments\/[^"]+)"/.exec(page.body)![1]!;
    const download = await dpo.agent.get(href);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers["content-type"]).toBe("application/pdf");
    expect(download.headers["content-disposition"]).toMatch(/^attachment; filename="request letter.pdf"/);
    expect(download.headers["x-content-type-options"]).toBe("nosniff");
    expect(download.headers["content-security-policy"]).toContain("sandbox");
    expect((await other.dpo.agent.get(href)).statusCode).toBe(404);

    // The row holds the sealed name, and the file store the sealed file: neither in plaintext.
    const stored = await sql<{ orgId: string; id: string; content: string | null; filename: string }>`select org_id, id, content, filename from case_attachments`.execute(steward.services.database.db);
    expect(stored.rows.length).toBeGreaterThan(0);
    for (const row of stored.rows) {
      expect(row.content).toBeNull();
      expect(row.filename).not.toContain("request letter");
      const file = await steward.services.files.get({ organisationId: row.orgId, id: row.id });
      expect(file!.length).toBeGreaterThan(pdf.length);
      expect(file!.includes("Riley Pupil")).toBe(false);
    }
  });

  it("the dashboard shows open cases by type, what is due, overdue, breaches with hours left, and 12 months as chart and table", async () => {
    const { organisationId, staff, dpo } = await school();
    await logCase(staff.agent, organisationId);
    await logCase(staff.agent, organisationId, { type: "breach", receivedTime: "09:00", summary: "Lost USB stick" });
    await logCase(staff.agent, organisationId, { type: "complaint", receivedOn: "2026-12-01" });
    steward.clock.set("2027-01-30T12:00:00Z");
    await dpo.agent.signIn(dpo.username);
    const dashboard = await dpo.agent.get("/dashboard");
    const section = (id: string) => dashboard.body.slice(dashboard.body.indexOf(`id="${id}"`), dashboard.body.indexOf("</table>", dashboard.body.indexOf(`id="${id}"`)));
    expect(section("breaches")).toContain("69 hours left");
    expect(section("overdue")).toContain("CMP-2026-0001");
    expect(section("open-by-type")).toContain("Subject access request");
    expect(dashboard.body).toContain("<svg");
    expect(section("by-month")).toMatch(/Dec 2026<\/th><td[^>]*>1</);
    expect(section("by-month")).toMatch(/Jan 2027<\/th><td[^>]*>2</);
  });

  it("exports the filtered list as CSV and XLSX, without spreadsheet formulas", async () => {
    const { organisationId, staff, dpo } = await school();
    await logCase(staff.agent, organisationId, { requesterName: "=HYPERLINK(\"http://evil\")" });
    await logCase(staff.agent, organisationId, { type: "complaint", requesterName: "Casey Complainant" });
    const csv = await dpo.agent.get("/cases/export.csv?type=sar");
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body).toContain("'=HYPERLINK");
    expect(csv.body).not.toContain("Casey Complainant");
    const xlsx = await dpo.agent.get("/cases/export.xlsx");
    const files = unzipSync(new Uint8Array(xlsx.rawPayload));
    const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]!);
    expect(sheet).toContain("Casey Complainant");
    expect(sheet).toContain("=HYPERLINK(&quot;http://evil&quot;)");
    expect(sheet).not.toContain("<f>");
    expect((await staff.agent.get("/cases/export.csv")).statusCode).toBe(403);
  });

  it("pages a long list: every case on exactly one page, the count of all of them, and an export of them all", async () => {
    const { organisationId, staff, dpo } = await school();
    // 51 cases, received on different days so that the list's order by deadline is fixed.
    for (let day = 1; day <= 51; day += 1) {
      const receivedOn = new Date(Date.UTC(2026, 11, day)).toISOString().slice(0, 10);
      await logCase(staff.agent, organisationId, { receivedOn, requesterName: `Requester ${day}` });
    }
    const references = (body: string) => [...body.matchAll(/>(SAR-\d{4}-\d{4})</g)].map((match) => match[1]);
    const first = await dpo.agent.get("/cases?state=all&type=sar");
    expect(first.body).toContain("51 cases");
    expect(first.body).toContain("Showing 1 to 50, page 1 of 2");
    expect(first.body).toContain('href="/cases?type=sar&amp;state=all&amp;page=2"');
    const second = await dpo.agent.get("/cases?state=all&type=sar&page=2");
    expect(second.body).toContain("Showing 51 to 51, page 2 of 2");
    const seen = [...references(first.body), ...references(second.body)];
    expect(seen).toHaveLength(51);
    expect(new Set(seen).size).toBe(51);
    // The earliest deadline comes first; the latest is alone on page 2.
    expect(first.body.indexOf("Requester 1<")).toBeGreaterThan(-1);
    expect(second.body).toContain("Requester 51<");
    // A page past the end shows the last page; nonsense is the first page.
    expect((await dpo.agent.get("/cases?state=all&type=sar&page=99")).body).toContain("page 2 of 2");
    expect((await dpo.agent.get("/cases?state=all&type=sar&page=-1")).body).toContain("page 1 of 2");
    // The export is not paged: it holds every case the filter matches.
    const csv = await dpo.agent.get("/cases/export.csv?state=all&type=sar&page=2");
    expect(csv.body.trim().split("\n")).toHaveLength(52);
  });

  it("term dates entered by an admin move an FOI deadline; a bad CSV changes nothing", async () => {
    const { organisationId, owner, staff } = await school();
    const path = await logCase(staff.agent, organisationId, { type: "foi-school", receivedOn: "2027-01-25" });
    const before = (await staff.agent.get(path)).body;
    expect(before).toContain("No term dates have been entered");
    expect(before).toContain("Monday 22 Feb 2027");
    const calendar = { nation: "england", schoolType: "maintained", adviceTargetDays: "20" };
    const bad = await owner.submit(`/settings/calendar/${organisationId}`, { ...calendar, paste: "first_day,last_day,kind\n2026-11-02,2026-10-01,term\n" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Line 2: the last day is before the first day");
    expect((await staff.agent.get(path)).body).toContain("Monday 22 Feb 2027");
    const good = await owner.submit(`/settings/calendar/${organisationId}`, { ...calendar, paste: "first_day,last_day,kind\n2027-01-05,2027-02-12,term\n2027-02-22,2027-03-26,term\n" });
    expect(good.statusCode).toBe(303);
    expect((await staff.agent.get(path)).body).toContain("Monday 1 Mar 2027");
    expect((await staff.agent.get(`/settings/calendar/${organisationId}`)).statusCode).toBe(403);
  });

  // Last: bank holidays are not any one organisation's, so this changes every case in this database.
  it("loading GOV.UK's published bank holidays moves open deadlines that fall on a new one", async () => {
    const { organisationId, staff } = await school();
    const path = await logCase(staff.agent, organisationId);
    expect((await staff.agent.get(path)).body).toContain("Monday 1 Mar 2027");
    const published = readGovUkBankHolidays({
      "england-and-wales": { events: [...builtInBankHolidays().filter((day) => day.division === "england-and-wales" && day.date.startsWith("2027")), { title: "Extra bank holiday", date: "2027-03-01" }] },
      scotland: { events: [] },
      "northern-ireland": { events: [] },
    });
    const { refreshed } = await importPublishedBankHolidays(steward.services, published);
    expect(refreshed).toBeGreaterThan(0);
    const page = (await staff.agent.get(path)).body;
    expect(page).toContain("Tuesday 2 Mar 2027");
    expect(page).toContain("Extra bank holiday");
  });
});
