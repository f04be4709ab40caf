import { fromBase32, stepAt, STEP_SECONDS, totpCode } from "../auth/totp.ts";
import type { TestClock } from "../platform/clock.ts";

/**
 * A person's authenticator app, for tests: made from the key the set-up page shows, it gives the
 * code for now, and for a second sign-in within the same 30 seconds waits (moves the test clock)
 * for a code the server has not seen, as a person would.
 */
export class TestAuthenticator {
  private readonly secret: Buffer;
  private lastStep = -1;

  constructor(
    key: string,
    private readonly clock?: TestClock,
  ) {
    this.secret = fromBase32(key);
  }

  code(): string {
    let now = stepAt(this.clock?.now() ?? new Date());
    if (this.lastStep > now) {
      if (!this.clock) {
        throw new Error("Give the authenticator the test clock to sign in twice within a minute");
      }
      this.clock.advance({ seconds: (this.lastStep - now) * STEP_SECONDS });
      now = stepAt(this.clock.now());
    }
    // The server accepts one step ahead of now, so a second sign-in uses the step after.
    const step = Math.max(now, this.lastStep + 1);
    this.lastStep = step;
    return totpCode(this.secret, step);
  }
}
