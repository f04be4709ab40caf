import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesFolderOf, writeBackup } from "../../lifecycle/backup.ts";
import { restoreBackup } from "../../lifecycle/restore.ts";
import type { StewardDatabase } from "../../platform/database/database.ts";
import { inScope } from "../../platform/database/tenant-scope.ts";
import { folderFileStore } from "../../platform/files/file-store.ts";
import { runDueJobs } from "../../platform/jobs/jobs.ts";
import { JOB_HANDLERS } from "../../steward.ts";
import { buildLicence } from "../../testing/factories.ts";
import { TestAgent } from "../../testing/test-agent.ts";
import { openTestDatabase, testEngine } from "../../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../../testing/test-steward.ts";
import { popplerPages } from "../pdf/verify.ts";
import { purgeClosedDisclosures } from "./purge.ts";
import { readDocumentFile } from "./stored-files.ts";
import { WorkingDataGone, workingKeysFolderOf } from "./working-keys.ts";

/**
 * The privacy notice's promise: redacted data is gone for good 30 days after the case closes.
 * Moved clock; a backup taken before the purge cannot bring the originals back.
 */
describe(`the disclosure purge, 30 days after a case closes (${testEngine})`, () => {
  let steward: TestSteward;
  const folder = mkdtempSync(path.join(tmpdir(), "steward-purge-"));
  const databases: StewardDatabase[] = [];
  const runJobs = () => runDueJobs(steward.services, JOB_HANDLERS, "purge-test");
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.close()));
    await steward.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A SAR with one document redacted and one left in review, and a person listed. */
  async function caseWithDisclosure() {
    steward.clock.set("2027-01-30T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    usernames.set(owner, licence.username);
    await owner.get("/cases/new");
    const logged = await owner.post("/cases", {
      organisationId: licence.organisationId, type: "sar", "receivedOn-day": "30", "receivedOn-month": "1", "receivedOn-year": "2027", receivedTime: "", channel: "email",
      requesterName: "Jordan Parent", requesterContact: "", subjectKind: "pupil", subjectName: "Jamie Hill", summary: "Everything, please.",
    });
    const casePath = logged.headers.location!.replace(/\?.*$/, "");
    const area = `${casePath}/disclosure`;
    await owner.get(area);
    await owner.post(`${area}/people`, { name: "Tobiah Ashdown", part: "other-pupil" });
    await owner.get(area);
    await owner.upload(`${area}/documents`, "report.txt", Buffer.from("Jamie Hill and Tobiah Ashdown argued at lunch."), { purpose: "disclosure" });
    steward.clock.set("2027-01-30T10:01:00Z");
    await owner.get(area);
    await owner.upload(`${area}/documents`, "draft.txt", Buffer.from("Draft notes about Tobiah Ashdown."), { purpose: "disclosure" });
    await runJobs();
    const { rows: documents } = await sql<{ id: string; caseId: string; orgId: string; filename: string; textFileId: string; textSha256: string; originalSha256: string }>`
      select id, case_id, org_id, filename, text_file_id, text_sha256, original_sha256 from disclosure_documents where org_id = ${licence.organisationId} order by added_at, id`.execute(steward.services.database.db);
    return { ...licence, owner, casePath, area, documents };
  }

  async function redactFirst(owner: TestAgent, area: string, documentId: string) {
    const review = `${area}/documents/${documentId}/pages/1`;
    await owner.get(review);
    await owner.post(`${review}/decide-all`, { which: "undecided", decision: "remove", reasonCode: "3P" });
    await owner.get(review);
    expect((await owner.post(`${review}/redact`)).statusCode).toBe(303);
    await runJobs();
  }

  /** Days pass: the clock moves, and the person signs in again (their session ended 20 minutes on). */
  async function moveClock(owner: TestAgent, to: string) {
    steward.clock.set(to);
    await owner.signIn(usernames.get(owner)!);
  }
  const usernames = new Map<TestAgent, string>();

  async function close(owner: TestAgent, casePath: string, on: string) {
    const [year, month, day] = on.split("-");
    await moveClock(owner, `${on}T10:00:00Z`);
    await owner.get(`${casePath}/close`);
    const closed = await owner.post(`${casePath}/close`, { confirmed: "yes", outcome: "disclosed-in-full", "sentOn-day": day!, "sentOn-month": month!, "sentOn-year": year!, responseChannel: "email" });
    expect(closed.statusCode, closed.body.slice(0, 600)).toBe(303);
  }

  it("keeps everything for 30 days after closing, then deletes the working data for good, even from a backup taken before; the redacted copy and the bundle stay", async () => {
    const school = await caseWithDisclosure();
    const [first, second] = school.documents;
    await redactFirst(school.owner, school.area, first!.id);
    await close(school.owner, school.casePath, "2027-02-10");
    // The case and the area say when the working data goes, and nothing can be changed on a closed case.
    expect((await school.owner.get(school.casePath)).body).toContain("deleted for good on 12 Mar 2027");
    expect((await school.owner.get(school.area)).body).toContain("deleted for good on 12 Mar 2027");
    await school.owner.get(school.area);
    const refused = await school.owner.post(`${school.area}/people`, { name: "Sam Other", part: "sibling" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("The case is closed. Reopen it to change its disclosure.");

    // A backup taken while the working data is still there.
    const backup = path.join(folder, `before-${randomUUID()}.backup`);
    await writeBackup(steward.services.database, steward.services.keyring.masterKey, backup, { filesFolder: filesFolderOf(steward.services.config) });

    await moveClock(school.owner, "2027-03-11T10:00:00Z");
    await purgeClosedDisclosures(steward.services);
    expect((await school.owner.get(`${school.area}/documents/${second!.id}/pages/1`)).statusCode, "29 days on, all is kept").toBe(200);

    await moveClock(school.owner, "2027-03-13T10:00:00Z");
    expect(await purgeClosedDisclosures(steward.services)).toBeGreaterThanOrEqual(1);
    // The working data is gone from the pages, the rows, the file store and the key folder.
    for (const documentId of [first!.id, second!.id]) {
      expect((await school.owner.get(`${school.area}/documents/${documentId}/pages/1`)).statusCode).toBe(404);
      expect((await school.owner.get(`${school.area}/documents/${documentId}/original`)).statusCode).toBe(404);
    }
    const { rows: marks } = await sql<{ words: string | null; why: string | null; person: string | null }>`
      select words, why, person from disclosure_redactions where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((mark) => mark.words === null && mark.why === null && mark.person === null)).toBe(true);
    const { rows: people } = await sql`select 1 from disclosure_people where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(people).toEqual([]);
    expect(await steward.services.files.get({ organisationId: school.organisationId, id: first!.id })).toBeUndefined();
    expect(existsSync(path.join(workingKeysFolderOf(steward.services.config), school.organisationId, first!.caseId))).toBe(false);

    // What was disclosed stays: the bundle, from the redacted copy, with its schedule.
    const bundle = await school.owner.get(`${school.area}/bundle.pdf`);
    expect(bundle.statusCode, "the bundle needs every document redacted: the draft was not").toBe(400);
    const redacted = await school.owner.get(`${school.area}/documents/${first!.id}/redacted`);
    expect(redacted.statusCode).toBe(200);
    const text = (await popplerPages(new Uint8Array(redacted.rawPayload)))!.join("\n");
    expect(text).toContain("Jamie Hill");
    expect(text).not.toContain("Tobiah");
    const area = (await school.owner.get(school.area)).body;
    expect(area).toContain("Working files deleted");
    // File names and task titles are working data too: after the purge the documents are called by their kind.
    expect(area).not.toContain("report.txt");
    expect(area).not.toContain("draft.txt");
    expect(area).toContain("Text file");
    expect((await school.owner.get(school.casePath)).body).toContain("were deleted for good");

    // The backup from before, restored elsewhere: its rows and sealed files are there, but nothing opens them.
    const restored = await openTestDatabase();
    databases.push(restored);
    const files = folderFileStore(path.join(folder, `files-${randomUUID()}`));
    await restoreBackup(restored, steward.services.keyring.masterKey, backup, { files });
    const services = { ...steward.services, files };
    await inScope(restored.db, { organisationIds: [school.organisationId] }, async (trx) => {
      const row = await trx.selectFrom("disclosureDocuments").selectAll().where("orgId", "=", school.organisationId).where("id", "=", first!.id).executeTakeFirstOrThrow();
      expect(row.textFileId).not.toBeNull();
      expect(await files.get({ organisationId: school.organisationId, id: row.id }), "the sealed original is in the backup").toBeDefined();
      await expect(readDocumentFile(trx, services, row, "original", row.id, row.originalSha256)).rejects.toThrow(WorkingDataGone);
      await expect(readDocumentFile(trx, services, row, "text", row.textFileId, row.textSha256)).rejects.toThrow(WorkingDataGone);
      // While the redacted copy, under the organisation's key, opens.
      const copy = await readDocumentFile(trx, services, row, "redacted", row.redactedFileId, row.redactedSha256);
      expect(copy.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    });
    // The audit trail records the purge, by Steward.
    const { rows: audit } = await sql<{ actorUserId: string | null }>`select actor_user_id from audit_events where org_id = ${school.organisationId} and action = 'disclosure.purge'`.execute(steward.services.database.db);
    expect(audit).toEqual([{ actorUserId: null }]);
  });

  it("keeps everything when the case is reopened within the 30 days", async () => {
    const school = await caseWithDisclosure();
    await close(school.owner, school.casePath, "2027-02-10");
    await moveClock(school.owner, "2027-02-20T10:00:00Z");
    await school.owner.get(`${school.casePath}/reopen`);
    expect((await school.owner.post(`${school.casePath}/reopen`, { reopenReason: "The requester asked for more." })).statusCode).toBe(303);
    await moveClock(school.owner, "2027-04-20T10:00:00Z");
    await purgeClosedDisclosures(steward.services);
    expect((await school.owner.get(`${school.area}/documents/${school.documents[0]!.id}/pages/1`)).statusCode).toBe(200);
    expect((await school.owner.get(school.area)).body).toContain("Tobiah Ashdown");
  });

  it("purges a case with people listed and no documents, and a reopened purged case keeps its redacted copies", async () => {
    const school = await caseWithDisclosure();
    const [first] = school.documents;
    await redactFirst(school.owner, school.area, first!.id);
    await close(school.owner, school.casePath, "2027-02-10");
    await moveClock(school.owner, "2027-03-20T10:00:00Z");
    await purgeClosedDisclosures(steward.services);
    await school.owner.get(`${school.casePath}/reopen`);
    expect((await school.owner.post(`${school.casePath}/reopen`, { reopenReason: "More documents found." })).statusCode).toBe(303);
    // Listing someone new reads the documents again: never the purged ones, whose redacted copy is what was sent.
    await school.owner.get(school.area);
    expect((await school.owner.post(`${school.area}/people`, { name: "Sam Sibling", part: "sibling" })).statusCode).toBe(303);
    const { rows } = await sql<{ state: string; redactedFileId: string | null }>`select state, redacted_file_id from disclosure_documents where id = ${first!.id}`.execute(steward.services.database.db);
    expect(rows[0]).toMatchObject({ state: "redacted" });
    expect(rows[0]!.redactedFileId).not.toBeNull();
    expect((await school.owner.get(`${school.area}/documents/${first!.id}/redacted`)).statusCode).toBe(200);
    await school.owner.get(`${school.area}/documents/${first!.id}/pages/1`);

    // Closed again with only that person listed (no document to read): the name still goes.
    await close(school.owner, school.casePath, "2027-03-21");
    await moveClock(school.owner, "2027-04-30T10:00:00Z");
    await purgeClosedDisclosures(steward.services);
    const { rows: people } = await sql`select 1 from disclosure_people where org_id = ${school.organisationId}`.execute(steward.services.database.db);
    expect(people).toEqual([]);
  });

  it("clears an open case's working data whose key is not on this server (as after a restore), saying so, and carries on", async () => {
    const school = await caseWithDisclosure();
    const [first] = school.documents;
    rmSync(path.join(workingKeysFolderOf(steward.services.config), school.organisationId, first!.caseId), { force: true });
    const area = await school.owner.get(school.area);
    expect(area.statusCode).toBe(200);
    expect(area.body).toContain("Working files deleted");
    expect((await school.owner.get(school.casePath)).body).toContain("could not be read on this server");
    expect((await school.owner.get(`${school.area}/documents/${first!.id}/pages/1`)).statusCode).toBe(404);
    // A new start: a person and a document, under a new key.
    await school.owner.get(school.area);
    expect((await school.owner.post(`${school.area}/people`, { name: "Tobiah Ashdown", part: "other-pupil" })).statusCode).toBe(303);
    await school.owner.get(school.area);
    expect((await school.owner.upload(`${school.area}/documents`, "again.txt", Buffer.from("Tobiah Ashdown again."), { purpose: "disclosure" })).statusCode).toBe(303);
    await runJobs();
    const { rows } = await sql<{ state: string }>`select state from disclosure_documents where org_id = ${school.organisationId} and purged_at is null`.execute(steward.services.database.db);
    expect(rows.map((row) => row.state)).toEqual(["review"]);
    expect((await school.owner.get(school.area)).body).toContain("Tobiah Ashdown");
  });
});
