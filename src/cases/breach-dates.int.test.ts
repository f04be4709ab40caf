import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`a breach's times and dates on its pages (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("shows 12:xx times as 12:15pm, and an ICO report typed as a date as that date, never a time before the school knew", async () => {
    // Summer time: 13:15 UTC is 2:15pm in London; the school became aware at 12:15pm.
    steward.clock.set("2027-06-14T13:15:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const organisationId = /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await owner.get("/users/new")).body)!.slice(1).find(Boolean)!;
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", organisationId);
    await dpo.agent.get("/cases/new");
    const logged = await dpo.agent.post("/cases", {
      organisationId, type: "breach", receivedOn: "2027-06-14", receivedTime: "12:15", channel: "email", requesterName: "Alex Office",
      requesterContact: "", subjectKind: "pupil", subjectName: "Class 4", summary: "Register emailed to the wrong parent.",
    });
    expect(logged.statusCode, logged.body.slice(0, 1500)).toBe(303);
    const path = logged.headers.location!.replace(/\?.*$/, "");

    const page = (await dpo.agent.get(path)).body;
    expect(page).toContain("14 June 2027 at 12:15pm");
    expect(page).toContain("17 June 2027 at 12:15pm");
    expect(page).not.toMatch(/\b0:15 ?pm/);

    await dpo.agent.get(`${path}/breach`);
    const assessed = await dpo.agent.post(`${path}/breach`, {
      likelihood: "likely", severity: "significant", peopleCategories: "Pupils", peopleCount: "28", recordCategories: "Names", recordCount: "28",
      consequences: "Upset", measures: "Recipient deleted it", contact: "The DPO",
      "icoReportedOn-day": "14", "icoReportedOn-month": "6", "icoReportedOn-year": "2027",
      "peopleToldOn-day": "", "peopleToldOn-month": "", "peopleToldOn-year": "",
    });
    expect(assessed.statusCode, assessed.body.slice(0, 1500)).toBe(303);

    const after = (await dpo.agent.get(path)).body;
    expect(after).toContain("reported on 14 Jun 2027");
    const report = (await dpo.agent.get(`${path}/breach-report`)).body;
    expect(report).toMatch(/Reported to the ICO[\s\S]*?Monday 14 Jun 2027/);
    expect(report).toContain("14 June 2027 at 12:15pm");
    // The date is a date: no invented moment (midday, 12pm) earlier than the 12:15pm the school knew.
    expect(report).not.toMatch(/14 June 2027 at (midday|12pm|1pm)/);
    expect(after).not.toMatch(/reported 14 June 2027 at/);
  });
});
