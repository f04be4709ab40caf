import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence } from "../../testing/factories.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { testEngine } from "../../testing/test-database.ts";
import { inScope } from "../database/tenant-scope.ts";
import { UnreadableError } from "./envelope.ts";
import { createKeyring, destroyDataKey, openFor, sealFor, useKeysReadEarlier, type SealedPlace } from "./keyring.ts";

describe(`organisation data keys (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  const db = () => steward.services.database.db;
  const within = <T>(organisationId: string, work: Parameters<typeof inScope<T>>[2]) => inScope(db(), { organisationIds: [organisationId] }, work);
  /** A user's full name, as a place to seal a test value. */
  const place = (organisationId: string, rowId = "00000000-0000-4000-8000-000000000001", column = "fullName"): SealedPlace => ({ organisationId, table: "users", column, rowId });

  it("keeps each organisation's key in the database only wrapped by the master key", async () => {
    const licence = await buildLicence(steward.services);
    const sealed = await within(licence.organisationId, (trx) => sealFor(trx, steward.services.keyring, place(licence.organisationId), "Jo Bloggs"));
    const { rows } = await sql<{ wrappedKey: string }>`select wrapped_key from organisation_keys where org_id = ${licence.organisationId}`.execute(db());
    expect(rows[0]!.wrappedKey).toMatch(/^v1\./);
    expect(await within(licence.organisationId, (trx) => openFor(trx, steward.services.keyring, place(licence.organisationId), sealed))).toBe("Jo Bloggs");
    // With another master key (a stolen database without the key file), nothing opens.
    const thief = createKeyring(randomBytes(32));
    await expect(within(licence.organisationId, (trx) => openFor(trx, thief, place(licence.organisationId), sealed))).rejects.toThrow(UnreadableError);
  });

  it("gives every organisation its own key: one's sealed value does not open as another's", async () => {
    const a = await buildLicence(steward.services);
    const b = await buildLicence(steward.services);
    const sealed = await within(a.organisationId, (trx) => sealFor(trx, steward.services.keyring, place(a.organisationId), "Jo Bloggs"));
    await expect(within(b.organisationId, (trx) => openFor(trx, steward.services.keyring, place(b.organisationId), sealed))).rejects.toThrow(UnreadableError);
  });

  it("binds a value to its row and column: moved to another person's row, or another column, it does not open", async () => {
    const licence = await buildLicence(steward.services);
    const { keyring } = steward.services;
    const sealed = await within(licence.organisationId, (trx) => sealFor(trx, keyring, place(licence.organisationId), "Jo Bloggs"));
    const otherRow = place(licence.organisationId, "00000000-0000-4000-8000-000000000002");
    const otherColumn = place(licence.organisationId, undefined, "email");
    await expect(within(licence.organisationId, (trx) => openFor(trx, keyring, otherRow, sealed))).rejects.toThrow(UnreadableError);
    await expect(within(licence.organisationId, (trx) => openFor(trx, keyring, otherColumn, sealed))).rejects.toThrow(UnreadableError);
  });

  it("shreds: once the key is destroyed nothing sealed under it opens, and no new key is made", async () => {
    const licence = await buildLicence(steward.services);
    const { keyring } = steward.services;
    const sealed = await within(licence.organisationId, (trx) => sealFor(trx, keyring, place(licence.organisationId), "Jo Bloggs"));
    await within(licence.organisationId, (trx) => destroyDataKey(trx, licence.organisationId, steward.clock.now()));
    await expect(within(licence.organisationId, (trx) => openFor(trx, keyring, place(licence.organisationId), sealed))).rejects.toThrow(/destroyed/);
    await expect(within(licence.organisationId, (trx) => sealFor(trx, keyring, place(licence.organisationId), "new"))).rejects.toThrow(/destroyed/);
  });

  it("seals nothing new under a key destroyed after the request's session read it", async () => {
    const licence = await buildLicence(steward.services);
    const { keyring } = steward.services;
    const sealed = await within(licence.organisationId, (trx) => sealFor(trx, keyring, place(licence.organisationId), "Jo Bloggs"));
    const { rows } = await sql<{ wrappedKey: string }>`select wrapped_key from organisation_keys where org_id = ${licence.organisationId}`.execute(db());
    const readEarlier = new Map([[licence.organisationId, rows[0]!.wrappedKey]]);
    await within(licence.organisationId, (trx) => destroyDataKey(trx, licence.organisationId, steward.clock.now()));
    // The same request's later transaction: what it had read still opens, but sealing reads the key afresh.
    const later = <T>(work: Parameters<typeof inScope<T>>[2]) =>
      within(licence.organisationId, (trx) => {
        useKeysReadEarlier(trx, readEarlier);
        return work(trx);
      });
    expect(await later((trx) => openFor(trx, keyring, place(licence.organisationId), sealed))).toBe("Jo Bloggs");
    await expect(later((trx) => sealFor(trx, keyring, place(licence.organisationId), "new"))).rejects.toThrow(/destroyed/);
  });

  it("does not let the application role delete a key (only destroy it in place)", async () => {
    const licence = await buildLicence(steward.services);
    await within(licence.organisationId, (trx) => sealFor(trx, steward.services.keyring, place(licence.organisationId), "x"));
    await expect(within(licence.organisationId, (trx) => trx.deleteFrom("organisationKeys").where("orgId", "=", licence.organisationId).execute())).rejects.toThrow(
      /permission denied/,
    );
  });
});
