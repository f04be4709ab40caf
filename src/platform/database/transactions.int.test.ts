import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../testing/test-database.ts";
import type { StewardDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { afterCommit, inScope } from "./tenant-scope.ts";

/*
 * On PostgreSQL a transaction's `begin` travels with the statement after it when that statement
 * has no parameters (database.ts). These are the transaction's promises that must still hold,
 * on one pooled connection so that anything left behind would show in the next transaction.
 */
describe("transactions, with begin sent together with the first statement", () => {
  let database: StewardDatabase;
  const probe = `transaction_probe_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    database = await openTestDatabase({ pool: { size: 1, waitMs: 5_000 } });
    await migrateToLatest(database.db); // the role a scope takes
    await sql.raw(`create table ${probe} (id int primary key)`).execute(database.db);
  });
  afterAll(() => database.close());

  const count = async () => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(probe)}`.execute(database.db)).rows[0]!.n);

  it("runs the first statement (without parameters) and the rest in one transaction", async () => {
    const times = await database.db.transaction().execute(async (trx) => {
      const first = (await sql.raw<{ t: string }>("select now()::text as t").execute(trx)).rows[0]!.t;
      await sql`select pg_sleep(${0.02})`.execute(trx);
      const last = (await sql<{ t: string }>`select now()::text as t where ${1} = 1`.execute(trx)).rows[0]!.t;
      return { first, last };
    });
    // now() is the transaction's start: the same in every statement of one transaction, and only then.
    expect(times.last).toBe(times.first);
  });

  it("undoes everything when the work fails, whether the first statement had parameters or not", async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql.raw(`insert into ${probe} values (1)`).execute(trx);
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(probe)} values (${2})`.execute(trx);
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    expect(await count()).toBe(0);
  });

  it("reports an error in the first statement, and leaves the connection ready for the next transaction", async () => {
    await expect(database.db.transaction().execute((trx) => sql.raw("select 1/0").execute(trx))).rejects.toThrow(/division by zero/);
    await database.db.transaction().execute((trx) => sql.raw(`insert into ${probe} values (3)`).execute(trx));
    expect(await count()).toBe(1);
  });

  it("lets nothing of a transaction run once its first statement failed, even if the work goes on", async () => {
    const before = await count();
    await expect(
      database.db.transaction().execute(async (trx) => {
        // A syntax error fails the whole query that carried begin, before any of it ran.
        await sql.raw("selec 1").execute(trx).catch(() => undefined);
        await sql`insert into ${sql.table(probe)} values (${10})`.execute(trx);
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(before);
  });

  it("lets a transaction end before any statement, committed or failed, and the next one still works", async () => {
    expect(await database.db.transaction().execute(async () => "nothing to do")).toBe("nothing to do");
    await expect(
      database.db.transaction().execute(async () => {
        throw new Error("gave up first");
      }),
    ).rejects.toThrow("gave up first");
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into ${sql.table(probe)} values (${4})`.execute(trx);
    });
    expect(await count()).toBe(2);
    // Nothing left open on the one connection: outside a transaction each statement is its own,
    // so now() (its transaction's start) moves on from one statement to the next.
    const before = (await sql.raw<{ t: string }>("select now()::text as t").execute(database.db)).rows[0]!.t;
    await sql`select pg_sleep(${0.02})`.execute(database.db);
    const after = (await sql.raw<{ t: string }>("select now()::text as t").execute(database.db)).rows[0]!.t;
    expect(after).not.toBe(before);
  });

  it("keeps a scope within its transaction: the next transaction on the same connection sees none of it", async () => {
    const organisationId = "0b4c1d9e-5f5a-4a57-9d1c-1c1e1a2b3c4d";
    const inside = await inScope(database.db, { organisationIds: [organisationId] }, async (trx) => (await sql<{ ids: string }>`select current_setting('steward.org_ids', true) as ids`.execute(trx)).rows[0]!.ids);
    expect(inside).toBe(`{${organisationId}}`);
    const after = (await sql<{ ids: string | null }>`select current_setting('steward.org_ids', true) as ids`.execute(database.db)).rows[0]!.ids;
    expect(after ?? "").toBe("");
  });

  it("runs what waits for the commit only after it, and never after a rollback", async () => {
    const seen: number[] = [];
    await inScope(database.db, {}, async (trx) => {
      afterCommit(trx, () => seen.push(1));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([1]);
    await expect(
      inScope(database.db, {}, async (trx) => {
        afterCommit(trx, () => seen.push(2));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(seen).toEqual([1]);
  });

  it("refuses a scope value that is not of its kind before anything reaches the database", async () => {
    await expect(inScope(database.db, { sessionTokenHash: "ab'; drop table users; --" }, async () => "ran")).rejects.toThrow("A scope setting is not hex");
    await expect(inScope(database.db, { signInIndexes: { username: "a'b", email: "" } }, async () => "ran")).rejects.toThrow("A scope setting is not base64url");
    await expect(inScope(database.db, { organisationIds: ["not-a-uuid"] }, async () => "ran")).rejects.toThrow("not a UUID");
  });
});
