import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium, pageWatchingCsp, signInThroughPages } from "../testing/browser.ts";
import { addPerson, buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { emailsTo } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { runDueJobs } from "../platform/jobs/jobs.ts";
import { JOB_HANDLERS } from "../steward.ts";

/**
 * A parent on a 375-pixel phone without JavaScript asks for their child's data, confirms their
 * email, sends proof of identity; the DPO asks for clarification by letter, the parent replies by
 * message, the DPO releases the bundle with the response; the parent downloads it, and once the
 * download period has passed is told it has closed. axe on every page either of them sees.
 */
describe(`the requester's side, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let publicPage = "";
  let organisationId = "";
  let dpo: { agent: TestAgent; username: string; fullName: string };
  const parentEmail = `jordan-${unique()}@home.example`;
  const cspViolations: string[] = [];
  const violations: string[] = [];
  /**
   * axe runs as a script, so a page the parent sees without JavaScript is scanned as it stands in
   * a phone-sized browser with JavaScript on, holding the parent's cookies.
   */
  let scans = 0;
  const scan = async (page: Page) => {
    scans += 1;
    if (page !== parent) {
      violations.push(...(await accessibilityViolations(page)));
      return;
    }
    await scanner.context().clearCookies();
    await scanner.context().addCookies(await parent.context().cookies());
    await scanner.goto(parent.url());
    violations.push(...(await accessibilityViolations(scanner)));
  };
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  const latestCode = async () => /^(\d{6})$/m.exec((await emailsTo(steward.services, parentEmail)).filter((mail) => /Your code/.test(mail.subject)).at(-1)!.body)![1]!;
  const latestLink = async () => /http:\/\/steward\.test(\/r\/\S+\/your-request\/[A-Za-z0-9_-]{43})/.exec((await emailsTo(steward.services, parentEmail)).filter((mail) => /your-request/.test(mail.body)).at(-1)!.body)![1]!;

  let parent: Page;
  let scanner: Page;
  let staff: Page;

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    steward.clock.set("2027-02-01T09:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    organisationId = licence.organisationId;
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    const { rows } = await sql<{ publicName: string }>`select public_name from organisations where id = ${licence.organisationId}`.execute(steward.services.database.db);
    publicPage = `/r/${rows[0]!.publicName}`;
    parent = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false, viewport: { width: 375, height: 800 }, acceptDownloads: true }, cspViolations);
    scanner = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 375, height: 800 } }, cspViolations);
    staff = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 1280, height: 900 } }, cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("a parent without JavaScript asks for their child's data, confirms their email and sends proof of identity", async () => {
    await parent.goto(publicPage);
    await scan(parent);
    await parent.getByRole("link", { name: "Ask for a copy of personal data" }).click();
    await scan(parent);
    // Sent empty: the errors say what to do, and nothing is kept.
    steward.clock.advance({ seconds: 10 });
    await parent.getByRole("button", { name: "Send and get a code" }).click();
    expect(await parent.locator(".govuk-error-summary").textContent()).toContain("Enter your full name");
    await scanner.goto(`${publicPage}/access`);
    steward.clock.advance({ seconds: 10 });
    await scanner.getByRole("button", { name: "Send and get a code" }).click();
    await scanner.locator(".govuk-error-summary").waitFor();
    violations.push(...(await accessibilityViolations(scanner)));
    await parent.getByLabel("Your full name").fill("Jordan Parent");
    await parent.getByLabel("Your email address").fill(parentEmail);
    await parent.getByLabel("My child", { exact: true }).check();
    await parent.getByLabel("If it is about your child or someone else, their full name").fill("Jamie Hill");
    await parent.getByLabel("I have parental responsibility for the child").check();
    await parent.getByLabel("What information do you want?").fill("Jamie's behaviour records since September.");
    steward.clock.advance({ seconds: 30 });
    await parent.getByRole("button", { name: "Send and get a code" }).click();
    await parent.waitForURL(/\/confirm\//);
    expect(await parent.locator("h1").textContent()).toContain("Check your email");
    await scan(parent);
    await parent.getByLabel("Code from the email").fill(await latestCode());
    await parent.getByRole("button", { name: "Send my request" }).click();
    await parent.waitForURL(/\/request\?done=sent/);
    expect(await parent.locator(".govuk-notification-banner").textContent()).toContain("Your request has been sent");
    expect(await parent.locator("#state").textContent()).toContain("The school must respond by");
    await scan(parent);
    // The page fits the phone: nothing scrolls sideways.
    expect(await parent.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await parent.getByLabel("Upload proof of identity").setInputFiles({ name: "passport.png", mimeType: "image/png", buffer: png });
    await parent.getByRole("button", { name: "Send proof of identity" }).click();
    await parent.waitForURL(/done=identity/);
    expect(await parent.locator("body").textContent()).toContain("You sent proof of identity: passport.png");
  });

  it("the DPO asks for clarification by letter; the parent replies by message and the clock runs again", async () => {
    await signInThroughPages(staff, dpo, TEST_PASSWORD);
    await scan(staff);
    expect(await staff.locator("#requesters").textContent()).toContain("with no letter yet");
    await staff.goto("/cases");
    await staff.getByRole("link", { name: /SAR-2027-/ }).first().click();
    await staff.getByRole("link", { name: "Letters to the requester, messages with them, and the response they download" }).click();
    await scan(staff);
    await staff.getByRole("link", { name: "Request for more information" }).click();
    await scan(staff);
    const body = staff.getByLabel("Letter", { exact: true });
    // Sent with its square brackets left in: refused.
    await staff.getByRole("button", { name: "Send the letter" }).click();
    expect(await staff.locator(".govuk-error-summary").textContent()).toContain("Replace the parts in square brackets");
    await body.fill((await body.inputValue()).replace(/\[[^\]]*\]/g, "which school years you mean"));
    await staff.getByRole("button", { name: "Send the letter" }).click();
    await staff.waitForURL(/done=emailed/);
    expect(await staff.locator("#letter-list").textContent()).toContain("Request for more information");

    steward.clock.advance({ hours: 24 });
    await parent.goto(await latestLink());
    await scan(parent);
    await parent.getByRole("button", { name: "Email me a code" }).click();
    await parent.getByLabel("Code from the email").fill(await latestCode());
    await parent.getByRole("button", { name: "Open my request" }).click();
    await parent.waitForURL(/\/request$/);
    expect(await parent.locator("#state").textContent()).toContain("Paused since");
    expect(await parent.locator("#letters").locator("xpath=following-sibling::details[1]").textContent()).toContain("Jordan Parent");
    await parent.getByLabel("Send the school a message").fill("Years 5 and 6, please.");
    await parent.getByRole("button", { name: "Send message" }).click();
    await parent.waitForURL(/done=message-restarted/);
    expect(await parent.locator("#state").textContent()).toContain("The school must respond by");
    await scan(parent);
  });

  it("the DPO releases the bundle with the response; the parent downloads it, and after the period is told the download has closed", async () => {
    // The disclosure itself (tested in its own browser test) is prepared through HTTP here.
    const { rows } = await sql<{ id: string }>`select id from cases where org_id = ${organisationId}`.execute(steward.services.database.db);
    const caseId = rows[0]!.id;
    await dpo.agent.signIn(dpo.username);
    const area = `/cases/${caseId}/disclosure`;
    await dpo.agent.get(area);
    expect((await dpo.agent.upload(`${area}/documents`, "notes.txt", Buffer.from("Jamie settled well into Year 5."), { purpose: "disclosure" })).statusCode).toBe(303);
    await runDueJobs(steward.services, JOB_HANDLERS, "browser-test");
    const { rows: documents } = await sql<{ id: string }>`select id from disclosure_documents where case_id = ${caseId}`.execute(steward.services.database.db);
    const review = `${area}/documents/${documents[0]!.id}/pages/1`;
    await dpo.agent.get(review);
    await dpo.agent.post(`${review}/decide-all`, { which: "undecided", decision: "keep", reasonCode: "" });
    await dpo.agent.post(`${review}/redact`);
    await runDueJobs(steward.services, JOB_HANDLERS, "browser-test");

    await signInThroughPages(staff, dpo, TEST_PASSWORD);
    await staff.goto(`/cases/${caseId}/letters/new?kind=sar-response`);
    await scan(staff);
    const body = staff.getByLabel("Letter", { exact: true });
    await body.fill((await body.inputValue()).replace(/\[[^\]]*\]/g, "Nothing was withheld"));
    await staff.getByLabel("Release the bundle to the requester with this letter").check();
    await staff.getByRole("button", { name: "Send the letter" }).click();
    await staff.waitForURL(/done=emailed/);
    expect(await staff.locator("#release-list").textContent()).toContain("downloadable until");
    await staff.goto("/letters");
    await scan(staff);
    await staff.getByRole("link", { name: "Acknowledgement" }).first().click();
    await scan(staff);
    await staff.goto("/request-page");
    await scan(staff);

    await parent.goto(await latestLink());
    await parent.getByRole("button", { name: "Email me a code" }).click();
    await parent.getByLabel("Code from the email").fill(await latestCode());
    await parent.getByRole("button", { name: "Open my request" }).click();
    await parent.waitForURL(/\/request$/);
    await scan(parent);
    const [download] = await Promise.all([parent.waitForEvent("download"), parent.getByRole("link", { name: /Download the response/ }).click()]);
    const saved = await download.path();
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(saved).subarray(0, 5).toString()).toBe("%PDF-");

    steward.clock.advance({ hours: 29 * 24 });
    await parent.goto(await latestLink());
    await parent.getByRole("button", { name: "Email me a code" }).click();
    await parent.getByLabel("Code from the email").fill(await latestCode());
    await parent.getByRole("button", { name: "Open my request" }).click();
    await parent.waitForURL(/\/request$/);
    expect(await parent.locator("#releases").textContent()).toContain("The download closed on");
    const releaseId = (await sql<{ id: string }>`select id from case_releases where case_id = ${caseId}`.execute(steward.services.database.db)).rows[0]!.id;
    await parent.goto(`${publicPage}/request/responses/${releaseId}`);
    expect(await parent.locator("h1").textContent()).toContain("The download has closed");
    await scan(parent);
    await parent.goto(`${publicPage}/new-link`);
    await scan(parent);

    expect(scans).toBeGreaterThanOrEqual(15);
    expect(violations).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
