import { sql, type Kysely } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";
import type { Services } from "../platform/services.ts";
import { CaseFormError } from "./cases.ts";

/**
 * Room for attachments. Each licence (a trust with its schools, or a standalone school) has its
 * own limit, 200 MB when it registers (the column's default) until an operator raises it with
 * `npm run steward -- storage limit`; all licences together stay under STEWARD_STORAGE_LIMIT, so
 * no number of registrations can fill the disk.
 */
export interface StorageUse {
  licenceId: string;
  limitBytes: number;
  usedBytes: number;
  platformUsedBytes: number;
}

/** A size as the pages say it: "200 MB", "2 GB", "1.5 GB". */
export function sizeInWords(bytes: number): string {
  const gigabytes = bytes / 1024 ** 3;
  return gigabytes >= 1 ? `${Number(gigabytes.toFixed(1))} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

async function storageUseOf(trx: Tx, organisationId: string): Promise<StorageUse> {
  const { rows } = await sql<{ licenceId: string; licenceLimit: string; licenceUsed: string; platformUsed: string }>`
    select * from steward_storage_use(${organisationId})`.execute(trx);
  const row = rows[0];
  if (!row) {
    throw new Error("No storage figures for an organisation outside the transaction's scope");
  }
  return { licenceId: row.licenceId, limitBytes: Number(row.licenceLimit), usedBytes: Number(row.licenceUsed), platformUsedBytes: Number(row.platformUsed) };
}

/** Refuses, as an error on the file field, a file its licence or Steward as a whole has no room for. */
export async function ensureRoomFor(trx: Tx, services: Pick<Services, "config" | "logger">, organisationId: string, bytes: number): Promise<void> {
  const { licenceId } = await storageUseOf(trx, organisationId);
  // Uploads to one licence take turns, so two at once cannot both fit into its last space.
  await sql`select pg_advisory_xact_lock(hashtextextended(${`steward storage ${licenceId}`}, 0))`.execute(trx);
  const use = await storageUseOf(trx, organisationId);
  const ceiling = services.config.storageLimitBytes;
  if (use.platformUsedBytes + bytes > ceiling) {
    services.logger.warn({ platformUsedBytes: use.platformUsedBytes, limitBytes: ceiling }, "an upload was refused: attachments have reached STEWARD_STORAGE_LIMIT");
    throw new CaseFormError({ file: "Steward has no room for more files at the moment. Try again later, or contact Steward’s support" });
  }
  if (use.usedBytes + bytes > use.limitBytes) {
    throw new CaseFormError({
      file: `Your organisation has used its ${sizeInWords(use.limitBytes)} of space for files. Remove files that are no longer needed, or ask Steward’s support to raise the limit`,
    });
  }
}

export class StorageLimitError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An operator's command: sets the storage limit of the licence an organisation belongs to, found
 * by id or by its exact name. Runs as the schema owner (no tenant scope), as operator commands do.
 */
export async function setStorageLimit(
  db: Kysely<Database>,
  organisation: string,
  limitBytes: number,
): Promise<{ licenceId: string; name: string; limitBytes: number; usedBytes: number }> {
  const matches = await db
    .selectFrom("organisations")
    .select(["id", "parentId", "name"])
    .where((eb) => (UUID.test(organisation) ? eb("id", "=", organisation) : eb(eb.fn("lower", ["name"]), "=", organisation.toLowerCase())))
    .execute();
  if (matches.length === 0) {
    throw new StorageLimitError(`No organisation has the id or name "${organisation}"`);
  }
  if (matches.length > 1) {
    throw new StorageLimitError(`${matches.length} organisations are called "${organisation}"; give one of their ids: ${matches.map((match) => match.id).join(", ")}`);
  }
  const licenceId = matches[0]!.parentId ?? matches[0]!.id;
  const licence = await db
    .updateTable("organisations")
    .set({ storageLimitBytes: limitBytes })
    .where("id", "=", licenceId)
    .returning(["name"])
    .executeTakeFirstOrThrow();
  const used = await db
    .selectFrom("caseAttachments")
    .innerJoin("organisations", "organisations.id", "caseAttachments.orgId")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("caseAttachments.sizeBytes"), eb.lit(0)).as("total"))
    .where((eb) => eb.or([eb("organisations.id", "=", licenceId), eb("organisations.parentId", "=", licenceId)]))
    .where("caseAttachments.removedAt", "is", null)
    .executeTakeFirstOrThrow();
  return { licenceId, name: licence.name, limitBytes, usedBytes: Number(used.total) };
}
