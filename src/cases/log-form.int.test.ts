import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/** The log-a-case form: one question first, then only what that kind of case needs. */
describe(`logging a case, form by form (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-29T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function signedInOwner(kind: "school" | "trust") {
    const licence = await buildLicence(steward.services, { organisationKind: kind });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    return { licence, owner };
  }

  const details = (organisationId: string, overrides: Record<string, string> = {}) => ({
    organisationId,
    type: "sar",
    receivedOn: "2027-01-29",
    channel: "email",
    requesterName: "Jordan Parent",
    requesterContact: "",
    subjectKind: "pupil",
    subjectName: "Riley Pupil",
    summary: "Everything you hold about Riley, please.",
    ...overrides,
  });

  const caseCount = async (agent: TestAgent) => Number(/(\d+) cases?\b/.exec((await agent.get("/cases?state=all")).body)?.[1] ?? 0);

  it("asks the kind first; an FOI request's form asks nobody's personal data, and its clock follows from the school", async () => {
    const { licence, owner } = await signedInOwner("school");
    const first = await owner.get("/cases/new");
    expect(first.body).toContain("What kind of request or incident is it?");
    expect(first.body).not.toContain('name="requesterName"');
    // One FOI choice: whether it counts school days is not the person's to guess.
    expect(first.body).toContain('value="foi"');
    expect(first.body).not.toContain('value="foi-school"');

    const foi = await owner.get(`/cases/new?organisationId=${licence.organisationId}&type=foi`);
    expect(foi.statusCode).toBe(200);
    expect(foi.body).toContain('name="requesterName"');
    expect(foi.body).not.toContain('name="subjectKind"');
    expect(foi.body).not.toContain('name="receivedTime"');
    // How it arrived starts with nothing chosen.
    expect(foi.body).toMatch(/<select class="govuk-select" id="channel" name="channel">\s*<option value="">Select how it arrived<\/option>/);

    const logged = await owner.post("/cases", details(licence.organisationId, { type: "foi", subjectKind: "", subjectName: "", summary: "How much did the school spend on printing last year?" }));
    expect(logged.statusCode, logged.body.slice(0, 1500)).toBe(303);
    const page = await owner.get(logged.headers.location!);
    expect(page.body).toContain("Freedom of information request (school days)");
    expect(page.body).toContain("60th working day");
    expect(page.body).not.toContain("Riley");

    const breach = await owner.get(`/cases/new?organisationId=${licence.organisationId}&type=breach`);
    expect(breach.body).toContain('name="receivedTime"');
    expect(breach.body).toContain("Whose data was involved?");
    expect(breach.body).not.toContain("The requester themselves");
  });

  it("a trust's people choose the school from an empty start, the trust named as its central team; choosing nothing says so", async () => {
    const { licence, owner } = await signedInOwner("trust");
    await owner.get("/schools/new");
    await owner.post("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    const first = await owner.get("/cases/new");
    expect(first.body).toMatch(/<select class="govuk-select" id="organisationId" name="organisationId">\s*<option value="">Select a school<\/option>/);
    expect(first.body).toContain(`${licence.name} (central team)`);
    const nothing = await owner.get("/cases/new?organisationId=&type=sar");
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain("Select which school it is for");
    // The trust's own FOI request is not counted in school days; an academy's is.
    const elmId = /<option value="([0-9a-f-]{36})">Elm Academy<\/option>/.exec(first.body)![1]!;
    for (const [organisationId, expected] of [[licence.organisationId, /Freedom of information request(?! \(school days\))/], [elmId, /Freedom of information request \(school days\)/]] as const) {
      await owner.get(`/cases/new?organisationId=${organisationId}&type=foi`);
      const logged = await owner.post("/cases", details(organisationId, { type: "foi", subjectKind: "", subjectName: "", requesterName: `Reporter ${organisationId}` }));
      expect(logged.statusCode, logged.body.slice(0, 1500)).toBe(303);
      expect((await owner.get(logged.headers.location!)).body).toMatch(expected);
    }
  });

  it("warns of a likely duplicate before logging it, and logs it once the person says it is a different request", async () => {
    const { licence, owner } = await signedInOwner("school");
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);
    await owner.get(`/cases/new?organisationId=${licence.organisationId}&type=sar`);
    expect((await owner.post("/cases", details(licence.organisationId))).statusCode).toBe(303);
    expect(await caseCount(owner)).toBe(1);

    // The same child, a different parent, a week later: the DPO sees which case it may be.
    await owner.get(`/cases/new?organisationId=${licence.organisationId}&type=sar`);
    const warned = await owner.post("/cases", details(licence.organisationId, { requesterName: "Sam Parent", receivedOn: "2027-01-29" }));
    expect(warned.statusCode).toBe(200);
    expect(warned.body).toContain("This may be a request that is already logged.");
    expect(warned.body).toMatch(/<a class="govuk-link" href="\/cases\/[0-9a-f-]{36}">SAR-2027-0001<\/a>/);
    expect(warned.body).toContain("about someone with the same name");
    expect(warned.body).toContain('value="Sam Parent"');
    expect(await caseCount(owner)).toBe(1);
    const again = await owner.post("/cases", details(licence.organisationId, { requesterName: "Sam Parent", notDuplicate: "yes" }));
    expect(again.statusCode).toBe(303);
    expect(await caseCount(owner)).toBe(2);

    // Staff are warned too, but a case they cannot open is not named to them.
    await staff.agent.get(`/cases/new?organisationId=${licence.organisationId}&type=sar`);
    const staffWarned = await staff.agent.post("/cases", details(licence.organisationId));
    expect(staffWarned.body).toContain("A case you cannot open");
    expect(staffWarned.body).not.toContain("SAR-2027-0001");

    // A different type, or a month earlier, is no duplicate.
    await owner.get(`/cases/new?organisationId=${licence.organisationId}&type=complaint`);
    expect((await owner.post("/cases", details(licence.organisationId, { type: "complaint" }))).statusCode).toBe(303);
  });
});
