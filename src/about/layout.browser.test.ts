import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium } from "../testing/browser.ts";
import { buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/**
 * The frame around every page, in Chromium: the footer's privacy notice, accessibility statement,
 * contact page and source code; the navigation on one line at 1280 pixels; the case list and audit trail
 * with no sideways scrolling on a 375-pixel phone. Every page passes axe.
 */
describe(`every page's frame, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let owner: TestAgent;
  let ownerName = "";
  const scanned = new Map<string, string[]>();

  async function scan(page: Page, label: string): Promise<void> {
    scanned.set(label, await accessibilityViolations(page));
  }

  async function signedIn(viewport: { width: number; height: number }, { javaScriptEnabled = true } = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport, javaScriptEnabled });
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

  /** Wider than the screen: the page would scroll sideways. */
  // What sticks out, named in the failure message: the outermost elements wider than the window.
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const clientWidth = document.documentElement.clientWidth;
      const wide = Array.from(document.querySelectorAll("body *")).filter((element) => element.getBoundingClientRect().right > clientWidth + 1 && !(element.parentElement && element.parentElement.getBoundingClientRect().right > clientWidth + 1));
      return { scrollWidth: document.documentElement.scrollWidth, clientWidth, wide: wide.slice(0, 5).map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`).join(", ") };
    });

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const licence = await buildLicence(steward.services, { organisationKind: "trust", organisationName: "Moorland and Calder Valley Learning Partnership Trust" });
    ownerName = licence.username;
    owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.submit("/schools/new", { name: "Heather Primary School and Nursery Unit", postalAddress: "1 Heather Road\nHalifax", telephone: "01422 496 001" });
    const form = (await owner.get("/users/new")).body;
    const schoolId = /<option value="([^"]+)"[^>]*>Heather Primary/.exec(form)![1]!;
    // A few cases with long names, as a real list has.
    for (const [type, requesterName] of [["sar", "Alexandra Featherstonehaugh-Montgomery"], ["breach", "Christopher Llewellyn-Bowen"], ["foi-school", "Campaign for Openness in Local Education"]] as const) {
      await owner.get("/cases/new");
      const logged = await owner.post("/cases", {
        organisationId: schoolId, type, receivedOn: steward.clock.now().toISOString().slice(0, 10), receivedTime: type === "breach" ? "09:00" : "", channel: "email", requesterName,
        requesterContact: "", subjectKind: type === "foi-school" ? "" : "pupil", subjectName: type === "foi-school" ? "" : "Riley Pupil", summary: "Everything held about Riley, please, including emails between staff.",
      });
      expect(logged.statusCode, logged.body.slice(0, 800)).toBe(303);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("links every page to the privacy notice, the accessibility statement, contact and the source code, readable signed out", async () => {
    const context = await browser.newContext({ baseURL: base, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    for (const [link, heading] of [["Privacy notice", "Privacy notice"], ["Accessibility statement", "Accessibility statement for Steward"], ["Contact", "Contact"], ["Source code", "Source code"]] as const) {
      await page.getByRole("contentinfo").getByRole("link", { name: link, exact: true }).click();
      expect(await page.locator("h1").textContent()).toBe(heading);
      expect(page.url()).toMatch(/\/(privacy|accessibility|contact|source)$/);
    }
    await context.close();
    const signed = await signedIn({ width: 1280, height: 900 });
    for (const path of ["/privacy", "/accessibility", "/contact", "/source"]) {
      await signed.goto(path);
      await scan(signed, path);
    }
    expect(await signed.locator("body").textContent()).toContain("Support links");
  });

  it("fits the navigation on one line at 1280 pixels", async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    const tops = await page.locator(".govuk-service-navigation__item").evaluateAll((items) => items.map((item) => Math.round(item.getBoundingClientRect().top)));
    await page.screenshot({ path: "/tmp/steward-navigation-1280.png" });
    expect(tops.length).toBeGreaterThanOrEqual(8);
    expect(new Set(tops).size, `navigation item tops: ${tops.join(", ")}`).toBe(1);
  });

  it.each([
    ["/cases?state=all", "case list"],
    ["/audit", "audit trail"],
    ["/dashboard", "dashboard"],
    ["/reports/governors", "governors report"],
  ])("fits %s on a 375-pixel phone, with and without JavaScript", async (path, label) => {
    for (const javaScriptEnabled of [true, false]) {
      const page = await signedIn({ width: 375, height: 800 }, { javaScriptEnabled });
      await page.goto(path);
      const { scrollWidth, clientWidth, wide } = await overflow(page);
      expect(scrollWidth, `${label} is ${scrollWidth}px wide in a ${clientWidth}px window (JavaScript ${javaScriptEnabled ? "on" : "off"}): ${wide}`).toBeLessThanOrEqual(clientWidth);
      if (javaScriptEnabled) {
        await scan(page, `${label} at 375px`);
        await page.screenshot({ path: `/tmp/steward-${label.replace(" ", "-")}-375.png`, fullPage: true });
      }
      await page.context().close();
    }
  });

  it("found no accessibility violations on any page", () => {
    expect(scanned.size).toBeGreaterThanOrEqual(5);
    expect(Object.fromEntries([...scanned].filter(([, violations]) => violations.length > 0))).toEqual({});
  });
});
