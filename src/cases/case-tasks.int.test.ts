import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/** The case page is a summary; each task has a page of its own; closing is checked first; details can be corrected. */
describe(`one task per page on a case (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-29T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function schoolWithCase() {
    const licence = await buildLicence(steward.services);
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    const staff = await addPerson(steward.app, steward.clock, owner, "staff", licence.organisationId);
    await staff.agent.get(`/cases/new?organisationId=${licence.organisationId}&type=sar`);
    const logged = await staff.agent.post("/cases", {
      organisationId: licence.organisationId, type: "sar", receivedOn: "2027-01-29", channel: "email",
      requesterName: "Jordan Parent", requesterContact: "", subjectKind: "pupil", subjectName: "Riley Pupil", summary: "All you hold about Riley.",
    });
    expect(logged.statusCode, logged.body.slice(0, 1000)).toBe(303);
    return { licence, owner, staff, path: logged.headers.location!.replace(/\?.*$/, "") };
  }

  it("shows the case as a summary with Change links; staff see none and cannot open the task pages", async () => {
    const { licence, owner, staff, path } = await schoolWithCase();
    const summary = (await owner.get(path)).body;
    for (const task of ["assign", "stage", "clock", "extend", "details", "close"]) {
      expect(summary, task).toContain(`href="${path}/${task}"`);
    }
    expect(summary).not.toMatch(/<form[^>]+action="[^"]+\/(assign|status|stop|extend|close)"/);
    const staffView = (await staff.agent.get(path)).body;
    expect(staffView).not.toContain(`href="${path}/assign"`);
    expect(staffView).not.toContain("Close the case");
    expect((await staff.agent.get(`${path}/assign`)).statusCode).toBe(403);
    expect((await staff.agent.get(`${path}/details`)).statusCode).toBe(403);
    // Staff may add notes and files; an auditor reads and is offered neither.
    expect(staffView).toContain(`action="${path}/notes"`);
    const auditor = await addPerson(steward.app, steward.clock, owner, "auditor", licence.organisationId);
    const auditorView = (await auditor.agent.get(path)).body;
    expect(auditorView).toContain("All you hold about Riley.");
    expect(auditorView).not.toContain(`action="${path}/notes"`);
    expect(auditorView).not.toContain(`action="${path}/attachments"`);
  });

  it("a closed case's summary says nothing of a running clock", async () => {
    const { owner, path } = await schoolWithCase();
    await owner.get(`${path}/close`);
    await owner.post(`${path}/close`, { confirmed: "yes", outcome: "withdrawn" });
    const closed = (await owner.get(path)).body;
    expect(closed).toContain("Closed on");
    expect(closed).not.toContain("Running");
  });

  it("a task's problem comes back on its own page", async () => {
    const { owner, path } = await schoolWithCase();
    await owner.get(`${path}/assign`);
    const refused = await owner.post(`${path}/assign`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("Who will handle this case?");
    expect(refused.body).toContain("There is a problem");
  });

  it("closing shows what will be recorded, on time or not, before anything is closed", async () => {
    const { owner, path } = await schoolWithCase();
    await owner.get(`${path}/close`);
    const fields = { outcome: "disclosed-in-part", detail: "Third-party data withheld", "sentOn-day": "29", "sentOn-month": "1", "sentOn-year": "2027", responseChannel: "email" };
    const check = await owner.post(`${path}/close`, fields);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain("Check before you close the case");
    expect(check.body).toContain("Disclosed in part");
    expect(check.body).toContain("On time");
    expect(check.body).toContain("(due 1 Mar 2027)");
    expect((await owner.get(path)).body).not.toContain("Closed on");

    // Change brings the form back as typed; the detail travels in the form, never in a link.
    const change = await owner.post(`${path}/close`, { ...fields, change: "yes" });
    expect(change.body).toContain("Third-party data withheld</textarea>");
    expect(change.body).not.toMatch(/href="[^"]*Third-party/);

    const closed = await owner.post(`${path}/close`, { ...fields, confirmed: "yes" });
    expect(closed.statusCode).toBe(303);
    expect((await owner.get(path)).body).toContain("Closed on");
  });

  it("corrects the recorded details: the deadline is worked out again, the timeline and the trail say so; bad input changes nothing", async () => {
    const { owner, staff, path } = await schoolWithCase();
    const form = await owner.get(`${path}/details`);
    expect(form.body).toContain('value="Jordan Parent"');
    const details = { type: "sar", rightAsked: "", receivedOn: "2027-01-18", receivedTime: "", channel: "letter", requesterName: "Jordan Parent", requesterContact: "", subjectKind: "pupil", subjectName: "Riley Pupil", summary: "All you hold about Riley." };

    const future = await owner.post(`${path}/details`, { ...details, receivedOn: "2027-02-10" });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain("must be today or in the past");
    expect((await owner.get(path)).body).toContain("Monday 1 Mar 2027");

    expect((await staff.agent.post(`${path}/details`, details)).statusCode).toBe(403);

    expect((await owner.post(`${path}/details`, details)).statusCode).toBe(303);
    const page = (await owner.get(path)).body;
    expect(page).toContain("One calendar month from 18 Jan 2027");
    expect(page).toContain("Thursday 18 Feb 2027");
    expect(page).toContain("Corrected the date received (was 29 Jan 2027, now 18 Jan 2027); how it arrived (now Letter). The deadline is worked out again.");
    const trail = (await owner.get(`/audit?record=${/\/cases\/([0-9a-f-]{36})/.exec(path)![1]}`)).body;
    expect(trail).toContain("Corrected a case");

    // A new kind: the complaint's own clock, and the page says it is a complaint now.
    expect((await owner.post(`${path}/details`, { ...details, type: "complaint" })).statusCode).toBe(303);
    const complaint = (await owner.get(path)).body;
    expect(complaint).toContain("Corrected the kind (was Subject access request, now Data protection complaint)");
  });
});
