import type { Kysely, Selectable } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { blindIndex, openFor, sealFor, type Keyring, type SealedPlace } from "../platform/encryption/keyring.ts";

/*
 * A person's name, email address and username are stored sealed under their organisation's data
 * key. Signing in and uniqueness need equality on username and email: those use blind indexes of
 * the lower-cased value (so "A.Head@School" and "a.head@school" are the same address).
 */
export interface PersonalFields {
  fullName: string;
  email: string;
  username: string;
}

export interface SealedPersonalFields extends PersonalFields {
  usernameIndex: string;
  emailIndex: string;
}

/** How a typed username or email is compared: trimmed and lower-cased. */
export function signInName(login: string): string {
  return login.trim().toLowerCase();
}

/** The blind index of a username or an email address, as stored and as looked up. */
export function signInIndex(keyring: Keyring, kind: "username" | "email", value: string): string {
  return blindIndex(keyring, kind, signInName(value));
}

/** The blind indexes a typed sign-in name would match, as a username and as an email address. */
export function signInIndexes(keyring: Keyring, login: string): { username: string; email: string } {
  return { username: signInIndex(keyring, "username", login), email: signInIndex(keyring, "email", login) };
}

/**
 * At most this many accounts are tried for one email address at sign-in (an address may have an
 * account in several organisations; the oldest are tried). Beyond it, sign in with the username.
 */
export const MAX_ACCOUNTS_PER_ADDRESS = 10;

/** What sign-in and password reset read of each account a sign-in name may mean (sealed fields as stored). */
const SIGN_IN_COLUMNS = ["orgId", "id", "email", "fullName", "passwordHash", "deactivatedAt", "failedSignIns", "lastFailedSignInAt", "lockedUntil", "totpConfirmedAt"] as const;
export type SignInCandidate = Pick<Selectable<Database["users"]>, (typeof SIGN_IN_COLUMNS)[number]>;

/**
 * The accounts a typed sign-in name may mean: the one whose username it is (usernames are unique
 * across Steward and cannot hold "@", so never clash with an address), or else every account with
 * that email address, oldest first. Runs in its own scope, which sees only those rows.
 */
export async function accountsSigningInAs(db: Kysely<Database>, keyring: Keyring, login: string): Promise<{ byUsername: boolean; accounts: SignInCandidate[] }> {
  const indexes = signInIndexes(keyring, login);
  return inScope(db, { signInIndexes: indexes }, async (trx) => {
    const byUsername = await trx.selectFrom("users").select(SIGN_IN_COLUMNS).where("usernameIndex", "=", indexes.username).execute();
    if (byUsername.length > 0) {
      return { byUsername: true, accounts: byUsername };
    }
    const byEmail = await trx
      .selectFrom("users")
      .select(SIGN_IN_COLUMNS)
      .where("emailIndex", "=", indexes.email)
      .orderBy("createdAt")
      .orderBy("id")
      .limit(MAX_ACCOUNTS_PER_ADDRESS)
      .execute();
    return { byUsername: false, accounts: byEmail };
  });
}

/** A user's sealed fields are bound to their row: one person's name does not open as another's. */
const userPlace = (organisationId: string, userId: string, column: keyof PersonalFields): SealedPlace => ({ organisationId, table: "users", column, rowId: userId });

export async function sealPersonalFields(trx: Tx, keyring: Keyring, organisationId: string, userId: string, person: PersonalFields): Promise<SealedPersonalFields> {
  const seal = (column: keyof PersonalFields) => sealFor(trx, keyring, userPlace(organisationId, userId, column), person[column]);
  return {
    fullName: await seal("fullName"),
    email: await seal("email"),
    username: await seal("username"),
    usernameIndex: signInIndex(keyring, "username", person.username),
    emailIndex: signInIndex(keyring, "email", person.email),
  };
}

/** Seals one of a user's personal fields, for a change to it alone. */
export function sealPersonalField(trx: Tx, keyring: Keyring, organisationId: string, userId: string, column: keyof PersonalFields, value: string): Promise<string> {
  return sealFor(trx, keyring, userPlace(organisationId, userId, column), value);
}

/** Opens whichever of a person's sealed fields a row carries. */
export async function openPersonalFields<Row extends Partial<PersonalFields>>(trx: Tx, keyring: Keyring, organisationId: string, userId: string, row: Row): Promise<Row> {
  const opened: Partial<PersonalFields> = {};
  for (const field of ["fullName", "email", "username"] as const) {
    const value = row[field];
    if (value !== undefined) {
      opened[field] = await openFor(trx, keyring, userPlace(organisationId, userId, field), value);
    }
  }
  return { ...row, ...opened };
}
