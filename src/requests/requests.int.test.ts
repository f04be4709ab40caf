import { sql } from "kysely";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence, unique } from "../testing/factories.ts";
import { emailsTo, startSmtpServer } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { deliverDueEmail } from "../notify/outbox.ts";
import { LETTER_TEMPLATES } from "../letters/templates.ts";
import { runDueJobs } from "../platform/jobs/jobs.ts";
import { JOB_HANDLERS } from "../steward.ts";
import { sweepStoredFiles } from "../cases/attachments.ts";
import { popplerPages } from "../redaction/pdf/verify.ts";
import { LINK_FAILURES } from "./requester-access.ts";
import { REQUESTER_MESSAGES_A_DAY } from "./requester-page.ts";

/*
 * The requester's side, through the HTTP app as a parent and a DPO use it: the public form and
 * its emailed code, the requester's page behind a link and a code, messages, identity, letters
 * and their clock stops, and what is refused.
 */

/** The code in the newest code email to `address` (codes are in the body only, never the subject). */
const codeIn = (text: string) => /^(\d{6})$/m.exec(text)?.[1];
const linkIn = (text: string) => /http:\/\/steward\.test(\/r\/[a-z0-9-]+\/your-request\/[A-Za-z0-9_-]{43})/.exec(text)?.[1];

