import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured logs that carry no personal data. Request logs hold the method, the route pattern
 * (never the raw URL, which may hold a one-time token), the status and the request id. Errors are
 * cut down to type, code, message and stack: database errors also carry the failing row and the
 * query's parameters, which may be personal data.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: ["password", "*.password", "token", "*.token", "email", "*.email", "req.headers.cookie"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { type: typeof error };
  }
  const code = (error as { code?: unknown }).code;
  return {
    type: error.constructor.name,
    code: typeof code === "string" ? code : undefined,
    message: scrubIdentifiers(error.message),
    stack: error.stack ? scrubIdentifiers(error.stack) : undefined,
  };
}

/**
 * An exception's message is how a developer finds the bug, but it may quote data (a library
 * echoing a value). Email addresses, long numbers (telephone, NHS, ULN) and postcodes are masked.
 */
export function scrubIdentifiers(text: string): string {
  return text
    .replace(/[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>()]+/g, "[email]")
    .replace(/\+?\d[\d\s-]{7,}\d/g, "[number]")
    .replace(/\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b/gi, "[postcode]");
}

export type { Logger };
