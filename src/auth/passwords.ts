import { readFileSync } from "node:fs";
import { hash, verify } from "@node-rs/argon2";
import { busy } from "../platform/errors.ts";
import { projectPath } from "../platform/project-root.ts";

/**
 * argon2id at the ASVS minimum (19 MiB, 2 passes, 1 lane). The value 2 is Algorithm.Argon2id,
 * written out because the library declares the enum `const`, which isolated modules cannot import.
 */
const ARGON2ID = 2;
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * How many password hashes may run at once, and wait. Each takes one of libuv's threads (four by
 * default, shared with file and DNS work) and 19 MiB for about 50 ms: a burst of sign-ins beyond
 * this would stall every other request, so past the queue Steward answers 503 with Retry-After.
 */
export const HASHING_LIMITS = { running: 2, waiting: 16 };

let running = 0;
const queue: (() => void)[] = [];

async function inHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < HASHING_LIMITS.running) {
    running += 1;
  } else if (queue.length < HASHING_LIMITS.waiting) {
    // The slot is handed over by the one finishing, so `running` stays counted.
    await new Promise<void>((resolve) => queue.push(resolve));
  } else {
    throw busy();
  }
  try {
    return await work();
  } finally {
    const next = queue.shift();
    if (next) {
      next();
    } else {
      running -= 1;
    }
  }
}

export function hashPassword(password: string): Promise<string> {
  return inHashingSlot(() => hash(password, HASH_OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return inHashingSlot(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check when there is no account to check against, so that a
 * wrong username and a wrong password cannot be told apart by timing.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("steward-dummy-password-for-timing").catch((error: unknown) => {
    dummyHash = undefined; // a busy moment must not leave a failed hash behind for ever
    throw error;
  });
  const against = await dummyHash;
  await inHashingSlot(() => verify(against, password));
  return false;
}

let commonPasswords: Set<string> | undefined;

function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(
    readFileSync(projectPath("src", "auth", "common-passwords.txt"), "utf8")
      .split("\n")
      .filter((line) => line && !line.startsWith("#")),
  );
  return commonPasswords.has(password.toLowerCase());
}

/** Words a person is likely to build a password from, given who and where they are. */
export interface PasswordContext {
  fullName?: string | undefined;
  username?: string | undefined;
  email?: string | undefined;
  organisationName?: string | undefined;
}

/**
 * Why a new password is not acceptable, or undefined if it is. Length over complexity, no
 * composition rules, checked against common passwords and the user's own context (NCSC, ASVS 6.2).
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Password must be ${PASSWORD_MIN_LENGTH} characters or more`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`;
  }
  if (isCommonPassword(password)) {
    return "Password is too common; choose a password that is harder to guess";
  }
  const squashed = squash(password);
  const contextWords = [
    "steward",
    // The whole name ("Alexandra Whitfield-Jones", compared without spaces or hyphens) and each part of it.
    context.fullName,
    ...(context.fullName ?? "").split(/\s+/),
    ...(context.fullName ?? "").split(/[\s-]+/),
    context.username,
    context.email?.split("@")[0],
    context.organisationName,
  ]
    .map((word) => squash(word ?? ""))
    .filter((word) => word.length >= 4);
  if (contextWords.some((word) => squashed.includes(word) && squashed.length - word.length < 8)) {
    return "Password must not be built from your name, username, email or organisation";
  }
  return undefined;
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}
