import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailsTo } from "../testing/mail.ts";
import { addPerson, buildLicence, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/** The id of the person named `fullName` on the users page. */
async function idOf(admin: TestAgent, fullName: string): Promise<string> {
  const page = (await admin.get("/users")).body;
  return new RegExp(`href="/users/([0-9a-f-]{36})">${fullName}<`).exec(page)![1]!;
}

describe(`no admin can take over the owner's or another admin's account (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function licenceWithAdmins() {
    const licence = await buildLicence(steward.services);
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username); // sets up the owner's two-factor, as Steward requires
    const first = await addPerson(steward.app, steward.clock, owner, "admin", licence.organisationId);
    const second = await addPerson(steward.app, steward.clock, owner, "admin", licence.organisationId);
    const dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    return { licence, owner, first, second, dpo };
  }

  it("refuses an admin's reset of the owner's two-factor, and every other action on the owner", async () => {
    const { licence, first } = await licenceWithAdmins();
    const ownerPage = await first.agent.get(`/users/${licence.userId}`);
    expect(ownerPage.statusCode).toBe(200);
    expect(ownerPage.body).not.toContain("Reset two-factor authentication");
    expect(ownerPage.body).not.toContain("Sign out everywhere");

    const reset = await first.agent.post(`/users/${licence.userId}/two-factor/reset`);
    expect(reset.statusCode).toBe(400);
    expect(reset.body).toContain("Only the licence owner can look after their own two-factor authentication");
    expect((await first.agent.post(`/users/${licence.userId}/sign-out`)).statusCode).toBe(400);
    expect((await first.agent.post(`/users/${licence.userId}/deactivate`)).statusCode).toBe(400);
    expect((await first.agent.post(`/users/${licence.userId}/role`, { role: "staff" })).statusCode).toBe(400);
    // The owner's two-factor is still on: signing in still asks for the code.
    const signIn = await new TestAgent(steward.app, steward.clock).submit("/login", { login: licence.username, password: "correct horse battery staple" });
    expect(signIn.headers.location).toBe("/login/two-factor");
  });

  it("lets only the owner reset an admin's two-factor; an admin may still reset a DPO's", async () => {
    const { owner, first, second, dpo } = await licenceWithAdmins();
    const secondId = await idOf(owner, second.fullName);
    const dpoId = await idOf(owner, dpo.fullName);

    expect((await first.agent.get(`/users/${secondId}`)).body).not.toContain("Reset two-factor authentication");
    const byAdmin = await first.agent.post(`/users/${secondId}/two-factor/reset`);
    expect(byAdmin.statusCode).toBe(400);
    expect(byAdmin.body).toContain("Only the licence owner can reset an administrator");
    expect((await second.agent.get("/dashboard")).statusCode).toBe(200); // still signed in, nothing reset

    expect((await first.agent.get(`/users/${dpoId}`)).body).toContain("Reset two-factor authentication");
    expect((await first.agent.post(`/users/${dpoId}/two-factor/reset`)).headers.location).toBe(`/users/${dpoId}?twoFactorReset=1`);

    await owner.get(`/users/${secondId}`);
    expect((await owner.post(`/users/${secondId}/two-factor/reset`)).headers.location).toBe(`/users/${secondId}?twoFactorReset=1`);
  });

  it("never shows the body or link of a reset, set-password or email-change email on the outbox page", async () => {
    const { licence, owner, first } = await licenceWithAdmins();
    // Anyone can ask for the owner's password reset…
    const stranger = new TestAgent(steward.app, steward.clock);
    await stranger.submit("/password-reset", { login: licence.username });
    const reset = (await emailsTo(steward.services, licence.email)).find((email) => email.subject === "Reset your Steward password")!;
    const resetLink = /\/set-password\/[\w-]+/.exec(reset.body)![0];
    // …and the owner changes their own address, which sends a confirmation link.
    const newAddress = `moved-${unique()}@oakfield.example`;
    await owner.submit("/account/email", { email: newAddress });
    const change = (await emailsTo(steward.services, newAddress))[0]!;
    const changeLink = /\/account\/email\/confirm\/[\w-]+/.exec(change.body)![0];
    // A new user's link is shown once, on the page that creates them, to the admin who did.
    await first.agent.get("/users/new");
    const id = unique();
    const created = await first.agent.post("/users/new", { fullName: `Nia New ${id}`, email: `nia-${id}@school.example`, username: `nia-${id}`, role: "staff", organisationId: licence.organisationId });
    const invitation = /id="set-password-link" href="http:\/\/steward\.test(\/set-password\/[^"]+)"/.exec(created.body)![1]!;

    for (const agent of [first.agent, owner]) {
      const outbox = await agent.get("/outbox");
      expect(outbox.statusCode).toBe(200);
      expect(outbox.body).toContain("Reset your Steward password");
      expect(outbox.body).toContain("Confirm your new email address for Steward");
      expect(outbox.body).toContain("Your Steward account");
      expect(outbox.body).toContain(licence.email);
      expect(outbox.body).not.toContain(resetLink);
      expect(outbox.body).not.toContain(changeLink);
      expect(outbox.body).not.toContain(invitation);
      expect(outbox.body).not.toContain("/set-password/");
      expect(outbox.body).toContain("only its recipient can read it");
    }
  });
});
