import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addPerson, buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { sealFor } from "../platform/encryption/keyring.ts";
import type { StoredFileKey } from "../platform/files/file-store.ts";
import { sweepStoredFiles } from "./attachments.ts";
import { setStorageLimit, StorageLimitError } from "./storage.ts";

const MB = 1024 * 1024;
const pdfOf = (bytes: number) => Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(bytes - 9)]);

/** A licence with its owner signed in, ready to log cases and attach files. */
async function licence(steward: TestSteward, kind: "school" | "trust" = "school") {
  steward.clock.set("2027-01-30T10:00:00Z");
  const built = await buildLicence(steward.services, { organisationKind: kind });
  const owner = new TestAgent(steward.app, steward.clock);
  await owner.signIn(built.username);
  return { ...built, owner };
}

async function logCase(agent: TestAgent, organisationId: string): Promise<string> {
  await agent.get("/cases/new");
  const response = await agent.post("/cases", {
    organisationId, type: "sar", receivedOn: "2027-01-30", receivedTime: "", channel: "email", requesterName: "Jordan Parent",
    requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.",
  });
  expect(response.statusCode, response.body.slice(0, 1500)).toBe(303);
  return response.headers.location!.replace(/\?.*$/, "");
}

async function attach(agent: TestAgent, casePath: string, filename: string, bytes: Buffer) {
  await agent.get(casePath);
  return agent.upload(`${casePath}/attachments`, filename, bytes);
}

async function attachmentRows(steward: TestSteward, organisationId: string) {
  const { rows } = await sql<{ id: string; content: string | null; removedAt: Date | null; removedBy: string | null; removalReason: string | null }>`
    select id, content, removed_at, removed_by, removal_reason from case_attachments where org_id = ${organisationId}`.execute(steward.services.database.db);
  return rows;
}

