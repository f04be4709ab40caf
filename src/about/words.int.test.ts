import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`pages say words, not codes (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("names roles in words on the user list, a user's page, your account and the dashboard", async () => {
    steward.clock.set("2027-06-14T09:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    const users = (await owner.get("/users")).body;
    expect(users).toContain("Data protection officer");
    expect(users).toContain("Licence owner");
    expect(users).not.toMatch(/>\s*Dpo\s*</);
    const userId = /href="\/users\/([0-9a-f-]{36})"/.exec(users.split(dpo.fullName)[0]!.slice(-300))![1]!;
    expect((await owner.get(`/users/${userId}`)).body).toContain("Data protection officer");
    expect((await dpo.agent.get("/account")).body).toContain("Data protection officer");
    expect((await dpo.agent.get("/dashboard")).body).toContain("(data protection officer)");
    expect((await owner.get("/dashboard")).body).toContain("(licence owner)");

    // A breach's likelihood and severity, in words on its printed record.
    await dpo.agent.get("/cases/new");
    const logged = await dpo.agent.post("/cases", {
      organisationId: licence.organisationId, type: "breach", receivedOn: "2027-06-14", receivedTime: "08:30", channel: "email", requesterName: "Alex Office",
      requesterContact: "", subjectKind: "pupil", subjectName: "Class 4", summary: "Register emailed to the wrong parent.",
    });
    const path = logged.headers.location!.replace(/\?.*$/, "");
    await dpo.agent.get(`${path}/breach`);
    await dpo.agent.post(`${path}/breach`, {
      likelihood: "very-likely", severity: "significant", peopleCategories: "Pupils", peopleCount: "28", recordCategories: "Names", recordCount: "28",
      consequences: "Upset", measures: "Recipient deleted it", contact: "The DPO", icoReportedOn: "", peopleToldOn: "",
    });
    const report = (await dpo.agent.get(`${path}/breach-report`)).body;
    expect(report).toContain("High risk. Likelihood of harm: very likely; severity: significant.");
    expect(report).not.toContain("very-likely");
    // Radios and lists ask to be selected, not chosen or entered.
    const unassessed = await dpo.agent.post(`${path}/breach`, { peopleCategories: "", peopleCount: "", recordCategories: "", recordCount: "", consequences: "", measures: "", contact: "", icoReportedOn: "", peopleToldOn: "" });
    expect(unassessed.body).toContain("Select how likely harm to people is");
  });
});
