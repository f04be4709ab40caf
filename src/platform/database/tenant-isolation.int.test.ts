import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../audit/audit.ts";
import { startSession } from "../../auth/sessions.ts";
import { TestClock } from "../clock.ts";
import { createKeyring, dataKeyOf } from "../encryption/keyring.ts";
import { openTestDatabase, testEngine } from "../../testing/test-database.ts";
import type { StewardDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { inScope } from "./tenant-scope.ts";

/**
 * The database's own guarantee that one organisation cannot reach another's rows, whatever the
 * application code asks for: checked through the app's data layer (inScope), as the app role.
 */
describe(`tenant isolation in the database (${testEngine})`, () => {
  let database: StewardDatabase;
  const now = new TestClock().now();
  const keyring = createKeyring(randomBytes(32));
  const a = { org: randomUUID(), user: randomUUID() };
  const b = { org: randomUUID(), user: randomUUID() };
  const tenantTables = [
    "users", "sessions", "password_links", "outbox", "audit_events", "organisation_keys", "recovery_codes", "email_changes", "erasure_requests",
    "school_terms", "case_counters", "cases", "case_stops", "case_events", "case_attachments", "case_reminders", "kept_forms", "jobs",
    "disclosure_tasks", "disclosure_documents", "disclosure_people", "disclosure_redactions", "disclosure_approvals", "redaction_settings",
    "request_confirmations", "case_requesters", "requester_links", "requester_sessions", "case_messages", "letter_templates", "case_releases", "case_letters",
    "register_entries", "register_reminders", "supplier_notice_readings", "dpia_versions", "disposal_records", "case_destruction_approvals",
    "licences", "ownership_requests", "contact_consents",
  ] as const;
  /**
   * Tables the application may delete from. The audit trail only grows (checked in its own tests);
   * data keys are destroyed in place; erasure requests are closed, never deleted.
   */
  const changeableTables = tenantTables.filter(
    (table) => !["audit_events", "organisation_keys", "erasure_requests", "case_counters", "cases", "case_stops", "case_events", "case_attachments", "case_reminders", "jobs", "disclosure_tasks", "disclosure_documents", "disclosure_approvals", "redaction_settings", "case_requesters", "requester_links", "case_messages", "case_releases", "case_letters", "register_entries", "register_reminders", "supplier_notice_readings", "dpia_versions", "disposal_records", "case_destruction_approvals", "licences", "ownership_requests", "contact_consents"].includes(table),
  );

  async function seed(tenant: { org: string; user: string }, label: string) {
    await inScope(database.db, { organisationIds: [tenant.org] }, async (trx) => {
      await trx
        .insertInto("organisations")
        .values({ id: tenant.org, parentId: null, kind: "school", name: `School ${label}`, postalAddress: "x", telephone: "01632960001" })
        .execute();
      await trx
        .insertInto("users")
        .values({ orgId: tenant.org, id: tenant.user, fullName: `Person ${label}`, email: `${label}-${tenant.org}@example.com`, username: `user-${tenant.org.slice(0, 8)}`, role: "owner", passwordHash: null, deactivatedAt: null, updatedAt: now })
        .execute();
      await startSession(trx, now, tenant.org, tenant.user);
      await trx
        .insertInto("passwordLinks")
        .values({ orgId: tenant.org, id: randomUUID(), tokenHash: randomUUID(), userId: tenant.user, purpose: "invitation", createdAt: now, expiresAt: now, usedAt: null })
        .execute();
      await trx
        .insertInto("outbox")
        .values({ orgId: tenant.org, id: randomUUID(), recipient: "x@example.com", subject: `For ${label}`, body: "b", status: "held", nextAttemptAt: null, lastError: null, createdAt: now, sentAt: null })
        .execute();
      await recordAudit(trx, { organisationId: tenant.org, actorUserId: tenant.user, action: "user.create", recordType: "user", recordId: tenant.user, at: now });
      await dataKeyOf(trx, keyring, tenant.org);
      await trx
        .insertInto("recoveryCodes")
        .values({ orgId: tenant.org, id: randomUUID(), userId: tenant.user, codeHash: randomUUID(), createdAt: now, usedAt: null })
        .execute();
      await trx
        .insertInto("emailChanges")
        .values({ orgId: tenant.org, id: randomUUID(), tokenHash: randomUUID(), userId: tenant.user, newEmail: "sealed", createdAt: now, expiresAt: now, usedAt: null })
        .execute();
      await trx.insertInto("erasureRequests").values({ orgId: tenant.org, id: randomUUID(), userId: tenant.user, reason: null, createdAt: now, closedAt: null }).execute();
      await trx.insertInto("schoolTerms").values({ orgId: tenant.org, id: randomUUID(), kind: "term", firstDay: "2026-09-01", lastDay: "2026-12-18" }).execute();
      await trx.insertInto("caseCounters").values({ orgId: tenant.org, prefix: "SAR", year: 2026, lastNumber: 1 }).execute();
      const caseId = randomUUID();
      await trx
        .insertInto("cases")
        .values({
          orgId: tenant.org, id: caseId, reference: "SAR-2026-0001", type: "sar", rightAsked: null, status: "received", receivedAt: now, receivedOn: "2026-11-24", channel: "email",
          requesterName: "sealed", requesterContact: null, subjectKind: "requester", subjectName: null, summary: "sealed", breachReport: null,
          createdBy: tenant.user, assigneeId: null, extensionReason: null, requesterToldOn: null, extendedTo: null, dueOn: "2026-12-24", dueAt: null,
          riskLikelihood: null, riskSeverity: null, icoReportedOn: null, peopleToldOn: null, outcome: null, outcomeDetail: null, closedAt: null, createdAt: now, updatedAt: now,
        })
        .execute();
      await trx.insertInto("caseStops").values({ orgId: tenant.org, id: randomUUID(), caseId, reason: "identity", fromOn: "2026-11-24", toOn: "2026-11-25" }).execute();
      await trx.insertInto("caseEvents").values({ orgId: tenant.org, id: randomUUID(), caseId, at: now, actorUserId: tenant.user, kind: "logged", detail: null }).execute();
      await trx
        .insertInto("caseAttachments")
        .values({ orgId: tenant.org, id: randomUUID(), caseId, filename: "sealed", fileType: "pdf", sizeBytes: 1, content: "sealed", uploadedBy: tenant.user, uploadedAt: now })
        .execute();
      await trx.insertInto("caseReminders").values({ orgId: tenant.org, caseId, kind: "due", dueKey: "2026-12-24/due", sentAt: now }).execute();
      await trx.insertInto("keptForms").values({ orgId: tenant.org, id: randomUUID(), userId: tenant.user, path: "/account/name", fields: "sealed", createdAt: now, expiresAt: now }).execute();
      await trx.insertInto("jobs").values({ orgId: tenant.org, id: randomUUID(), kind: "read-document", payload: "{}", runAfter: now, createdAt: now }).execute();
      await trx
        .insertInto("disclosureTasks")
        .values({ orgId: tenant.org, id: randomUUID(), caseId, title: "sealed", assigneeId: tenant.user, dueOn: "2026-12-01", createdBy: tenant.user, createdAt: now, finishedBy: null, finishedAt: null })
        .execute();
      const documentId = randomUUID();
      await trx
        .insertInto("disclosureDocuments")
        .values({
          orgId: tenant.org, id: documentId, caseId, filename: "sealed", fileType: "pdf", sizeBytes: 1, originalSha256: "0".repeat(64), purpose: "disclosure", fromDocumentId: null, fromAttachmentId: null,
          taskId: null, state: "review", failure: null, pageCount: 1, pdfFileId: null, pdfSha256: null, textFileId: null, textSha256: null, redactedFileId: null, redactedSha256: null, redactionProblems: null,
          addedBy: tenant.user, addedAt: now, changedAt: now, removedAt: null, removedBy: null,
        })
        .execute();
      await trx.insertInto("disclosureApprovals").values({ orgId: tenant.org, id: randomUUID(), caseId, approvedBy: tenant.user, approvedAt: now, fingerprint: "0".repeat(64) }).execute();
      await trx.insertInto("redactionSettings").values({ orgId: tenant.org, switchedOff: ["phone"], alwaysRemove: null, people: null, peopleImportedAt: null, changedBy: tenant.user, changedAt: now }).execute();
      await trx.insertInto("disclosurePeople").values({ orgId: tenant.org, id: randomUUID(), caseId, name: "sealed", part: "sibling", addedBy: tenant.user, addedAt: now }).execute();
      await trx
        .insertInto("disclosureRedactions")
        .values({
          orgId: tenant.org, id: randomUUID(), documentId, origin: "page", page: 0, startOffset: null, endOffset: null, rect: null, kind: "page", recognizer: null, score: null,
          words: null, why: null, person: null, decision: "remove", reasonCode: "3P", decidedBy: tenant.user, decidedAt: now, createdAt: now,
        })
        .execute();
      await trx.insertInto("requestConfirmations").values({ orgId: tenant.org, id: randomUUID(), emailIndex: "x", formKind: "access", form: "sealed", codeHash: "0".repeat(64), createdAt: now, expiresAt: now, caseId: null }).execute();
      await trx.insertInto("caseRequesters").values({ orgId: tenant.org, caseId, email: "sealed", emailIndex: "x", confirmedAt: now, createdAt: now }).execute();
      await trx.insertInto("requesterLinks").values({ orgId: tenant.org, id: randomUUID(), caseId, tokenHash: randomUUID().replace(/-/g, "").padEnd(64, "0"), createdAt: now, expiresAt: now, codeHash: null, codeSentAt: null }).execute();
      await trx.insertInto("requesterSessions").values({ orgId: tenant.org, id: randomUUID(), caseId, tokenHash: randomUUID().replace(/-/g, "").padEnd(64, "1"), createdAt: now, lastSeenAt: now }).execute();
      await trx.insertInto("caseMessages").values({ orgId: tenant.org, id: randomUUID(), caseId, fromRequester: true, authorUserId: null, body: "sealed", sentAt: now, answeredAt: null }).execute();
      await trx.insertInto("letterTemplates").values({ orgId: tenant.org, kind: "acknowledgement", subject: "s", body: "b", changedBy: tenant.user, changedAt: now }).execute();
      const releaseId = randomUUID();
      await trx.insertInto("caseReleases").values({ orgId: tenant.org, id: releaseId, caseId, contentSha256: "0".repeat(64), sizeBytes: 1, releasedBy: tenant.user, releasedAt: now, expiresAt: now }).execute();
      await trx.insertInto("caseLetters").values({ orgId: tenant.org, id: randomUUID(), caseId, kind: "sar-response", subject: "sealed", body: "sealed", method: "post", sentOn: "2026-11-24", sentBy: tenant.user, sentAt: now, releaseId }).execute();
      const entryId = randomUUID();
      await trx.insertInto("registerEntries").values({ orgId: tenant.org, id: entryId, kind: "retention", title: `Rule ${label}`, status: "active", ownerUserId: null, reviewOn: "2027-01-01", details: "{}", personal: null, templateId: null, templateVersion: null, starterKey: null, createdAt: now, createdBy: tenant.user, changedAt: now, changedBy: tenant.user, lastReviewedOn: null }).execute();
      await trx.insertInto("registerReminders").values({ orgId: tenant.org, entryId, reviewOn: "2027-01-01", bucket: "due", sentAt: now }).execute();
      await trx.insertInto("supplierNoticeReadings").values({ orgId: tenant.org, id: randomUUID(), source: "pasted text", noticeText: "t", reading: "{}", createdAt: now, createdBy: tenant.user }).execute();
      await trx.insertInto("dpiaVersions").values({ orgId: tenant.org, entryId, version: 1, title: "t", content: "{}", signedBy: tenant.user, signedAt: now }).execute();
      await trx.insertInto("disposalRecords").values({ orgId: tenant.org, id: randomUUID(), what: "w", disposedOn: "2026-11-24", method: "shredded", disposedBy: "x", authority: "y", retentionEntryId: entryId, evidence: null, recordedBy: tenant.user, recordedAt: now }).execute();
      await trx.insertInto("caseDestructionApprovals").values({ orgId: tenant.org, caseId, retentionEntryId: entryId, approvedBy: tenant.user, approvedAt: now }).execute();
      await trx.insertInto("licences").values({ orgId: tenant.org, organisationName: `School ${label}`, organisationKind: "school", termStartsOn: "2026-09-01", termEndsOn: "2027-08-31", dormantSince: null, stateBeforeDeletion: null, deletionAskedAt: null, deletionAskedBy: null, deletionApprovedAt: null, deletionApprovedBy: null, deletionDueAt: null, reinstatedAt: null, endedAt: null, endedReason: null, createdAt: now, changedAt: now }).execute();
      await trx.insertInto("ownershipRequests").values({ orgId: tenant.org, id: randomUUID(), askedBy: tenant.user, askedAt: now, reason: "sealed", decidedAt: null }).execute();
      await trx.insertInto("contactConsents").values({ orgId: tenant.org, id: randomUUID(), userId: tenant.user, kind: "surveys", given: true, wording: "w", recordedAt: now, how: "account-page" }).execute();
    });
  }

  beforeAll(async () => {
    database = await openTestDatabase();
    await migrateToLatest(database.db);
    await seed(a, "a");
    await seed(b, "b");
  });
  afterAll(() => database.close());

  it("shows organisation A's context only A's rows, in every tenant table", async () => {
    await inScope(database.db, { organisationIds: [a.org] }, async (trx) => {
      const organisations = await trx.selectFrom("organisations").select("id").execute();
      expect(organisations.map((row) => row.id)).toEqual([a.org]);
      for (const table of tenantTables) {
        const { rows } = await sql<{ orgId: string }>`select org_id from ${sql.table(table)}`.execute(trx);
        expect(rows.length, table).toBeGreaterThan(0);
        expect(new Set(rows.map((row) => row.orgId)), table).toEqual(new Set([a.org]));
      }
    });
  });

  it("even when the query asks for B's rows by id", async () => {
    const found = await inScope(database.db, { organisationIds: [a.org] }, (trx) =>
      trx.selectFrom("users").selectAll().where("orgId", "=", b.org).where("id", "=", b.user).execute(),
    );
    expect(found).toEqual([]);
  });

  it("cannot change or delete B's rows from A's context", async () => {
    await inScope(database.db, { organisationIds: [a.org] }, async (trx) => {
      const renamed = await trx.updateTable("organisations").set({ name: "taken over" }).where("id", "=", b.org).executeTakeFirst();
      expect(renamed.numUpdatedRows).toBe(0n);
      for (const table of changeableTables) {
        const { numAffectedRows } = await sql`delete from ${sql.table(table)} where org_id = ${b.org}`.execute(trx);
        expect(numAffectedRows, table).toBe(0n);
      }
      // Data keys are never deleted, only destroyed in place (crypto-shredding): not B's, from here.
      const shredded = await trx.updateTable("organisationKeys").set({ wrappedKey: null, destroyedAt: now }).where("orgId", "=", b.org).executeTakeFirst();
      expect(shredded.numUpdatedRows).toBe(0n);
    });
    const bStill = await inScope(database.db, { organisationIds: [b.org] }, (trx) =>
      trx.selectFrom("organisations").select("name").where("id", "=", b.org).executeTakeFirstOrThrow(),
    );
    expect(bStill.name).toBe("School b");
  });

  it("cannot write a row into B from A's context", async () => {
    await expect(
      inScope(database.db, { organisationIds: [a.org] }, (trx) =>
        trx
          .insertInto("outbox")
          .values({ orgId: b.org, id: randomUUID(), recipient: "x@example.com", subject: "s", body: "b", status: "held", nextAttemptAt: null, lastError: null, createdAt: now, sentAt: null })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      inScope(database.db, { organisationIds: [a.org] }, (trx) =>
        trx.updateTable("users").set({ orgId: b.org }).where("id", "=", a.user).execute(),
      ),
    ).rejects.toThrow(/row-level security|violates foreign key/);
  });

  it("sees nothing at all when no organisation is in scope", async () => {
    await inScope(database.db, {}, async (trx) => {
      for (const table of ["organisations", ...tenantTables]) {
        const { rows } = await sql`select 1 from ${sql.table(table)}`.execute(trx);
        expect(rows, table).toEqual([]);
      }
    });
  });

  it("finds a session by its token hash alone, and nothing else of that organisation", async () => {
    const { rows } = await sql<{ tokenHash: string }>`select token_hash from sessions where org_id = ${a.org}`.execute(database.db);
    const tokenHash = rows[0]!.tokenHash;
    await inScope(database.db, { sessionTokenHash: tokenHash }, async (trx) => {
      expect(await trx.selectFrom("sessions").select("orgId").execute()).toEqual([{ orgId: a.org }]);
      expect(await trx.selectFrom("users").select("id").execute()).toEqual([]);
      const touched = await trx.updateTable("sessions").set({ lastSeenAt: now }).executeTakeFirst();
      expect(touched.numUpdatedRows).toBe(0n);
    });
  });

  it("reads a session with its own person and organisation by the token hash, and nothing for any other hash", async () => {
    const { rows } = await sql<{ tokenHash: string }>`select token_hash from sessions where org_id = ${a.org}`.execute(database.db);
    await inScope(database.db, {}, async (trx) => {
      const found = await sql<{ orgId: string; userId: string }>`select org_id, user_id from steward_session_of(${rows[0]!.tokenHash})`.execute(trx);
      expect(found.rows).toEqual([{ orgId: a.org, userId: a.user }]);
      for (const guess of ["", "%", rows[0]!.tokenHash.slice(0, 20), randomBytes(32).toString("hex")]) {
        expect((await sql`select * from steward_session_of(${guess})`.execute(trx)).rows, guess).toEqual([]);
      }
      // The function reads for the application; the tables themselves stay hidden in this scope.
      expect(await trx.selectFrom("users").select("id").execute()).toEqual([]);
    });
  });

  it("leaves nothing behind on a pooled connection when a transaction fails", async () => {
    await expect(
      inScope(database.db, { organisationIds: [a.org] }, async () => {
        throw new Error("crash mid-request");
      }),
    ).rejects.toThrow("crash mid-request");
    const after = await inScope(database.db, {}, (trx) => trx.selectFrom("organisations").select("id").execute());
    expect(after).toEqual([]);
    const { rows } = await sql<{ role: string; orgs: string | null }>`select current_user as role, current_setting('steward.org_ids', true) as orgs`.execute(database.db);
    expect(rows[0]!.role).not.toBe("steward_app");
    expect(rows[0]!.orgs ?? "").toBe("");
  });

  it("enables and forces row-level security on every table that holds organisation data", async () => {
    const { rows } = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and (c.relname = 'organisations' or exists (
          select 1 from pg_attribute att where att.attrelid = c.oid and att.attname = 'org_id' and not att.attisdropped))`.execute(database.db);
    expect(rows.map((row) => row.relname).sort()).toEqual(["organisations", ...tenantTables].sort());
    for (const row of rows) {
      expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    }
  });

  it("runs the application as a role that cannot bypass the policies and owns nothing", async () => {
    const { rows: roles } = await sql<{ rolsuper: boolean; rolbypassrls: boolean }>`
      select rolsuper, rolbypassrls from pg_roles where rolname = 'steward_app'`.execute(database.db);
    expect(roles).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const { rows: owned } = await sql`select relname from pg_class where relowner = (select oid from pg_roles where rolname = 'steward_app')`.execute(database.db);
    expect(owned).toEqual([]);
    await expect(
      inScope(database.db, { organisationIds: [a.org] }, (trx) => sql`select * from platform_secrets`.execute(trx)),
    ).rejects.toThrow(/permission denied/);
  });
});
