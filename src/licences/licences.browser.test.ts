import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, violationsWithSameCookies, launchChromium, pageWatchingCsp, signInThroughPages } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { advanceLicences } from "./licences.ts";

/**
 * A school's owner whose licence has lapsed signs in on a phone, without JavaScript, finds every
 * page leads to the licence page, reads what is kept and until when, and renews; Steward is
 * theirs again. Then the deletion pages. axe on each page, in a browser that runs it, with the
 * same cookies.
 */
describe(`a lapsed licence's owner, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let page: Page;
  let scanner: Page;
  let owner: { agent: TestAgent; username: string; name: string };
  const violations: string[] = [];
  const cspViolations: string[] = [];
  const scanned = new Set<string>();

  const scan = async () => {
    scanned.add(new URL(page.url()).pathname);
    violations.push(...(await violationsWithSameCookies(page, scanner)));
  };

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    steward.clock.set("2027-01-04T09:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const agent = new TestAgent(steward.app, steward.clock);
    await agent.signIn(licence.username);
    owner = { agent, username: licence.username, name: licence.name };
    page = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false, viewport: { width: 375, height: 800 } }, cspViolations);
    scanner = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 375, height: 800 } }, cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("the owner of a lapsed licence renews it from the dormant page", async () => {
    steward.clock.set("2028-02-01T09:00:00Z");
    await advanceLicences(steward.services);
    await signInThroughPages(page, owner, TEST_PASSWORD, { landing: "**/licence" });
    // Wherever they were going, they land on the licence page, which says what to do.
    await page.goto("/cases");
    expect(new URL(page.url()).pathname).toBe("/licence");
    expect(await page.getByRole("heading", { name: "The licence expired on 3 Jan 2028" }).count()).toBe(1);
    const text = await page.locator("main").innerText();
    expect(text).toContain("Only you, the owner, can sign in now");
    expect(text).toContain("1 Feb 2029");
    expect(await page.getByRole("link", { name: "Download everything (ZIP)" }).count()).toBe(1);
    // Only the licence and their account in the navigation.
    const navigation = await page.locator("nav a").allInnerTexts();
    expect(navigation.filter((item) => ["Cases", "Dashboard", "Registers"].includes(item.trim()))).toEqual([]);
    await scan();
    await page.getByRole("button", { name: "Renew for 12 months" }).click();
    expect(new URL(page.url()).pathname).toBe("/licence");
    const renewed = await page.locator("main").innerText();
    expect(renewed).toContain("The licence is renewed.");
    expect(renewed).toContain("1 Feb 2028 to 31 Jan 2029");
    expect(renewed).not.toContain("The licence expired on");
    await scan();
    // Steward is theirs again.
    await page.goto("/cases");
    expect(new URL(page.url()).pathname).toBe("/cases");
  });

  it("the deletion pages say what will happen, and refuse a wrong name", async () => {
    await page.goto("/licence");
    await page.getByRole("link", { name: "Ask for the organisation to be deleted" }).click();
    if (new URL(page.url()).pathname === "/account/confirm") {
      await page.getByLabel("Password").fill(TEST_PASSWORD);
      await page.getByRole("button", { name: /Continue|Confirm/ }).click();
    }
    expect(new URL(page.url()).pathname).toBe("/licence/delete");
    await scan();
    await page.getByLabel("Type the organisation’s name to confirm").fill("Not our school");
    await page.getByRole("button", { name: "Ask for the deletion" }).click();
    expect(await page.locator(".govuk-error-summary").innerText()).toContain("Type the organisation's name");
    // The page with its error, scanned in the browser that runs axe (the same form, posted there).
    scanned.add("/licence/delete (with an error)");
    await scanner.context().clearCookies();
    await scanner.context().addCookies(await page.context().cookies());
    await scanner.goto("/licence/delete");
    await scanner.getByLabel("Type the organisation’s name to confirm").fill("Not our school");
    await scanner.getByRole("button", { name: "Ask for the deletion" }).click();
    violations.push(...(await accessibilityViolations(scanner)));
    await page.getByLabel("Type the organisation’s name to confirm").fill(owner.name);
    await page.getByRole("button", { name: "Ask for the deletion" }).click();
    const text = await page.locator("main").innerText();
    expect(text).toContain("will be destroyed from");
    await scan();
    await page.getByRole("button", { name: "Stop the deletion" }).click();
    expect(await page.locator("main").innerText()).toContain("The deletion has been stopped");
  });

  it("has no accessibility violations and no CSP complaints on any page it saw", () => {
    expect(scanned.size).toBeGreaterThanOrEqual(3);
    expect(violations).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
