import { timingSafeEqual } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { hashPassword } from "../auth/passwords.ts";
import { hashToken, newToken } from "../auth/tokens.ts";
import type { Database } from "../platform/database/schema.ts";
import { readForm } from "../platform/forms.ts";
import type { Services } from "../platform/services.ts";
import { anyOperatorExists, insertOperator, operatorAccountSchema, type CreateOperatorResult } from "./operators.ts";

/*
 * The one-time setup address that makes the first operator (no default account, ASVS 6.3.2). At
 * start-up, while no operator exists, Steward makes a random token, keeps only its hash (and when
 * it was made) in platform_secrets as 'operator-setup-token', replacing any earlier one, and logs
 * the address once. The address works once, for 24 hours; a restart makes a new one.
 *
 * platform_secrets (the CSRF key lives there too) is readable by no role but the schema owner, so
 * this file, and only this file of the operator's code, uses the owner connection
 * (services.database.db) without asOperator: for that one row, by its fixed name, never any other.
 * Granting steward_operator the table would hand it the CSRF key; the accounts themselves are made
 * through asOperator (operators.ts).
 */
const NAME = "operator-setup-token";
export const SETUP_TOKEN_VALID_MS = 24 * 60 * 60 * 1000;

interface StoredToken {
  hash: string;
  issuedAt: string;
}

type SetupServices = Pick<Services, "database" | "clock" | "logger" | "config">;

/**
 * At start-up: while no operator exists, a new setup token (the earlier one, if any, stops
 * working), its address logged as a warning for whoever started Steward. Once an operator exists,
 * any token left over is removed. Returns the token made, if one was.
 */
export async function issueOperatorSetupToken(services: SetupServices): Promise<string | undefined> {
  const db = services.database.db;
  if (await anyOperatorExists(services)) {
    await discardOperatorSetupToken(services);
    return undefined;
  }
  const token = newToken();
  const stored: StoredToken = { hash: hashToken(token), issuedAt: services.clock.now().toISOString() };
  await sql`insert into platform_secrets (name, value) values (${NAME}, ${JSON.stringify(stored)})
            on conflict (name) do update set value = excluded.value`.execute(db);
  const path = `/operator/setup?token=${token}`;
  services.logger.warn(
    { path },
    `No operator account exists yet. To create the first one, open ${services.config.publicUrl}${path} (it works once, for 24 hours; restarting Steward makes a new address). Or run: npm run steward -- operator create --email YOUR-ADDRESS`,
  );
  return token;
}

/** Whether `token` is the setup token, unused and in time (the stored value, as read in `db`). */
async function storedTokenMatching(db: Kysely<Database>, token: unknown, now: Date, { forUpdate = false } = {}): Promise<boolean> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    return false;
  }
  const { rows } = forUpdate
    ? await sql<{ value: string }>`select value from platform_secrets where name = ${NAME} for update`.execute(db)
    : await sql<{ value: string }>`select value from platform_secrets where name = ${NAME}`.execute(db);
  const value = rows[0]?.value;
  if (!value) {
    return false;
  }
  let stored: StoredToken;
  try {
    stored = JSON.parse(value) as StoredToken;
  } catch {
    return false;
  }
  const expected = Buffer.from(String(stored.hash));
  const given = Buffer.from(hashToken(token));
  const fits = expected.length === given.length && timingSafeEqual(expected, given);
  return fits && now.getTime() - new Date(stored.issuedAt).getTime() < SETUP_TOKEN_VALID_MS;
}

/** Whether a setup address can still be used: the token fits and no operator exists yet (the page shows the form only then). Reads only. */
export async function setupTokenIsUsable(services: Pick<Services, "database" | "clock">, token: unknown): Promise<boolean> {
  return (await storedTokenMatching(services.database.db, token, services.clock.now())) && !(await anyOperatorExists(services));
}

/** Once an operator has been made another way (the `operator create` command), the setup address stops working. */
export async function discardOperatorSetupToken(services: Pick<Services, "database">): Promise<void> {
  await sql`delete from platform_secrets where name = ${NAME}`.execute(services.database.db);
}

/** Uses the token up: true if it was the setup token and is now gone, false (and nothing changed) otherwise. */
async function spendSetupToken(services: Pick<Services, "database" | "clock">, token: string): Promise<boolean> {
  return services.database.db.transaction().execute(async (trx) => {
    if (!(await storedTokenMatching(trx, token, services.clock.now(), { forUpdate: true }))) {
      return false;
    }
    await sql`delete from platform_secrets where name = ${NAME}`.execute(trx);
    return true;
  });
}

export type SetupResult = CreateOperatorResult | { ok: false; unusable: true };

/**
 * The setup address's form: the first operator's email address and password. A wrong, used or
 * stale token changes nothing; a form with mistakes leaves the token usable; otherwise the token
 * is used up and the operator made (two-factor is set up at their first sign-in).
 */
export async function completeOperatorSetup(services: Pick<Services, "database" | "clock">, token: unknown, body: { email?: unknown; password?: unknown }): Promise<SetupResult> {
  if (typeof token !== "string" || !(await setupTokenIsUsable(services, token))) {
    return { ok: false, unusable: true };
  }
  const form = readForm(operatorAccountSchema, body);
  if (!form.ok) {
    return { ok: false, errors: form.errors };
  }
  const passwordHash = await hashPassword(form.data.password);
  if (!(await spendSetupToken(services, token))) {
    return { ok: false, unusable: true };
  }
  const created = await insertOperator(services, form.data.email, passwordHash, { via: "setup", firstOnly: true });
  return created.ok ? created : { ok: false, unusable: true };
}
