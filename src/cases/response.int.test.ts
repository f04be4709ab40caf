import { sql } from "kysely";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`closing records when and how the response was sent, and whether on time (${testEngine})`, () => {
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
    return { owner, organisationId, dpo };
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

  const sent = (date: string) => {
    const [year, month, day] = date.split("-");
    return { "sentOn-day": day!, "sentOn-month": month!, "sentOn-year": year! };
  };

  it("refuses to close without the date and channel, a date in the future or before receipt, with field errors, and writes nothing", async () => {
    const { organisationId, dpo } = await school();
    const path = await logCase(dpo.agent, organisationId, { receivedOn: "2027-01-20" });
    await dpo.agent.get(path);
    const noDate = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", "sentOn-day": "", "sentOn-month": "", "sentOn-year": "", responseChannel: "email" });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.body).toContain("Enter the date the response was sent");
    const future = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", ...sent("2027-02-01"), responseChannel: "email" });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain("Date the response was sent must be today or in the past");
    const early = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", ...sent("2027-01-19"), responseChannel: "email" });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain("must be on or after the day it was received, 20 Jan 2027");
    const notADate = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", "sentOn-day": "31", "sentOn-month": "2", "sentOn-year": "2027", responseChannel: "email" });
    expect(notADate.statusCode).toBe(400);
    expect(notADate.body).toContain("Date the response was sent must be a real date");
    const noChannel = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", ...sent("2027-01-29") });
    expect(noChannel.statusCode).toBe(400);
    expect(noChannel.body).toContain("Select how the response was sent");
    const badChannel = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-full", ...sent("2027-01-29"), responseChannel: "pigeon" });
    expect(badChannel.statusCode).toBe(400);
    const page = await dpo.agent.get(path);
    expect(page.body).not.toContain("Closed on");
    expect((await dpo.agent.get("/cases?state=closed")).body).toContain("No cases match");
  });

  it("says on time or late against the deadline in force, on the case page, the list, the dashboard and both exports", async () => {
    const { organisationId, dpo } = await school();
    // Received 30 Nov 2026: due Wednesday 30 Dec 2026 (one calendar month).
    const onTime = await logCase(dpo.agent, organisationId, { receivedOn: "2026-11-30" });
    const late = await logCase(dpo.agent, organisationId, { receivedOn: "2026-11-30", requesterName: "Sam Late" });
    const withdrawn = await logCase(dpo.agent, organisationId, { receivedOn: "2026-12-01", requesterName: "Alex Withdrew" });
    await dpo.agent.get(onTime);
    expect((await dpo.agent.post(`${onTime}/close`, { confirmed: "yes", outcome: "disclosed-in-full", ...sent("2026-12-30"), responseChannel: "email" })).statusCode).toBe(303);
    expect((await dpo.agent.post(`${late}/close`, { confirmed: "yes", outcome: "disclosed-in-full", ...sent("2026-12-31"), responseChannel: "post" })).statusCode).toBe(303);
    // Withdrawn: nothing was sent, so the date the form starts with (today) is not kept.
    expect((await dpo.agent.post(`${withdrawn}/close`, { confirmed: "yes", outcome: "withdrawn", ...sent("2027-01-30"), responseChannel: "" })).statusCode).toBe(303);

    const onTimePage = (await dpo.agent.get(onTime)).body;
    expect(onTimePage).toMatch(/id="response">Sent 30 Dec 2026, by email\. <strong class="govuk-tag govuk-tag--green">On time</);
    expect((await dpo.agent.get(late)).body).toMatch(/Sent 31 Dec 2026, by post\. <strong class="govuk-tag govuk-tag--red">Late</);
    const withdrawnPage = (await dpo.agent.get(withdrawn)).body;
    expect(withdrawnPage).toContain("Not applicable");
    expect(withdrawnPage).not.toContain("Sent 30 Jan 2027");
    expect(onTimePage.slice(onTimePage.indexOf('id="timeline"'))).toContain("Closed: Disclosed in full. Sent 30 Dec 2026, by email");

    const list = (await dpo.agent.get("/cases?state=closed")).body;
    expect(list).toContain("Sent 31 Dec 2026, by post");
    expect(list).toMatch(/govuk-tag--red">Late</);
    expect(list).toMatch(/govuk-tag--green">On time</);

    const dashboard = (await dpo.agent.get("/dashboard")).body;
    const answered = dashboard.slice(dashboard.indexOf('id="answered"'), dashboard.indexOf("</table>", dashboard.indexOf('id="answered"')));
    expect(answered).toMatch(/Subject access request<\/th><td[^>]*>2<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td><td[^>]*>0</);

    const csv = (await dpo.agent.get("/cases/export.csv?state=closed")).body;
    const header = csv.split("\r\n")[0]!.split(",");
    expect(header).toEqual(expect.arrayContaining(["Received", "Due", "Closed", "Responded on", "How sent", "On time"]));
    const row = csv.split("\r\n").find((line) => line.includes("Sam Late"))!.split(",");
    expect(row[header.indexOf("Responded on")]).toBe("2026-12-31");
    expect(row[header.indexOf("How sent")]).toBe("By post");
    expect(row[header.indexOf("On time")]).toBe("Late");
    expect(row[header.indexOf("Due")]).toBe("2026-12-30");
    // Closed at 10:00 UTC on 30 Jan 2027: London is on GMT then, so the same wall-clock time.
    expect(row[header.indexOf("Closed")]).toBe("2027-01-30 10:00");
    expect(csv.split("\r\n").find((line) => line.includes("Alex Withdrew"))!.split(",")[header.indexOf("On time")]).toBe("Not applicable");

    const xlsx = await dpo.agent.get("/cases/export.xlsx?state=closed");
    const files = unzipSync(new Uint8Array(xlsx.rawPayload));
    const styles = strFromU8(files["xl/styles.xml"]!);
    expect(styles).toMatch(/<numFmt numFmtId="164" formatCode="d mmm yyyy"\/>/);
    const dateStyle = [...styles.matchAll(/<xf [^>]*\/>/g)].map((match) => match[0]).filter((xf) => xf.includes("numFmtId=\"164\"")).length;
    expect(dateStyle).toBe(1);
    const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]!);
    // 31 Dec 2026 is day 46387 counting from 30 Dec 1899, as spreadsheets count.
    expect(sheet).toMatch(/<c r="[A-Z]+\d+" s="2"><v>46387<\/v><\/c>/);
    // 30 Jan 2027 10:00 London: 46417 and 10/24 of a day.
    expect(sheet).toMatch(/<c r="[A-Z]+\d+" s="3"><v>46417\.41666/);
    expect(sheet).toContain(">Late<");
  });

  it("counts a case closed before responses were recorded as Not recorded, and a reopened case loses its response", async () => {
    const { organisationId, dpo } = await school();
    const path = await logCase(dpo.agent, organisationId, { receivedOn: "2027-01-10" });
    const caseId = path.split("/").pop()!;
    // As a case closed before this change was stored: an outcome and a closing time, no response.
    await sql`update cases set outcome = 'disclosed-in-full', closed_at = now() where id = ${caseId}`.execute(steward.services.database.db);
    expect((await dpo.agent.get(path)).body).toMatch(/Date sent not recorded\. <strong class="govuk-tag govuk-tag--grey">Not recorded</);
    const csv = (await dpo.agent.get("/cases/export.csv?state=closed")).body;
    expect(csv).toContain(",Not recorded");
    await sql`update cases set outcome = null, closed_at = null where id = ${caseId}`.execute(steward.services.database.db);
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/close`, { confirmed: "yes", outcome: "disclosed-in-full", ...sent("2027-01-29"), responseChannel: "collected" })).statusCode).toBe(303);
    expect((await dpo.agent.get(path)).body).toContain("Sent 29 Jan 2027, collected from the school");
    expect((await dpo.agent.post(`${path}/reopen`, { reopenReason: "Closed by mistake" })).statusCode).toBe(303);
    const reopened = await sql<{ responseSentOn: string | null }>`select response_sent_on as "responseSentOn" from cases where id = ${caseId}`.execute(steward.services.database.db);
    expect(reopened.rows[0]!.responseSentOn).toBeNull();
  });

  it("judges a breach by its report to the ICO against the 72 hours, and asks no response date of it", async () => {
    const { organisationId, dpo } = await school();
    const path = await logCase(dpo.agent, organisationId, { type: "breach", receivedOn: "2027-01-26", receivedTime: "09:00" });
    const page = (await dpo.agent.get(path)).body;
    expect(page).not.toContain('name="sentOn-day"');
    // Closed as reported on 30 Jan at 10:00: more than 72 hours after 09:00 on 26 Jan.
    expect((await dpo.agent.post(`${path}/close`, { confirmed: "yes", outcome: "reported" })).statusCode).toBe(303);
    expect((await dpo.agent.get(path)).body).toMatch(/govuk-tag--red">Late</);
    const quick = await logCase(dpo.agent, organisationId, { type: "breach", receivedOn: "2027-01-29", receivedTime: "09:00", requesterName: "Robin Office" });
    await dpo.agent.get(quick);
    expect((await dpo.agent.post(`${quick}/close`, { confirmed: "yes", outcome: "reported" })).statusCode).toBe(303);
    expect((await dpo.agent.get(quick)).body).toMatch(/govuk-tag--green">On time</);
    const none = await logCase(dpo.agent, organisationId, { type: "breach", receivedOn: "2027-01-29", receivedTime: "11:00", requesterName: "Kit Teacher" });
    await dpo.agent.get(none);
    expect((await dpo.agent.post(`${none}/close`, { confirmed: "yes", outcome: "not-a-breach", detail: "The email never left the school" })).statusCode).toBe(303);
    expect((await dpo.agent.get(none)).body).toMatch(/govuk-tag--grey">Not applicable</);
  });
});
