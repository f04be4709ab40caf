import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestAuthenticator } from "../testing/authenticator.ts";
import { accessibilityViolations, launchChromium } from "../testing/browser.ts";
import { TEST_PASSWORD, unique } from "../testing/factories.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/**
 * The first day with Steward, in a real browser: a trust registers, adds a school and a member of
 * staff, who sets a password and signs in; sessions expire; every page passes axe, with the
 * strict CSP on and no violation reported by the browser.
 */
describe(`a trust's first day, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  const scanned = new Map<string, string[]>();
  const cspViolations: string[] = [];
  const id = unique();
  const owner = { fullName: `Olivia Owner ${id}`, username: `olivia-${id}`, email: `olivia-${id}@trust.example` };
  const trustName = `Moorland Learning Trust ${id}`;
  const schoolName = `Heather Primary ${id}`;
  const staff = { fullName: `Sam Teacher ${id}`, username: `sam-${id}`, email: `sam-${id}@heather.example` };
  let setPasswordPath = "";
  /** The owner's phone, once they have set up two-factor from the key on the page. */
  let ownersPhone: TestAuthenticator;

  /** Signs the owner in the whole way: password, then the code their phone shows. */
  async function signInOwner(page: Page): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email address").fill(owner.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/login/two-factor");
    await page.getByLabel("Enter your two-factor code").fill(ownersPhone.code());
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL("**/dashboard");
  }

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: base, ...options });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) {
        cspViolations.push(`${page.url()}: ${message.text()}`);
      }
    });
    return { context, page };
  }

  /** Every page the journey visits is scanned once, in the state the user sees it. */
  async function scan(page: Page, label: string): Promise<void> {
    scanned.set(label, await accessibilityViolations(page));
  }

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("registers a trust, showing clear errors first", async () => {
    const { page, context } = await newPage();
    await page.goto("/register");
    await scan(page, "register");
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.title()).toMatch(/^Error: Register a licence/);
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Enter your full name");
    await scan(page, "register with errors");

    await page.getByLabel("A trust").check();
    await page.getByLabel("England").check();
    await page.getByLabel("Name of the trust or school").fill(trustName);
    await page.getByLabel("Postal address").fill("Moorland House\nHalifax\nHX1 1AA");
    await page.getByLabel("Telephone").fill("01422 496 000");
    await page.getByLabel("Full name").fill(owner.fullName);
    await page.getByLabel("Email address").fill(owner.email);
    await page.getByLabel("Username").fill(owner.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Register" }).click();

    // The owner can reach everything, so two-factor comes first: set up from the key on the page.
    await page.waitForURL("**/account/two-factor");
    await scan(page, "set up two-factor");
    expect(await page.getByRole("img", { name: /QR code/ }).count()).toBe(1);
    const key = (await page.locator("[data-totp-secret]").textContent())!;
    ownersPhone = new TestAuthenticator(key, steward.clock);
    await page.getByLabel("Code from your app").fill("000000");
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Enter the 6-digit code");
    await scan(page, "set up two-factor, with an error");
    await page.getByLabel("Code from your app").fill(ownersPhone.code());
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Two-factor authentication is on");
    expect(await page.locator("[data-recovery-codes] li").count()).toBe(10);
    await scan(page, "recovery codes");
    await page.getByRole("link", { name: /I have saved my recovery codes/ }).click();
    await page.waitForURL("**/dashboard");
    expect(await page.locator("#signed-in-as").textContent()).toContain(owner.fullName);
    expect(await page.locator("#signed-in-as").textContent()).toContain(trustName);
    await scan(page, "dashboard");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login?signedOut=1");
    await context.close();
  });

  it("signs in, adds a school and a member of staff, and reads the outbox", async () => {
    const { page, context } = await newPage();
    await page.goto("/login");
    await scan(page, "sign in");
    await page.getByLabel("Username or email address").fill(owner.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/login/two-factor");
    await scan(page, "two-factor code");
    await page.getByLabel("Enter your two-factor code").fill("123456");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("That code is not right");
    await scan(page, "two-factor code, with an error");
    await page.getByLabel("Enter your two-factor code").fill(ownersPhone.code());
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL("**/dashboard");

    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await scan(page, "settings");
    await page.getByLabel("Everyone must sign in with two-factor authentication").check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.locator(".govuk-notification-banner").textContent()).toContain("Your settings are saved");
    await page.getByLabel("Everyone must sign in with two-factor authentication").uncheck();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL("**/settings?saved=1");
    await page.goto("/account/two-factor");
    await expect.poll(() => page.locator("main").textContent()).toContain("unused recovery codes");
    await scan(page, "two-factor is on");

    await page.getByRole("link", { name: "Schools", exact: true }).click();
    await scan(page, "schools (empty)");
    await page.getByRole("button", { name: "Add a school" }).click();
    await scan(page, "add a school");
    await page.getByLabel("School name").fill(schoolName);
    await page.getByLabel("Postal address").fill("Heather Road\nHalifax\nHX2 2BB");
    await page.getByLabel("Telephone").fill("01422 496 001");
    await page.getByRole("button", { name: "Add school" }).click();
    await expect.poll(() => page.locator(".govuk-notification-banner").textContent()).toContain(`${schoolName} has been added`);
    await scan(page, "schools");

    await page.getByRole("link", { name: "Users", exact: true }).click();
    await scan(page, "users");
    await page.getByRole("button", { name: "Add a user" }).click();
    await scan(page, "add a user");
    await page.getByLabel("Full name").fill(staff.fullName);
    await page.getByLabel("Email address").fill(staff.email);
    await page.getByLabel("Username").fill(staff.username);
    await page.getByLabel("Staff").check();
    await page.getByLabel("Works for").selectOption({ label: schoolName });
    await page.getByRole("button", { name: "Add user" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain(`${staff.fullName} has been added`);
    await scan(page, "user added");
    setPasswordPath = new URL((await page.locator("#set-password-link").getAttribute("href"))!).pathname;

    await page.getByRole("link", { name: "Outbox", exact: true }).click();
    await page.getByText("Read the email").first().click();
    // The set-password email is listed, but its link is for its recipient alone (shown once, above).
    expect((await page.locator(".steward-email-body").allTextContents()).some((body) => body.includes(setPasswordPath))).toBe(false);
    expect(await page.locator("main").textContent()).not.toContain(setPasswordPath);
    expect(await page.locator("[data-email-sealed]").count()).toBeGreaterThan(0);
    await scan(page, "outbox");

    await page.goto("/users");
    await page.getByRole("link", { name: staff.fullName, exact: true }).click();
    await expect.poll(() => page.locator("h2", { hasText: "History" }).count()).toBe(1);
    expect(await page.locator("table").textContent()).toContain("Added a user");
    await scan(page, "a user's page with history");
    await page.getByRole("link", { name: `Change ${staff.fullName}'s role` }).click();
    await page.getByLabel("Data protection officer").check();
    await page.getByRole("button", { name: "Change role" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Confirm they have had data protection training");
    await scan(page, "change a role, with an error");
    await page.getByLabel("Staff").check();
    await page.getByRole("button", { name: "Change role" }).click();
    await page.waitForURL(/\/users\/[0-9a-f-]{36}$/);

    await page.getByRole("link", { name: "Audit trail", exact: true }).click();
    await page.getByLabel("Who").selectOption({ label: owner.fullName });
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => page.locator("table").textContent()).toContain("Registered the licence");
    await scan(page, "audit trail, filtered");

    await page.goto("/users");
    await page.getByRole("link", { name: `Deactivate ${staff.fullName}` }).click();
    await scan(page, "deactivate a user (confirm)");
    await page.getByRole("link", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login?signedOut=1");
    expect(await page.locator(".govuk-notification-banner").textContent()).toContain("You have signed out");
    await page.goto("/dashboard");
    await page.waitForURL("**/login");
    await context.close();
  });

  it("lets the new member of staff set a password and sign in", async () => {
    const { page, context } = await newPage();
    await page.goto(setPasswordPath);
    await scan(page, "set password");
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Set password" }).click();
    await page.waitForURL("**/login?passwordSet=1");
    await page.getByLabel("Username or email address").fill(staff.email);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    expect(await page.locator("#signed-in-as").textContent()).toContain(staff.fullName);
    expect(await page.locator("#signed-in-as").textContent()).toContain(schoolName);
    expect(await page.getByRole("link", { name: "Users", exact: true }).count()).toBe(0);

    // Their own account: correct their name, ask to change their email, ask for erasure.
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await scan(page, "your account");
    await page.getByRole("link", { name: "Change your full name" }).click();
    await page.getByLabel("Change your full name").fill("");
    await page.getByRole("button", { name: "Save your name" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Enter your full name");
    await scan(page, "change your name, with an error");
    await page.getByLabel("Change your full name").fill(`${staff.fullName}-Jones`);
    await page.getByRole("button", { name: "Save your name" }).click();
    await expect.poll(() => page.locator(".govuk-notification-banner").textContent()).toContain("Your name is changed");
    await page.getByRole("link", { name: "Change your email address" }).click();
    await scan(page, "change your email");
    await page.getByLabel("Change your email address").fill(`sam.new-${id}@heather.example`);
    await page.getByRole("button", { name: "Send the link" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Check your new inbox");
    await scan(page, "check your new inbox");
    await page.goto("/account/confirm?next=%2Faccount");
    await scan(page, "confirm it is you");
    await page.goto("/account/erasure");
    await scan(page, "ask for erasure");
    await page.getByLabel("Anything you want them to know (optional)").fill("I am moving schools.");
    await page.getByRole("button", { name: "Send the request" }).click();
    await expect.poll(() => page.locator(".govuk-notification-banner").textContent()).toContain("Your request is sent");

    await page.goto(setPasswordPath);
    await scan(page, "spent link");
    expect(await page.locator("h1").textContent()).toContain("This link cannot be used");
    await context.close();
  });

  it("signs a user out after 20 minutes idle and tells them why", async () => {
    const { page, context } = await newPage();
    await page.goto("/login");
    await page.getByLabel("Username or email address").fill(staff.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    steward.clock.advance({ minutes: 21 });
    await page.reload();
    await page.waitForURL("**/login?expired=1");
    expect(await page.locator(".govuk-notification-banner").textContent()).toContain("20 minutes");
    await scan(page, "signed out after idle");
    await context.close();
  });

  it("works with JavaScript switched off", async () => {
    const { page, context } = await newPage({ javaScriptEnabled: false });
    await signInOwner(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login?signedOut=1");
    await context.close();
  });

  it("offers a password reset from the sign-in page", async () => {
    const { page, context } = await newPage();
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgotten your password?" }).click();
    await scan(page, "reset your password");
    await page.getByLabel("Username or email address").fill(owner.email);
    await page.getByRole("button", { name: "Send me a link" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Check your email");
    await scan(page, "check your email");
    await context.close();
  });

  it("styles a missing page and scans it", async () => {
    const { page, context } = await newPage();
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await scan(page, "not found");
    await context.close();
  });

  it("has a scanner that does report a real violation", async () => {
    const { page, context } = await newPage();
    await page.setContent('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"><input type="text"></main></body></html>');
    const found = await accessibilityViolations(page);
    expect(found.join("\n")).toMatch(/image-alt/);
    expect(found.join("\n")).toMatch(/label/);
    await context.close();
  });

  it("found no accessibility violations and no CSP violations on any page", () => {
    expect(scanned.size).toBeGreaterThanOrEqual(20);
    expect([...scanned.values()].flat()).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
