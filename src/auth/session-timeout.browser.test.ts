import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealPersonalFields } from "../accounts/personal-fields.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { accessibilityViolations, launchChromium } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD, unique } from "../testing/factories.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";
import { hashPassword } from "./passwords.ts";

/**
 * The session timeout warning in a real browser (the page's own clock is fast-forwarded), and a
 * form sent after the sign-out coming back after signing in again.
 */
describe(`warning before the 20-minute sign-out, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  const staff = { fullName: `Tess Teacher ${unique()}`, username: `tess-${unique()}` };

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const licence = await buildLicence(steward.services);
    const id = randomUUID();
    const passwordHash = await hashPassword(TEST_PASSWORD);
    await inScope(steward.services.database.db, { organisationIds: [licence.organisationId] }, async (trx) => {
      const person = await sealPersonalFields(trx, steward.services.keyring, licence.organisationId, id, { ...staff, email: `${staff.username}@school.example` });
      await trx.insertInto("users").values({ orgId: licence.organisationId, id, ...person, role: "staff", passwordHash, deactivatedAt: null, updatedAt: new Date() }).execute();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("warns two minutes before, stays signed in when asked, and after a sign-out keeps what was typed", async () => {
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.clock.install();
    await page.goto("/login");
    await page.getByLabel("Username or email address").fill(staff.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    await page.goto("/account/name");
    await page.getByLabel("Change your full name").fill("Tess Whitfield-Jones");

    const dialog = page.getByRole("dialog");
    await page.clock.fastForward("17:50");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.clock.fastForward("00:20");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("You're about to be signed out");
    expect(await dialog.textContent()).toMatch(/sign you out in (2 minutes|1\d\d seconds|\d\d seconds)/);
    expect(await accessibilityViolations(page)).toEqual([]);

    steward.clock.advance({ minutes: 19 }); // the server's idea of the same wait
    await page.getByRole("button", { name: "Stay signed in" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    steward.clock.advance({ minutes: 19 }); // alive: the keep-alive reset the server's 20 minutes
    await page.clock.fastForward("19:00");
    await expect.poll(async () => (await dialog.isVisible()) && ((await dialog.textContent()) ?? "").includes("about to be signed out")).toBe(true);

    // Nobody asks to stay: the dialog says so, and nothing typed is thrown away.
    await page.clock.fastForward("02:05");
    await expect.poll(async () => (await dialog.textContent()) ?? "").toContain("You have been signed out");
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Close" }).click();
    expect(await page.getByLabel("Change your full name").inputValue()).toBe("Tess Whitfield-Jones");

    steward.clock.advance({ minutes: 21 });
    await page.getByRole("button", { name: "Save your name" }).click();
    await page.waitForURL("**/login?expired=1&kept=1**");
    expect(await page.locator(".govuk-notification-banner").textContent()).toContain("Steward has kept it");
    await page.getByLabel("Username or email address").fill(staff.username);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/account/name?kept=1");
    expect(await page.getByLabel("Change your full name").inputValue()).toBe("Tess Whitfield-Jones");
    expect(await page.locator("#kept-form").textContent()).toContain("nothing was saved");
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
