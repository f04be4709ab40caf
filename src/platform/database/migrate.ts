import { Migrator, sql, type Kysely, type Migration } from "kysely";
import * as foundation from "./migrations/2026-11-24-001-foundation.ts";
import * as auditTrail from "./migrations/2026-11-24-002-audit-trail.ts";
import * as signInLockout from "./migrations/2026-11-24-003-sign-in-lockout.ts";
import * as roles from "./migrations/2026-11-24-004-roles.ts";
import * as twoFactorAndDataKeys from "./migrations/2026-11-24-005-two-factor-and-data-keys.ts";
import * as sealedPersonalData from "./migrations/2026-11-24-006-sealed-personal-data.ts";
import * as selfService from "./migrations/2026-11-24-007-self-service.ts";
import * as sessionConfirmation from "./migrations/2026-11-24-008-session-confirmation.ts";
import * as caseWork from "./migrations/2026-11-24-009-case-work.ts";
import * as eirScotland from "./migrations/2026-12-01-110-eir-scotland.ts";
import * as attachmentStorage from "./migrations/2026-12-01-070-attachment-storage.ts";
import * as breachReportDates from "./migrations/2026-12-01-061-breach-report-dates.ts";
import * as caseSubmissionKeys from "./migrations/2026-12-01-062-case-submission-keys.ts";
import * as outboxAuthentication from "./migrations/2026-12-01-101-outbox-authentication.ts";
import * as oneOpenErasure from "./migrations/2026-12-01-102-one-open-erasure.ts";
import * as emailUniqueInOrganisation from "./migrations/2026-12-01-103-email-unique-in-organisation.ts";
import * as keptForms from "./migrations/2026-12-01-104-kept-forms.ts";
import * as caseReferenceCodes from "./migrations/2026-12-01-010-case-reference-codes.ts";
import * as informationRequestsWithoutSubject from "./migrations/2026-12-01-011-information-requests-without-subject.ts";
import * as responseSent from "./migrations/2026-12-01-120-response-sent.ts";
import * as auditSealedAfterCommit from "./migrations/2026-12-02-150-audit-sealed-after-commit.ts";
import * as caseListOrder from "./migrations/2026-12-02-151-case-list-order.ts";
import * as sessionInOneRead from "./migrations/2026-12-02-152-session-in-one-read.ts";
import * as sessionReadsSchoolKeys from "./migrations/2026-12-02-153-session-reads-school-keys.ts";
import * as jobs from "./migrations/2026-12-02-154-jobs.ts";
import * as disclosure from "./migrations/2026-12-03-155-disclosure.ts";
import * as requesterSide from "./migrations/2026-12-03-156-requester-side.ts";
import * as registers from "./migrations/2026-12-03-157-registers.ts";
import * as licenceLife from "./migrations/2026-12-04-158-licence-life.ts";

/** Every migration, in order. Listed by hand so what runs is visible in one place. */
export const migrations: Record<string, Migration> = {
  "2026-11-24-001-foundation": foundation,
  "2026-11-24-002-audit-trail": auditTrail,
  "2026-11-24-003-sign-in-lockout": signInLockout,
  "2026-11-24-004-roles": roles,
  "2026-11-24-005-two-factor-and-data-keys": twoFactorAndDataKeys,
  "2026-11-24-006-sealed-personal-data": sealedPersonalData,
  "2026-11-24-007-self-service": selfService,
  "2026-11-24-008-session-confirmation": sessionConfirmation,
  "2026-11-24-009-case-work": caseWork,
  "2026-12-01-110-eir-scotland": eirScotland,
  "2026-12-01-070-attachment-storage": attachmentStorage,
  "2026-12-01-061-breach-report-dates": breachReportDates,
  "2026-12-01-062-case-submission-keys": caseSubmissionKeys,
  "2026-12-01-101-outbox-authentication": outboxAuthentication,
  "2026-12-01-102-one-open-erasure": oneOpenErasure,
  "2026-12-01-103-email-unique-in-organisation": emailUniqueInOrganisation,
  "2026-12-01-104-kept-forms": keptForms,
  "2026-12-01-010-case-reference-codes": caseReferenceCodes,
  "2026-12-01-011-information-requests-without-subject": informationRequestsWithoutSubject,
  "2026-12-01-120-response-sent": responseSent,
  "2026-12-02-150-audit-sealed-after-commit": auditSealedAfterCommit,
  "2026-12-02-151-case-list-order": caseListOrder,
  "2026-12-02-152-session-in-one-read": sessionInOneRead,
  "2026-12-02-153-session-reads-school-keys": sessionReadsSchoolKeys,
  "2026-12-02-154-jobs": jobs,
  "2026-12-03-155-disclosure": disclosure,
  "2026-12-03-156-requester-side": requesterSide,
  "2026-12-03-157-registers": registers,
  "2026-12-04-158-licence-life": licenceLife,
};

/** Brings the schema up to date; throws (so start-up fails loudly) if any migration fails. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, not typed against today's schema
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : "";
    throw new Error(`Database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** True when every known migration has run: one query, cheap enough for every health check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function isFullyMigrated(db: Kysely<any>): Promise<boolean> {
  const names = Object.keys(migrations);
  const { rows } = await sql<{ done: number }>`
    select count(*)::int as done from kysely_migration where name in (${sql.join(names)})`.execute(db);
  return rows[0]?.done === names.length;
}
