import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`the governors' report (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function trust() {
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const trustId = /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await owner.get("/users/new")).body)!.slice(1).find(Boolean)!;
    await owner.submit("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    const elmId = /<option value="([^"]+)"[^>]*>Elm Academy/.exec((await owner.get("/users/new")).body)![1]!;
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", trustId);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", elmId);
    return { owner, trustId, elmId, dpo, staff };
  }

  async function logCase(agent: TestAgent, organisationId: string, fields: Record<string, string>) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", {
      organisationId, type: "sar", receivedOn: "2027-01-30", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.", ...fields,
    });
    expect(response.statusCode, response.body.slice(0, 1500)).toBe(303);
    return response.headers.location!.replace(/\?.*$/, "");
  }

  async function close(agent: TestAgent, path: string, fields: Record<string, string>) {
    await agent.get(path);
    expect((await agent.post(`${path}/close`, { ...fields, confirmed: "yes" })).statusCode).toBe(303);
  }

  it("counts each school's and the whole trust's cases for a year or a term, on screen, as CSV and as a PDF, naming nobody", async () => {
    const { trustId, elmId, dpo, staff } = await trust();
    // Elm's terms: autumn from 3 Sep, spring from 5 Jan, summer from 12 Apr.
    for (const [firstDay, lastDay] of [["2026-09-03", "2026-12-18"], ["2027-01-05", "2027-03-26"], ["2027-04-12", "2027-07-21"]]) {
      await sql`insert into school_terms (org_id, id, kind, first_day, last_day) values (${elmId}, ${randomUUID()}, 'term', ${firstDay}, ${lastDay})`.execute(steward.services.database.db);
    }
    // Received 30 Nov: due 30 Dec. One answered in 10 days, one in 31 (late).
    const quick = await logCase(dpo.agent, elmId, { receivedOn: "2026-11-30" });
    await close(dpo.agent, quick, { outcome: "disclosed-in-full", sentOn: "2026-12-10", responseChannel: "email" });
    const slow = await logCase(dpo.agent, elmId, { receivedOn: "2026-11-30", requesterName: "Sam Slow" });
    await close(dpo.agent, slow, { outcome: "disclosed-in-full", sentOn: "2026-12-31", responseChannel: "post" });
    await logCase(dpo.agent, elmId, { type: "complaint", receivedOn: "2027-01-10", requesterName: "Casey Complainant" });
    // The trust's own breach, aware 26 Jan 09:00, reported on 30 Jan: after its 72 hours.
    const breach = await logCase(dpo.agent, trustId, { type: "breach", receivedOn: "2027-01-26", receivedTime: "09:00" });
    await close(dpo.agent, breach, { outcome: "reported" });

    const page = await dpo.agent.get("/reports/governors");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("School year 2026 to 2027");
    const summary = page.body.slice(page.body.indexOf('id="summary"'), page.body.indexOf("</table>", page.body.indexOf('id="summary"')));
    const rowOf = (name: string) => summary.slice(summary.indexOf(`>${name}`), summary.indexOf("</tr>", summary.indexOf(`>${name}`)));
    expect(rowOf("Elm Academy")).toMatch(/>3<\/td>\s*<td[^>]*>1 of 2 \(50%\)<\/td>\s*<td[^>]*>20\.5 days<\/td>\s*<td[^>]*>0<\/td>\s*<td[^>]*>0<\/td>\s*<td[^>]*>1</);
    expect(rowOf("Whole trust")).toMatch(/>4<\/td>\s*<td[^>]*>1 of 2 \(50%\)<\/td>\s*<td[^>]*>20\.5 days<\/td>\s*<td[^>]*>1<\/td>\s*<td[^>]*>1 \(0 within 72 hours\)<\/td>\s*<td[^>]*>1</);
    const byType = page.body.slice(page.body.indexOf('id="by-type"'), page.body.indexOf("</table>", page.body.indexOf('id="by-type"')));
    // A column for each organisation (the trust's own first, then its schools), then the whole trust.
    expect(byType).toMatch(/Subject access request<\/th><td[^>]*>0<\/td><td[^>]*>2<\/td><td[^>]*>2</);
    expect(byType).toMatch(/Personal data breach<\/th><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>1</);

    const csv = await dpo.agent.get("/reports/governors.csv");
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.headers["content-disposition"]).toContain("governors-report-2026-2027.csv");
    const [header, ...rows] = csv.body.trim().split("\r\n").map((line) => line.split(","));
    const elm = rows.find((row) => row[0] === "Elm Academy")!;
    expect(elm[header!.indexOf("Cases received")]).toBe("3");
    expect(elm[header!.indexOf("Answered on time")]).toBe("1");
    expect(elm[header!.indexOf("Share on time (%)")]).toBe("50");
    expect(elm[header!.indexOf("Median days to respond")]).toBe("20.5");
    expect(rows.find((row) => row[0] === "Whole trust")![header!.indexOf("Reported to the ICO")]).toBe("1");

    const pdf = await dpo.agent.get("/reports/governors.pdf");
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.headers["content-disposition"]).toMatch(/^attachment; filename="governors-report-2026-2027\.pdf"/);
    const text = pdf.rawPayload.toString("latin1");
    expect(text.startsWith("%PDF-1.4")).toBe(true);
    expect(text).toContain("(Elm Academy)");
    expect(text).toContain("(1 of 2 \\(50%\\))");

    // Counts only: no requester, and no reference, in any form of the report.
    for (const body of [page.body, csv.body, text]) {
      for (const personal of ["Jordan Parent", "Sam Slow", "Casey Complainant", "SAR-2026", "CMP-2027", "BR-2027"]) {
        expect(body).not.toContain(personal);
      }
    }

    // A term: Elm's autumn runs to the day before its spring term, 4 Jan; its spring holds the complaint.
    const autumn = await dpo.agent.get(`/reports/governors?year=2026&term=autumn&organisationId=${elmId}`);
    expect(autumn.body).toContain("Autumn term 2026 to 2027");
    expect(autumn.body).toContain("1 Sep 2026 to 4 Jan 2027");
    expect(autumn.body).toMatch(/Elm Academy<span[^>]*>[^<]*<\/span><\/th>\s*<td[^>]*>2</);
    const spring = await dpo.agent.get(`/reports/governors.csv?year=2026&term=spring&organisationId=${elmId}`);
    expect(spring.body.split("\r\n")[1]).toMatch(/^Elm Academy,5 Jan 2027 to 11 Apr 2027,1,/);
    expect((await dpo.agent.get("/reports/governors?year=2025")).body).toMatch(/Whole trust<\/th>\s*<td[^>]*>0</);
    // Choices it cannot read, or a year not yet begun, give this school year as a whole.
    for (const query of ["year=abc&term=winter", "year=2031", "organisationId=not-an-id"]) {
      const odd = await dpo.agent.get(`/reports/governors?${query}`);
      expect(odd.statusCode).toBe(200);
      expect(odd.body).toContain("School year 2026 to 2027");
    }

    // Reading it is in the trail of each organisation it covers.
    const audited = await sql<{ orgId: string }>`select org_id as "orgId" from audit_events where action = 'report.view'`.execute(steward.services.database.db);
    expect(new Set(audited.rows.map((row) => row.orgId))).toEqual(new Set([trustId, elmId]));

    // Staff cannot see it; the dashboard offers it to those who can.
    expect((await staff.agent.get("/reports/governors")).statusCode).toBe(403);
    expect((await staff.agent.get("/reports/governors.pdf")).statusCode).toBe(403);
    expect((await dpo.agent.get("/dashboard")).body).toContain('href="/reports/governors"');
    expect((await staff.agent.get("/dashboard")).body).not.toContain('href="/reports/governors"');
  });

  it("never counts another organisation's cases, even when asked for them by id", async () => {
    const first = await trust();
    await logCase(first.dpo.agent, first.elmId, { receivedOn: "2026-12-01" });
    const other = await trust();
    const report = await other.dpo.agent.get(`/reports/governors.csv?organisationId=${first.elmId}`);
    expect(report.statusCode).toBe(200);
    const rows = report.body.trim().split("\r\n").slice(1).map((line) => line.split(","));
    expect(rows.every((row) => row[2] === "0")).toBe(true);
  });
});
