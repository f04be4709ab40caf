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
export async function inScope<T>(db: Kysely<Database>, scope: Scope, work: (trx: Tx) => Promise<T>): Promise<T> {
  let committed: (() => void)[] = [];
  const result = await db.transaction().execute(async (trx) => {
    await setScope(trx, scope, { asApplication: true });
    const done = await work(trx);
    committed = afterCommitOf.get(trx) ?? [];
    return done;
  });
  for (const then of committed) then();
  return result;
}

const afterCommitOf = new WeakMap<Tx, (() => void)[]>();

/**
 * Runs `then` once the transaction (one inScope opened, as every application transaction is) has
 * committed, never if it rolls back: for what must follow the change other requests can see, such
 * as letting go of figures worked out from before it.
 */
export function afterCommit(trx: Tx, then: () => void): void {
  const waiting = afterCommitOf.get(trx) ?? [];
  waiting.push(then);
  afterCommitOf.set(trx, waiting);
}

/** Narrows or moves the scope inside a transaction, e.g. once a session has named its organisation. */
export async function changeScope(trx: Tx, scope: Scope): Promise<void> {
  await setScope(trx, scope, { asApplication: false });
}

/** What each setting may hold: ids are UUIDs, token hashes hex, blind indexes base64url. */
const SETTING_VALUE = { uuids: /^(\{\}|\{[0-9a-f-]{36}(,[0-9a-f-]{36})*\})$/i, hex: /^[0-9a-f]*$/i, base64url: /^[A-Za-z0-9_-]*$/ };

/** A setting's value as an SQL literal, after checking it is of its kind (so it cannot hold a quote). */
function settingLiteral(value: string, kind: keyof typeof SETTING_VALUE): string {
  if (!SETTING_VALUE[kind].test(value)) {
    throw new Error(`A scope setting is not ${kind}`);
  }
  return `'${value}'`;
}

/**
 * Sets the scope (and, at a transaction's start, the role row-level security binds) in one
 * statement. Its values are written into the statement, each checked against its kind first,
 * rather than sent as parameters: a statement without parameters travels with the transaction's
 * `begin` as one round trip on PostgreSQL (database.ts).
 */
async function setScope(trx: Tx, scope: Scope, { asApplication }: { asApplication: boolean }): Promise<void> {
  const ids = scope.organisationIds ?? [];
  if (!ids.every((id) => UUID.test(id))) {
    throw new Error("An organisation id in a scope is not a UUID");
  }
  // Each setting stands alone (none reads another), so one statement can make them all.
  const settings = [
    ...(asApplication ? ["set_config('role', 'steward_app', true)"] : []),
    `set_config('steward.org_ids', ${settingLiteral(`{${ids.join(",")}}`, "uuids")}, true)`,
    `set_config('steward.session_token_hash', ${settingLiteral(scope.sessionTokenHash ?? "", "hex")}, true)`,
    `set_config('steward.link_token_hash', ${settingLiteral(scope.linkTokenHash ?? "", "hex")}, true)`,
    `set_config('steward.login_username_index', ${settingLiteral(scope.signInIndexes?.username ?? "", "base64url")}, true)`,
    `set_config('steward.login_email_index', ${settingLiteral(scope.signInIndexes?.email ?? "", "base64url")}, true)`,
  ];
  await sql.raw(`select ${settings.join(", ")}`).execute(trx);
}
