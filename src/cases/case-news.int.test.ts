import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { sendDueReminders } from "./reminders.ts";

/** Who hears of a case: someone always does, and the page says who; references never repeat in a trust. */
describe(`who is told of a case, and its reference (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function signedInOwner(kind: "school" | "trust", organisationName?: string) {
    const licence = await buildLicence(steward.services, { organisationKind: kind, ...(organisationName ? { organisationName } : {}) });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    return { licence, owner };
  }

  const sarForm = (organisationId: string, overrides: Record<string, string> = {}) => ({
    organisationId,
    type: "sar",
    receivedOn: "2027-01-30",
    receivedTime: "",
    channel: "email",
    requesterName: "Jordan Parent",
    requesterContact: "jordan@example.com",
    subjectKind: "pupil",
    subjectName: "Riley Pupil",
    summary: "Please send me all the data you hold about my son Riley.",
    ...overrides,
  });

  /** The case news an address has had (not the emails every new account gets). */
  const caseNews = async (address: string) => (await emailsTo(steward.services, address)).filter((email) => /SAR-/.test(email.subject));

  async function logSar(agent: TestAgent, organisationId: string, overrides: Record<string, string> = {}) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", sarForm(organisationId, overrides));
    expect(response.statusCode, response.body.slice(0, 2000)).toBe(303);
    return response.headers.location!;
  }

  it("at a school with no DPO, the owner and admins are emailed, the page names them, and reminders reach them and the assignee", async () => {
    const { licence, owner } = await signedInOwner("school");
    const admin = await addPerson(steward.app, steward.clock, owner, "admin", licence.organisationId);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);
    const landing = await logSar(staff.agent, licence.organisationId);
    const page = await staff.agent.get(landing);
    expect(page.body).not.toContain("The data protection officer has been told");
    expect(page.body).toContain("The case is logged.");
    expect(page.body).toContain(`${admin.fullName} (administrator)`);
    expect(page.body).toMatch(/Emailed to [^<]*\(licence owner\)/);

    const toAdmin = await caseNews(admin.email);
    const toOwner = await caseNews(licence.email);
    expect(toAdmin.map((email) => email.subject)).toEqual([expect.stringMatching(/^New subject access request at Oakfield Primary \w+: SAR-2027-0001, due Monday 1 Mar 2027$/)]);
    expect(toOwner).toHaveLength(1);
    expect(toAdmin[0]!.body).toContain("Due: Monday 1 Mar 2027.");
    expect(await caseNews(staff.email)).toEqual([]);

    // Given to the member of staff, the case's reminders go to them as well as to the owner and admin.
    const caseId = /\/cases\/([0-9a-f-]{36})/.exec(landing)![1]!;
    const people = await owner.get(`/cases/${caseId}/assign`);
    const staffId = new RegExp(`value="([0-9a-f-]{36})">\\s*<label[^>]*>\\s*${staff.fullName}`).exec(people.body)![1]!;
    expect((await owner.post(`/cases/${caseId}/assign`, { assigneeId: staffId })).statusCode).toBe(303);
    steward.clock.set("2027-02-23T09:00:00Z");
    try {
      expect(await sendDueReminders(steward.services)).toBeGreaterThanOrEqual(1);
      for (const address of [staff.email, admin.email, licence.email]) {
        expect((await caseNews(address)).some((email) => /^SAR-2027-0001 at Oakfield Primary \w+: Due within 7 days/.test(email.subject)), address).toBe(true);
      }
    } finally {
      steward.clock.set("2027-01-30T10:00:00Z");
    }
  });

  it("where there is a DPO, the DPO is told and the owner is not; a DPO who logs it is told it stayed with them", async () => {
    const { licence, owner } = await signedInOwner("school");
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);
    await logSar(staff.agent, licence.organisationId);
    expect(await caseNews(dpo.email)).toHaveLength(1);
    expect(await caseNews(licence.email)).toEqual([]);
    const page = await dpo.agent.get(await logSar(dpo.agent, licence.organisationId, { requesterName: "Casey Parent", subjectName: "Alex Pupil" }));
    expect(page.body).toContain("Nobody else was emailed");
    expect(await caseNews(dpo.email)).toHaveLength(1);
  });

  it("the dashboard lists new cases nobody has been given", async () => {
    const { licence, owner } = await signedInOwner("school");
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    await logSar(owner, licence.organisationId);
    const section = () =>
      owner.get("/dashboard").then((response) => /<table class="govuk-table" id="new-and-unassigned">([\s\S]*?)<\/table>/.exec(response.body)?.[1] ?? "");
    expect(await section()).toContain("SAR-2027-0001");
    const caseId = /href="\/cases\/([0-9a-f-]{36})">SAR-2027-0001/.exec(await section())![1]!;
    const people = await owner.get(`/cases/${caseId}/assign`);
    const dpoId = new RegExp(`value="([0-9a-f-]{36})">\\s*<label[^>]*>\\s*${dpo.fullName}`).exec(people.body)![1]!;
    await owner.post(`/cases/${caseId}/assign`, { assigneeId: dpoId });
    expect(await section()).not.toContain("SAR-2027-0001");
  });

  it("two schools of one trust never share a reference: each begins with the school's code, and emails name the school", async () => {
    const { licence, owner } = await signedInOwner("trust", "Northern Lights Learning Trust");
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    for (const name of ["Oak Hill Primary School", "Orchard House Primary"]) {
      await owner.get("/schools/new");
      expect((await owner.post("/schools/new", { name, postalAddress: "1 Road\nLeeds", telephone: "0113 496 0001" })).statusCode).toBe(303);
    }
    const choices = (await owner.get("/cases/new")).body;
    const idOf = (name: string) => new RegExp(`<option value="([0-9a-f-]{36})"[^>]*>${name}<`).exec(choices)![1]!;
    const oak = await owner.get(await logSar(owner, idOf("Oak Hill Primary School")));
    const orchard = await owner.get(await logSar(owner, idOf("Orchard House Primary")));
    const central = await owner.get(await logSar(owner, licence.organisationId));
    const referenceOf = (body: string) => /<h1 class="govuk-heading-l" id="reference">([^<]+)<\/h1>/.exec(body)![1]!;
    expect(referenceOf(oak.body)).toBe("OHP-SAR-2027-0001");
    expect(referenceOf(orchard.body)).toBe("OHP2-SAR-2027-0001");
    expect(referenceOf(central.body)).toBe("NLL-SAR-2027-0001");
    const subjects = (await caseNews(dpo.email)).map((email) => email.subject);
    expect(subjects).toContain("New subject access request at Oak Hill Primary School: OHP-SAR-2027-0001, due Monday 1 Mar 2027");
    expect(subjects).toContain("New subject access request at Orchard House Primary: OHP2-SAR-2027-0001, due Monday 1 Mar 2027");
  });
});
