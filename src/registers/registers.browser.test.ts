import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium, violationsWithSameCookies, pageWatchingCsp, signInThroughPages } from "../testing/browser.ts";
import { addPerson, buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";

/**
 * A school business manager, without JavaScript, adds a supplier from its privacy notice and
 * takes a DPIA from a template to sign-off; the trust's DPO sees every school's overdue reviews on
 * one page. axe on every registers page either of them sees (pages seen without JavaScript are
 * scanned with the same cookies in a page that runs it).
 */
describe(`the registers, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let manager: Page;
  let scanner: Page;
  let trustPage: Page;
  let elmId = "";
  let oakId = "";
  let managerPerson: { agent: TestAgent; username: string; fullName: string };
  let trustDpo: { agent: TestAgent; username: string; fullName: string };
  const cspViolations: string[] = [];
  const violations: string[] = [];
  const scanned = new Set<string>();

  const scan = async (page: Page) => {
    const where = new URL(page.url()).pathname;
    scanned.add(where.replace(/[0-9a-f-]{36}/g, ":id"));
    if (page !== manager) {
      violations.push(...(await accessibilityViolations(page)));
      return;
    }
    violations.push(...(await violationsWithSameCookies(manager, scanner)));
  };

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    steward.clock.set("2027-02-01T09:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.submit("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    await owner.submit("/schools/new", { name: "Oak Academy", postalAddress: "1 Oak Road\nLeeds", telephone: "0113 496 0002" });
    const users = (await owner.get("/users/new")).body;
    elmId = /<option value="([^"]+)"[^>]*>Elm Academy/.exec(users)![1]!;
    oakId = /<option value="([^"]+)"[^>]*>Oak Academy/.exec(users)![1]!;
    managerPerson = await addPerson(steward.app, steward.clock, owner, "admin", elmId);
    trustDpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    manager = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled: false, viewport: { width: 1024, height: 900 } }, cspViolations);
    scanner = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 1024, height: 900 } }, cspViolations);
    trustPage = await pageWatchingCsp(browser, { baseURL: base, viewport: { width: 1280, height: 900 } }, cspViolations);
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("a school business manager adds a supplier from its privacy notice, checking each answer against its sentence", async () => {
    await signInThroughPages(manager, managerPerson, TEST_PASSWORD);
    await manager.getByRole("link", { name: "Registers" }).first().click();
    await scan(manager);
    await manager.getByRole("link", { name: "Suppliers and processors" }).click();
    await scan(manager);
    await manager.getByRole("link", { name: "Add from its privacy notice" }).click();
    await scan(manager);
    const notice = readFileSync(new URL("../../../shared/fixtures/privacy-notices/cpoms.txt", import.meta.url), "utf8");
    await manager.getByLabel("Paste the notice’s text").fill(notice);
    await manager.getByRole("button", { name: "Read the pasted notice" }).click();
    await expect.poll(() => manager.url()).toContain("/registers/suppliers/new");
    await scan(manager);
    expect(await manager.locator("#notice-findings").count()).toBe(1);
    expect(await manager.locator("#found-controller blockquote").count()).toBeGreaterThan(0);
    const name = await manager.getByLabel("Supplier’s name").inputValue();
    expect(name).toMatch(/CPOMS/i);
    await manager.getByLabel("What it does for the school").fill("Safeguarding and pastoral records.");
    if (!(await manager.getByLabel(/Processor: acts only/).isChecked())) await manager.getByLabel(/Processor: acts only/).check();
    await manager.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => manager.locator("h1").textContent()).toMatch(/CPOMS/i);
    await scan(manager);
    expect(await manager.locator("#notice-findings").count()).toBe(1);
    expect(await manager.locator(".govuk-notification-banner--success").textContent()).toContain("Saved.");
  });

  it("the business manager starts a DPIA from the CCTV template and takes it through every step to sign-off", async () => {
    await manager.goto("/registers/dpias");
    await scan(manager);
    await manager.getByRole("link", { name: "Start from a school template" }).first().click();
    await scan(manager);
    for (const box of await manager.locator('input[name="starters"]').all()) {
      if ((await box.getAttribute("value")) !== "cctv") await box.uncheck();
    }
    await manager.getByRole("button", { name: "Add them as drafts" }).click();
    await scan(manager);
    await manager.getByRole("link", { name: "CCTV on the school site" }).click();
    await scan(manager);
    expect(await manager.locator("#screening").textContent()).toContain("A DPIA is needed.");
    const answer = async (step: string, fill: Record<string, string>, radios: Record<string, string> = {}) => {
      await manager.getByRole("link", { name: new RegExp(step) }).click();
      await scan(manager);
      for (const [label, value] of Object.entries(fill)) await manager.getByLabel(label, { exact: true }).fill(value);
      for (const [group, value] of Object.entries(radios)) await manager.getByRole("group", { name: group }).getByLabel(value, { exact: true }).check();
      await manager.getByRole("button", { name: "Save the step" }).click();
      expect(await manager.locator(".govuk-notification-banner--success").textContent()).toContain("The step is saved.");
    };
    await answer("Step 1:", {}, {});
    await answer("Step 2:", {});
    await answer("Step 3:", { "Who was asked, and what they said (optional)": "Parents’ forum; staff meeting. No objections." }, { "Were the people whose data it is (or their representatives) asked for their views?": "Yes" });
    await answer("Step 4:", {
      "The lawful basis, and whether the processing achieves the purpose": "Public task; cameras cover entrances only.",
      "Is there another way to achieve the same outcome?": "Staff on the gates at all times: not possible.",
      "How function creep is prevented, and data quality and minimisation ensured": "Used only for safety and incidents; 30 days.",
      "What people are told, and how their rights are supported": "Signs, the CCTV notice, subject access.",
    });
    await answer("Step 7:", { "Measures approved by": "The head", "Residual risks approved by": "The governors", "The DPO’s advice": "Proceed; check camera angles each year." }, { "Was the DPO’s advice followed?": "Yes" });
    // Who keeps it under review, chosen on the screening page, before it can be signed.
    expect(await manager.locator("#still-to-do").textContent()).toContain("Who keeps it under review");
    await manager.getByRole("link", { name: "Change the screening" }).click();
    await scan(manager);
    await manager.getByLabel("Keeps it under review").selectOption({ label: managerPerson.fullName });
    await manager.getByRole("button", { name: "Save" }).click();
    // The template's risks are there, each scored before and after.
    expect(await manager.locator("#risks tbody tr").count()).toBe(3);
    // On a phone the risks page does not scroll sideways: its table scrolls inside its own region.
    const dpiaPath = new URL(manager.url()).pathname;
    await scanner.context().addCookies(await manager.context().cookies());
    await scanner.setViewportSize({ width: 375, height: 800 });
    await scanner.goto(`${dpiaPath}/risks`);
    expect(await scanner.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await scanner.setViewportSize({ width: 1024, height: 900 });
    await manager.getByRole("button", { name: "Sign the DPIA" }).click();
    await scan(manager);
    expect(await manager.locator(".govuk-notification-banner--success").textContent()).toContain("The DPIA is signed");
    await manager.getByRole("link", { name: "Version 1" }).click();
    await scan(manager);
    expect(await manager.locator("h1").textContent()).toContain("version 1");
  });

  it("the trust's DPO sees every school's overdue reviews on one page, and every registers page passes axe", async () => {
    // One overdue entry at each school.
    for (const [organisationId, title] of [[elmId, "Elm admissions"], [oakId, "Oak CCTV"]] as const) {
      await sql`insert into register_entries (org_id, id, kind, title, status, review_on, details, created_at, changed_at)
        values (${organisationId}, gen_random_uuid(), 'processing', ${title}, 'active', '2027-01-15', '{}', now(), now())`.execute(steward.services.database.db);
    }
    await signInThroughPages(trustPage, trustDpo, TEST_PASSWORD);
    await scan(trustPage);
    const dashboard = (await trustPage.locator("#register-reviews").textContent()) ?? "";
    expect(dashboard).toContain("Elm admissions");
    expect(dashboard).toContain("Oak CCTV");
    expect(dashboard).toContain("Elm Academy");
    expect(dashboard).toContain("Overdue");
    await trustPage.getByRole("link", { name: "Registers" }).first().click();
    await scan(trustPage);
    const reviews = (await trustPage.locator("#reviews").textContent()) ?? "";
    expect(reviews).toContain("Elm admissions");
    expect(reviews).toContain("Oak CCTV");
    expect(await trustPage.locator("h2#reviews-caption").textContent()).toContain("2 overdue");

    // Every other registers page the trust's DPO can open.
    const pages = [
      "/registers/processing", `/registers/processing/new?organisationId=${elmId}`, `/registers/processing/starters?organisationId=${elmId}`,
      "/registers/suppliers", `/registers/suppliers/new?organisationId=${elmId}`,
      "/registers/dpias", `/registers/dpias/new?organisationId=${elmId}`, `/registers/dpias/import?organisationId=${elmId}`,
      "/registers/retention", `/registers/retention/new?organisationId=${elmId}`, `/registers/retention/starters?organisationId=${elmId}`,
      "/registers/policies", `/registers/policies/new?organisationId=${elmId}`, "/registers/training", `/registers/training/new?organisationId=${elmId}`,
      "/registers/ico-and-dpo", `/registers/ico-and-dpo/new?organisationId=${elmId}`, "/registers/self-audits", `/registers/self-audits/new?organisationId=${elmId}`,
      "/registers/disposals", `/registers/disposals/new?organisationId=${elmId}`, "/registers/processing/new",
    ];
    for (const path of pages) {
      const response = await trustPage.goto(path);
      expect(response?.status(), path).toBe(200);
      await scan(trustPage);
    }
    // A self-audit and one of its areas.
    await trustPage.goto(`/registers/self-audits/new?organisationId=${elmId}`);
    await trustPage.getByLabel("Name of the audit").fill("Self-audit, spring 2027");
    await trustPage.getByRole("button", { name: "Save" }).click();
    await scan(trustPage);
    await trustPage.getByRole("link", { name: /Answer Training and awareness/ }).click();
    await scan(trustPage);
    // An entry's own page, and the retention schedule's starting points.
    await trustPage.goto("/registers/processing");
    await trustPage.getByRole("link", { name: "Elm admissions" }).click();
    await scan(trustPage);
    await trustPage.goto("/reports/governors");
    await scan(trustPage);
    expect(await trustPage.locator("#registers").textContent()).toContain("Oak Academy");
  });

  it("found no accessibility violations and no CSP complaints on any page", () => {
    expect(scanned.size).toBeGreaterThanOrEqual(25);
    expect(violations).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
