import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, 6 digits,
 * the default every authenticator app uses. A code from the step before or after is accepted
 * (clocks drift); a step already used is not, so a code cannot be replayed.
 */
export const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function stepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / STEP_SECONDS);
}

/** A new 160-bit secret (the size RFC 4226 recommends for HMAC-SHA1). */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

export function toBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += BASE32[(value << (5 - bits)) & 31];
  }
  return out;
}

export function fromBase32(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) {
      throw new Error("Not base32");
    }
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code for one time step (RFC 4226 dynamic truncation). */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return binary.toString().padStart(DIGITS, "0");
}

/**
 * The step whose code matches, if any is within one step of now and after the last used step;
 * otherwise undefined. The caller stores the step so the same code is never accepted again.
 */
export function matchingStep(secret: Buffer, code: string, at: Date, lastUsedStep: number | null): number | undefined {
  if (!/^\d{6}$/.test(code)) {
    return undefined;
  }
  const now = stepAt(at);
  let matched: number | undefined;
  // Every candidate is checked, so the time taken does not say which step matched.
  for (const step of [now - 1, now, now + 1]) {
    const fits = timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code));
    if (fits && (lastUsedStep === null || step > lastUsedStep) && matched === undefined) {
      matched = step;
    }
  }
  return matched;
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function otpauthUri(secret: Buffer, issuer: string, account: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret: toBase32(secret), issuer, algorithm: "SHA1", digits: String(DIGITS), period: String(STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
