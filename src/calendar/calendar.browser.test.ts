import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/**
 * A school's calendar page as its business manager sees it: every term row lays out the same way
 * (first and last day side by side on a laptop), nothing scrolls sideways on a phone, and axe passes.
 */
describe(`a school's calendar page, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let owner: TestAgent;
  let ownerName = "";
  let schoolId = "";

  async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Username or email address").fill(ownerName);
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("Enter your two-factor code").fill(owner.authenticatorCode(ownerName));
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL("**/dashboard");
    return page;
  }

  /** Where each row's "First day" and "Last day" fieldsets start, top edge in pixels. */
  const rowTops = (page: Page) =>
    page.locator(".steward-term-row__fields").evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll(":scope > .govuk-form-group > fieldset")).map((fieldset) => Math.round(fieldset.getBoundingClientRect().top))),
    );

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const licence = await buildLicence(steward.services, { organisationKind: "school", organisationName: "St Mary's C of E Primary School" });
    ownerName = licence.username;
    schoolId = licence.organisationId;
    owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("lays out every term row alike at 1280 pixels: the first row's last day sits beside its first day", async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await page.goto(`/settings/calendar/${schoolId}`);
    const tops = await rowTops(page);
    expect(tops.length).toBeGreaterThanOrEqual(3);
    for (const [first, last] of tops) {
      expect(last).toBe(first);
    }
    expect(await page.locator("main").textContent()).toContain("A one-day closure may leave its last day empty");
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("does not scroll sideways on a 375-pixel phone, the list of school calendars included", async () => {
    const page = await signedIn({ width: 375, height: 800 });
    for (const path of ["/settings/calendar", `/settings/calendar/${schoolId}`]) {
      await page.goto(path);
      const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(width.scroll, path).toBeLessThanOrEqual(width.client);
    }
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto("/settings/calendar");
    // The table fits its region too: no header cut off at the edge.
    const region = await page.getByRole("region", { name: "Each school’s calendar" }).evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
    expect(region.scroll).toBeLessThanOrEqual(region.client);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });
});
