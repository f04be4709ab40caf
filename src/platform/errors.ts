/**
 * The errors Steward raises on purpose, each with a stable code. Handlers and tests match on the
 * code, never on the wording. Anything else that escapes is a 500 with a reference id.
 */
export type ErrorCode =
  | "bad_request"
  | "busy"
  | "csrf_invalid"
  | "forbidden"
  | "not_found"
  | "not_signed_in";

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  busy: 503,
  csrf_invalid: 403,
  forbidden: 403,
  not_found: 404,
  not_signed_in: 401,
};

export class StewardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "StewardError";
    this.code = code;
    this.status = statusOf[code];
  }
}

export const badRequest = (message = "Steward could not read that request.") =>
  new StewardError("bad_request", message);
export const csrfInvalid = () =>
  new StewardError("csrf_invalid", "This form has expired or did not come from Steward. Go back, reload the page and try again.");
export const forbidden = () => new StewardError("forbidden", "You do not have permission to do that.");
/** Also used for another organisation's records, so that their existence does not leak. */
export const notFound = () => new StewardError("not_found", "Page not found");
export const notSignedIn = () => new StewardError("not_signed_in", "Sign in to continue.");
/** Too much of one costly kind of work at once (password hashing): answered 503 with Retry-After. */
export const busy = (message = "Steward is busy signing other people in. Wait a few seconds, then try again.") => new StewardError("busy", message);
/** How long a `busy` answer asks the browser to wait, in seconds. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** An operator command used wrongly: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}
