import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`case work (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  /** A school with its owner, a DPO and a member of staff, each signed in. */
  async function school(kind: "school" | "trust" = "school") {
    const licence = await buildLicence(steward.services, { organisationKind: kind });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const organisationId = /name="organisationId"[^>]*value="([^"]+)"|<option value="([^"]+)" selected/.exec((await owner.get("/users/new")).body)!.slice(1).find(Boolean)!;
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", organisationId);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", organisationId);
    return { licence, owner, organisationId, dpo, staff };
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

  async function logSar(agent: TestAgent, organisationId: string, overrides: Record<string, string> = {}) {
    await agent.get("/cases/new");
    const response = await agent.post("/cases", sarForm(organisationId, overrides));
    expect(response.statusCode, response.body.slice(0, 2000)).toBe(303);
    return response.headers.location!.replace(/\?.*$/, "");
  }

  it("staff log a SAR; it gets a reference, the deadline with its rule, and the DPO is told", async () => {
    const { organisationId, staff, dpo } = await school();
    const path = await logSar(staff.agent, organisationId);
    const page = await staff.agent.get(path);
    expect(page.body).toMatch(/SAR-2027-0001/);
    expect(page.body).toContain("One calendar month from 30 Jan 2027");
    expect(page.body).toContain("28 Feb 2027 is the last day of that month");
    expect(page.body).toContain("Monday 1 Mar 2027");
    expect(page.body).toContain("Due in 30 days");
    const second = await logSar(staff.agent, organisationId, { requesterName: "Casey Parent", subjectName: "Alex Pupil" });
    expect((await staff.agent.get(second)).body).toMatch(/SAR-2027-0002/);
    const emails = await emailsTo(steward.services, dpo.email);
    expect(emails.some((email) => email.subject.includes("SAR-2027-0001"))).toBe(true);
    expect(emails.every((email) => !email.body.includes("Riley"))).toBe(true);
  });

  it("refuses bad input with a clear message and writes nothing", async () => {
    const { organisationId, staff } = await school();
    await staff.agent.get("/cases/new");
    const future = await staff.agent.post("/cases", sarForm(organisationId, { receivedOn: "2027-02-10" }));
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain("must be today or in the past");
    const breachWithoutTime = await staff.agent.post("/cases", sarForm(organisationId, { type: "breach" }));
    expect(breachWithoutTime.statusCode).toBe(400);
    expect(breachWithoutTime.body).toContain("the 72 hours run from then");
    const noName = await staff.agent.post("/cases", sarForm(organisationId, { requesterName: "" }));
    expect(noName.statusCode).toBe(400);
    const list = await staff.agent.get("/cases?state=all");
    expect(list.body).toContain("No cases match");
  });

  it("the DPO assigns, stops the clock for identity, restarts it, extends and closes; the timeline keeps it all", async () => {
    const { organisationId, staff, dpo } = await school();
    const path = await logSar(staff.agent, organisationId);
    const dpoId = /value="([0-9a-f-]{36})">\s*<label[^>]*>\s*dpo person/.exec((await dpo.agent.get(`${path}/assign`)).body)![1]!;
    expect((await dpo.agent.post(`${path}/assign`, { assigneeId: dpoId })).statusCode).toBe(303);
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/stop`, { reason: "identity", fromOn: "2027-01-30" })).statusCode).toBe(303);
    let page = await dpo.agent.get(path);
    expect(page.body).toContain("Clock stopped");
    expect(page.body).toContain("waiting for proof of identity");

    steward.clock.set("2027-02-08T10:00:00Z");
    await dpo.agent.signIn(dpo.username);
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/restart`, { toOn: "2027-02-08" })).statusCode).toBe(303);
    page = await dpo.agent.get(path);
    expect(page.body).toContain("One calendar month from 8 Feb 2027, the day identity was confirmed");
    expect(page.body).toContain("Monday 8 Mar 2027");

    const lateTold = await dpo.agent.post(`${path}/extend`, { extensionReason: "Many records across two schools", toldOn: "2027-03-09" });
    expect(lateTold.statusCode).toBe(400);
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/extend`, { extensionReason: "Many records across two schools", toldOn: "2027-02-08" })).statusCode).toBe(303);
    page = await dpo.agent.get(path);
    expect(page.body).toContain("Three calendar months");
    expect(page.body).toContain("Monday 10 May 2027");

    const noDetail = await dpo.agent.post(`${path}/close`, { outcome: "disclosed-in-part", detail: "" });
    expect(noDetail.statusCode).toBe(400);
    expect(noDetail.body).toContain("Name the exemptions applied");
    await dpo.agent.get(path);
    expect((await dpo.agent.post(`${path}/close`, { confirmed: "yes", outcome: "disclosed-in-part", detail: "Third-party data redacted (DPA 2018 Sch 2 para 16)", sentOn: "2027-01-30", responseChannel: "email" })).statusCode).toBe(303);
    page = await dpo.agent.get(path);
    expect(page.body).toContain("Disclosed in part");
    const timeline = page.body.slice(page.body.indexOf('id="timeline"'));
    for (const event of ["logged", "Given to", "Waiting for proof of identity", "the clock runs again", "Extended by two further months", "Closed: Disclosed in part"]) {
      expect(timeline).toContain(event);
    }
    await staff.agent.signIn(staff.username);
    expect((await staff.agent.get("/cases?state=open")).body).not.toContain(">SAR-");

    // Closed by mistake: staff cannot reopen it; the DPO must say why; then it is open on its deadline again.
    await staff.agent.get(path);
    expect((await staff.agent.post(`${path}/reopen`, { reopenReason: "Closed too soon" })).statusCode).toBe(403);
    await dpo.agent.get(path);
    const noReason = await dpo.agent.post(`${path}/reopen`, { reopenReason: "  " });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Enter why the case is being reopened");
    expect((await dpo.agent.get(path)).body).toContain("Closed on");
    expect((await dpo.agent.post(`${path}/reopen`, { reopenReason: "The requester says the 2025 reports are missing" })).statusCode).toBe(303);
    page = await dpo.agent.get(path);
    expect(page.body).not.toContain("Closed on");
    expect(page.body).toContain("Monday 10 May 2027");
    expect(page.body).not.toContain('<span id="outcome">');
    expect(page.body.slice(page.body.indexOf('id="timeline"'))).toContain("Reopened (it had been closed as Disclosed in part). Why: The requester says the 2025 reports are missing");
    expect((await staff.agent.get("/cases?state=open")).body).toContain(">SAR-");
    const again = await dpo.agent.post(`${path}/reopen`, { reopenReason: "Twice" });
    expect(again.statusCode).toBe(400);

    // The auditor's view: every look at and change to the case is in the trail, with no names in it.
    const caseId = path.split("/").pop()!;
    // The CSV has each event's action code beside its words (the page says only the words).
    const trail = await dpo.agent.get(`/audit.csv?record=${caseId}`);
    for (const action of ["case.log", "case.view", "case.assign", "case.clock-stop", "case.clock-restart", "case.extend", "case.close", "case.reopen"]) {
      expect(trail.body).toContain(action);
    }
    expect(trail.body).not.toContain("Jordan Parent");
    expect(steward.logs.join("\n")).not.toContain("Jordan Parent");
    expect(steward.logs.join("\n")).not.toContain("Riley");
    steward.clock.set("2027-01-30T10:00:00Z");
  });

  it("two people closing a case at the same moment close it once", async () => {
    const { organisationId, owner, staff, dpo } = await school();
    const path = await logSar(staff.agent, organisationId);
    await owner.get(path);
    await dpo.agent.get(path);
    const answers = await Promise.all([
      owner.post(`${path}/close`, { confirmed: "yes", outcome: "disclosed-in-full", detail: "", sentOn: "2027-01-30", responseChannel: "email" }),
      dpo.agent.post(`${path}/close`, { confirmed: "yes", outcome: "withdrawn", detail: "" }),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([303, 400]);
    const page = (await dpo.agent.get(path)).body;
    expect(page.slice(page.indexOf('id="timeline"')).match(/Closed: /g)).toHaveLength(1);
  });

  it("staff see only their own cases and cannot manage them; another organisation's cases are not found", async () => {
    const first = await school();
    const second = await school();
    const path = await logSar(first.staff.agent, first.organisationId);
    const otherStaff = await addPerson(steward.app, steward.clock, first.owner, "staff", first.organisationId);
    expect((await otherStaff.agent.get(path)).statusCode).toBe(404);
    expect((await otherStaff.agent.get("/cases")).body).not.toContain("Jordan Parent");
    expect((await first.staff.agent.post(`${path}/close`, { outcome: "withdrawn" })).statusCode).toBe(403);
    expect((await second.dpo.agent.get(path)).statusCode).toBe(404);
    expect((await second.dpo.agent.get("/cases?state=all")).body).not.toContain("Jordan Parent");
    await second.dpo.agent.get("/cases");
    expect((await second.dpo.agent.post(`${path}/notes`, { note: "sneaky" })).statusCode).toBe(404);
  });

  it("a trust DPO sees every school's cases, with the school named", async () => {
    const trust = await school("trust");
    await trust.owner.submit("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    const schools = await trust.owner.get("/users/new");
    const elmId = /<option value="([^"]+)"[^>]*>Elm Academy/.exec(schools.body)![1]!;
    const elmStaff = await addPerson(steward.app, steward.clock, trust.owner, "staff", elmId);
    const path = await logSar(elmStaff.agent, elmId);
    const list = await trust.dpo.agent.get("/cases");
    expect(list.body).toContain("Elm Academy");
    expect(list.body).toContain("Jordan Parent");
    expect((await trust.dpo.agent.get(path)).body).toContain("Elm Academy");
    // The trust's DPO is told of a school's new case, as the school's own DPO would be.
    expect((await emailsTo(steward.services, trust.dpo.email)).some((email) => email.subject.includes("SAR-2027-0001"))).toBe(true);

    // An academy has no educational record rule: a parent's request becomes a SAR, and says why.
    await elmStaff.agent.get("/cases/new");
    const asked = await elmStaff.agent.post("/cases", sarForm(elmId, { type: "educational-record", notDuplicate: "yes" }));
    expect(asked.headers.location).toMatch(/done=logged-as-sar$/);
    const page = await elmStaff.agent.get(asked.headers.location!);
    expect(page.body).toMatch(/SAR-2027-0002/);
    expect(page.body).toContain("is the child’s subject access request");

    // The trust's own calendar asks no kind of school: a trust is none, and follows the academy rules.
    const trustCalendar = await trust.owner.get(`/settings/calendar/${trust.organisationId}`);
    expect(trustCalendar.body).toContain('id="trust-rules"');
    expect(trustCalendar.body).not.toContain('name="schoolType" type="radio"');
    expect((await trust.owner.get(`/settings/calendar/${elmId}`)).body).toContain('name="schoolType" type="radio"');
  });

  it("a rights request records which right, and needs one", async () => {
    const { organisationId, staff } = await school();
    await staff.agent.get("/cases/new");
    const missing = await staff.agent.post("/cases", sarForm(organisationId, { type: "rights" }));
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("Select which right the request uses");
    const path = await logSar(staff.agent, organisationId, { type: "rights", rightAsked: "erasure" });
    const page = await staff.agent.get(path);
    expect(page.body).toMatch(/RR-2027-0001/);
    expect(page.body).toContain("Erasure (delete the data)");
    expect(page.body).toContain("One calendar month from 30 Jan 2027");
  });

  it("a maintained school's educational record request runs on 15 school days", async () => {
    const { organisationId, staff } = await school();
    const path = await logSar(staff.agent, organisationId, { type: "educational-record" });
    const page = await staff.agent.get(path);
    expect(page.body).toMatch(/EDR-2027-0001/);
    expect(page.body).toContain("The 15th school day after 30 Jan 2027");
  });
});
