import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { emailAddress } from "../accounts/accounts.schema.ts";
import { afterFailure, attemptVerdict, FREE_ATTEMPTS, type AttemptHistory } from "../auth/lockout.ts";
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from "../auth/passwords.ts";
import { formatLondonTime } from "../calendar/dates.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import type { FieldErrors } from "../platform/forms.ts";
import { readForm } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { recordOperatorEvent } from "./operator-context.ts";
import { asOperator } from "./operator-scope.ts";
import { startOperatorSession } from "./operator-sessions.ts";

/** Where a request came from, for the operator's trail: the client's address (through trusted proxies only). */
export interface OperatorRequestMeta {
  ip?: string | undefined;
}

/** An operator's email address and a new password, checked with users' policy (length, common passwords, built from the address). */
export const operatorAccountSchema = z
  .object({
    email: emailAddress.transform((value) => value.toLowerCase()),
    password: z.string({ error: "Enter a password" }).min(1, { error: "Enter a password" }),
  })
  .superRefine((form, ctx) => {
    const problem = passwordProblem(form.password, { email: form.email });
    if (problem) {
      ctx.addIssue({ code: "custom", path: ["password"], message: problem });
    }
  });

export type OperatorAccount = z.output<typeof operatorAccountSchema>;

export type CreateOperatorResult = { ok: true; operatorId: string } | { ok: false; errors: FieldErrors };

/** How an operator came to be: through the one-time setup address, or by the `operator create` command. */
export type OperatorOrigin = "setup" | "command";

/**
 * Makes an operator account: someone who runs the service, in no organisation, who signs in with
 * two-factor always (set up at their first sign-in). The password is hashed as users' are
 * (argon2id), outside any transaction.
 */
export async function createOperator(
  services: Pick<Services, "database" | "clock">,
  input: { email: string; password: string },
  { via = "command" }: { via?: OperatorOrigin } = {},
): Promise<CreateOperatorResult> {
  const form = readForm(operatorAccountSchema, { email: input.email, password: input.password });
  if (!form.ok) {
    return { ok: false, errors: form.errors };
  }
  return insertOperator(services, form.data.email, await hashPassword(form.data.password), { via });
}

/**
 * Stores a checked account. `firstOnly` refuses once any operator exists (the setup address makes
 * the first operator, never another).
 */
export async function insertOperator(
  services: Pick<Services, "database" | "clock">,
  email: string,
  passwordHash: string,
  { via, firstOnly = false }: { via: OperatorOrigin; firstOnly?: boolean },
): Promise<CreateOperatorResult> {
  const now = services.clock.now();
  return asOperator(services.database.db, async (trx) => {
    // One at a time, so two setups or commands at once cannot both find no operator (or no such address).
    await sql`select pg_advisory_xact_lock(hashtextextended('steward operators', 0))`.execute(trx);
    const existing = await trx.selectFrom("operators").select(["email"]).execute();
    if (firstOnly && existing.length > 0) {
      return { ok: false, errors: { email: "An operator account already exists: sign in, or ask an operator to make yours" } };
    }
    if (existing.some((operator) => operator.email === email)) {
      return { ok: false, errors: { email: "There is already an operator with this email address" } };
    }
    const id = randomUUID();
    await trx.insertInto("operators").values({ id, email, passwordHash, createdAt: now, totpSecret: null, totpConfirmedAt: null, totpLastStep: null, lockedUntil: null, deactivatedAt: null }).execute();
    if (via === "setup") {
      await recordOperatorEvent(trx, { operatorId: id, action: "operator.setup", at: now });
    }
    await recordOperatorEvent(trx, { operatorId: id, action: "operator.create", detail: { via }, at: now });
    return { ok: true, operatorId: id };
  });
}

/** Whether any operator account exists. */
export async function anyOperatorExists(services: Pick<Services, "database">): Promise<boolean> {
  const row = await asOperator(services.database.db, (trx) => trx.selectFrom("operators").select("id").limit(1).executeTakeFirst());
  return row !== undefined;
}

/** Failed passwords and codes: what the slow-down and the lock count. */
const REFUSALS = ["operator.sign-in.refused", "operator.two-factor.refused"];

interface OperatorAttempts extends AttemptHistory {
  id: string;
}

/**
 * The account's attempts as lockout.ts reads them. The operators table keeps the count and the
 * lock; the moment of the last failure (which sets the slow-down) is the operator's own trail's.
 */
async function attemptsOf(trx: Tx, operator: { id: string; failedSignIns: number; lockedUntil: Date | null }): Promise<OperatorAttempts> {
  let lastFailedSignInAt: Date | null = null;
  if (operator.failedSignIns >= FREE_ATTEMPTS) {
    const last = await trx
      .selectFrom("operatorEvents")
      .select((eb) => eb.fn.max("occurredAt").as("at"))
      .where("operatorId", "=", operator.id)
      .where("action", "in", REFUSALS)
      .executeTakeFirst();
    lastFailedSignInAt = last?.at ? new Date(last.at) : null;
  }
  return { id: operator.id, failedSignIns: operator.failedSignIns, lockedUntil: operator.lockedUntil ? new Date(operator.lockedUntil) : null, lastFailedSignInAt };
}

