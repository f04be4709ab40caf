import { createHash, randomBytes } from "node:crypto";

/** A new opaque secret for a cookie or a one-time link: 256 bits from the CSPRNG. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database keeps instead of the token, so a copy of the database cannot be replayed. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
