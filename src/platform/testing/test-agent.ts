import { randomInt } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

/**
 * A minimal browser over app.inject: it keeps the one cookie, remembers the CSRF token of the last
 * page it saw, and posts forms the way a browser does (urlencoded, same origin).
 */
export class TestAgent {
  cookie: string | undefined;
  csrf: string | undefined;
  /** Each agent is its own client, on its own loopback address (per-address rate limits apply). */
  readonly address = `127.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: "GET", url, headers: this.headers(), remoteAddress: this.address });
    return this.remember(response);
  }

  /** Posts a form; `_csrf` is the last page's token unless the fields give one. */
  async post(url: string, fields: Record<string, string> = {}, extraHeaders: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ _csrf: this.csrf ?? "", ...fields }).toString();
    const response = await this.app.inject({
      method: "POST",
      url,
      remoteAddress: this.address,
      payload: body,
      headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded", ...extraHeaders },
    });
    return this.remember(response);
  }

  /** Opens a page, then submits its form. */
  async submit(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    await this.get(url);
    return this.post(url, fields);
  }

  private headers(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie } : {};
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const set of response.cookies) {
      this.cookie = set.value === "" || (set.expires && set.expires.getTime() < Date.now()) ? undefined : `${set.name}=${set.value}`;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) {
      this.csrf = token;
    }
    return response;
  }
}
