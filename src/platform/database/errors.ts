/** The name of the unique constraint a database error broke, if it broke one (SQLSTATE 23505). */
export function brokenUniqueConstraint(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && error.code === "23505") {
    const constraint = (error as { constraint?: unknown }).constraint;
    return typeof constraint === "string" ? constraint : "";
  }
  return undefined;
}
