import { randomBytes } from "node:crypto";
import { strFromU8, unzipSync, type Unzipped } from "fflate";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor, type Context } from "../accounts/actor.ts";
import { addSchool } from "../accounts/schools.ts";
import { createUser } from "../accounts/users.ts";
import { confirmTwoFactor, twoFactorSetup } from "../auth/two-factor.ts";
import { fromBase32, stepAt, totpCode } from "../auth/totp.ts";
import { replaceTermDates } from "../calendar/calendar-settings.ts";
import { attachFile } from "../cases/attachments.ts";
import { addNote, stopClock } from "../cases/case-changes.ts";
import { newCaseSchema } from "../cases/cases.schema.ts";
import { logCase } from "../cases/logging.ts";
import { saveEntry } from "../registers/registers.ts";
import { changeRequesterAddress, replyToRequester, sendLetter } from "../requests/correspondence.ts";
import { inScope } from "../platform/database/tenant-scope.ts";
import { buildLicence, unique } from "../testing/factories.ts";
import { testEngine } from "../testing/test-database.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { exportEverything } from "./organisation-export.ts";

const pdfOf = (bytes: number) => Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(bytes - 9)]);

describe(`exporting everything an organisation holds (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
    steward.clock.set("2027-01-30T10:00:00Z");
  });
  afterAll(() => steward.close());

  async function contextOf(userId: string, organisationId: string): Promise<Context> {
    const actor = await inScope(steward.services.database.db, { organisationIds: [organisationId] }, (trx) => loadActor(trx, steward.services.keyring, organisationId, userId));
    return { actor: actor!, services: steward.services, request: { ip: "192.0.2.7", userAgent: "export test" } };
  }

  const caseInput = (organisationId: string, fields: Record<string, string>) =>
    newCaseSchema.parse({ organisationId, type: "sar", receivedOn: "2027-01-29", channel: "email", requesterContact: "", subjectKind: "requester", subjectName: "", summary: "All my data, please.", ...fields });

  const auditCount = async (organisationIds: string[]) =>
    Number((await sql<{ n: string }>`select count(*) as n from audit_events where org_id = any(${organisationIds}::uuid[])`.execute(steward.services.database.db)).rows[0]!.n);

  /** A trust with two schools, cases with files, a note, a letter, a message and a clock stop, a register entry and term dates; its owner on two-factor. */
  async function buildTrust() {
    const trust = await buildLicence(steward.services, { organisationKind: "trust" });
    let owner = await contextOf(trust.userId, trust.organisationId);
    const id = unique();
    const northName = `North Primary ${id}`;
    const southName = `South Academy ${id}`;
    const northId = await addSchool(owner, { name: northName, postalAddress: "1 North Road\nLeeds", telephone: "0113 496 0001" });
    const southId = await addSchool(owner, { name: southName, postalAddress: "2 South Road\nLeeds", telephone: "0113 496 0002" });
    owner = await contextOf(trust.userId, trust.organisationId);
    const setup = await twoFactorSetup(owner);
    if (setup.kind !== "pending") throw new Error("two-factor should be pending");
    const totpSecret = setup.secret.replace(/\s+/g, "");
    const confirmed = await confirmTwoFactor(owner, totpCode(fromBase32(totpSecret), stepAt(steward.clock.now())));
    if (!confirmed.ok) throw new Error(confirmed.error);
    const admin = await createUser(owner, { fullName: `Ada Admin ${id}`, email: `ada-${id}@trust.example`, username: `ada-${id}`, role: "admin", trainingConfirmed: "yes", organisationId: trust.organisationId });
    if (!admin.ok) throw new Error(JSON.stringify(admin.errors));

    const sar = await logCase(owner, caseInput(northId, { requesterName: "Jordan Parent", summary: "Everything you hold about my son." }));
    const scan = pdfOf(40_000);
    const notes = Buffer.from("Call log\nSpoke to Jordan on the phone.\n");
    await attachFile(owner, sar.id, { filename: "scan.pdf", bytes: scan });
    await attachFile(owner, sar.id, { filename: "call-log.txt", bytes: notes });
    await addNote(owner, sar.id, "Phoned the parent to check what they need.");
    await sendLetter(owner, sar.id, { kind: "acknowledgement", subject: "Your request", body: "Dear Jordan Parent,\n\nWe have your request and will answer it.", method: "post", release: false, postalAddress: "9 Parent Street\nLeeds" });
    await changeRequesterAddress(owner, sar.id, "jordan@parent.example");
    await replyToRequester(owner, sar.id, "Could you tell us which years you mean?");
    await stopClock(owner, sar.id, "identity", "2027-01-30");
    const foi = await logCase(owner, caseInput(southId, { type: "foi", subjectKind: "", requesterName: "Riley Reporter", summary: "How much did the school spend on laptops?" }));
    const budget = pdfOf(12_000);
    await attachFile(owner, foi.id, { filename: "budget.pdf", bytes: budget });
    await saveEntry(owner, "policy", { organisationId: southId }, { title: `Data protection policy ${id}`, status: "draft", reviewOn: "2027-09-01", policyKind: "data-protection-policy", versionLabel: "3" });
    await replaceTermDates(owner, northId, [{ kind: "term", firstDay: "2027-01-04", lastDay: "2027-03-26" }]);
    return { trust, owner, northId, southId, northName, southName, adminUserId: admin.userId, sar, foi, scan, notes, budget, totpSecret, recoveryCodes: confirmed.recoveryCodes, id };
  }

  /** Another licence beside it, with a case, a file and an entry of its own. */
  async function buildOtherLicence() {
    const school = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = await contextOf(school.userId, school.organisationId);
    const marker = `Elsewhere ${unique()}`;
    const other = await logCase(owner, caseInput(school.organisationId, { requesterName: `${marker} Requester`, summary: `${marker} summary` }));
    const bytes = pdfOf(9_000);
    await attachFile(owner, other.id, { filename: "elsewhere.pdf", bytes });
    await saveEntry(owner, "policy", { organisationId: school.organisationId }, { title: `${marker} policy`, status: "draft", reviewOn: "2027-09-01", policyKind: "data-protection-policy", versionLabel: "1" });
    return { school, owner, marker, reference: other.reference, bytes };
  }

  const text = (files: Unzipped, name: string) => {
    const file = files[name];
    expect(file, `${name} in ${Object.keys(files).join(", ")}`).toBeDefined();
    return strFromU8(file!);
  };

  it("gives the trust's owner every school's cases, files, registers, users, settings and trail, and nothing of another licence", async () => {
    const built = await buildTrust();
    const other = await buildOtherLicence();
    const trustIds = [built.trust.organisationId, built.northId, built.southId];
    const before = await auditCount(trustIds);

    const { filename, zip } = await exportEverything(built.owner);
    expect(filename).toMatch(/^steward-export-[a-z0-9-]+-2027-01-30\.zip$/);
    const files = unzipSync(new Uint8Array(zip));
    const names = Object.keys(files);
    const trustFolder = built.trust.name;

    // One event of its own, in the trust's trail, with where the request came from.
    const { rows: exportEvents } = await sql<{ orgId: string; actorUserId: string; recordId: string; ip: string }>`
      select org_id, actor_user_id, record_id, ip from audit_events where action = 'organisation.export' and org_id = any(${[...trustIds, other.school.organisationId]}::uuid[])`.execute(steward.services.database.db);
    expect(exportEvents).toEqual([{ orgId: built.trust.organisationId, actorUserId: built.trust.userId, recordId: built.trust.organisationId, ip: "192.0.2.7" }]);
    // No case.view or attachment-download per case: the export's event covers the reading.
    const { rows: added } = await sql<{ action: string }>`
      select action from audit_events where org_id = any(${trustIds}::uuid[]) order by append_order offset ${before}`.execute(steward.services.database.db);
    expect(added.map((row) => row.action)).not.toContain("case.view");
    expect(added.map((row) => row.action)).not.toContain("case.attachment-download");

    expect(text(files, "README.txt")).toContain("Made on 2027-01-30T10:00:00+00:00");
    expect(text(files, "README.txt")).toContain(`${built.northName}/`);
    for (const folder of [trustFolder, built.northName, built.southName]) {
      for (const file of ["cases.csv", "users.csv", "settings.json", "audit-trail.csv", "registers/policies.csv", "registers/record-of-processing.pdf", "registers/disposal-log.csv"]) {
        expect(names, `${folder}/${file}`).toContain(`${folder}/${file}`);
      }
    }

    // Each school's cases, as rows of the case list's export, and each case in full.
    const northCases = text(files, `${built.northName}/cases.csv`);
    expect(northCases.split("\r\n")[0]).toContain("Reference");
    expect(northCases).toContain(built.sar.reference);
    expect(northCases).toContain("Jordan Parent");
    expect(northCases).not.toContain(built.foi.reference);
    expect(text(files, `${built.southName}/cases.csv`)).toContain(built.foi.reference);
    const caseFolder = `${built.northName}/cases/${built.sar.reference}`;
    const record = JSON.parse(text(files, `${caseFolder}/case.json`)) as Record<string, unknown> & {
      requester: Record<string, string>; notes: { note: string }[]; timeline: { kind: string }[]; letters: { subject: string; body: string; postalAddress: string }[];
      messages: { body: string; toRequester: boolean }[]; clockStops: { reason: string; from: string }[]; attachments: { filename: string; file: string }[];
    };
    expect(record).toMatchObject({ reference: built.sar.reference, school: built.northName, summary: "Everything you hold about my son.", requester: { name: "Jordan Parent", email: "jordan@parent.example" } });
    expect(record.notes.map((note) => note.note)).toEqual(["Phoned the parent to check what they need."]);
    expect(record.timeline.map((event) => event.kind)).toEqual(expect.arrayContaining(["note", "attachment", "letter", "message"]));
    expect(record.letters).toEqual([expect.objectContaining({ subject: "Your request", postalAddress: "9 Parent Street\nLeeds", body: expect.stringContaining("We have your request and will answer it.") })]);
    expect(record.messages).toEqual([expect.objectContaining({ body: "Could you tell us which years you mean?", toRequester: true })]);
    expect(record.clockStops).toEqual([expect.objectContaining({ from: "2027-01-30" })]);
    expect(record.attachments.map((attachment) => [attachment.filename, attachment.file]).sort()).toEqual([["call-log.txt", "attachments/call-log.txt"], ["scan.pdf", "attachments/scan.pdf"]]);

    // The files as uploaded, decrypted, byte for byte.
    expect(Buffer.from(files[`${caseFolder}/attachments/scan.pdf`]!).equals(built.scan)).toBe(true);
    expect(Buffer.from(files[`${caseFolder}/attachments/call-log.txt`]!).equals(built.notes)).toBe(true);
    expect(Buffer.from(files[`${built.southName}/cases/${built.foi.reference}/attachments/budget.pdf`]!).equals(built.budget)).toBe(true);

    // The registers, as their own export and with every field.
    expect(text(files, `${built.southName}/registers/policies.csv`)).toContain(`Data protection policy ${built.id}`);
    expect(JSON.parse(text(files, `${built.southName}/registers/policies.json`))).toEqual([expect.objectContaining({ title: `Data protection policy ${built.id}`, status: "draft" })]);
    expect(text(files, `${built.northName}/registers/policies.csv`)).not.toContain(`Data protection policy ${built.id}`);
    expect(strFromU8(files[`${built.southName}/registers/record-of-processing.pdf`]!.subarray(0, 5))).toBe("%PDF-");

    // The audit trail, with this export in it, and each school's own events in its folder.
    const trustTrail = text(files, `${trustFolder}/audit-trail.csv`);
    expect(trustTrail).toContain("organisation.export");
    expect(trustTrail).toContain("Downloaded everything the organisation holds");
    expect(text(files, `${built.northName}/audit-trail.csv`)).toContain("case.log");
    expect(text(files, `${built.northName}/audit-trail.csv`)).not.toContain("organisation.export");

    // The people, their roles, and the settings with the term dates.
    const users = text(files, `${trustFolder}/users.csv`);
    expect(users).toContain(built.trust.email);
    expect(users).toContain(`ada-${built.id}@trust.example`);
    expect(users).toContain("Licence owner");
    expect(users).toContain("Administrator");
    const settings = JSON.parse(text(files, `${built.northName}/settings.json`)) as { organisation: { name: string }; calendar: { termDates: unknown[] } };
    expect(settings.organisation.name).toBe(built.northName);
    expect(settings.calendar.termDates).toEqual([expect.objectContaining({ kind: "term", firstDay: "2027-01-04", lastDay: "2027-03-26" })]);

    // No password hash, two-factor key or recovery code, sealed or plain, anywhere in it.
    const { rows: secrets } = await sql<{ passwordHash: string | null; totpSecret: string | null }>`
      select password_hash, totp_secret from users where org_id = any(${trustIds}::uuid[])`.execute(steward.services.database.db);
    const { rows: codeHashes } = await sql<{ codeHash: string }>`select code_hash from recovery_codes where org_id = any(${trustIds}::uuid[])`.execute(steward.services.database.db);
    const forbidden = [
      ...secrets.flatMap((row) => [row.passwordHash, row.totpSecret]).filter((value): value is string => value !== null),
      built.totpSecret,
      ...built.recoveryCodes,
      ...codeHashes.map((row) => row.codeHash),
    ];
    expect(forbidden.length).toBeGreaterThanOrEqual(2 + built.recoveryCodes.length);
    expect(forbidden.some((value) => value.startsWith("$argon2"))).toBe(true);
    const everything = [Buffer.from(zip), ...Object.values(files).map((bytes) => Buffer.from(bytes))];
    for (const secret of forbidden) {
      for (const bytes of everything) {
        expect(bytes.includes(secret), "a secret is in the export").toBe(false);
      }
    }
    expect(everything.some((bytes) => bytes.includes("$argon2"))).toBe(false);

    // Nothing of the other licence: its case, its requester, its file, its register, its name.
    for (const name of names) {
      expect(name).not.toContain(other.school.name);
      // A standalone school's references have no school code ("SAR-2027-0001"), so only a whole path segment would be its case.
      expect(name).not.toContain(`/cases/${other.reference}/`);
    }
    for (const bytes of everything) {
      for (const marker of [other.marker, other.school.name, other.school.email]) {
        expect(bytes.includes(marker), marker).toBe(false);
      }
      expect(bytes.includes(other.bytes.subarray(100, 164))).toBe(false);
    }
  });

  it("refuses anyone but the owner, and records nothing", async () => {
    const built = await buildTrust();
    const admin = await contextOf(built.adminUserId, built.trust.organisationId);
    const trustIds = [built.trust.organisationId, built.northId, built.southId];
    const before = await auditCount(trustIds);
    await expect(exportEverything(admin)).rejects.toMatchObject({ code: "forbidden" });
    expect(await auditCount(trustIds)).toBe(before);
  });

  it("gives a standalone school's owner their own school only", async () => {
    await buildTrust();
    const other = await buildOtherLicence();
    const { zip } = await exportEverything(other.owner);
    const files = unzipSync(new Uint8Array(zip));
    const folders = new Set(Object.keys(files).map((name) => name.split("/")[0]));
    expect(folders).toEqual(new Set(["README.txt", other.school.name]));
    expect(Buffer.from(files[`${other.school.name}/cases/${other.reference}/attachments/elsewhere.pdf`]!).equals(other.bytes)).toBe(true);
    const all = Object.values(files).map((bytes) => Buffer.from(bytes));
    expect(all.some((bytes) => bytes.includes("Jordan Parent"))).toBe(false);
    expect(all.some((bytes) => bytes.includes("North Primary"))).toBe(false);
  });
});
