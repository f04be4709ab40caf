/**
 * Signing in over HTTP as a person does: the sign-in page (for its CSRF token), the password, the
 * two-factor page and the code an authenticator app would show now. Returns the session cookie
 * Steward set, checked on the dashboard.
 */
import { fromBase32, stepAt, totpCode } from "../src/auth/totp.ts";

/** The last step whose code was sent, per secret: Steward never accepts one twice. */
const usedSteps = new Map<string, number>();

async function freshCode(secret: string): Promise<string> {
  let step = stepAt(new Date());
  while (step <= (usedSteps.get(secret) ?? -1)) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    step = stepAt(new Date());
  }
  usedSteps.set(secret, step);
  return totpCode(fromBase32(secret), step);
}

class Browser {
  cookie = "";
  constructor(private readonly base: string) {}

  async request(path: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const response = await fetch(new URL(path, this.base), {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const [name, value] = pair!.split("=");
      if (name === "steward_session") this.cookie = value ? `${name}=${value}` : "";
    }
    return { status: response.status, location: response.headers.get("location"), body: await response.text() };
  }

  /** Opens a page and posts its form with the page's CSRF token. */
  async submit(path: string, fields: Record<string, string>) {
    const page = await this.request(path);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!csrf) throw new Error(`sign-in: no CSRF token on ${path} (status ${page.status})`);
    return this.request(path, { _csrf: csrf, ...fields });
  }
}

export async function signInOverHttp(base: string, person: { username: string; password: string; totpSecret: string }): Promise<string> {
  const browser = new Browser(base);
  const password = await browser.submit("/login", { login: person.username, password: person.password });
  if (password.status !== 303 || password.location !== "/login/two-factor") {
    throw new Error(`sign-in: the password step answered ${password.status} → ${password.location}`);
  }
  const second = await browser.submit("/login/two-factor", { code: await freshCode(person.totpSecret) });
  if (second.status !== 303) {
    throw new Error(`sign-in: the two-factor step answered ${second.status}`);
  }
  await checkSignedIn(base, browser.cookie);
  return browser.cookie;
}

/** Throws unless the cookie opens the dashboard. */
export async function checkSignedIn(base: string, cookie: string): Promise<void> {
  const response = await fetch(new URL("/dashboard", base), { redirect: "manual", headers: { cookie } });
  await response.text();
  if (response.status !== 200) {
    throw new Error(`sign-in: the dashboard answered ${response.status} → ${response.headers.get("location")}`);
  }
}
