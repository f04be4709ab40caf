import { sql } from "kysely";
import type { LicenceState } from "../platform/database/schema.ts";
import type { Services } from "../platform/services.ts";
import { asOperator } from "./operator-scope.ts";

/** One licence as the operator sees it: names of organisations and figures, never a person. */
export interface LicenceSummary {
  orgId: string;
  organisationName: string;
  organisationKind: "trust" | "school";
  state: LicenceState;
  termStartsOn: string;
  termEndsOn: string;
  dormantSince: Date | null;
  deletionDueAt: Date | null;
  endedAt: Date | null;
  endedReason: "dormant-12-months" | "deleted-on-request" | null;
  schools: number;
  /** Null once the licence has ended (its organisation is gone). */
  storageLimitBytes: number | null;
  storageUsedBytes: number;
  lastActivityAt: Date | null;
  ownershipRequestsWaiting: number;
}

interface OverviewRow extends Omit<LicenceSummary, "storageLimitBytes" | "storageUsedBytes"> {
  storageLimitBytes: string | number | null;
  storageUsedBytes: string | number | null;
}

/** Every licence there is, ended ones too, by organisation name (steward_licence_overview, migration 158). */
export async function licenceOverview(services: Pick<Services, "database">): Promise<LicenceSummary[]> {
  const { rows } = await asOperator(services.database.db, (trx) =>
    sql<OverviewRow>`select * from steward_licence_overview() order by lower(organisation_name), org_id`.execute(trx),
  );
  return rows.map((row) => ({
    ...row,
    storageLimitBytes: row.storageLimitBytes === null ? null : Number(row.storageLimitBytes),
    storageUsedBytes: Number(row.storageUsedBytes ?? 0),
    schools: Number(row.schools),
    ownershipRequestsWaiting: Number(row.ownershipRequestsWaiting),
  }));
}

export interface BackupRun {
  takenAt: Date;
  fileName: string;
  bytes: number;
  prunedAt: Date | null;
}

export interface PlatformHealth {
  databaseBytes: number;
  jobsWaiting: number;
  jobsFailed: number;
  emailWaiting: number;
  emailFailed: number;
  /** The newest backups first, at most BACKUPS_SHOWN of them. */
  backups: BackupRun[];
  backupsInAll: number;
}

export const BACKUPS_SHOWN = 100;

/** The platform's figures (steward_platform_health) and the backups Steward has taken. */
export async function platformHealth(services: Pick<Services, "database">): Promise<PlatformHealth> {
  return asOperator(services.database.db, async (trx) => {
    const { rows } = await sql<{ databaseBytes: string | number; jobsWaiting: number; jobsFailed: number; emailWaiting: number; emailFailed: number }>`
      select * from steward_platform_health()`.execute(trx);
    const figures = rows[0];
    const backups = await trx.selectFrom("backupRuns").select(["takenAt", "fileName", "bytes", "prunedAt"]).orderBy("takenAt", "desc").orderBy("id").limit(BACKUPS_SHOWN).execute();
    const counted = await trx.selectFrom("backupRuns").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    return {
      databaseBytes: Number(figures?.databaseBytes ?? 0),
      jobsWaiting: Number(figures?.jobsWaiting ?? 0),
      jobsFailed: Number(figures?.jobsFailed ?? 0),
      emailWaiting: Number(figures?.emailWaiting ?? 0),
      emailFailed: Number(figures?.emailFailed ?? 0),
      backups: backups.map((backup) => ({ ...backup, bytes: Number(backup.bytes) })),
      backupsInAll: Number(counted.n),
    };
  });
}