/**
 * Counts a wrong password or code against the account (the growing delay after five, the
 * 15-minute lock after ten) and records it in the operator's trail.
 */
export async function countFailure(trx: Tx, attempts: OperatorAttempts, action: "operator.sign-in.refused" | "operator.two-factor.refused", now: Date, meta: OperatorRequestMeta | undefined): Promise<void> {
  const next = afterFailure(attempts, now);
  await trx.updateTable("operators").set({ failedSignIns: next.failedSignIns, lockedUntil: next.lockedUntil }).where("id", "=", attempts.id).execute();
  await recordOperatorEvent(trx, { operatorId: attempts.id, action, detail: meta?.ip ? { ip: meta.ip } : {}, at: now });
  if (next.justLocked) {
    await recordOperatorEvent(trx, { operatorId: attempts.id, action: "operator.locked", detail: { until: next.lockedUntil?.toISOString() }, at: now });
  }
}

export async function clearFailures(trx: Tx, operatorId: string): Promise<void> {
  await trx.updateTable("operators").set({ failedSignIns: 0, lockedUntil: null }).where("id", "=", operatorId).execute();
}

/** The account's row, locked for this transaction, with its attempts, for a second-factor check. */
export async function operatorForUpdate(trx: Tx, operatorId: string) {
  const operator = await trx
    .selectFrom("operators")
    .select(["id", "email", "totpSecret", "totpConfirmedAt", "totpLastStep", "failedSignIns", "lockedUntil", "deactivatedAt"])
    .where("id", "=", operatorId)
    .forUpdate()
    .executeTakeFirst();
  return operator ? { operator, attempts: await attemptsOf(trx, operator) } : undefined;
}

export type OperatorSignInResult =
  | { ok: true; token: string; twoFactorSetUp: boolean }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "wait" | "locked"; until: Date };

/**
 * The password step. A right password starts a session that can do nothing but give the second
 * factor (or set one up, the first time): an operator is never signed in on a password alone. A
 * wrong password and an unknown address look the same and take as long.
 */
export async function signInOperator(
  services: Pick<Services, "database" | "clock">,
  input: { email: string; password: string },
  meta?: OperatorRequestMeta,
): Promise<OperatorSignInResult> {
  const now = services.clock.now();
  const email = input.email.trim().toLowerCase();
  const found = await asOperator(services.database.db, async (trx) => {
    const operator = await trx
      .selectFrom("operators")
      .select(["id", "passwordHash", "failedSignIns", "lockedUntil", "deactivatedAt", "totpConfirmedAt"])
      .where("email", "=", email)
      .executeTakeFirst();
    return operator && operator.deactivatedAt === null ? { operator, attempts: await attemptsOf(trx, operator) } : undefined;
  });
  if (!found) {
    await verifyAgainstNothing(input.password);
    // Which address was typed is not kept: it may be anyone's.
    await asOperator(services.database.db, (trx) =>
      recordOperatorEvent(trx, { operatorId: null, action: "operator.sign-in.refused", detail: { reason: "no-such-operator", ...(meta?.ip ? { ip: meta.ip } : {}) }, at: now }),
    );
    return { ok: false, reason: "invalid" };
  }
  const verdict = attemptVerdict(found.attempts, now);
  if (verdict.kind !== "allowed") {
    await verifyAgainstNothing(input.password);
    return { ok: false, reason: verdict.kind, until: verdict.until };
  }
  const correct = await verifyPassword(found.operator.passwordHash, input.password);
  return asOperator(services.database.db, async (trx) => {
    if (!correct) {
      const again = await operatorForUpdate(trx, found.operator.id);
      await countFailure(trx, again?.attempts ?? found.attempts, "operator.sign-in.refused", now, meta);
      return { ok: false, reason: "invalid" };
    }
    // Failures are cleared only once the second factor passes: a stolen password alone earns nothing.
    const token = await startOperatorSession(trx, now, found.operator.id, { awaitingSecondFactor: true });
    return { ok: true, token, twoFactorSetUp: found.operator.totpConfirmedAt !== null };
  });
}

/** What to tell the operator at the sign-in form when it fails. */
export function operatorRefusal(result: { reason: string; until?: Date }, invalid: string): string {
  if (result.reason === "locked" && result.until) {
    return `This account is locked after too many failed attempts. Try again after ${formatLondonTime(result.until)}`;
  }
  if (result.reason === "wait") {
    return "Too many failed attempts. Wait a minute, then try again";
  }
  return invalid;
}
