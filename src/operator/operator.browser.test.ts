import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestAuthenticator } from "../testing/authenticator.ts";
import { violationsWithSameCookies, launchChromium, pageWatchingCsp } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";

/**
 * The first operator, without JavaScript: the setup address printed at start, sign-in, setting
 * up two-factor, the licences and the platform's health, signing out and in again with a code.
 * axe on each page (pages seen without JavaScript are scanned with the same cookies in a page that runs it).
 */
describe(`the operator's console, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let operator: Page;
  let scanner: Page;
  const cspViolations: string[] = [];
  const violations: string[] = [];
  const scanned: string[] = [];
  let trustName = "";

  const scan = async (page: Page) => {
    scanned.push(new URL(page.url()).pathname);
    violations.push(...(await violationsWithSameCookies(page, scanner)));
  };

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    trustName = (await buildLicence(steward.services, { organisationKind: "trust" })).name;
    await buildLicence(steward.services);
    await sql`insert into backup_runs (id, taken_at, file_name, bytes, pruned_at) values
      (${randomUUID()}, '2026-11-20T02:00:00Z', 'steward-2026-11-20.backup', 5242880, '2026-11-23T02:00:00Z'),
      (${randomUUID()}, '2026-11-23T02:00:00Z', 'steward-2026-11-23.backup', 6291456, null)`.execute(steward.services.database.db);
    operator = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false, viewport: { width: 1024, height: 900 } }, cspViolations);
    scanner = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 1024, height: 900 } }, cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("sets up the first operator from the printed address, with two-factor, and reads the licences and the platform's health", async () => {
    const token = /"path":"(\/operator\/setup\?token=[A-Za-z0-9_-]{43})"/.exec(steward.logs.join("\n"))![1]!;
    const email = `first-${unique()}@operator.example`;
    await operator.goto(token);
    await scan(operator);
    await operator.getByLabel("Your email address").fill(email);
    await operator.getByLabel("Choose a password").fill(TEST_PASSWORD);
    await operator.getByRole("button", { name: "Create the operator account" }).click();
    await operator.waitForURL("**/operator/login?created=1");
    expect(await operator.locator(".govuk-notification-banner").textContent()).toContain("Your operator account is ready");
    await scan(operator);

    // A mistake first: the error summary links to the field.
    await operator.getByLabel("Email address").fill(email);
    await operator.getByLabel("Password", { exact: true }).fill("not the password");
    await operator.getByRole("button", { name: "Sign in" }).click();
    expect(await operator.locator(".govuk-error-summary").textContent()).toContain("do not match an operator account");
    await scan(operator);
    await operator.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await operator.getByRole("button", { name: "Sign in" }).click();
    await operator.waitForURL("**/operator/two-factor/setup");
    await scan(operator);
    const key = (await operator.locator("[data-totp-secret]").textContent())!;
    const app = new TestAuthenticator(key, steward.clock);
    await operator.getByLabel("Code from your app").fill(app.code());
    await operator.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await operator.waitForURL(/\/operator$/);

    expect(await operator.getByRole("heading", { level: 1 }).textContent()).toBe("Licences");
    expect(await operator.getByRole("link", { name: trustName }).getAttribute("href")).toMatch(/^\/operator\/licences\/[0-9a-f-]{36}$/);
    expect(await operator.locator("table").textContent()).toContain("0 MB of 200 MB");
    await scan(operator);
    await operator.getByRole("navigation", { name: "Operator" }).getByRole("link", { name: "Platform health" }).click();
    await operator.waitForURL("**/operator/health");
    expect(await operator.locator("table").textContent()).toContain("steward-2026-11-23.backup");
    await scan(operator);

    await operator.getByRole("button", { name: "Sign out" }).click();
    await operator.waitForURL("**/operator/login?signedOut=1");
    await operator.getByLabel("Email address").fill(email);
    await operator.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await operator.getByRole("button", { name: "Sign in" }).click();
    await operator.waitForURL("**/operator/login/two-factor");
    await scan(operator);
    await operator.getByLabel("Enter your two-factor code").fill(app.code());
    await operator.getByRole("button", { name: "Continue" }).click();
    await operator.waitForURL(/\/operator$/);

    // A school's page is no way in for the operator.
    const school = await operator.goto("/dashboard");
    expect(school?.status()).toBe(403);

    expect(scanned).toEqual(expect.arrayContaining(["/operator/setup", "/operator/login", "/operator/two-factor/setup", "/operator", "/operator/health", "/operator/login/two-factor"]));
    expect(violations).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
