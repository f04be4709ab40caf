import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, unique } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { deliverDueEmail } from "./outbox.ts";
import { startSmtpServer } from "../testing/mail.ts";

describe(`email through SMTP (${testEngine})`, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let steward: TestSteward;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    steward = await startTestSteward({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  afterAll(async () => {
    await steward.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  async function adminAddsUser() {
    const licence = await buildLicence(steward.services);
    const admin = new TestAgent(steward.app, steward.clock);
    await admin.signIn(licence.username);
    await deliverDueEmail(steward.services); // the owner's "two-factor is on" notice, out of the way
    await admin.get("/users/new");
    const email = `new-${unique()}@school.example`;
    const response = await admin.post("/users/new", { fullName: "Nia New", email, username: `nia-${unique()}`, role: "staff", organisationId: licence.organisationId });
    expect(response.statusCode).toBe(200);
    const link = /id="set-password-link" href="([^"]+)"/.exec(response.body)![1]!;
    return { admin, email, link };
  }

  it("sends the new user's set-password link to the SMTP server, once, even with two senders at once", async () => {
    const before = smtp.received.length;
    const { admin, email, link } = await adminAddsUser();
    const [first, second] = await Promise.all([deliverDueEmail(steward.services), deliverDueEmail(steward.services)]);
    expect(first + second).toBe(1);
    const mine = smtp.received.slice(before).filter((message) => message.to.includes(email));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.raw).toContain("Subject: Your Steward account");
    expect(mine[0]!.raw.replace(/=\r?\n/g, "")).toContain(link);
    expect(await deliverDueEmail(steward.services)).toBe(0);
    const outbox = (await admin.get("/outbox")).body;
    expect(outbox).toContain("Sent");
    // Sent, the link is still its recipient's alone: the outbox shows subject, recipient and status.
    expect(outbox).toContain(email);
    expect(outbox).not.toContain(new URL(link).pathname);
  });

  it("keeps an email and tries again later when the mail server is down", async () => {
    const down = await startTestSteward({ SMTP_URL: "smtp://127.0.0.1:9" });
    try {
      const licence = await buildLicence(down.services);
      const admin = new TestAgent(down.app, down.clock);
      await admin.signIn(licence.username);
      await admin.get("/users/new");
      await admin.post("/users/new", { fullName: "Pat Pending", email: `pat-${unique()}@school.example`, username: `pat-${unique()}`, role: "staff", organisationId: licence.organisationId });
      expect(await deliverDueEmail(down.services)).toBe(0);
      const { rows } = await sql<{ status: string; attempts: number; nextAttemptAt: Date }>`
        select status, attempts, next_attempt_at from outbox`.execute(down.services.database.db);
      expect(rows).toHaveLength(2); // the owner's "two-factor is on" notice and the invitation
      for (const row of rows) {
        expect(row).toMatchObject({ status: "pending", attempts: 1 });
        expect(row.nextAttemptAt.getTime()).toBeGreaterThan(down.clock.now().getTime());
      }
    } finally {
      await down.close();
    }
  });
});
