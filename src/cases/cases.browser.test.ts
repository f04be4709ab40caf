import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium, pageWatchingCsp, signInThroughPages } from "../testing/browser.ts";
import { addPerson, buildLicence, TEST_PASSWORD } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

/**
 * A subject access request from start to finish in Chromium: a teacher logs it with the letter
 * attached (with JavaScript off); the school's DPO assigns it, stops the clock for identity,
 * restarts it, extends and closes it; the trust's DPO sees it. Every new page passes axe.
 */
describe(`a SAR's life, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  const scanned = new Map<string, string[]>();
  const cspViolations: string[] = [];
  let people: Record<"teacher" | "schoolDpo" | "trustDpo", { agent: TestAgent; username: string; fullName: string }>;
  let owner: TestAgent;
  let elmId = "";
  let casePath = "";

  /** Types a date into GOV.UK's day, month and year boxes, found by the question they answer. */
  async function fillDate(page: Page, question: string, [day, month, year]: [string, string, string]): Promise<void> {
    const group = page.getByRole("group", { name: question });
    await group.getByLabel("Day").fill(day);
    await group.getByLabel("Month").fill(month);
    await group.getByLabel("Year").fill(year);
  }

  async function scan(page: Page, label: string): Promise<void> {
    scanned.set(label, await accessibilityViolations(page));
  }

  async function signedIn(who: keyof typeof people, { javaScriptEnabled = true } = {}): Promise<Page> {
    const page = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled }, cspViolations);
    const person = people[who];
    await signInThroughPages(page, person, TEST_PASSWORD);
    return page;
  }

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const licence = await buildLicence(steward.services, { organisationKind: "trust" });
    owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    await owner.submit("/schools/new", { name: "Elm Academy", postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" });
    const form = (await owner.get("/users/new")).body;
    const trustId = /<option value="([^"]+)"[^>]*selected/.exec(form)?.[1] ?? /<option value="([^"]+)"/.exec(form)![1]!;
    elmId = /<option value="([^"]+)"[^>]*>Elm Academy/.exec(form)![1]!;
    people = {
      teacher: await addPerson(steward.app, steward.clock, owner, "staff", elmId),
      schoolDpo: await addPerson(steward.app, steward.clock, owner, "dpo", elmId),
      trustDpo: await addPerson(steward.app, steward.clock, owner, "dpo", trustId),
    };
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("a teacher logs a SAR with the letter attached, without JavaScript", async () => {
    const page = await signedIn("teacher", { javaScriptEnabled: false });
    // axe runs as a script, so these pages are scanned in the DPO's browser (JavaScript on) below.
    await page.getByRole("link", { name: "Cases" }).first().click();
    await page.getByRole("button", { name: "Log a request or incident" }).click();
    // One question first: the kind of case decides what the next page asks.
    await page.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Select what kind of request");
    await page.getByLabel("Subject access request").check();
    await page.getByRole("button", { name: "Continue" }).click();
    // 31 November is no date: the boxes come back as typed, with the reason, and nothing is logged.
    await fillDate(page, "Date it was received", ["31", "11", "2026"]);
    await page.getByLabel("How did it arrive?").selectOption("Letter");
    await page.getByLabel("Who made the request?").fill("Jordan Parent");
    await page.getByLabel("A pupil").check();
    await page.getByLabel("Name of the person or people the data is about").fill("Riley Pupil");
    await page.getByLabel("What was asked for?").fill("Please send everything you hold about my son Riley.");
    await page.getByRole("button", { name: "Log it" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Date it was received must be a real date");
    // The summary's link leads to the day box.
    const target = await page.getByRole("link", { name: "Date it was received must be a real date" }).getAttribute("href");
    expect(await page.locator(target!).getAttribute("name")).toBe("receivedOn-day");
    expect(await page.getByRole("group", { name: "Date it was received" }).getByLabel("Day").inputValue()).toBe("31");
    await page.getByRole("group", { name: "Date it was received" }).getByLabel("Day").fill("24");
    await page.getByRole("button", { name: "Log it" }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]+\?done=logged/);
    casePath = new URL(page.url()).pathname;
    // Elm Academy is one of the trust's schools: its references begin with its code.
    expect(await page.locator("#reference").textContent()).toBe("ELM-SAR-2026-0001");
    expect(await page.locator("#deadline").textContent()).toContain("Thursday 24 Dec 2026");
    await page.getByLabel("Attach a file").setInputFiles({ name: "letter.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") });
    await page.getByRole("button", { name: "Attach", exact: true }).click();
    await page.waitForURL(/done=attached/);
    expect(await page.locator("#attachments").textContent()).toContain("letter.pdf");
  });

  it("the trust's DPO sees it on the trust dashboard and list, with the school named", async () => {
    const page = await signedIn("trustDpo");
    expect(await page.locator("#open-by-type").textContent()).toContain("Subject access request");
    await scan(page, "trust dashboard with cases");
    await page.goto("/cases");
    const row = page.getByRole("row", { name: /SAR-2026-0001/ });
    expect(await row.textContent()).toContain("Elm Academy");
    await scan(page, "cases list (trust)");
  });

  it("the school's DPO assigns it, stops the clock for identity, restarts it, extends it and closes it", async () => {
    const page = await signedIn("schoolDpo");
    await page.goto(casePath);
    await scan(page, "case as the DPO");
    // The case page is a summary; each task is a page of its own, reached from its Change link.
    await page.getByRole("link", { name: "Assign who it is assigned to" }).click();
    await scan(page, "assign the case");
    await page.getByLabel(people.schoolDpo.fullName).check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/done=assigned/);

    await page.getByRole("link", { name: "Stop the clock" }).click();
    await page.getByRole("button", { name: "Stop the clock" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Select what the school is waiting for");
    await scan(page, "stop the clock, with an error");
    await page.getByLabel("Waiting for proof of identity").check();
    await fillDate(page, "Date you asked", ["24", "11", "2026"]);
    await page.getByRole("button", { name: "Stop the clock" }).click();
    await page.waitForURL(/done=stopped/);
    expect(await page.locator("#deadline").textContent()).toContain("Clock stopped");
    await scan(page, "case with the clock stopped");

    await page.getByRole("link", { name: "Restart the clock" }).click();
    await scan(page, "restart the clock");
    await fillDate(page, "Date it arrived", ["24", "11", "2026"]);
    await page.getByRole("button", { name: "Restart the clock" }).click();
    await page.waitForURL(/done=restarted/);

    await page.getByRole("link", { name: "Extend the deadline" }).click();
    await scan(page, "extend the deadline");
    await page.getByLabel("Reasons for the extension").fill("Records held across two schools.");
    await fillDate(page, "Date you told the requester", ["24", "11", "2026"]);
    await page.getByRole("button", { name: "Extend the deadline" }).click();
    await page.waitForURL(/done=extended/);
    expect(await page.locator("#deadline").textContent()).toContain("Three calendar months");
    expect(await page.locator("#deadline").textContent()).toContain("24 Feb 2027");

    await page.getByRole("button", { name: "Close the case" }).click();
    await scan(page, "close the case");
    await page.getByLabel("Disclosed in full").check();
    // The date the response was sent starts as today; how it went is chosen.
    await page.getByLabel("By email").check();
    await page.getByRole("button", { name: "Continue" }).click();
    // Check before closing: what will be recorded, and whether it was on time.
    expect(await page.locator("main").textContent()).toContain("Check before you close the case");
    expect(await page.locator("main").textContent()).toContain("On time");
    await scan(page, "check before closing");
    await page.getByRole("button", { name: "Close the case" }).click();
    await page.waitForURL(/done=closed/);
    expect(await page.locator("#stage").textContent()).toContain("Closed");
    const timeline = await page.locator("#timeline").textContent();
    for (const event of ["Given to", "Waiting for proof of identity", "runs again", "Extended", "Closed: Disclosed in full", "Attached letter.pdf"]) {
      expect(timeline).toContain(event);
    }
    expect(await page.locator("#response").textContent()).toContain("On time");
    await scan(page, "closed case");
  });

  it("the trust's DPO reads the governors' report, chooses a term and downloads it as a PDF, with and without JavaScript", async () => {
    const page = await signedIn("trustDpo");
    await page.getByRole("link", { name: "Report to governors" }).click();
    await page.waitForURL("**/reports/governors");
    expect(await page.locator("#summary").textContent()).toContain("Elm Academy");
    expect(await page.locator("#summary").textContent()).toContain("Whole trust");
    await scan(page, "governors' report");
    await page.getByLabel("Term").selectOption({ label: "Autumn term" });
    await page.getByRole("button", { name: "Show the report" }).click();
    await page.waitForURL(/term=autumn/);
    expect(await page.locator(".govuk-caption-l").textContent()).toContain("Autumn term");
    await scan(page, "governors' report for a term");

    // axe needs scripts, so the same journey runs again with them off.
    const noScripts = await signedIn("trustDpo", { javaScriptEnabled: false });
    await noScripts.goto("/reports/governors");
    await noScripts.getByLabel("Term").selectOption({ label: "Spring term" });
    await noScripts.getByRole("button", { name: "Show the report" }).click();
    await noScripts.waitForURL(/term=spring/);
    expect(await noScripts.locator(".govuk-caption-l").textContent()).toContain("Spring term");
    const [download] = await Promise.all([noScripts.waitForEvent("download"), noScripts.getByRole("link", { name: "PDF" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^governors-report-\d{4}-\d{4}-spring\.pdf$/);
  });

  it("a breach is logged, assessed and printed, and shows on the dashboard with its hours left", async () => {
    const dpo = await signedIn("schoolDpo");
    await dpo.goto("/cases/new");
    await scan(dpo, "log a case: what kind");
    await dpo.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => dpo.locator(".govuk-error-summary").textContent()).toContain("Select what kind of request");
    await scan(dpo, "log a case: what kind, with an error");
    await dpo.getByLabel("Personal data breach").check();
    await dpo.getByRole("button", { name: "Continue" }).click();
    await scan(dpo, "log a breach");
    await dpo.getByRole("group", { name: "Date the school became aware of it" }).getByLabel("Month").fill("13");
    await dpo.getByRole("button", { name: "Log it" }).click();
    await expect.poll(() => dpo.locator(".govuk-error-summary").textContent()).toContain("Date it was received must be a real date");
    await scan(dpo, "log a breach with errors");
    await dpo.getByRole("group", { name: "Date the school became aware of it" }).getByLabel("Month").fill("11");
    await dpo.getByLabel("Time the school became aware of it").fill("08:30");
    await dpo.getByLabel("How did it come to light?").selectOption("Email");
    await dpo.getByLabel("Who reported it?").fill("Sam Office");
    await dpo.getByLabel("A pupil").check();
    await dpo.getByLabel("Name of the person or people the data is about").fill("Year 6 class list");
    await dpo.getByLabel("What happened?").fill("Class list emailed to the wrong parent.");
    await dpo.getByRole("button", { name: "Log it" }).click();
    await dpo.waitForURL(/done=logged/);
    await dpo.getByRole("link", { name: "Assess the risk" }).click();
    await scan(dpo, "breach assessment");
    await dpo.getByLabel("Likely", { exact: true }).check();
    await dpo.getByLabel("Significant").check();
    await dpo.getByLabel("Categories of people affected").fill("Pupils in Year 6");
    await dpo.getByLabel("Approximate number of people").fill("28");
    await dpo.getByLabel("Categories of records affected").fill("Names and reading ages");
    await dpo.getByLabel("Approximate number of records").fill("28");
    await dpo.getByLabel("Likely consequences for the people affected").fill("Distress");
    await dpo.getByLabel("Measures taken or proposed, including to limit the harm").fill("Recipient asked to delete it");
    await dpo.getByLabel("Name and contact details of the DPO or other contact point").fill("The DPO, dpo@elm.example");
    await dpo.getByRole("button", { name: "Save the assessment" }).click();
    await dpo.waitForURL(/done=assessed/);
    expect(await dpo.locator("#breach-decision").textContent()).toContain("Report to the ICO");
    await scan(dpo, "breach case assessed");
    await dpo.getByRole("link", { name: "Print the breach record (Art 33)" }).click();
    await scan(dpo, "breach record");
    await dpo.goto("/dashboard");
    expect(await dpo.locator("#breaches").textContent()).toMatch(/hours left/);
    await scan(dpo, "school dashboard with a breach");
  });

  it("an admin sets a school's term dates in date boxes, by paste and from a file", async () => {
    const context = await browser.newContext({ baseURL: base });
    const admin = await context.newPage();
    // The owner signs in through the browser with the phone the test agent set up.
    const ownerName = /owner-[0-9a-f]+/.exec((await owner.get("/account")).body)![0];
    await admin.goto("/login");
    await admin.getByLabel("Username or email address").fill(ownerName);
    await admin.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.getByLabel("Enter your two-factor code").fill(owner.authenticatorCode(ownerName));
    await admin.getByRole("button", { name: "Continue" }).click();
    await admin.waitForURL("**/dashboard");
    await admin.goto("/settings/calendar");
    await scan(admin, "school calendars");
    await admin.goto(`/settings/calendar/${elmId}`);
    const boxes = async (row: number, which: "first" | "last", [day, month, year]: [string, string, string]) => {
      await admin.locator(`[name="term-${row}-${which}-day"]`).fill(day);
      await admin.locator(`[name="term-${row}-${which}-month"]`).fill(month);
      await admin.locator(`[name="term-${row}-${which}-year"]`).fill(year);
    };
    // A refused save keeps what was typed elsewhere on the page, and saves none of it.
    await admin.getByLabel("Wales").check();
    await boxes(0, "first", ["2", "11", "2026"]);
    await boxes(0, "last", ["18", "12", "2026"]);
    await boxes(1, "first", ["14", "12", "2026"]);
    await boxes(1, "last", ["20", "12", "2026"]);
    await admin.getByRole("button", { name: "Save calendar" }).click();
    await expect.poll(() => admin.locator(".govuk-error-summary").textContent()).toContain("overlaps the term from 2 Nov 2026");
    expect(await admin.getByLabel("Wales").isChecked()).toBe(true);
    await scan(admin, "school calendar with errors");
    await admin.getByLabel("Or paste term dates from a spreadsheet").fill("Autumn 2\t02/11/2026\t18/12/2026\nSpring 1\t05/01/2027\t12/02/2027\n");
    await admin.getByRole("button", { name: "Save calendar" }).click();
    await admin.waitForURL(/done=saved/);
    expect(await admin.locator("#term-0-school-days").textContent()).toContain("35 school days");
    expect(await admin.getByLabel("Wales").isChecked()).toBe(true);
    await admin.getByLabel("Or import a CSV file").setInputFiles({
      name: "terms.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("first_day,last_day,kind\n2026-11-02,2026-12-18,term\n2026-11-27,,closure\n2027-01-05,2027-02-12,term\n"),
    });
    await admin.getByRole("button", { name: "Import the file" }).click();
    await admin.waitForURL(/done=terms/);
    expect(await admin.locator('[name="term-1-first-day"]').inputValue()).toBe("27");
    expect(await admin.locator('[name="term-1-kind"]').inputValue()).toBe("closure");
    await scan(admin, "school calendar saved");
  });

  it("an oversized file comes back to the case with the error on the file field, and a wrong attachment is removed with a reason", async () => {
    const oversized = { name: "scan.pdf", mimeType: "application/pdf", buffer: Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(10 * 1024 * 1024)]) };
    // Without JavaScript, as the teacher: the case page again, the summary's link leading to the file input.
    const teacher = await signedIn("teacher", { javaScriptEnabled: false });
    await teacher.goto(casePath);
    expect(await teacher.getByRole("link", { name: "Remove letter.pdf" }).count()).toBe(0);
    await teacher.getByLabel("Attach a file").setInputFiles(oversized);
    await teacher.getByRole("button", { name: "Attach", exact: true }).click();
    await expect.poll(() => teacher.locator(".govuk-error-summary").textContent()).toContain("The selected file must be smaller than 10 MB");
    const target = await teacher.getByRole("link", { name: "The selected file must be smaller than 10 MB" }).getAttribute("href");
    expect(await teacher.locator(target!).getAttribute("type")).toBe("file");
    expect(await teacher.locator("#reference").textContent()).toBe("ELM-SAR-2026-0001");

    const page = await signedIn("schoolDpo");
    await page.goto(casePath);
    await page.getByLabel("Attach a file").setInputFiles(oversized);
    await page.getByRole("button", { name: "Attach", exact: true }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("The selected file must be smaller than 10 MB");
    await scan(page, "case with a file too large");
    await page.getByRole("link", { name: "Remove letter.pdf" }).click();
    await page.waitForURL(/\/remove$/);
    await scan(page, "remove an attachment");
    await page.getByRole("button", { name: "Remove the file" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Enter why you are removing the file");
    await scan(page, "remove an attachment, with no reason");
    await page.getByLabel("Why are you removing it?").fill("Attached to the wrong case");
    await page.getByRole("button", { name: "Remove the file" }).click();
    await page.waitForURL(/done=attachment-removed/);
    expect(await page.locator("#attachments").count()).toBe(0);
    expect(await page.locator("#timeline").textContent()).toContain("Removed letter.pdf: Attached to the wrong case");
  });

  it("found no accessibility or CSP violations on any page", () => {
    expect(scanned.size).toBeGreaterThanOrEqual(12);
    expect(Object.fromEntries([...scanned].filter(([, violations]) => violations.length > 0))).toEqual({});
    expect(cspViolations).toEqual([]);
  });
});
