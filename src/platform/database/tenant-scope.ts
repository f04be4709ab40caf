import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

export type Tx = Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a transaction may see. Row-level security reads these settings; anything not named here
 * is invisible, and with nothing named at all every tenant table looks empty.
 */
export interface Scope {
  /** The organisations whose rows may be read and written. */
  organisationIds?: readonly string[];
  /** Lets a session be found by the hash of the token in its cookie, before its owner is known. */
  sessionTokenHash?: string;
  /** Lets a one-time password link be found by the hash of its token. */
  linkTokenHash?: string;
  /** Lets a user be found by the blind index of the username or email they sign in with. */
  signInIndexes?: { username: string; email: string };
}

/**
 * Runs `work` in one transaction as the role steward_app, which row-level security binds, within
 * `scope`. This is the only way application code reaches tenant data: the handle it gets is
 * bound to the transaction and the scope, and the scope ends with the transaction
 * (set_config(..., true) is transaction-local, so a pooled connection carries nothing over).
 */
export function inScope<T>(db: Kysely<Database>, scope: Scope, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await setScope(trx, scope, { asApplication: true });
    return work(trx);
  });
}

/** Narrows or moves the scope inside a transaction, e.g. once a session has named its organisation. */
export async function changeScope(trx: Tx, scope: Scope): Promise<void> {
  await setScope(trx, scope, { asApplication: false });
}

/** Sets the scope (and, at a transaction's start, the role row-level security binds) in one statement. */
async function setScope(trx: Tx, scope: Scope, { asApplication }: { asApplication: boolean }): Promise<void> {
  const ids = scope.organisationIds ?? [];
  if (!ids.every((id) => UUID.test(id))) {
    throw new Error("An organisation id in a scope is not a UUID");
  }
  const organisationIds = `{${ids.join(",")}}`;
  // Each setting stands alone (none reads another), so one statement can make them all.
  await sql`select
      ${asApplication ? sql`set_config('role', 'steward_app', true),` : sql``}
      set_config('steward.org_ids', ${organisationIds}, true),
      set_config('steward.session_token_hash', ${scope.sessionTokenHash ?? ""}, true),
      set_config('steward.link_token_hash', ${scope.linkTokenHash ?? ""}, true),
      set_config('steward.login_username_index', ${scope.signInIndexes?.username ?? ""}, true),
      set_config('steward.login_email_index', ${scope.signInIndexes?.email ?? ""}, true)`.execute(trx);
}
