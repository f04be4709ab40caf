import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { violationsWithSameCookies, launchChromium, pageWatchingCsp, signInThroughPages } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { emailsTo, startSmtpServer } from "../testing/mail.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { sendNonServiceEmail } from "./sending.ts";

/**
 * A school's owner, without JavaScript, says yes to news about Steward from their account page,
 * then stops it with the link in the email, not signed in. axe on every page of it (pages seen
 * without JavaScript are scanned again, with the same cookies, in a page that runs it).
 */
describe(`email choices and unsubscribing, in Chromium (${testEngine})`, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let person: Page;
  let scanner: Page;
  let owner: { agent: TestAgent; username: string; email: string };
  const cspViolations: string[] = [];
  const violations: string[] = [];
  const scanned = new Set<string>();

  const scan = async (page: Page) => {
    scanned.add(new URL(page.url()).pathname.replace(/\/unsubscribe\/.+/, "/unsubscribe/:token"));
    violations.push(...(await violationsWithSameCookies(page, scanner)));
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    steward = await startTestSteward({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const licence = await buildLicence(steward.services);
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    owner = { agent, username: licence.username, email: licence.email };
    person = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false, viewport: { width: 1024, height: 900 } }, cspViolations);
    scanner = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 1024, height: 900 } }, cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
  });

  it("the owner says yes to news about Steward from their account page, without JavaScript", async () => {
    await signInThroughPages(person, owner, TEST_PASSWORD);
    await person.goto("/account");
    await scan(person);
    expect(await person.locator("body").textContent()).toContain("Only emails about your account and your work in Steward");
    await person.getByRole("link", { name: "Change which emails you get from Steward" }).click();
    await scan(person);
    await person.getByLabel(/Email me news about Steward/).check();
    await person.getByRole("button", { name: "Save my choices" }).click();
    await expect.poll(() => person.url()).toContain("/account/emails?done=saved");
    await scan(person);
    expect(await person.locator(".govuk-notification-banner--success").textContent()).toContain("Your choices are saved.");
    expect(await person.getByLabel(/Email me news about Steward/).isChecked()).toBe(true);
    expect(await person.getByLabel(/Email me surveys/).isChecked()).toBe(false);
    expect(await person.locator("table").textContent()).toContain("Yes, given");
  });

  it("stops it with the link in the email, signed out, and sees it on their account page", async () => {
    await sendNonServiceEmail(steward.services, { kind: "product-updates", subject: "News", body: "Steward has news." });
    const body = (await emailsTo(steward.services, owner.email)).find((email) => email.subject === "News")!.body;
    const link = /http:\/\/steward\.test(\/unsubscribe\/\S+)/.exec(body)![1]!;
    const stranger = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false }, cspViolations);
    await stranger.goto(link);
    await scan(stranger);
    expect(await stranger.locator("h1").textContent()).toContain("Unsubscribe from news about Steward");
    await stranger.getByRole("button", { name: "Unsubscribe" }).click();
    await expect.poll(() => stranger.locator("h1").textContent()).toContain("You are unsubscribed");
    // Scanned as its address shows it again: the same page, saying it is already done.
    await scan(stranger);
    expect(await scanner.locator("h1").textContent()).toContain("You are already unsubscribed");
    await stranger.goto(`${link.slice(0, -3)}${link.endsWith("AAA") ? "BBB" : "AAA"}`);
    await scan(stranger);
    expect(await stranger.locator("h1").textContent()).toContain("This unsubscribe link does not work");

    await person.goto("/account/emails");
    expect(await person.getByLabel(/Email me news about Steward/).isChecked()).toBe(false);
    expect(await person.locator("table").textContent()).toContain("With the unsubscribe link in an email");
    await scan(person);
  });

  it("found no accessibility violations and no CSP complaints on any page", () => {
    expect([...scanned].sort()).toEqual(["/account", "/account/emails", "/unsubscribe/:token"]);
    expect(violations).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
