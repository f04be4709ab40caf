import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`the log-a-case form posted twice (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function staffAtSchool() {
    steward.clock.set("2027-01-30T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);
    return { organisationId: licence.organisationId, staff: staff.agent };
  }

  async function casesOf(organisationId: string): Promise<number> {
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from cases where org_id = ${organisationId}`.execute(steward.services.database.db);
    return rows[0]!.count;
  }

  /** The details form as the browser has it: its fields, with the key it was shown with. */
  async function formFor(agent: TestAgent, organisationId: string, requesterName: string) {
    const page = (await agent.get(`/cases/new?organisationId=${organisationId}&type=sar`)).body;
    const submissionKey = /name="submissionKey" value="([0-9a-f-]{36})"/.exec(page)?.[1];
    expect(submissionKey).toBeDefined();
    return {
      organisationId, type: "sar", "receivedOn-day": "30", "receivedOn-month": "1", "receivedOn-year": "2027", receivedTime: "", channel: "email", requesterName,
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.", submissionKey: submissionKey!,
    };
  }

  it("makes one case from two posts of the same form, one after the other: the second lands on the first's case", async () => {
    const { organisationId, staff } = await staffAtSchool();
    const form = await formFor(staff, organisationId, "Jordan Parent");
    const first = await staff.post("/cases", form);
    const second = await staff.post("/cases", form);
    expect(first.statusCode, first.body.slice(0, 1000)).toBe(303);
    expect(second.statusCode, second.body.slice(0, 1000)).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await casesOf(organisationId)).toBe(1);
  });

  it("makes one case from two posts at the same moment, however the two interleave", async () => {
    const { organisationId, staff } = await staffAtSchool();
    // Several races, since the order differs run to run: the second may wait on the first's key, or
    // find the first's case already committed when it looks for likely duplicates.
    const requesters = ["Casey Parent", "Alex Carer", "Rowan Guardian", "Jess Parent", "Kit Grandparent", "Lee Parent"];
    for (const requesterName of requesters) {
      const form = await formFor(staff, organisationId, requesterName);
      const [first, second] = await Promise.all([staff.post("/cases", form), staff.post("/cases", form)]);
      expect([first!.statusCode, second!.statusCode], second!.body.slice(0, 500)).toEqual([303, 303]);
      expect(second!.headers.location).toBe(first!.headers.location);
    }
    expect(await casesOf(organisationId)).toBe(requesters.length);
  });

  it("makes a new case from a new form, and gives each form its own key", async () => {
    const { organisationId, staff } = await staffAtSchool();
    const one = await formFor(staff, organisationId, "Robin Parent");
    const two = await formFor(staff, organisationId, "Morgan Parent");
    expect(two.submissionKey).not.toBe(one.submissionKey);
    const first = await staff.post("/cases", one);
    const second = await staff.post("/cases", two);
    expect(second.headers.location).not.toBe(first.headers.location);
    expect(await casesOf(organisationId)).toBe(2);
    // A form sent back with a problem keeps its key, so fixing it and sending it twice still makes one.
    const three = await formFor(staff, organisationId, "Sam Parent");
    const refused = await staff.post("/cases", { ...three, summary: "" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`name="submissionKey" value="${three.submissionKey}"`);
  });
});