describe(`the requester's side (${testEngine})`, () => {
  let steward: TestSteward;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    steward = await startTestSteward({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  });
  afterAll(async () => {
    await steward.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  const db = () => steward.services.database.db;
  const countOf = async (table: string, organisationId: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where org_id = ${organisationId}`.execute(db())).rows[0]!.n);

  async function school() {
    steward.clock.set("2027-02-01T09:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const { rows } = await sql<{ publicName: string }>`select public_name from organisations where id = ${licence.organisationId}`.execute(db());
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    return { ...licence, publicName: rows[0]!.publicName, owner, page: `/r/${rows[0]!.publicName}` };
  }

  /** A parent fills in the SAR form for their child, waiting a few seconds as a person does. */
  async function parentAsks(page: string, email: string, fields: Record<string, string> = {}) {
    const parent = new TestAgent(steward.app, steward.clock);
    const form = await parent.get(`${page}/access`);
    expect(form.statusCode).toBe(200);
    const stamp = /name="stamp" value="([^"]+)"/.exec(form.body)![1]!;
    steward.clock.advance({ seconds: 20 });
    const posted = await parent.post(`${page}/access`, {
      stamp, name: "Jordan Parent", email, about: "child", subjectName: "Jamie Hill", parentalResponsibility: "yes", details: "All of Jamie's behaviour records since September.", website: "", ...fields,
    });
    return { parent, posted };
  }

  async function confirmedRequest(page: string, email = `parent-${unique()}@home.example`, fields: Record<string, string> = {}) {
    const { parent, posted } = await parentAsks(page, email, fields);
    expect(posted.statusCode, posted.body.slice(0, 500)).toBe(303);
    const confirmPath = posted.headers.location!;
    const code = codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)!;
    await parent.get(confirmPath);
    const confirmed = await parent.post(confirmPath, { code });
    expect(confirmed.statusCode, confirmed.body.slice(0, 500)).toBe(303);
    expect(confirmed.headers.location).toBe(`${page}/request?done=sent`);
    const { rows } = await sql<{ id: string; reference: string }>`select c.id, c.reference from cases c join request_confirmations r on r.case_id = c.id and r.org_id = c.org_id where r.id = ${confirmPath.split("/").at(-1)!}`.execute(db());
    return { parent, email, caseId: rows[0]!.id, reference: rows[0]!.reference };
  }

  /** The parent opens their page again from the latest email's link, with a fresh code (their session ends after 20 minutes idle). */
  async function reopen(parent: TestAgent, email: string) {
    const link = linkIn((await emailsTo(steward.services, email)).filter((mail) => linkIn(mail.body)).at(-1)!.body)!;
    await parent.get(link);
    await parent.post(`${link}/code`);
    const code = codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)!;
    await parent.get(link);
    expect((await parent.post(link, { code })).statusCode).toBe(303);
  }

  it("logs nothing until the address is confirmed, then logs the case as a website form received at confirmation, tells the DPO and opens the parent's page", async () => {
    const s = await school();
    const email = `parent-${unique()}@home.example`;
    const { parent, posted } = await parentAsks(s.page, email);
    expect(posted.statusCode, /govuk-error-summary__body">([\s\S]*?)<\/div>/.exec(posted.body)?.[1]).toBe(303);
    expect(await countOf("cases", s.organisationId)).toBe(0);
    const codeEmail = (await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!;
    expect(codeEmail.body).not.toContain("behaviour records");
    const code = codeIn(codeEmail.body)!;
    expect(codeEmail.subject).not.toContain(code);

    // Confirmed twenty minutes later: received then, not when the form was posted.
    steward.clock.advance({ minutes: 20 });
    await parent.get(posted.headers.location!);
    const wrong = await parent.post(posted.headers.location!, { code: code === "000000" ? "111111" : "000000" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("The code is not right");
    expect(await countOf("cases", s.organisationId)).toBe(0);
    const confirmed = await parent.post(posted.headers.location!, { code });
    expect(confirmed.statusCode).toBe(303);
    const { rows } = await sql<{ channel: string; receivedAt: Date; createdBy: string | null; type: string; subjectKind: string }>`select channel, received_at, created_by, type, subject_kind from cases where org_id = ${s.organisationId}`.execute(db());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "web-form", createdBy: null, type: "sar", subjectKind: "pupil" });
    expect(new Date(rows[0]!.receivedAt).toISOString().slice(0, 16)).toBe(steward.clock.now().toISOString().slice(0, 16));
    // The form's sealed copy is gone once the case holds it.
    const left = await sql<{ form: string | null }>`select form from request_confirmations where org_id = ${s.organisationId}`.execute(db());
    expect(left.rows[0]!.form).toBeNull();

    const own = await parent.get(`${s.page}/request`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain("All of Jamie&#39;s behaviour records since September.");
    expect(own.body).toContain("The school must respond by");
    // The requester was emailed a link; the owner (the school's only manager) was told by reference only.
    expect(linkIn((await emailsTo(steward.services, email)).filter((mail) => linkIn(mail.body)).at(-1)!.body)).toBeTruthy();
    const told = await emailsTo(steward.services, s.email);
    expect(told.some((mail) => /New subject access request/.test(mail.subject) && !mail.body.includes("Jamie"))).toBe(true);

    // The same code again opens nothing new.
    const again = await parent.post(posted.headers.location!, { code });
    expect(again.statusCode).toBe(400);
    expect(await countOf("cases", s.organisationId)).toBe(1);
  });

  it("refuses a robot's form (the hidden box, too fast, a forged stamp) and too many from one address, storing nothing", async () => {
    const s = await school();
    const email = `busy-${unique()}@home.example`;
    const robot = await parentAsks(s.page, email, { website: "http://spam.example" });
    expect(robot.posted.statusCode).toBe(429);
    expect(robot.posted.body).toContain("Leave this empty");

    const quick = new TestAgent(steward.app, steward.clock);
    const form = await quick.get(`${s.page}/access`);
    const stamp = /name="stamp" value="([^"]+)"/.exec(form.body)![1]!;
    const tooFast = await quick.post(`${s.page}/access`, { stamp, name: "R Obot", email, about: "me", details: "x", website: "" });
    expect(tooFast.statusCode).toBe(429);
    expect(tooFast.body).toContain("too quickly");
    // A stamp of a fitting time with a made-up signature: refused on the signature alone.
    const forged = await quick.post(`${s.page}/access`, { stamp: `${steward.clock.now().getTime() - 60_000}.${"A".repeat(43)}`, name: "R Obot", email, about: "me", details: "x", website: "" });
    expect(forged.statusCode).toBe(429);
    expect(await countOf("request_confirmations", s.organisationId)).toBe(0);
    expect(await emailsTo(steward.services, email)).toHaveLength(0);

    // Bad answers come back with the GOV.UK errors and nothing is kept.
    const missing = await parentAsks(s.page, email, { about: "child", subjectName: "", parentalResponsibility: "" });
    expect(missing.posted.statusCode).toBe(400);
    expect(missing.posted.body).toContain("Enter your child’s full name");
    expect(missing.posted.body).toContain("Confirm that you have parental responsibility");
    expect(await countOf("request_confirmations", s.organisationId)).toBe(0);

    for (let n = 0; n < 5; n += 1) {
      expect((await parentAsks(s.page, email)).posted.statusCode).toBe(303);
    }
    const sixth = await parentAsks(s.page, email);
    expect(sixth.posted.statusCode).toBe(429);
    expect(sixth.posted.body).toContain("as many as this page takes in a day");
    expect(await countOf("request_confirmations", s.organisationId)).toBe(5);
  });

  it("opens the requester's page only with the emailed code, and never another case's", async () => {
    const s = await school();
    const first = await confirmedRequest(s.page);
    const second = await confirmedRequest(s.page);
    const link = linkIn((await emailsTo(steward.services, first.email)).filter((mail) => linkIn(mail.body)).at(-1)!.body)!;

    // Someone with the link alone (a forwarded email) sees no detail of the request.
    const stranger = new TestAgent(steward.app, steward.clock);
    const offered = await stranger.get(link);
    expect(offered.statusCode).toBe(200);
    expect(offered.body).not.toContain(first.reference);
    expect(offered.body).not.toContain("behaviour records");
    expect((await stranger.get(`${s.page}/request`)).statusCode).toBe(401);
    await stranger.post(`${link}/code`);
    const codeMail = (await emailsTo(steward.services, first.email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!;
    expect(codeMail.subject).toMatch(/Your code/);
    await stranger.get(link);
    const guessed = await stranger.post(link, { code: "123456" === codeIn(codeMail.body) ? "654321" : "123456" });
    expect(guessed.statusCode).toBe(400);
    const opened = await stranger.post(link, { code: codeIn(codeMail.body)! });
    expect(opened.statusCode).toBe(303);
    const page = await stranger.get(`${s.page}/request`);
    expect(page.body).toContain(first.reference);
    expect(page.body).not.toContain(second.reference);

    // The session is the school's and the case's: another school's page with it opens nothing.
    const other = await school();
    stranger.csrf = undefined;
    expect((await stranger.get(`${other.page}/request`)).statusCode).toBe(401);
    // Twenty minutes idle and it is closed.
    steward.clock.advance({ minutes: 21 });
    expect((await stranger.get(`${s.page}/request`)).statusCode).toBe(401);
    // An expired link says so and offers a new one; asking gives the same answer whether or not it matches.
    steward.clock.advance({ hours: 31 * 24 });
    expect((await stranger.get(link)).statusCode).toBe(410);
    await stranger.get(`${s.page}/new-link`);
    const asked = await stranger.post(`${s.page}/new-link`, { reference: first.reference, email: first.email });
    const wrong = await stranger.post(`${s.page}/new-link`, { reference: first.reference, email: "someone@else.example" });
    expect(asked.body).toContain("If the reference and email address match");
    expect(wrong.body).toContain("If the reference and email address match");
    const fresh = (await emailsTo(steward.services, first.email)).filter((mail) => mail.subject.startsWith("A new link"));
    expect(fresh).toHaveLength(1);
    expect(linkIn(fresh[0]!.body)).not.toBe(link);
    expect(await emailsTo(steward.services, "someone@else.example")).toHaveLength(0);
  });

  it("stops the clock when the DPO asks for identity by letter and starts it again when the parent uploads it", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    const draft = await s.owner.get(`/cases/${request.caseId}/letters/new?kind=identity-request`);
    expect(draft.statusCode).toBe(200);
    expect(draft.body).toContain("Jordan Parent");
    const body = /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(draft.body)![1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    const subject = /name="subject"[^>]*value="([^"]*)"/.exec(draft.body)![1]!;
    // Square brackets left in (the identity letter has them: what proof is needed): refused, nothing sent.
    expect(body).toMatch(/\[[^\]]+\]/);
    const unfilled = await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "identity-request", subject, body, method: "email" });
    expect(unfilled.statusCode).toBe(400);
    expect(unfilled.body).toContain("Replace the parts in square brackets");
    expect(await countOf("case_letters", s.organisationId)).toBe(0);
    const filled = body.replace(/\[[^\]]*\]/g, "a photo of your passport or driving licence");
    const sent = await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "identity-request", subject, body: filled, method: "email" });
    expect(sent.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(sent.body)?.[1]).toBe(303);
    const letterMail = (await emailsTo(steward.services, request.email)).find((mail) => mail.body.startsWith("Dear Jordan Parent") && !mail.subject.includes("has your request"))!;
    expect(letterMail.body).toContain("Dear Jordan Parent");
    expect(`${letterMail.subject}\n${letterMail.body}`).toContain(request.reference);
    expect(linkIn(letterMail.body)).toBeTruthy();
    const stops = await sql<{ reason: string; toOn: string | null }>`select reason, to_on::text from case_stops where case_id = ${request.caseId}`.execute(db());
    expect(stops.rows).toEqual([{ reason: "identity", toOn: null }]);
    const waiting = await request.parent.get(`${s.page}/request`);
    expect(waiting.body).toContain("Paused since");
    expect(waiting.body).toContain("your proof of identity");
    expect(waiting.body).toContain(subject);

    steward.clock.advance({ hours: 72 });
    await reopen(request.parent, request.email);
    await request.parent.get(`${s.page}/request`);
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    const uploaded = await request.parent.upload(`${s.page}/request/identity`, "passport.png", png);
    expect(uploaded.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(uploaded.body)?.[1]).toBe(303);
    expect(uploaded.headers.location).toContain("identity-restarted");
    const after = await sql<{ reason: string; toOn: string | null }>`select reason, to_on::text from case_stops where case_id = ${request.caseId}`.execute(db());
    expect(after.rows[0]!.toOn).toBe("2027-02-04");
    await s.owner.signIn(s.username);
    const timeline = await s.owner.get(`/cases/${request.caseId}`);
    expect(timeline.body).toContain("Sent proof of identity");
    expect(timeline.body).toContain("The requester");
    // A file that is not what it says is refused and stores nothing.
    const before = await countOf("case_attachments", s.organisationId);
    const fake = await request.parent.upload(`${s.page}/request/identity`, "passport.png", Buffer.from("MZ this is not an image"));
    expect(fake.statusCode).toBe(400);
    expect(await countOf("case_attachments", s.organisationId)).toBe(before);
  });

  it("takes the parent's reply to a clarification letter as the answer, and keeps messages apart from internal notes", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    await s.owner.get(`/cases/${request.caseId}/letters/new?kind=clarification-request`);
    const draft = await s.owner.get(`/cases/${request.caseId}/letters/new?kind=clarification-request`);
    const body = /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(draft.body)![1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\[[^\]]*\]/g, "which school years you mean");
    expect((await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "clarification-request", subject: "Your request", body, method: "post", postalAddress: "1 High Street\nLeeds" })).statusCode).toBe(303);
    const stop = await sql<{ reason: string }>`select reason from case_stops where case_id = ${request.caseId} and to_on is null`.execute(db());
    expect(stop.rows).toEqual([{ reason: "clarification" }]);

    await s.owner.get(`/cases/${request.caseId}`);
    await s.owner.post(`/cases/${request.caseId}/notes`, { note: "Internal: check with the head first" });
    steward.clock.advance({ hours: 24 });
    await reopen(request.parent, request.email);
    await request.parent.get(`${s.page}/request`);
    const replied = await request.parent.post(`${s.page}/request/messages`, { body: "Years 5 and 6 <b>please</b>" });
    expect(replied.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(replied.body)?.[1]).toBe(303);
    expect(replied.headers.location).toContain("message-restarted");
    const page = await request.parent.get(`${s.page}/request`);
    expect(page.body).toContain("Years 5 and 6 &lt;b&gt;please&lt;/b&gt;");
    expect(page.body).not.toContain("Internal: check with the head first");
    const open = await sql<{ n: string }>`select count(*) as n from case_stops where case_id = ${request.caseId} and to_on is null`.execute(db());
    expect(Number(open.rows[0]!.n)).toBe(0);

    await s.owner.signIn(s.username);
    // The school sees it waiting, replies; the parent is emailed that there is a message, not its words.
    const staff = await s.owner.get(`/cases/${request.caseId}/correspondence`);
    expect(staff.body).toContain("Waiting for a reply");
    const reply = await s.owner.post(`/cases/${request.caseId}/correspondence/messages`, { body: "Thank you: we will send them by 20 March." });
    expect(reply.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(reply.body)?.[1] ?? reply.body.slice(0, 300)).toBe(303);
    const mail = (await emailsTo(steward.services, request.email)).find((email) => email.subject.includes("A message from"))!;
    expect(mail).toBeDefined();
    expect(mail.body).not.toContain("20 March");
    expect((await s.owner.get(`/cases/${request.caseId}/correspondence`)).body).not.toContain("Waiting for a reply");
    expect((await request.parent.get(`${s.page}/request`)).body).toContain("Thank you: we will send them by 20 March.");
    // Another school's DPO cannot open the correspondence.
    const other = await school();
    expect((await other.owner.get(`/cases/${request.caseId}/correspondence`)).statusCode).toBe(404);
    // Nothing the requester typed reached the log.
    expect(steward.logs.join("\n")).not.toContain("Years 5 and 6");
    expect(steward.logs.join("\n")).not.toContain("behaviour records");
  });

  it("keeps letter wording to fields only: an attempt to run code is refused, and what is typed is shown as text", async () => {
    const s = await school();
    await s.owner.get("/letters/acknowledgement");
    const code = await s.owner.post(`/letters/acknowledgement?organisationId=${s.organisationId}`, { action: "save", subject: "Hello {{ constructor.constructor('return process')() }}", body: "Dear {{requesterName}}" });
    expect(code.statusCode).toBe(400);
    expect(code.body).toContain("Letters cannot contain logic or code");
    expect(await countOf("letter_templates", s.organisationId)).toBe(0);
    const preview = await s.owner.post(`/letters/acknowledgement?organisationId=${s.organisationId}`, { action: "preview", subject: "About {{reference}}", body: "Dear {{requesterName}}, <script>alert(1)</script>" });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain("Dear Alex Example, &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(preview.body).not.toContain("<script>alert(1)</script>");
    const saved = await s.owner.post(`/letters/acknowledgement?organisationId=${s.organisationId}`, { action: "save", subject: "We have your request {{reference}}", body: "Dear {{requesterName}},\n\nThank you. Due {{dueOn}}.\n\n{{senderName}}" });
    expect(saved.statusCode).toBe(303);
    const request = await confirmedRequest(s.page);
    const draft = await s.owner.get(`/cases/${request.caseId}/letters/new?kind=acknowledgement`);
    expect(draft.body).toContain(`We have your request ${request.reference}`);
    expect(draft.body).toContain("Dear Jordan Parent,");
    // Reset: Steward's wording again.
    await s.owner.post(`/letters/acknowledgement?organisationId=${s.organisationId}`, { action: "reset", subject: "", body: "" });
    expect(await countOf("letter_templates", s.organisationId)).toBe(0);
  });

  it("delivers every letter, for every kind of request the public page takes, through the real SMTP server with its fields filled in", async () => {
    const s = await school();
    const forms: { form: string; type: string; fields: Record<string, string> }[] = [
      { form: "access", type: "sar", fields: {} },
      { form: "rights", type: "rights", fields: { about: "me", right: "erasure" } },
      { form: "information", type: "foi-school", fields: { about: "" } },
      { form: "complaint", type: "complaint", fields: { about: "me" } },
    ];
    let expected = 0;
    const addresses: string[] = [];
    const before = smtp.received.length;
    for (const { form, type, fields } of forms) {
      const email = `${form}-${unique()}@home.example`;
      addresses.push(email);
      const visitor = new TestAgent(steward.app, steward.clock);
      const page = await visitor.get(`${s.page}/${form}`);
      steward.clock.advance({ seconds: 30 });
      const values: Record<string, string> = { stamp: /name="stamp" value="([^"]+)"/.exec(page.body)![1]!, name: "Jordan Parent", email, about: "child", subjectName: "Jamie Hill", parentalResponsibility: "yes", details: "The details.", website: "", ...fields };
      if (form !== "access") delete values["parentalResponsibility"];
      if (form === "information") { delete values["about"]; delete values["subjectName"]; }
      const posted = await visitor.post(`${s.page}/${form}`, values);
      expect(posted.statusCode, `${form}: ${/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(posted.body)?.[1] ?? ""}`).toBe(303);
      await visitor.get(posted.headers.location!);
      expect((await visitor.post(posted.headers.location!, { code: codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)! })).statusCode).toBe(303);
      const { rows } = await sql<{ id: string; type: string }>`select c.id, c.type from cases c join case_requesters r on r.org_id = c.org_id and r.case_id = c.id where c.org_id = ${s.organisationId} and c.created_by is null order by c.created_at desc limit 1`.execute(db());
      expect(rows[0]!.type).toBe(type);
      const caseId = rows[0]!.id;
      for (const template of LETTER_TEMPLATES.filter((candidate) => candidate.caseTypes.includes(type as never))) {
        if (template.kind === "extension") {
          await s.owner.get(`/cases/${caseId}/extend`);
          const extended = await s.owner.post(`/cases/${caseId}/extend`, { extensionReason: "Many records across several years", "toldOn-day": "1", "toldOn-month": "2", "toldOn-year": "2027" });
          expect(extended.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(extended.body)?.[1]).toBe(303);
        }
        const letter = await draftOf(s.owner, caseId, template.kind);
        const sent = await s.owner.post(`/cases/${caseId}/letters`, { kind: template.kind, ...letter, method: "email" });
        expect(sent.statusCode, `${template.kind}: ${/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(sent.body)?.[1] ?? ""}`).toBe(303);
        expected += 1;
        // Restart any clock the letter stopped, so that the next letter can stop it again.
        await sql`update case_stops set to_on = from_on where case_id = ${caseId} and to_on is null`.execute(db());
      }
    }
    while ((await deliverDueEmail(steward.services)) > 0) {
      // Each call sends one batch: send them all.
    }
    const toRequesters = smtp.received.slice(before).filter((message) => addresses.some((address) => message.to.includes(address)));
    const letters = [];
    for (const message of toRequesters) {
      const parsed = await simpleParser(message.raw);
      // Not the code or the "we have your request" emails: the letters.
      if (!/Your code|has your/.test(parsed.subject ?? "")) letters.push(message);
    }
    expect(letters).toHaveLength(expected);
    expect(expected).toBeGreaterThanOrEqual(16);
    for (const message of letters) {
      const parsed = await simpleParser(message.raw);
      expect(parsed.text).toContain("Dear Jordan Parent");
      expect(`${parsed.subject}\n${parsed.text}`).toMatch(/(SAR|RR|FOI|CMP|[A-Z]{2,4})-2027-\d{4}/);
      expect(parsed.text).not.toMatch(/\{\{|\}\}|\[[^\]]*\]/);
      expect(parsed.text).toContain(s.name);
      expect(parsed.text).toMatch(/http:\/\/steward\.test\/r\/[a-z0-9-]+\/your-request\//);
    }
  });

  /** The letter's draft as the DPO would send it: brackets filled in. */
  async function draftOf(agent: TestAgent, caseId: string, kind: string) {
    const draft = await agent.get(`/cases/${caseId}/letters/new?kind=${kind}`);
    expect(draft.statusCode).toBe(200);
    const unescape = (text: string) => text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    return {
      subject: unescape(/name="subject"[^>]*value="([^"]*)"/.exec(draft.body)![1]!),
      body: unescape(/<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(draft.body)![1]!).replace(/\[[^\]]*\]/g, "nothing was withheld"),
    };
  }

  it("releases the redacted bundle with the response letter, records the day it went, and lets the parent download it until the period ends", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    const area = `/cases/${request.caseId}/disclosure`;
    await s.owner.get(area);
    expect((await s.owner.upload(`${area}/documents`, "notes.txt", Buffer.from("Jamie settled well into Year 5.\nJamie enjoyed the school trip."), { purpose: "disclosure" })).statusCode).toBe(303);
    await runDueJobs(steward.services, JOB_HANDLERS, "test-worker");
    const { rows: documents } = await sql<{ id: string }>`select id from disclosure_documents where case_id = ${request.caseId}`.execute(db());
    const review = `${area}/documents/${documents[0]!.id}/pages/1`;
    await s.owner.get(review);
    await s.owner.post(`${review}/decide-all`, { which: "undecided", decision: "keep", reasonCode: "" });
    expect((await s.owner.post(`${review}/redact`)).statusCode).toBe(303);
    await runDueJobs(steward.services, JOB_HANDLERS, "test-worker");

    const letter = await draftOf(s.owner, request.caseId, "sar-response");
    const sent = await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "sar-response", ...letter, method: "email", release: "yes" });
    expect(sent.statusCode, /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(sent.body)?.[1]).toBe(303);
    const { rows: cases } = await sql<{ responseSentOn: string; responseChannel: string; status: string }>`select response_sent_on::text, response_channel, status from cases where id = ${request.caseId}`.execute(db());
    expect(cases[0]).toEqual({ responseSentOn: "2027-02-01", responseChannel: "portal", status: "responded" });
    // Closing the case starts from the day and way the response went.
    const close = await s.owner.get(`/cases/${request.caseId}/close`);
    expect(close.body).toMatch(/name="sentOn-day"[^>]*value="1"/);
    expect(close.body).toMatch(/value="portal" checked/);
    // The email carries the link, never the bundle.
    const mail = (await emailsTo(steward.services, request.email)).find((email) => /response|Response/.test(email.subject))!;
    expect(mail.body).not.toMatch(/%PDF/);
    const { rows: releases } = await sql<{ id: string; contentSha256: string }>`select id, content_sha256 from case_releases where case_id = ${request.caseId}`.execute(db());
    expect(releases).toHaveLength(1);

    const page = await request.parent.get(`${s.page}/request`);
    expect(page.body).toContain("Download the response");
    const download = await request.parent.get(`${s.page}/request/responses/${releases[0]!.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toBe("application/pdf");
    expect(download.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(download.rawPayload).digest("hex")).toBe(releases[0]!.contentSha256);
    const audited = await sql<{ n: string }>`select count(*) as n from audit_events where org_id = ${s.organisationId} and action = 'requester.download'`.execute(db());
    expect(Number(audited.rows[0]!.n)).toBe(1);
    // Someone without the parent's session gets nothing; another requester of the same school asking for it finds nothing.
    expect((await new TestAgent(steward.app, steward.clock).get(`${s.page}/request/responses/${releases[0]!.id}`)).statusCode).toBe(401);
    const other = await confirmedRequest(s.page);
    expect((await other.parent.get(`${s.page}/request/responses/${releases[0]!.id}`)).statusCode).toBe(404);

    // The hourly file sweep keeps it: it is the record of what was disclosed.
    steward.clock.advance({ hours: 2 });
    expect(await sweepStoredFiles(steward.services)).toBe(0);
    await reopen(request.parent, request.email);
    expect((await request.parent.get(`${s.page}/request/responses/${releases[0]!.id}`)).statusCode).toBe(200);

    // 28 days on (the default), the download has closed and the page says how to ask again; the
    // school answered in time, so nothing calls the case overdue though it is still open.
    steward.clock.advance({ hours: 28 * 24 + 1 });
    await s.owner.signIn(s.username);
    expect((await s.owner.get("/cases?state=overdue")).body).not.toContain(request.reference);
    expect((await s.owner.get("/cases")).body).not.toMatch(/\d+ (days?|hours?) overdue/);
    await reopen(request.parent, request.email);
    expect((await request.parent.get(`${s.page}/request`)).body).toContain("The school responded on");
    const late = await request.parent.get(`${s.page}/request/responses/${releases[0]!.id}`);
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain("The download has closed");
    expect((await request.parent.get(`${s.page}/request`)).body).toContain("The download closed on");
  });

  it("gives a trust's schools their own pages, and shows the trust DPO each school's waiting messages and requests with no letter", async () => {
    steward.clock.set("2027-02-01T09:00:00Z");
    const trust = await buildLicence(steward.services, { organisationKind: "trust", organisationName: `Oak Trust ${unique()}` });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(trust.username);
    const schoolName = `Elm Academy ${unique()}`;
    await owner.get("/schools/new");
    expect((await owner.post("/schools/new", { name: schoolName, postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" })).statusCode).toBe(303);
    const { rows } = await sql<{ publicName: string; kind: string }>`select public_name, kind from organisations where id = ${trust.organisationId} or parent_id = ${trust.organisationId}`.execute(db());
    const trustPage = `/r/${rows.find((row) => row.kind === "trust")!.publicName}`;
    const schoolPage = `/r/${rows.find((row) => row.kind === "school")!.publicName}`;
    const home = await new TestAgent(steward.app, steward.clock).get(trustPage);
    expect(home.body).toContain(`href="${schoolPage}"`);

    const request = await confirmedRequest(schoolPage);
    await request.parent.post(`${schoolPage}/request/messages`, { body: "Is there any news?" });
    steward.clock.advance({ hours: 50 });
    await owner.signIn(trust.username);
    const dashboard = await owner.get("/dashboard");
    expect(dashboard.statusCode).toBe(200);
    const table = /<table[^>]*id="requesters"[\s\S]*?<\/table>/.exec(dashboard.body)![0];
    expect(table).toContain(schoolName);
    expect(table).toContain("1 waiting");
    expect(table).toContain("the oldest has waited 2 days");
    expect(table).toContain("1 with no letter yet");
    expect(table).toContain(`/cases/${request.caseId}/correspondence`);
    expect(table).not.toContain("Is there any news?");
  });

  it("offers no FOI form where the Act does not reach (an independent school), and each form makes its own kind of case", async () => {
    steward.clock.set("2027-02-01T09:00:00Z");
    const independent = await buildLicence(steward.services, { organisationKind: "school", schoolType: "independent" });
    const { rows } = await sql<{ publicName: string }>`select public_name from organisations where id = ${independent.organisationId}`.execute(db());
    const visitor = new TestAgent(steward.app, steward.clock);
    const home = await visitor.get(`/r/${rows[0]!.publicName}`);
    expect(home.body).not.toContain("/information");
    expect(home.body).toContain("/breach");
    expect((await visitor.get(`/r/${rows[0]!.publicName}/information`)).statusCode).toBe(404);
    expect((await visitor.get("/r/no-such-school-here")).statusCode).toBe(404);

    // A journalist's FOI request at a maintained school: an FOI case counted in school days, with nobody's data asked about.
    const s = await school();
    const journalist = new TestAgent(steward.app, steward.clock);
    const email = `news-${unique()}@paper.example`;
    const form = await journalist.get(`${s.page}/information`);
    const stamp = /name="stamp" value="([^"]+)"/.exec(form.body)![1]!;
    expect(form.body).not.toContain("Who is the information about?");
    steward.clock.advance({ seconds: 30 });
    const posted = await journalist.post(`${s.page}/information`, { stamp, name: "Pat Reporter", email, details: "The school's spending on agency staff in 2026.", website: "" });
    expect(posted.statusCode).toBe(303);
    await journalist.get(posted.headers.location!);
    expect((await journalist.post(posted.headers.location!, { code: codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)! })).statusCode).toBe(303);
    const made = await sql<{ type: string; subjectKind: string | null }>`select type, subject_kind from cases where org_id = ${s.organisationId}`.execute(db());
    expect(made.rows).toEqual([{ type: "foi-school", subjectKind: null }]);
  });

  it("gives the public pages the same headers, CSRF check and input limits as the rest", async () => {
    const s = await school();
    const visitor = new TestAgent(steward.app, steward.clock);
    const page = await visitor.get(`${s.page}/access`);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["cache-control"]).toBe("no-store");
    const stamp = /name="stamp" value="([^"]+)"/.exec(page.body)![1]!;
    steward.clock.advance({ seconds: 30 });
    const fields = { stamp, name: "Jordan Parent", email: `csrf-${unique()}@home.example`, about: "me", details: "Everything", website: "" };
    // Without the form's token, or from another site: refused, and nothing kept.
    expect((await visitor.post(`${s.page}/access`, { ...fields, _csrf: "forged" })).statusCode).toBe(403);
    expect((await visitor.post(`${s.page}/access`, fields, { origin: "https://evil.example" })).statusCode).toBe(403);
    // Too long, or fields the form does not have: refused with a message, nothing kept.
    const long = await visitor.post(`${s.page}/access`, { ...fields, details: "x".repeat(5001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain("5000 characters or fewer");
    expect((await visitor.post(`${s.page}/access`, { ...fields, organisationId: s.organisationId })).statusCode).toBe(400);
    expect(await countOf("request_confirmations", s.organisationId)).toBe(0);
    // A file sent to a form that takes none is refused before it is read.
    const upload = await visitor.upload(`${s.page}/access`, "x.pdf", Buffer.from("%PDF-1.4"));
    expect(upload.statusCode).toBe(415);
  });

  it("stops a forwarded link being used to guess the code: a link takes few wrong codes, and codes never show in the outbox", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    const link = linkIn((await emailsTo(steward.services, request.email)).filter((mail) => linkIn(mail.body)).at(-1)!.body)!;
    const stranger = new TestAgent(steward.app, steward.clock);
    let refused = 0;
    for (let round = 0; round < 4; round += 1) {
      steward.clock.advance({ minutes: 2 });
      await stranger.get(link);
      await stranger.post(`${link}/code`);
      const real = codeIn((await emailsTo(steward.services, request.email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)!;
      for (let guess = 0; guess < 5; guess += 1) {
        await stranger.get(link);
        const wrong = String((Number(real) + 1 + guess) % 1_000_000).padStart(6, "0");
        const answer = await stranger.post(link, { code: wrong });
        if (answer.body.includes("no longer works")) refused += 1;
      }
    }
    // Ten wrong codes and the link is done with, whatever codes are sent after.
    const { rows } = await sql<{ failedAttempts: number }>`select failed_attempts from requester_links where case_id = ${request.caseId} and failed_attempts > 0`.execute(db());
    expect(rows[0]!.failedAttempts).toBe(LINK_FAILURES);
    expect(refused).toBeGreaterThan(0);
    expect((await stranger.get(link)).statusCode).toBe(410);
    steward.clock.advance({ minutes: 2 });
    const more = await stranger.post(`${link}/code`);
    expect(more.statusCode).toBe(429);
    // The right code now opens nothing through this link.
    expect((await stranger.get(`${s.page}/request`)).statusCode).toBe(401);

    // The owner reading the outbox sees neither a code in a subject nor a body.
    await s.owner.signIn(s.username);
    const outbox = await s.owner.get("/outbox");
    const codes = (await emailsTo(steward.services, request.email)).filter((mail) => /Your code/.test(mail.subject)).map((mail) => codeIn(mail.body)!);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(outbox.body).not.toContain(code);
    }
  });

  it("limits what a requester can send, tells the school once an hour, refuses identity files where none is asked, and shows the requester only their own words", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    for (let n = 0; n < REQUESTER_MESSAGES_A_DAY; n += 1) {
      expect((await request.parent.post(`${s.page}/request/messages`, { body: `Message ${n}` })).statusCode).toBe(303);
    }
    const over = await request.parent.post(`${s.page}/request/messages`, { body: "One too many" });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain("as many as this page takes in a day");
    const told = (await emailsTo(steward.services, s.email)).filter((mail) => mail.subject.includes("The requester sent a message"));
    expect(told).toHaveLength(1);
    // The next hour's message is told again.
    steward.clock.advance({ minutes: 61 });
    await reopen(request.parent, request.email);
    await request.parent.get(`${s.page}/request`);
    expect((await request.parent.post(`${s.page}/request/messages`, { body: "Any news?" })).statusCode).toBe(400);
    steward.clock.advance({ hours: 24 });
    await reopen(request.parent, request.email);
    await request.parent.get(`${s.page}/request`);
    expect((await request.parent.post(`${s.page}/request/messages`, { body: "Any news?" })).statusCode).toBe(303);
    expect((await emailsTo(steward.services, s.email)).filter((mail) => mail.subject.includes("The requester sent a message"))).toHaveLength(2);

    // An FOI requester has no identity to prove.
    const journalist = new TestAgent(steward.app, steward.clock);
    const email = `news-${unique()}@paper.example`;
    const form = await journalist.get(`${s.page}/information`);
    steward.clock.advance({ seconds: 30 });
    const posted = await journalist.post(`${s.page}/information`, { stamp: /name="stamp" value="([^"]+)"/.exec(form.body)![1]!, name: "Pat Reporter", email, details: "Spending on agency staff.", website: "" });
    await journalist.get(posted.headers.location!);
    await journalist.post(posted.headers.location!, { code: codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)! });
    const page = await journalist.get(`${s.page}/request`);
    expect(page.body).not.toContain("Upload proof of identity");
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    const refused = await journalist.upload(`${s.page}/request/identity`, "passport.png", png);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("does not need proof of identity");
  });

  it("releases a response only to an address the requester has confirmed, and a changed address cuts off whoever had the old one", async () => {
    const s = await school();
    // Logged by staff from a letter: the address is typed by the DPO.
    await s.owner.get("/cases/new");
    const logged = await s.owner.post("/cases", {
      organisationId: s.organisationId, type: "sar", "receivedOn-day": "1", "receivedOn-month": "2", "receivedOn-year": "2027", receivedTime: "", channel: "letter",
      requesterName: "Sam Parent", requesterContact: "", subjectKind: "requester", subjectName: "", summary: "Internal: father has no contact order, check before sending anything.",
    });
    const caseId = logged.headers.location!.replace(/\?.*$/, "").split("/").at(-1)!;
    const typed = `sam-${unique()}@home.example`;
    await s.owner.get(`/cases/${caseId}/correspondence`);
    expect((await s.owner.post(`/cases/${caseId}/correspondence/address`, { email: typed })).statusCode).toBe(303);
    const draft = await s.owner.get(`/cases/${caseId}/letters/new?kind=sar-response`);
    expect(draft.body).toContain("The response cannot be released yet");
    expect(draft.body).toContain("has not yet shown that the email address is theirs");
    // Sent anyway, with the release asked for: refused before any bundle is made, nothing sent.
    const letter = await draftOf(s.owner, caseId, "sar-response");
    const forced = await s.owner.post(`/cases/${caseId}/letters`, { kind: "sar-response", ...letter, method: "email", release: "yes" });
    expect(forced.statusCode).toBe(400);
    expect(forced.body).toContain("has not yet shown that the email address is theirs");
    expect(await countOf("case_releases", s.organisationId)).toBe(0);
    expect(await countOf("case_letters", s.organisationId)).toBe(0);

    // The requester opens their page from a message: their address is now confirmed, and the staff's summary is not shown.
    await s.owner.post(`/cases/${caseId}/correspondence/messages`, { body: "Please open your page." });
    const sam = new TestAgent(steward.app, steward.clock);
    await reopen(sam, typed);
    const page = await sam.get(`${s.page}/request`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain("no contact order");
    expect(page.body).toContain("Please open your page.");
    expect((await s.owner.get(`/cases/${caseId}/letters/new?kind=sar-response`)).body).not.toContain("has not yet shown that the email address is theirs");

    // A corrected address: the old holder's session ends and their links stop working.
    await s.owner.get(`/cases/${caseId}/correspondence`);
    expect((await s.owner.post(`/cases/${caseId}/correspondence/address`, { email: `sam-new-${unique()}@home.example` })).statusCode).toBe(303);
    expect((await sam.get(`${s.page}/request`)).statusCode).toBe(401);
    const oldLink = linkIn((await emailsTo(steward.services, typed)).filter((mail) => linkIn(mail.body)).at(-1)!.body)!;
    expect((await sam.get(oldLink)).statusCode).toBe(410);
  });

  it("lets the DPO put a clarification pause back when the reply did not give what was asked, from the day they asked", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page);
    const letter = await draftOf(s.owner, request.caseId, "clarification-request");
    expect((await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "clarification-request", ...letter, method: "post", postalAddress: "1 High Street\nLeeds" })).statusCode).toBe(303);
    steward.clock.advance({ hours: 48 });
    await reopen(request.parent, request.email);
    await request.parent.get(`${s.page}/request`);
    await request.parent.post(`${s.page}/request/messages`, { body: "I will get back to you next week." });
    await s.owner.signIn(s.username);
    const page = await s.owner.get(`/cases/${request.caseId}/correspondence`);
    expect(page.body).toContain("Put the pause back");
    expect((await s.owner.post(`/cases/${request.caseId}/correspondence/pause`)).statusCode).toBe(303);
    const stops = await sql<{ fromOn: string; toOn: string | null }>`select from_on::text, to_on::text from case_stops where case_id = ${request.caseId}`.execute(db());
    expect(stops.rows).toEqual([{ fromOn: "2027-02-01", toOn: null }]);
    expect((await s.owner.get(`/cases/${request.caseId}/correspondence`)).body).not.toContain("Put the pause back");
  });

  it("prints a posted letter for a window envelope, with the page's address instead of a link, and a Polish name legible", async () => {
    const s = await school();
    const request = await confirmedRequest(s.page, `lucja-${unique()}@home.example`, { name: "Łucja Wiśniewska-Dąb" });
    const letter = await draftOf(s.owner, request.caseId, "acknowledgement");
    const noAddress = await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "acknowledgement", ...letter, method: "post", postalAddress: "" });
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.body).toContain("Enter their postal address");
    const sent = await s.owner.post(`/cases/${request.caseId}/letters`, { kind: "acknowledgement", ...letter, method: "post", postalAddress: "12 Orchard Way\nLeeds\nLS1 4AB" });
    expect(sent.statusCode).toBe(303);
    const letterId = new URL(`http://x${sent.headers.location!}`).searchParams.get("letter")!;
    const pdf = await s.owner.get(`/cases/${request.caseId}/letters/${letterId}/pdf`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const text = (await popplerPages(new Uint8Array(pdf.rawPayload)))!.join("\n");
    expect(text).toContain("Lucja Wisniewska-Dab");
    expect(text).not.toContain("?ucja");
    expect(text).toContain("12 Orchard Way");
    expect(text).toContain(`/r/${s.publicName}/new-link`);
    expect(text).not.toMatch(/your-request\/[A-Za-z0-9_-]{20}/);
  });

  it("asks a parent at a maintained school whether they want the educational record, and records only what the form confirmed", async () => {
    const s = await school();
    const form = await new TestAgent(steward.app, steward.clock).get(`${s.page}/access`);
    expect(form.body).toContain("I am asking for my child’s educational record");
    const asked = await confirmedRequest(s.page, `record-${unique()}@home.example`, { educationalRecord: "yes" });
    const recorded = await sql<{ type: string }>`select type from cases where id = ${asked.caseId}`.execute(db());
    expect(recorded.rows[0]!.type).toBe("educational-record");
    // A complaint about a child records no parental responsibility: the complaint form never asked.
    const complainant = new TestAgent(steward.app, steward.clock);
    const page = await complainant.get(`${s.page}/complaint`);
    expect(page.body).not.toContain("I have parental responsibility");
    const email = `complaint-${unique()}@home.example`;
    steward.clock.advance({ seconds: 30 });
    const sent = await complainant.post(`${s.page}/complaint`, { stamp: /name="stamp" value="([^"]+)"/.exec(page.body)![1]!, name: "Alex Parent", email, about: "child", subjectName: "Sam Parent", details: "The school emailed Sam's report to another family.", website: "" });
    expect(sent.statusCode).toBe(303);
    await complainant.get(sent.headers.location!);
    expect((await complainant.post(sent.headers.location!, { code: codeIn((await emailsTo(steward.services, email)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)! })).statusCode).toBe(303);
    const own = await complainant.get(`${s.page}/request`);
    expect(own.body).toContain("Your complaint");
    expect(own.body).toContain("The school must acknowledge your complaint by");
    await s.owner.signIn(s.username);
    const { rows } = await sql<{ id: string; type: string }>`select id, type from cases where org_id = ${s.organisationId} and type = 'complaint'`.execute(db());
    const record = await s.owner.get(`/cases/${rows[0]!.id}`);
    expect(record.body).toContain("About their child, Sam Parent.");
    expect(record.body).not.toContain("parental responsibility");
  });
});
