import { randomInt } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { TestClock } from "../platform/clock.ts";
import { TestAuthenticator } from "./authenticator.ts";

/** Every test user's password (factories.ts hands it on). */
export const TEST_PASSWORD = "correct horse battery staple";

/** The authenticator app of every test user who has set up two-factor, by the name they sign in with. */
const authenticators = new Map<string, TestAuthenticator>();

/**
 * A minimal browser over app.inject: it keeps its cookies (the session's, and a requester's on the
 * public pages), remembers the CSRF token of the last page it saw, and posts forms the way a
 * browser does (urlencoded, same origin).
 */
export class TestAgent {
  private readonly jar = new Map<string, string>();
  csrf: string | undefined;

  /** The Cookie header it sends; set it to replace every cookie (a stolen copy, say). */
  get cookie(): string | undefined {
    return this.jar.size ? [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ") : undefined;
  }
  set cookie(header: string | undefined) {
    this.jar.clear();
    for (const pair of (header ?? "").split(/;\s*/).filter(Boolean)) {
      const at = pair.indexOf("=");
      this.jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  /** Each agent is its own client, on its own loopback address (per-address rate limits apply). */
  readonly address = `127.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

  /** The clock lets the agent's authenticator app wait for a fresh code, as a person would. */
  constructor(
    private readonly app: FastifyInstance,
    private readonly clock?: TestClock,
  ) {}

  /**
   * Signs in the whole way, as a person would: password, then the code from their authenticator
   * app if they have one, or setting one up if Steward sends them to. Returns the password step's
   * response when it fails, otherwise the last redirect to the dashboard. `authenticatorOf` names
   * the sign-in name the app was set up under, when signing in by another (the email address).
   */
  async signIn(login: string, password = TEST_PASSWORD, { authenticatorOf = login } = {}): Promise<LightMyRequestResponse> {
    const response = await this.submit("/login", { login, password });
    if (response.statusCode !== 303) {
      return response;
    }
    if (response.headers.location === "/login/two-factor") {
      return this.submit("/login/two-factor", { code: this.authenticatorCode(authenticatorOf) });
    }
    const landing = await this.get("/dashboard");
    if (landing.headers.location === "/account/two-factor") {
      await this.setUpTwoFactor(authenticatorOf);
    }
    return response;
  }

  /** Sets up two-factor from the set-up page, reading the key off it as a person would type it. */
  async setUpTwoFactor(login: string): Promise<LightMyRequestResponse> {
    const page = await this.get("/account/two-factor");
    const key = /data-totp-secret>([^<]+)</.exec(page.body)?.[1];
    if (!key) {
      throw new Error(`No two-factor key on the set-up page (status ${page.statusCode})`);
    }
    authenticators.set(login.toLowerCase(), new TestAuthenticator(key, this.clock));
    return this.post("/account/two-factor", { code: this.authenticatorCode(login) });
  }

  /** The code the user's authenticator app shows now (one the server has not seen yet). */
  authenticatorCode(login: string): string {
    const app = authenticators.get(login.toLowerCase());
    if (!app) {
      throw new Error(`${login} has no authenticator app in this test`);
    }
    return app.code();
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: "GET", url, headers: this.headers(), remoteAddress: this.address });
    return this.remember(response);
  }

  /** Posts a form; `_csrf` is the last page's token unless the fields give one. A list is several ticked boxes of one name. */
  async post(url: string, fields: Record<string, string | string[]> = {}, extraHeaders: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries({ _csrf: this.csrf ?? "", ...fields })) {
      for (const each of [value].flat()) form.append(name, each);
    }
    const body = form.toString();
    const response = await this.app.inject({
      method: "POST",
      url,
      remoteAddress: this.address,
      payload: body,
      headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded", ...extraHeaders },
    });
    return this.remember(response);
  }

  /** Posts one file as a browser's upload form does (multipart, the last page's CSRF token and any other fields beside it). */
  async upload(url: string, filename: string, bytes: Buffer, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const boundary = `----steward-test-${randomInt(1_000_000_000)}`;
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${this.csrf ?? ""}\r\n`),
      ...Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await this.app.inject({
      method: "POST",
      url,
      remoteAddress: this.address,
      payload,
      headers: { ...this.headers(), "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    return this.remember(response);
  }

  /** Opens a page, then submits its form. */
  async submit(url: string, fields: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    await this.get(url);
    return this.post(url, fields);
  }

  private headers(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie } : {};
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const set of response.cookies) {
      if (set.value === "" || (set.expires && set.expires.getTime() < Date.now())) {
        this.jar.delete(set.name);
      } else {
        this.jar.set(set.name, set.value);
      }
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) {
      this.csrf = token;
    }
    return response;
  }
}
