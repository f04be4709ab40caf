import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { applyDeadlineRuleChanges, DEADLINE_RULE_CHANGES } from "./calendar-settings.ts";

describe(`a change to the deadline rules reaches open cases' stored due dates (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function schoolIn(nation: string) {
    steward.clock.set("2026-12-01T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const organisationId = /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await owner.get("/users/new")).body)!.slice(1).find(Boolean)!;
    await sql`update organisations set nation = ${nation} where id = ${organisationId}`.execute(steward.services.database.db);
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", organisationId);
    return { organisationId, dpo };
  }

  async function logCase(agent: TestAgent, organisationId: string, type: string, receivedOn: string) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", {
      organisationId, type, receivedOn, receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "About the school's data.",
    });
    expect(response.statusCode, response.body.slice(0, 1500)).toBe(303);
    return response.headers.location!.replace(/\?.*$/, "").split("/").pop()!;
  }

  const dueOn = async (id: string) =>
    (await sql<{ due: string }>`select to_char(due_on, 'YYYY-MM-DD') as due from cases where id = ${id}`.execute(steward.services.database.db)).rows[0]!.due;

  it("start-up has recorded every change, so a second start-up works nothing out again", async () => {
    const { rows } = await sql<{ name: string }>`select name from deadline_rule_changes`.execute(steward.services.database.db);
    expect(rows.map((row) => row.name).sort()).toEqual([...DEADLINE_RULE_CHANGES].sort());
    expect(await applyDeadlineRuleChanges(steward.services)).toEqual({ changes: [], refreshed: 0 });
  });

  it("a complaint stored under the old 30-day rule is moved past the weekend and Boxing Day substitute at the next start-up", async () => {
    const { organisationId, dpo } = await schoolIn("england");
    const id = await logCase(dpo.agent, organisationId, "complaint", "2026-11-27");
    expect(await dueOn(id)).toBe("2026-12-29");
    // As stored before the ICO's February 2026 guidance was encoded: the 30th day, a Sunday.
    await sql`update cases set due_on = '2026-12-27' where id = ${id}`.execute(steward.services.database.db);
    await sql`delete from deadline_rule_changes`.execute(steward.services.database.db);
    const applied = await applyDeadlineRuleChanges(steward.services);
    expect(applied.changes).toEqual(DEADLINE_RULE_CHANGES);
    expect(applied.refreshed).toBeGreaterThan(0);
    expect(await dueOn(id)).toBe("2026-12-29");
  });

  it("a Scottish school logs an environmental request under the Scottish regulations, and an educational record request as one, counted in Scottish days", async () => {
    const { organisationId, dpo } = await schoolIn("scotland");
    const form = (await dpo.agent.get("/cases/new")).body;
    expect(form).toContain("Environmental information request (Scotland)");
    expect(form).not.toContain('value="eir"');
    const id = await logCase(dpo.agent, organisationId, "eir-scotland", "2026-11-23");
    expect(await dueOn(id)).toBe("2026-12-22");
    const page = (await dpo.agent.get(`/cases/${id}`)).body;
    expect(page).toContain("Environmental Information (Scotland) Regulations 2004, reg 5(2)(a)");
    // The parent's own right applies in every Scottish school: 15 school days, here (no term dates
    // entered) 15 Scottish working days, St Andrew's Day left out.
    const record = await logCase(dpo.agent, organisationId, "educational-record", "2026-11-20");
    const { rows } = await sql<{ type: string }>`select type from cases where id = ${record}`.execute(steward.services.database.db);
    expect(rows[0]!.type).toBe("educational-record");
    expect(await dueOn(record)).toBe("2026-12-14");
    expect((await dpo.agent.get(`/cases/${record}`)).body).toContain("Pupils&#39; Educational Records (Scotland) Regulations 2003, reg 5");
  });

  it("an independent school in Scotland is warned that a school-day rule may give it longer under FOISA", async () => {
    const { organisationId, dpo } = await schoolIn("scotland");
    await sql`update organisations set school_type = 'independent' where id = ${organisationId}`.execute(steward.services.database.db);
    const id = await logCase(dpo.agent, organisationId, "foi-scotland", "2026-11-23");
    expect(await dueOn(id)).toBe("2026-12-22");
    expect((await dpo.agent.get(`/cases/${id}`)).body).toContain("under regulations made under FOISA s10(4) in 2016");
  });

  it("the school calendars page lists the proclaimed one-off bank holidays with their proclamation", async () => {
    steward.clock.set("2026-12-01T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const page = (await owner.get("/settings/calendar")).body;
    expect(page).toContain("15 Jun 2026 is a bank holiday in Scotland, proclaimed 4 Feb 2026 under s1(3) of the Banking and Financial Dealings Act 1971");
    expect(page).toContain("every school in Scotland, have the educational record rule");
  });

  it("an English school is not offered it, and the server refuses it", async () => {
    const { organisationId, dpo } = await schoolIn("england");
    expect((await dpo.agent.get("/cases/new")).body).not.toContain("eir-scotland");
    await dpo.agent.get("/cases/new");
    const response = await dpo.agent.post("/cases", {
      organisationId, type: "eir-scotland", receivedOn: "2026-11-23", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
      requesterContact: "", subjectKind: "requester", subjectName: "", summary: "About the school's land.",
    });
    expect(response.statusCode).toBe(400);
    expect((await sql<{ n: number }>`select count(*)::int as n from cases where org_id = ${organisationId}`.execute(steward.services.database.db)).rows[0]!.n).toBe(0);
  });
});
