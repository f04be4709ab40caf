import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../accounts/users.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { loadActor } from "../accounts/actor.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { fromBase32, stepAt, totpCode } from "./totp.ts";

describe(`two-factor sign-in (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  const agent = () => new TestAgent(steward.app, steward.clock);

  async function auditActions(organisationId: string, prefix: string): Promise<string[]> {
    const { rows } = await sql<{ action: string }>`
      select action from audit_events where org_id = ${organisationId} and action like ${`${prefix}%`} order by append_order`.execute(db());
    return rows.map((row) => row.action);
  }

  /** An owner who has set up two-factor; returns their key as their app holds it. */
  async function ownerWithTwoFactor() {
    const licence = await buildLicence(steward.services);
    const owner = agent();
    await owner.signIn(licence.username);
    const { rows } = await sql<{ totpSecret: string }>`select totp_secret from users where id = ${licence.userId}`.execute(db());
    return { licence, owner, sealedSecret: rows[0]!.totpSecret };
  }

  it("sends an owner to set it up before anything else, and turns it on only with a right code", async () => {
    const licence = await buildLicence(steward.services);
    const owner = agent();
    const signedIn = await owner.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    expect(signedIn.headers.location).toBe("/dashboard");
    for (const url of ["/dashboard", "/users", "/audit", "/settings"]) {
      expect((await owner.get(url)).headers.location, url).toBe("/account/two-factor");
    }
    const page = await owner.get("/account/two-factor");
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<img class="steward-qr-code" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const key = fromBase32(/data-totp-secret>([^<]+)</.exec(page.body)![1]!);
    expect(key).toHaveLength(20);

    const now = stepAt(steward.clock.now());
    const wrong = await owner.post("/account/two-factor", { code: totpCode(key, now + 5) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("That code is not right. Enter the 6-digit code your authenticator app shows now");
    const notDigits = await owner.post("/account/two-factor", { code: "12ab56" });
    expect(notDigits.statusCode).toBe(400);
    expect(notDigits.body).toContain("The code must be 6 numbers");
    const empty = await owner.post("/account/two-factor", { code: "" });
    expect(empty.body).toContain("Enter the 6-digit code your authenticator app shows");
    expect(empty.body).not.toContain("not right");
    expect((await owner.get("/dashboard")).headers.location).toBe("/account/two-factor");

    // Typed as the app shows it, "123 456": the space is not part of the code.
    const code = totpCode(key, now);
    const right = await owner.post("/account/two-factor", { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(right.statusCode).toBe(200);
    const codes = [...right.body.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((match) => match[1]);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await owner.get("/dashboard")).statusCode).toBe(200);
    expect(await auditActions(licence.organisationId, "two-factor.")).toEqual(["two-factor.enable"]);

    // Stored: the key only sealed, the recovery codes only hashed.
    const { rows } = await sql<{ totpSecret: string }>`select totp_secret from users where id = ${licence.userId}`.execute(db());
    expect(rows[0]!.totpSecret).toMatch(/^v1\./);
    expect(rows[0]!.totpSecret).not.toContain(/data-totp-secret>([^<]+)</.exec(page.body)![1]!.replace(/ /g, ""));
    const stored = await sql<{ codeHash: string }>`select code_hash from recovery_codes where user_id = ${licence.userId}`.execute(db());
    expect(stored.rows).toHaveLength(10);
    for (const code of codes) {
      expect(stored.rows.map((row) => row.codeHash).join()).not.toContain(code!.replace("-", ""));
    }
  });

  it("asks for the code after the password; until then the session reaches nothing else", async () => {
    const { licence } = await ownerWithTwoFactor();
    const visitor = agent();
    const afterPassword = await visitor.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    expect(afterPassword.headers.location).toBe("/login/two-factor");
    const halfwayCookie = visitor.cookie;
    for (const url of ["/dashboard", "/users", "/account/two-factor"]) {
      expect((await visitor.get(url)).headers.location, url).toBe("/login/two-factor");
    }
    const done = await visitor.submit("/login/two-factor", { code: visitor.authenticatorCode(licence.username) });
    expect(done.headers.location).toBe("/dashboard");
    expect(visitor.cookie).not.toBe(halfwayCookie); // a new session id once fully signed in
    expect((await visitor.get("/dashboard")).statusCode).toBe(200);
    expect((await visitor.get("/login/two-factor")).headers.location).toBe("/dashboard");

    // The half-session's cookie is worth nothing now.
    const stolen = agent();
    stolen.cookie = halfwayCookie;
    expect((await stolen.get("/dashboard")).headers.location).toBe("/login");
  });

  it("refuses a code that has been used already, even while it is still showing", async () => {
    const { licence } = await ownerWithTwoFactor();
    const first = agent();
    await first.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const code = first.authenticatorCode(licence.username);
    expect((await first.submit("/login/two-factor", { code })).headers.location).toBe("/dashboard");

    const replay = agent();
    await replay.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const refused = await replay.submit("/login/two-factor", { code });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain("has been used already");
    expect((await replay.get("/dashboard")).headers.location).toBe("/login/two-factor");
    expect(await auditActions(licence.organisationId, "two-factor.refused")).toHaveLength(1);
  });

  it("accepts each recovery code once, instead of an app code", async () => {
    const licence = await buildLicence(steward.services);
    const owner = agent();
    await owner.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const page = await owner.get("/account/two-factor");
    const key = fromBase32(/data-totp-secret>([^<]+)</.exec(page.body)![1]!);
    const shown = await owner.post("/account/two-factor", { code: totpCode(key, stepAt(steward.clock.now())) });
    const recoveryCode = /<li><code>([a-z2-9-]{11})<\/code><\/li>/.exec(shown.body)![1]!;

    const lostPhone = agent();
    await lostPhone.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const typedLoosely = ` ${recoveryCode.toUpperCase()} `;
    expect((await lostPhone.submit("/login/two-factor", { code: typedLoosely })).headers.location).toBe("/dashboard");
    expect((await lostPhone.get("/account/two-factor")).body).toContain("<strong>9</strong> unused recovery codes");

    const again = agent();
    await again.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    expect((await again.submit("/login/two-factor", { code: recoveryCode })).statusCode).toBe(401);
    expect(await auditActions(licence.organisationId, "two-factor.")).toEqual(["two-factor.enable", "two-factor.recovery-code-used", "two-factor.refused"]);
  });

  it("replaces the recovery codes only with a current code from the app, and the old set stops working", async () => {
    const licence = await buildLicence(steward.services);
    const owner = agent();
    await owner.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const page = await owner.get("/account/two-factor");
    const key = fromBase32(/data-totp-secret>([^<]+)</.exec(page.body)![1]!);
    const first = await owner.post("/account/two-factor", { code: totpCode(key, stepAt(steward.clock.now())) });
    const oldCode = /<li><code>([a-z2-9-]{11})<\/code><\/li>/.exec(first.body)![1]!;

    await owner.get("/account/two-factor");
    const refused = await owner.post("/account/two-factor/recovery-codes", { code: "000000" });
    expect(refused.statusCode).toBe(400);
    steward.clock.advance({ seconds: 30 });
    const replaced = await owner.post("/account/two-factor/recovery-codes", { code: totpCode(key, stepAt(steward.clock.now())) });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.body).toContain("Your old recovery codes no longer work");
    const newCode = /<li><code>([a-z2-9-]{11})<\/code><\/li>/.exec(replaced.body)![1]!;

    const withOld = agent();
    await withOld.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    expect((await withOld.submit("/login/two-factor", { code: oldCode })).statusCode).toBe(401);
    expect((await withOld.submit("/login/two-factor", { code: newCode })).headers.location).toBe("/dashboard");
    const subjects = (await emailsTo(steward.services, licence.email)).map((email) => email.subject);
    expect(subjects).toEqual([
      "Two-factor authentication is on for your Steward account",
      "New recovery codes for your Steward account",
      "A recovery code was used to sign in to Steward",
    ]);
    expect(await auditActions(licence.organisationId, "two-factor.recovery-codes")).toEqual(["two-factor.recovery-codes-replace"]);
  });

  it("still asks for the code after a password reset, and tells the holder their password changed", async () => {
    const { licence } = await ownerWithTwoFactor();
    await agent().submit("/password-reset", { login: licence.email });
    const reset = (await emailsTo(steward.services, licence.email)).find((email) => email.subject === "Reset your Steward password")!;
    const link = new URL(/http:\/\/steward\.test\S+/.exec(reset.body)![0]).pathname;
    await agent().submit(link, { password: "a brand new passphrase for steward" });
    const afterReset = await agent().submit("/login", { login: licence.username, password: "a brand new passphrase for steward" });
    expect(afterReset.headers.location).toBe("/login/two-factor");
    expect((await emailsTo(steward.services, licence.email)).map((email) => email.subject)).toContain("Your Steward password was changed");
  });

  it("counts wrong codes with wrong passwords: slowed after 5, locked after 10, the holder emailed", async () => {
    const { licence } = await ownerWithTwoFactor();
    const guesser = agent();
    await guesser.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    const wrongCode = () => guesser.submit("/login/two-factor", { code: "000000" });
    for (let i = 0; i < 5; i += 1) {
      expect((await wrongCode()).statusCode).toBe(401);
    }
    expect((await wrongCode()).statusCode).toBe(429);
    for (const wait of [2, 4, 8, 16, 32]) {
      steward.clock.advance({ seconds: wait });
      expect((await wrongCode()).statusCode).toBe(401);
    }
    // Locked: even the right code is refused now, and the holder has been told.
    const locked = await guesser.submit("/login/two-factor", { code: guesser.authenticatorCode(licence.username) });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain("locked after too many failed sign-ins");
    const rows = (await emailsTo(steward.services, licence.email)).filter((row) => row.subject.includes("locked"));
    expect(rows.map((row) => row.subject)).toEqual(["Your Steward account is locked for 15 minutes"]);
    expect(rows[0]!.body).toContain("two-factor code");
  });

  it("gives up on a half-finished sign-in after 5 minutes", async () => {
    const { licence } = await ownerWithTwoFactor();
    const slow = agent();
    await slow.submit("/login", { login: licence.username, password: TEST_PASSWORD });
    await slow.get("/login/two-factor");
    steward.clock.advance({ minutes: 5 });
    const late = await slow.post("/login/two-factor", { code: slow.authenticatorCode(licence.username) });
    expect(late.headers.location).toBe("/login?expired=1");
  });

  it("lets staff sign in with a password alone, until the organisation requires two-factor for everyone", async () => {
    const { licence, owner } = await ownerWithTwoFactor();
    const actor = await inScope(db(), { organisationIds: [licence.organisationId] }, (trx) => loadActor(trx, steward.services.keyring, licence.organisationId, licence.userId));
    const username = `sam-${unique()}`;
    const created = await createUser(
      { actor: actor!, services: steward.services },
      { fullName: "Sam Staff", email: `${username}@school.example`, username, role: "staff", organisationId: licence.organisationId, trainingConfirmed: undefined },
    );
    const token = created.ok ? created.setPasswordUrl.split("/").pop()! : "";
    await agent().submit(`/set-password/${token}`, { password: TEST_PASSWORD });

    const staff = agent();
    expect((await staff.submit("/login", { login: username, password: TEST_PASSWORD })).headers.location).toBe("/dashboard");
    expect((await staff.get("/dashboard")).statusCode).toBe(200);

    const saved = await owner.submit("/settings", { twoFactorRequired: "yes" });
    expect(saved.headers.location).toBe("/settings?saved=1");
    expect((await staff.get("/dashboard")).headers.location).toBe("/account/two-factor");
    expect((await staff.get("/account/two-factor")).body).toContain("You need to set up two-factor authentication before you can use Steward");
    expect(await auditActions(licence.organisationId, "organisation.")).toEqual(["organisation.settings-change"]);

    // Staff may not change the setting back.
    await staff.setUpTwoFactor(username);
    expect((await staff.get("/settings")).statusCode).toBe(403);
  });

  it("applies a trust's requirement to its schools, whose admins cannot opt out", async () => {
    const trust = await buildLicence(steward.services, { organisationKind: "trust" });
    const owner = agent();
    await owner.signIn(trust.username);
    await owner.submit("/schools/new", { name: `Beck Primary ${unique()}`, postalAddress: "1 Beck Lane, Leeds", telephone: "0113 496 0001" });
    const page = await owner.get("/users/new");
    const schoolId = [...page.body.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((match) => match[1]!).find((id) => id !== trust.organisationId)!;
    const username = `sally-${unique()}`;
    const created = await owner.post("/users/new", { fullName: "Sally School-Admin", email: `${username}@school.example`, username, role: "admin", trainingConfirmed: "yes", organisationId: schoolId });
    await agent().submit(`/set-password/${/set-password\/([A-Za-z0-9_-]{43})/.exec(created.body)![1]!}`, { password: TEST_PASSWORD });
    const schoolAdmin = agent();
    await schoolAdmin.signIn(username);

    await owner.submit("/settings", { twoFactorRequired: "yes" });
    const schoolSettings = await schoolAdmin.get("/settings");
    expect(schoolSettings.body).toContain("Your trust decides this for all its schools.");
    expect(schoolSettings.body).toContain("Everyone here must sign in with two-factor authentication.");
    const optOut = await schoolAdmin.post("/settings", {});
    expect(optOut.statusCode).toBe(400);
    const { rows } = await sql<{ twoFactorRequired: boolean }>`select two_factor_required from organisations where id = ${schoolId}`.execute(db());
    expect(rows[0]!.twoFactorRequired).toBe(true);
  });

  it("lets an admin reset a user's two-factor, which signs them out", async () => {
    const { licence, owner } = await ownerWithTwoFactor();
    const actor = await inScope(db(), { organisationIds: [licence.organisationId] }, (trx) => loadActor(trx, steward.services.keyring, licence.organisationId, licence.userId));
    const username = `dee-${unique()}`;
    const created = await createUser(
      { actor: actor!, services: steward.services },
      { fullName: "Dee Dpo", email: `${username}@school.example`, username, role: "dpo", organisationId: licence.organisationId, trainingConfirmed: "yes" },
    );
    const userId = created.ok ? created.userId : "";
    await agent().submit(`/set-password/${created.ok ? created.setPasswordUrl.split("/").pop()! : ""}`, { password: TEST_PASSWORD });
    const dpo = agent();
    await dpo.signIn(username);
    expect((await dpo.get("/dashboard")).statusCode).toBe(200);

    const page = await owner.get(`/users/${userId}`);
    expect(page.body).toContain("Reset two-factor authentication");
    const reset = await owner.post(`/users/${userId}/two-factor/reset`);
    expect(reset.headers.location).toBe(`/users/${userId}?twoFactorReset=1`);
    expect((await dpo.get("/dashboard")).headers.location).toBe("/login");

    const back = agent();
    expect((await back.submit("/login", { login: username, password: TEST_PASSWORD })).headers.location).toBe("/dashboard");
    expect((await back.get("/dashboard")).headers.location).toBe("/account/two-factor");
    expect(await auditActions(licence.organisationId, "two-factor.reset")).toHaveLength(1);
    expect((await emailsTo(steward.services, `${username}@school.example`)).map((email) => email.subject)).toContain("Your Steward two-factor authentication was reset");
  });
});