describe(`attachments: errors, removal and room (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  it("an oversized upload comes back to the case page with the error on the file field, and keeps nothing", async () => {
    const school = await licence(steward);
    const casePath = await logCase(school.owner, school.organisationId);
    const response = await attach(school.owner, casePath, "scan.pdf", pdfOf(10 * MB + 1));
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("text/html");
    // The case itself, with a GOV.UK error summary whose link takes the person to the file input.
    expect(response.body).toContain('id="reference"');
    expect(response.body).toMatch(/govuk-error-summary[\s\S]*href="#file"[\s\S]*The selected file must be smaller than 10 MB/);
    expect(response.body).toMatch(/id="file-error"[\s\S]*The selected file must be smaller than 10 MB/);
    expect(await attachmentRows(steward, school.organisationId)).toEqual([]);
  });

  it("the multipart limits still hold: one file, a few small fields", async () => {
    const school = await licence(steward);
    const casePath = await logCase(school.owner, school.organisationId);
    await school.owner.get(casePath);
    const boundary = "----limits";
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n${value}\r\n`;
    const send = (body: string) =>
      steward.app.inject({ method: "POST", url: `${casePath}/attachments`, payload: body, remoteAddress: school.owner.address, headers: { cookie: school.owner.cookie!, "content-type": `multipart/form-data; boundary=${boundary}` } });
    const csrf = part("_csrf", school.owner.csrf!);
    const twoFiles = await send(csrf + part("file", "%PDF-1", "a.pdf") + part("file", "%PDF-1", "b.pdf") + `--${boundary}--\r\n`);
    expect(twoFiles.statusCode).toBe(413);
    const manyFields = await send(csrf + Array.from({ length: 8 }, (_, index) => part(`f${index}`, "x")).join("") + `--${boundary}--\r\n`);
    expect(manyFields.statusCode).toBe(413);
    const bigField = await send(part("_csrf", "x".repeat(20_000)) + `--${boundary}--\r\n`);
    expect([403, 413]).toContain(bigField.statusCode);
    expect(await attachmentRows(steward, school.organisationId)).toEqual([]);
  });

  it("a wrong attachment is removed with a reason: its bytes go, the timeline and audit trail keep who removed it and why", async () => {
    const school = await licence(steward);
    const other = await licence(steward);
    const staff = await addPerson(steward.app, steward.clock, school.owner, "staff", school.organisationId);
    const dpo = await addPerson(steward.app, steward.clock, school.owner, "dpo", school.organisationId);
    const casePath = await logCase(staff.agent, school.organisationId);
    expect((await attach(staff.agent, casePath, "wrong pupil.pdf", pdfOf(2000))).statusCode).toBe(303);
    const [row] = await attachmentRows(steward, school.organisationId);
    const removePath = `${casePath}/attachments/${row!.id}/remove`;

    // Staff, who cannot manage the case, are not offered it and cannot do it; another school cannot see it.
    expect((await staff.agent.get(casePath)).body).not.toContain(removePath);
    expect((await staff.agent.get(removePath)).statusCode).toBe(403);
    expect((await other.owner.get(removePath)).statusCode).toBe(404);

    // In the database too: another organisation's scope changes nothing, and the application may
    // change only what a removal changes, never the name, type or size of a file.
    const db = steward.services.database.db;
    const elsewhere = await inScope(db, { organisationIds: [other.organisationId] }, (trx) =>
      trx.updateTable("caseAttachments").set({ content: null, removedAt: steward.clock.now(), removedBy: other.userId, removalReason: "x" }).where("id", "=", row!.id).executeTakeFirst());
    expect(elsewhere.numUpdatedRows).toBe(0n);
    await expect(inScope(db, { organisationIds: [school.organisationId] }, (trx) => trx.updateTable("caseAttachments").set({ sizeBytes: 1 }).where("id", "=", row!.id).execute())).rejects.toThrow(/permission denied/);

    const page = await dpo.agent.get(casePath);
    expect(page.body).toContain(`href="${removePath}"`);
    const form = await dpo.agent.get(removePath);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain("Remove wrong pupil.pdf");

    const blank = await dpo.agent.post(removePath, { removalReason: "  " });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toMatch(/href="#removalReason"[\s\S]*Enter why you are removing the file/);
    expect((await attachmentRows(steward, school.organisationId))[0]!.removedAt).toBeNull();
    expect(await steward.services.files.get({ organisationId: school.organisationId, id: row!.id })).toBeDefined();

    const removed = await dpo.agent.post(removePath, { removalReason: "It is about a different pupil" });
    expect(removed.statusCode).toBe(303);
    const after = await dpo.agent.get(removed.headers.location!);
    expect(after.body).toContain("The file is removed.");
    const list = after.body.slice(after.body.indexOf("<h2 class=\"govuk-heading-m\">Attachments"), after.body.indexOf("<h2 class=\"govuk-heading-m\">Notes"));
    expect(list).not.toContain("wrong pupil.pdf");
    const timeline = after.body.slice(after.body.indexOf('id="timeline"'));
    expect(timeline).toMatch(new RegExp(`${dpo.fullName}[\\s\\S]*Removed wrong pupil.pdf: It is about a different pupil`));
    expect(timeline).toContain("Attached wrong pupil.pdf");

    // The bytes are gone; the row records who removed it, when, and why (sealed).
    expect(await steward.services.files.get({ organisationId: school.organisationId, id: row!.id })).toBeUndefined();
    expect((await dpo.agent.get(`${casePath}/attachments/${row!.id}`)).statusCode).toBe(404);
    expect((await dpo.agent.get(removePath)).statusCode).toBe(404);
    const [kept] = await attachmentRows(steward, school.organisationId);
    expect(kept!.removedAt).not.toBeNull();
    expect(kept!.content).toBeNull();
    expect(kept!.removalReason).toMatch(/^v1\./);
    const caseId = casePath.split("/").pop()!;
    const { rows: audit } = await sql<{ action: string; actorUserId: string }>`
      select action, actor_user_id from audit_events where org_id = ${school.organisationId} and record_id = ${caseId} order by append_order`.execute(steward.services.database.db);
    expect(audit.filter((event) => event.action === "case.attachment-remove")).toHaveLength(1);
    expect(audit.find((event) => event.action === "case.attachment-remove")!.actorUserId).toBe(kept!.removedBy);
  });

  it("a file written to the store whose transaction then fails is removed again: no row, no file", async () => {
    const school = await licence(steward);
    const casePath = await logCase(school.owner, school.organisationId);
    const store = steward.services.files;
    const written: StoredFileKey[] = [];
    // The write succeeds, then something fails before the commit (as a lost connection would).
    steward.services.files = {
      ...store,
      put: async (key, bytes) => {
        await store.put(key, bytes);
        written.push(key);
        throw new Error("the database went away after the file was written");
      },
    };
    try {
      expect((await attach(school.owner, casePath, "letter.pdf", pdfOf(5000))).statusCode).toBe(500);
    } finally {
      steward.services.files = store;
    }
    expect(written).toHaveLength(1);
    expect(await store.get(written[0]!)).toBeUndefined();
    expect(await attachmentRows(steward, school.organisationId)).toEqual([]);
  });

  it("the hourly sweep removes stored files no attachment holds, and nothing it cannot be sure of", async () => {
    const school = await licence(steward);
    const casePath = await logCase(school.owner, school.organisationId);
    expect((await attach(school.owner, casePath, "kept.pdf", pdfOf(3000))).statusCode).toBe(303);
    const [kept] = await attachmentRows(steward, school.organisationId);
    const root = path.join(steward.services.config.dataDir, "files");
    const place = (organisationId: string, name: string) => path.join(root, organisationId, name);
    const unknownOrganisation = randomUUID();
    mkdirSync(path.join(root, unknownOrganisation), { recursive: true });
    const files = {
      kept: place(school.organisationId, kept!.id),
      orphan: place(school.organisationId, randomUUID()),
      half: place(school.organisationId, `${randomUUID()}.abc123.partial`),
      fresh: place(school.organisationId, randomUUID()),
      elsewhere: place(unknownOrganisation, randomUUID()),
    };
    for (const file of [files.orphan, files.half, files.fresh, files.elsewhere]) {
      writeFileSync(file, "sealed");
    }
    steward.clock.set(new Date().toISOString());
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    for (const file of [files.kept, files.orphan, files.half, files.elsewhere]) {
      utimesSync(file, twoHoursAgo, twoHoursAgo);
    }
    expect(await sweepStoredFiles(steward.services)).toBe(2);
    expect(Object.fromEntries(Object.entries(files).map(([name, file]) => [name, existsSync(file)]))).toEqual({ kept: true, orphan: false, half: false, fresh: true, elsewhere: true });
    expect((await school.owner.get(`${casePath}/attachments/${kept!.id}`)).statusCode).toBe(200);
  });

  it("a file kept in its row before the file store still downloads, and its removal clears the row", async () => {
    const school = await licence(steward);
    const casePath = await logCase(school.owner, school.organisationId);
    const caseId = casePath.split("/").pop()!;
    const id = "7d4f3c1e-2b6a-4c8d-9e0f-1a2b3c4d5e6f";
    const letter = Buffer.from("%PDF-1.4\nAn older letter\n%%EOF\n");
    const db = steward.services.database.db;
    await inScope(db, { organisationIds: [school.organisationId] }, async (trx) => {
      const place = (column: string) => ({ organisationId: school.organisationId, table: "caseAttachments" as const, column, rowId: id });
      await trx
        .insertInto("caseAttachments")
        .values({
          orgId: school.organisationId, id, caseId, fileType: "pdf", sizeBytes: letter.length, contentSha256: null,
          filename: await sealFor(trx, steward.services.keyring, place("filename"), "older letter.pdf"),
          content: await sealFor(trx, steward.services.keyring, place("content"), letter),
          uploadedBy: school.userId, uploadedAt: steward.clock.now(),
        })
        .execute();
    });
    const download = await school.owner.get(`${casePath}/attachments/${id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(letter)).toBe(true);
    await school.owner.get(`${casePath}/attachments/${id}/remove`);
    expect((await school.owner.post(`${casePath}/attachments/${id}/remove`, { removalReason: "Duplicate" })).statusCode).toBe(303);
    expect((await attachmentRows(steward, school.organisationId))[0]!.content).toBeNull();
  });

  it("a new licence may keep 200 MB of files until an operator raises it; a trust's schools share the trust's limit", async () => {
    const trust = await licence(steward, "trust");
    const db = steward.services.database.db;
    const limitOf = async (id: string) => Number((await db.selectFrom("organisations").select("storageLimitBytes").where("id", "=", id).executeTakeFirstOrThrow()).storageLimitBytes);
    expect(await limitOf(trust.organisationId)).toBe(200 * MB);

    await trust.owner.get("/schools/new");
    expect((await trust.owner.post("/schools/new", { name: `Elm Primary ${randomBytes(3).toString("hex")}`, postalAddress: "1 Elm Road\nLeeds", telephone: "0113 496 0001" })).statusCode).toBe(303);
    const school = await db.selectFrom("organisations").select(["id", "name"]).where("parentId", "=", trust.organisationId).executeTakeFirstOrThrow();

    // The operator's command, by the trust's name: the licence may keep 2 MB.
    expect(await setStorageLimit(db, trust.name.toUpperCase(), 2 * MB)).toMatchObject({ licenceId: trust.organisationId, name: trust.name, limitBytes: 2 * MB, usedBytes: 0 });
    const schoolCase = await logCase(trust.owner, school.id);
    const trustCase = await logCase(trust.owner, trust.organisationId);
    expect((await attach(trust.owner, schoolCase, "school.pdf", pdfOf(1.5 * MB))).statusCode).toBe(303);
    const refused = await attach(trust.owner, trustCase, "trust.pdf", pdfOf(1 * MB));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/href="#file"[\s\S]*Your organisation has used its 2 MB of space for files/);
    expect(await attachmentRows(steward, trust.organisationId)).toEqual([]);

    // Raised by the school's id: the limit raised is its licence's, the trust's.
    expect(await setStorageLimit(db, school.id, 3 * MB)).toMatchObject({ licenceId: trust.organisationId, limitBytes: 3 * MB, usedBytes: 1.5 * MB });
    expect(await limitOf(trust.organisationId)).toBe(3 * MB);
    expect((await attach(trust.owner, trustCase, "trust.pdf", pdfOf(1 * MB))).statusCode).toBe(303);

    await expect(setStorageLimit(db, "No Such School", MB)).rejects.toThrow(StorageLimitError);
  });
});

describe(`Steward's storage ceiling, STEWARD_STORAGE_LIMIT (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward({ STEWARD_STORAGE_LIMIT: "3MB" });
  });
  afterAll(() => steward.close());

  it("refuses any licence's upload past the ceiling, with a clear error and a warning in the log, and has room again once files go", async () => {
    const first = await licence(steward);
    const second = await licence(steward);
    const firstCase = await logCase(first.owner, first.organisationId);
    const secondCase = await logCase(second.owner, second.organisationId);
    expect((await attach(first.owner, firstCase, "first.pdf", pdfOf(2 * MB))).statusCode).toBe(303);
    const refused = await attach(second.owner, secondCase, "second.pdf", pdfOf(1.5 * MB));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/href="#file"[\s\S]*Steward has no room for more files at the moment/);
    expect(await attachmentRows(steward, second.organisationId)).toEqual([]);
    expect(steward.logs.join("")).toContain("STEWARD_STORAGE_LIMIT");

    const [row] = await attachmentRows(steward, first.organisationId);
    await first.owner.get(`${firstCase}/attachments/${row!.id}/remove`);
    expect((await first.owner.post(`${firstCase}/attachments/${row!.id}/remove`, { removalReason: "Attached by mistake" })).statusCode).toBe(303);
    expect((await attach(second.owner, secondCase, "second.pdf", pdfOf(1.5 * MB))).statusCode).toBe(303);
  });
});
