import pino, { type Logger } from "pino";

/**
 * Structured logs that carry no personal data. Request logs hold the method, the route pattern
 * (never the raw URL, which may hold a one-time token), the status and the request id; anything
 * that might carry a secret is redacted in case it is ever passed in.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "email",
        "*.email",
        "req.headers.cookie",
        "req.headers.authorization",
        'res.headers["set-cookie"]',
      ],
      censor: "[redacted]",
    },
  });
}

export type { Logger };
