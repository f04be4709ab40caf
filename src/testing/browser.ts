import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";

/** Debian's Chromium, never a downloaded one; flags keep it off this machine's closed network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe (WCAG 2.0–2.2, A and AA) on the page as it stands and returns each violation as a line.
 * axe is evaluated through the DevTools protocol, so the page's own CSP stays fully on.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations;
  });
  return violations.map(
    (violation: AxeViolation) =>
      `${page.url()} ${violation.impact}: ${violation.id} — ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`,
  );
}

/**
 * Signs a person in through the sign-in pages, as they would: username, password, and the code
 * their authenticator shows if two-factor is asked for (`agent` holds that authenticator).
 */
export async function signInThroughPages(
  page: Page,
  person: { username: string; agent: { authenticatorCode(login: string): string } },
  password: string,
  { landing = "**/dashboard" }: { landing?: string } = {},
): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username or email address").fill(person.username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (page.url().endsWith("/login/two-factor")) {
    await page.getByLabel("Enter your two-factor code").fill(person.agent.authenticatorCode(person.username));
    await page.getByRole("button", { name: "Continue" }).click();
  }
  await page.waitForURL(landing);
}

/**
 * axe on the page `page` shows (one seen without JavaScript, say), run in `scanner`, a page that
 * runs it, with the same cookies. A page reached by a form post is scanned as its address shows
 * it (the same page, on a fresh GET).
 */
export async function violationsWithSameCookies(page: Page, scanner: Page): Promise<string[]> {
  await scanner.context().clearCookies();
  await scanner.context().addCookies(await page.context().cookies());
  await scanner.goto(page.url());
  return accessibilityViolations(scanner);
}

/** A page in a browser context of its own, with a 10-second default timeout; each Content Security Policy complaint its console shows is added to `cspViolations`, for the test to assert none. */
export async function pageWatchingCsp(browser: Browser, options: BrowserContextOptions, cspViolations: string[]): Promise<Page> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}
