import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchChromium, pageWatchingCsp, signInThroughPages } from "../../testing/browser.ts";
import { addPerson, buildLicence, TEST_PASSWORD } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";
import { runDueJobs } from "../../platform/jobs/jobs.ts";
import { JOB_HANDLERS } from "../../steward.ts";
import { popplerPages } from "../pdf/verify.ts";

/**
 * A DPO answers a SAR in Chromium: lists the other pupil, adds a behaviour log, an email and a
 * Word document, reviews them without JavaScript (decisions, every mention of a person, a phrase,
 * a withheld page), draws a box with JavaScript, redacts, and downloads the bundle. Every page
 * passes axe; the review fits a phone.
 */
const EMAIL = [
  "From: Class Teacher <teacher@school.example>",
  "To: Head <head@school.example>",
  "Subject: Lunch queue",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Jamie Hill was upset after lunch. Tobiah Ashdown apologised to him in class.",
  "",
].join("\r\n");

/** A real Word document, written by LibreOffice from HTML (as convert.int.test.ts makes one). */
function wordDocument(html: string): Buffer {
  const folder = mkdtempSync(path.join(tmpdir(), "steward-word-"));
  try {
    writeFileSync(path.join(folder, "letter.html"), html);
    execFileSync("soffice", ["--headless", "--norestore", `-env:UserInstallation=file://${folder}/profile`, "--convert-to", "docx:MS Word 2007 XML", "--outdir", folder, path.join(folder, "letter.html")], { timeout: 120_000, stdio: "ignore" });
    return readFileSync(path.join(folder, "letter.docx"));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
describe(`redaction and the disclosure bundle, in Chromium (${testEngine})`, () => {
  let steward: TestSteward;
  let browser: Browser;
  let base: string;
  let dpo: { agent: TestAgent; username: string; fullName: string };
  let casePath = "";
  let reviewPath = "";
  const scanned = new Map<string, string[]>();
  const cspViolations: string[] = [];
  const runJobs = () => runDueJobs(steward.services, JOB_HANDLERS, "browser-test");

  async function signedIn({ javaScriptEnabled = true, width = 1280 } = {}): Promise<Page> {
    const page = await pageWatchingCsp(browser, { baseURL: base, javaScriptEnabled, viewport: { width, height: 900 }, acceptDownloads: true }, cspViolations);
    await signInThroughPages(page, dpo, TEST_PASSWORD);
    return page;
  }

  beforeAll(async () => {
    steward = await startTestSteward();
    await steward.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(steward.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    steward.clock.set("2027-01-30T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    dpo = await addPerson(steward.app, steward.clock, owner, "dpo", licence.organisationId);
    await dpo.agent.get("/cases/new");
    const logged = await dpo.agent.post("/cases", {
      organisationId: licence.organisationId, type: "sar", "receivedOn-day": "30", "receivedOn-month": "1", "receivedOn-year": "2027", receivedTime: "", channel: "email",
      requesterName: "Jordan Parent", requesterContact: "", subjectKind: "pupil", subjectName: "Jamie Hill", summary: "Everything about my child, please.",
    });
    casePath = logged.headers.location!.replace(/\?.*$/, "");
  });
  afterAll(async () => {
    await browser?.close();
    await steward?.close();
  });

  it("without JavaScript: lists a person, adds a log, an email and a Word document, reviews and decides, removes a phrase", async () => {
    const page = await signedIn({ javaScriptEnabled: false });
    await page.goto(casePath);
    await page.getByRole("link", { name: "Documents, redaction and the bundle for the requester" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Tobiah Ashdown");
    await page.getByLabel("Their part").selectOption({ label: "Another pupil" });
    await page.getByRole("button", { name: "Add person" }).click();
    await page.waitForURL(/done=person/);
    expect(await page.locator("#people").textContent()).toContain("Tobiah Ashdown");

    // A file with no choice of what it is, then one too: the error is on the file field.
    await page.getByRole("button", { name: "Add document" }).click();
    await expect.poll(() => page.locator(".govuk-error-summary").textContent()).toContain("Select a file to add");
    const report = ["Behaviour log, 14 January 2027", "Jamie Hill was pushed by Tobiah Ashdown in the lunch queue.", "Tobiah's mother phoned on 07700 900123."].join("\n");
    // Enough lines that the head's notes fall on a second page.
    const lessonNotes = Array.from({ length: 80 }, (_, index) => `Lesson note ${index + 1}: reading practice.`);
    const second = ["Page two: the head's notes", "Meeting with Mr and Mrs Ashdown about Tobiah."].join("\n");
    await page.getByLabel("Document", { exact: true }).setInputFiles({ name: "behaviour-log.txt", mimeType: "text/plain", buffer: Buffer.from([report, ...lessonNotes, second].join("\n")) });
    await page.getByRole("button", { name: "Add document" }).click();
    await page.waitForURL(/done=added/);
    expect(await page.locator("#documents").textContent()).toContain("Being read");
    await runJobs();
    await page.reload();
    await page.getByRole("link", { name: "Review behaviour-log.txt" }).click();
    reviewPath = new URL(page.url()).pathname;
    expect(await page.locator("#decisions").textContent()).toContain("Tobiah Ashdown");
    // The page image is drawn on the server: it shows without JavaScript.
    await expect
      .poll(() => page.locator(".steward-review-page__image").evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0)), { timeout: 15_000 })
      .toBeGreaterThan(500);

    // Every mention of the other pupil, at once.
    await page.getByLabel("Every mention of").selectOption("Tobiah Ashdown");
    await page.getByRole("button", { name: "Decide every mention" }).click();
    await page.waitForURL(/done=decided/);
    // The mother's number, one by one.
    const phone = page.getByRole("group", { name: /07700 900123/ });
    await phone.getByLabel("Remove").check();
    await page.getByRole("button", { name: "Save decisions on this page" }).click();
    await page.waitForURL(/done=decided/);
    expect(await page.getByRole("group", { name: /07700 900123/ }).getByLabel("Remove").isChecked()).toBe(true);

    // An email and a Word document; in the letter, a phrase removed wherever it appears.
    await page.goto(casePath + "/disclosure");
    await page.getByLabel("Document", { exact: true }).setInputFiles({ name: "lunch.eml", mimeType: "message/rfc822", buffer: Buffer.from(EMAIL) });
    await page.getByRole("button", { name: "Add document" }).click();
    await page.waitForURL(/done=added/);
    const letter = wordDocument("<html><body><p>Dear Mr and Mrs Hill,</p><p>Jamie left his red bicycle by the gate. Tobiah Ashdown's red bicycle was beside it.</p></body></html>");
    await page.getByLabel("Document", { exact: true }).setInputFiles({ name: "letter.docx", mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buffer: letter });
    await page.getByRole("button", { name: "Add document" }).click();
    await page.waitForURL(/done=added/);
    await runJobs();
    await page.goto(casePath + "/disclosure");
    await page.getByRole("link", { name: "Review letter.docx" }).click();
    await page.getByLabel("Remove every match of these words, in the whole document").fill("red bicycle");
    await page.getByRole("button", { name: "Remove every match" }).click();
    await page.waitForURL(/done=phrase/);
    expect(await page.locator("#by-hand").textContent()).toMatch(/Phrase: red bicycle[^]*Phrase: red bicycle/);
  });

  it("with JavaScript: draws a box on the page, and the review passes axe on a laptop and fits a phone", async () => {
    const page = await signedIn();
    await page.goto(reviewPath);
    // The page image is drawn on request: wait until it has loaded before drawing on it.
    await expect.poll(() => page.locator(".steward-review-page__image").evaluate((image: HTMLImageElement) => (image.complete ? image.naturalWidth : 0)), { timeout: 15_000 }).toBeGreaterThan(500);
    scanned.set("review page", await accessibilityViolations(page));
    const image = page.locator(".steward-review-page__image");
    await page.getByRole("button", { name: "Draw a box to remove" }).click();
    const box = (await image.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.55, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.locator("#region-form").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Remove what is in the box" }).click();
    await page.waitForURL(/done=region/);
    expect(await page.locator("#by-hand").textContent()).toContain("Region drawn by hand");

    await page.goto(casePath + "/disclosure");
    scanned.set("disclosure area", await accessibilityViolations(page));
    // A search task, given to the DPO themselves here: their list of tasks and the task's own page.
    await page.getByLabel("What to search for").fill("The head's emails about the incident");
    await page.getByLabel("Who will search").selectOption({ label: dpo.fullName });
    const due = page.getByRole("group", { name: "Due by" });
    await due.getByLabel("Day").fill("5");
    await due.getByLabel("Month").fill("2");
    await due.getByLabel("Year").fill("2027");
    await page.getByRole("button", { name: "Ask them to search" }).click();
    await page.waitForURL(/done=task/);
    await page.goto("/tasks");
    scanned.set("your search tasks", await accessibilityViolations(page));
    await page.goto("/redaction-settings");
    scanned.set("redaction settings", await accessibilityViolations(page));
    await page.goto("/tasks");
    await page.getByRole("link", { name: "The head's emails about the incident" }).click();
    expect(await page.locator("h1").textContent()).toBe("The head's emails about the incident");
    scanned.set("a search task", await accessibilityViolations(page));

    const phone = await signedIn({ width: 375 });
    await phone.goto(reviewPath);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    scanned.set("review page on a phone", await accessibilityViolations(phone));
  });

  it("redacts, and the bundle downloads without the other pupil, his mother's number, the phrase or the withheld page", async () => {
    const page = await signedIn({ javaScriptEnabled: false });
    await page.goto(reviewPath.replace(/pages\/1$/, "pages/2"));
    await page.getByLabel("Withhold the whole of page 2").selectOption("SH");
    await page.getByRole("button", { name: "Withhold this page" }).click();
    await page.waitForURL(/done=withheld/);
    // Every suggestion was decided on page 1 (the second page's mentions of the family are the same person's).
    expect(await page.locator("#counts").textContent()).toContain("0 suggestions to decide");
    await page.getByRole("button", { name: "Redact this document" }).click();
    await page.waitForURL(/done=redacting/);
    expect(await page.locator("#redacting").textContent()).toContain("applying the redactions");
    // The email and the letter: what is left undecided is removed, then each is redacted.
    for (const name of ["lunch.eml", "letter.docx"]) {
      await page.goto(casePath + "/disclosure");
      await page.getByRole("link", { name: `Review ${name}` }).click();
      if ((await page.getByRole("button", { name: "Decide all that are left" }).count()) > 0) {
        await page.getByRole("button", { name: "Decide all that are left" }).click();
        await page.waitForURL(/done=decided/);
      }
      await page.getByRole("button", { name: "Redact this document" }).click();
      await page.waitForURL(/done=redacting/);
    }
    await runJobs();
    await page.goto(reviewPath);
    expect(await page.locator("#redacted").textContent()).toContain("passed every check");
    await page.goto(casePath + "/disclosure");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the disclosure bundle (PDF)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^SAR-2027-0001 disclosure bundle\.pdf$/);
    const bytes = await (await import("node:fs/promises")).readFile((await download.path())!);
    const text = (await popplerPages(new Uint8Array(bytes)))!.join("\n");
    expect(text).toContain("Jamie Hill");
    expect(text).toContain("was upset after lunch");
    expect(text).toContain("left his");
    for (const gone of ["Tobiah", "Ashdown", "07700", "head's notes", "bicycle"]) {
      expect(text, gone).not.toContain(gone);
    }
  });

  it("found no accessibility problems and no blocked scripts", () => {
    expect(scanned.size).toBe(6);
    expect(Object.fromEntries([...scanned].filter(([, violations]) => violations.length > 0))).toEqual({});
    expect(cspViolations).toEqual([]);
  });
});
