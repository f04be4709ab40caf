/** The name of the unique constraint a database error broke, if it broke one (SQLSTATE 23505). */
export function brokenUniqueConstraint(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && error.code === "23505") {
    const constraint = (error as { constraint?: unknown }).constraint;
    return typeof constraint === "string" ? constraint : "";
  }
  return undefined;
}

/**
 * Whether the error is the connection pool giving up on a wait for a free connection (every one
 * busy for longer than the pool waits): the request did nothing, so it can be told to retry.
 */
export function isPoolWaitTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "timeout exceeded when trying to connect";
}
