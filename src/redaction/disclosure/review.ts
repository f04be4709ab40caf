import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { addEvent, auditOfCase, CaseFormError, type CaseRow } from "../../cases/cases.ts";
import type { Selectable } from "kysely";
import type { DisclosureRedactionTable } from "../../platform/database/schema.ts";

type MarkRow = Selectable<DisclosureRedactionTable>;
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { notFound } from "../../platform/errors.ts";
import { enqueueJob } from "../../platform/jobs/jobs.ts";
import { escapeRegExp } from "../detection/context.ts";
import { KIND_NAMES, type PersonalDataKind } from "../detection/suggestion.ts";
import type { Rect, Removal } from "../pdf/apply.ts";
import { drawPageForReview, type ReviewPage } from "../pdf/page-image.ts";
import { pageOf, type DocumentText } from "../pdf/page-text.ts";
import { removalsForSpan } from "../pdf/removals.ts";
import { REDACTION_REASONS, THIRD_PARTY, type RedactionReason } from "../reasons.ts";
import { findDocument, refuseIfClosed } from "./documents.ts";
import { readDocumentFile } from "./stored-files.ts";
import { openWorkingText, sealWorkingText, workingKeyOf } from "./working-keys.ts";

/**
 * The review: page by page, each place Steward suggests removing, and those the DPO adds (every
 * match of a phrase, a box drawn by hand, a whole page withheld), each decided remove or keep,
 * and each removal with its reason from the list the DPO knows. Nothing is removed from the file
 * until the DPO asks for the document to be redacted; then only what was decided.
 */
export type Decision = DisclosureRedactionTable["decision"];

const FOI_TYPES = new Set(["foi", "foi-school", "eir", "foi-scotland", "eir-scotland"]);

/** A freedom of information or environmental information request: a disclosure to the world, where nobody's information is kept as their own. */
export function isFreedomOfInformation(caseType: string): boolean {
  return FOI_TYPES.has(caseType);
}

/** The reasons that apply to the case: the data protection exemptions, or for FOI and EIR, theirs. */
export function reasonsFor(caseType: string): readonly RedactionReason[] {
  const applies = FOI_TYPES.has(caseType) ? "foi" : "data-protection";
  return REDACTION_REASONS.filter((reason) => reason.applies === applies);
}

/** The usual reason for another person's data on this kind of case. */
export function usualReasonFor(caseType: string): string {
  return FOI_TYPES.has(caseType) ? "s40" : THIRD_PARTY;
}

function checkReason(caseType: string, code: string | undefined, field = "reasonCode"): string {
  if (!code || !reasonsFor(caseType).some((reason) => reason.code === code)) {
    throw new CaseFormError({ [field]: "Select why it is removed" });
  }
  return code;
}

export interface ReviewMarkView {
  number: number;
  id: string;
  origin: DisclosureRedactionTable["origin"];
  kind: string;
  kindName: string;
  words: string | null;
  why: string | null;
  person: string | null;
  score: number | null;
  decision: Decision;
  reasonCode: string | null;
  /** Kept by Steward, not a person: the requester's or the data subject's own information. Shown, so it can be checked. */
  automatic: boolean;
}

export interface DocumentReview {
  caseId: string;
  caseType: string;
  reference: string;
  documentId: string;
  filename: string;
  state: string;
  failure: string | null;
  problems: string[];
  page: number;
  pageCount: number;
  marks: ReviewMarkView[];
  /** The page's marks Steward suggested, and those the DPO added (phrases, boxes, the whole page). */
  suggested: ReviewMarkView[];
  byHand: ReviewMarkView[];
  /** Across the document: each person named, and each kind, with how many marks are still to decide. */
  people: { name: string; count: number; pending: number }[];
  kinds: { kind: string; kindName: string; count: number; pending: number }[];
  pending: number;
  removals: number;
  /** Scans without a text layer that could not be read: they cannot be checked, so the document cannot pass. */
  unread: number[];
  reasons: readonly RedactionReason[];
  usualReason: string;
  withheld: boolean;
}

const sameSpacing = (name: string) => name.trim().replace(/\s+/g, " ");

const KIND_EXTRA: Record<string, string> = { phrase: "Phrase", region: "Region drawn by hand", page: "Whole page" };
const kindName = (kind: string) => KIND_NAMES[kind as PersonalDataKind] ?? KIND_EXTRA[kind] ?? kind;

/** Marks with their words, why and person opened: working data, under the case's working key. */
async function openedMarks(ctx: Context, document: { orgId: string; caseId: string }, rows: readonly MarkRow[]) {
  if (rows.length === 0) {
    return [];
  }
  const key = await workingKeyOf(ctx.services, document.orgId, document.caseId);
  const open = (id: string, column: string, value: string | null) => (value === null ? null : openWorkingText(key, { table: "disclosureRedactions", column, rowId: id }, value));
  return rows.map((row) => ({ ...row, words: open(row.id, "words", row.words), why: open(row.id, "why", row.why), person: open(row.id, "person", row.person) }));
}

/** A page's marks in reading order: by where they start, boxes and whole pages after the words. */
function inPageOrder<T extends { startOffset: number | null; createdAt: Date | string; id: string; origin: string }>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      (a.origin === "page" ? 1 : 0) - (b.origin === "page" ? 1 : 0) ||
      (a.startOffset ?? Number.MAX_SAFE_INTEGER) - (b.startOffset ?? Number.MAX_SAFE_INTEGER) ||
      new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime() ||
      a.id.localeCompare(b.id),
  );
}

async function readText(trx: Tx, ctx: Context, row: { orgId: string; caseId: string; id: string; textFileId: string | null; textSha256: string | null }): Promise<DocumentText> {
  return JSON.parse((await readDocumentFile(trx, ctx.services, row, "text", row.textFileId, row.textSha256)).toString("utf8")) as DocumentText;
}

function checkPage(page: number, pageCount: number | null): void {
  if (!Number.isInteger(page) || page < 0 || page >= (pageCount ?? 0)) {
    throw notFound();
  }
}

/** One page of a document's review, audited as a view of the document's personal data. */
export async function reviewPage(ctx: Context, caseId: string, documentId: string, page: number): Promise<DocumentReview> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => {
    const { case: found, row, filename } = await findDocument(trx, ctx, caseId, documentId);
    // Not read yet, or its working data purged (30 days after the case closed): there is no review to show.
    if (row.pageCount === null || row.purgedAt) {
      throw notFound();
    }
    checkPage(page, row.pageCount);
    const all = await trx.selectFrom("disclosureRedactions").selectAll().where("orgId", "=", row.orgId).where("documentId", "=", row.id).execute();
    const onPage = await openedMarks(ctx, row, inPageOrder(all.filter((mark) => mark.page === page)));
    const people = new Map<string, { count: number; pending: number }>();
    for (const mark of await openedMarks(ctx, row, all.filter((candidate) => candidate.person !== null))) {
      // A name found across a line break is the same name: spacing is not part of who someone is.
      const name = sameSpacing(mark.person!);
      const entry = people.get(name) ?? { count: 0, pending: 0 };
      entry.count += 1;
      entry.pending += mark.decision === "pending" ? 1 : 0;
      people.set(name, entry);
    }
    const kinds = new Map<string, { count: number; pending: number }>();
    for (const mark of all) {
      const entry = kinds.get(mark.kind) ?? { count: 0, pending: 0 };
      entry.count += 1;
      entry.pending += mark.decision === "pending" ? 1 : 0;
      kinds.set(mark.kind, entry);
    }
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.review", caseId));
    const marks: ReviewMarkView[] = onPage.map((mark, index) => ({
      number: index + 1,
      id: mark.id,
      origin: mark.origin,
      kind: mark.kind,
      kindName: kindName(mark.kind),
      words: mark.words,
      why: mark.why,
      person: mark.person,
      score: mark.score,
      decision: mark.decision,
      reasonCode: mark.reasonCode,
      automatic: mark.decision === "keep" && mark.decidedBy === null,
    }));
    return {
      caseId,
      caseType: found.type,
      reference: found.reference,
      documentId: row.id,
      filename,
      state: row.state,
      failure: row.failure,
      problems: row.redactionProblems ? (JSON.parse(openWorkingText(await workingKeyOf(ctx.services, row.orgId, row.caseId), { table: "disclosureDocuments", column: "redactionProblems", rowId: row.id }, row.redactionProblems)) as string[]) : [],
      page,
      pageCount: row.pageCount,
      marks,
      suggested: marks.filter((mark) => mark.origin === "suggested"),
      byHand: marks.filter((mark) => mark.origin !== "suggested"),
      people: [...people].map(([name, entry]) => ({ name, ...entry })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
      kinds: [...kinds].map(([kind, entry]) => ({ kind, kindName: kindName(kind), ...entry })).sort((a, b) => b.count - a.count),
      pending: all.filter((mark) => mark.decision === "pending").length,
      removals: all.filter((mark) => mark.decision === "remove").length,
      // Kept on the row when the document was read: a page of the review need not open the whole text.
      unread: row.unreadPages,
      reasons: reasonsFor(found.type),
      usualReason: usualReasonFor(found.type),
      withheld: onPage.some((mark) => mark.origin === "page" && mark.decision === "remove"),
    };
  });
}

/** The page drawn with its marks boxed and numbered as the review lists them. Audited as the page is. */
export async function reviewPageImage(ctx: Context, caseId: string, documentId: string, page: number): Promise<ReviewPage> {
  authorise(ctx.actor, "cases:manage");
  const loaded = await inActorScope(ctx, async (trx) => {
    const { row } = await findDocument(trx, ctx, caseId, documentId);
    if (row.purgedAt) {
      throw notFound();
    }
    checkPage(page, row.pageCount);
    const marks = await trx.selectFrom("disclosureRedactions").selectAll().where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("page", "=", page).execute();
    const pdf = await readDocumentFile(trx, ctx.services, row, "pdf", row.pdfFileId, row.pdfSha256);
    const text = await readText(trx, ctx, row);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.review", caseId));
    return { pdf, text, marks: inPageOrder(marks) };
  });
  const reviewMarks = loaded.marks.flatMap((mark, index) => removalsOfMark(mark, loaded.text).filter((removal) => removal.page === page).map((removal) => ({ number: index + 1, removal, decision: mark.decision })));
  return drawPageForReview(loaded.pdf, page, reviewMarks);
}

function removalsOfMark(mark: Pick<MarkRow, "origin" | "page" | "rect" | "startOffset" | "endOffset" | "reasonCode">, text: DocumentText): Removal[] {
  const code = mark.reasonCode ?? THIRD_PARTY;
  if (mark.origin === "page") {
    return [{ kind: "page", page: mark.page, code }];
  }
  if (mark.origin === "box") {
    return mark.rect ? [{ kind: "box", page: mark.page, rect: mark.rect, code }] : [];
  }
  return mark.startOffset !== null && mark.endOffset !== null ? removalsForSpan(text, mark.startOffset, mark.endOffset, code).removals : [];
}

/** A change to a document under review: found (404 if not the actor's), locked, still under review, then changed and audited. */
async function changeReview(ctx: Context, caseId: string, documentId: string, change: (trx: Tx, found: CaseRow, row: { orgId: string; caseId: string; id: string; pageCount: number | null; textFileId: string | null; textSha256: string | null }) => Promise<void>): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  await inActorScope(ctx, async (trx) => {
    const { case: found, row } = await findDocument(trx, ctx, caseId, documentId);
    refuseIfClosed(found, "review");
    // One change at a time to a document: two reviewers' decisions never interleave half-way.
    await trx.selectFrom("disclosureDocuments").select("id").where("orgId", "=", row.orgId).where("id", "=", row.id).forUpdate().execute();
    const current = await trx.selectFrom("disclosureDocuments").select("state").where("orgId", "=", row.orgId).where("id", "=", row.id).executeTakeFirstOrThrow();
    if (current.state !== "review") {
      throw new CaseFormError({ review: current.state === "redacted" ? "This document is redacted. Choose ‘Change the redactions’ to review it again." : "This document is not ready for review" });
    }
    await change(trx, found, row);
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.decide", caseId));
  });
}

/** One mark's decision from the page, with what the page showed of it ("remove:3P", "keep:", "pending:"). */
export interface MarkDecision {
  id: string;
  decision: Decision;
  reasonCode?: string | undefined;
  shown?: string | undefined;
}

const shownOf = (mark: { decision: Decision; reasonCode: string | null }) => `${mark.decision}:${mark.reasonCode ?? ""}`;

/**
 * Decides marks one by one: each to remove (with its reason) or keep, or back to undecided. Only
 * what the person changed is written, and only if nobody changed it since their page showed it.
 */
export async function decideMarks(ctx: Context, caseId: string, documentId: string, decisions: readonly MarkDecision[]): Promise<void> {
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    const now = ctx.services.clock.now();
    const ids = decisions.map((decision) => decision.id);
    const current = ids.length ? await trx.selectFrom("disclosureRedactions").select(["id", "decision", "reasonCode"]).where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("id", "in", ids).execute() : [];
    const byId = new Map(current.map((mark) => [mark.id, mark]));
    for (const { id, decision, reasonCode, shown } of decisions) {
      const mark = byId.get(id);
      if (!mark) {
        throw new CaseFormError({ review: "The suggestions on this page changed since you opened it (Steward looked through the document again for the request’s people). Check them again." });
      }
      const code = decision === "remove" ? checkReason(found.type, reasonCode, `reason-${id}`) : null;
      if (shownOf({ decision, reasonCode: code }) === shownOf(mark)) {
        continue;
      }
      if (shown !== undefined && shown !== shownOf(mark)) {
        throw new CaseFormError({ review: "Someone else changed decisions on this page since you opened it. Check the page again: nothing of yours was saved." });
      }
      await trx
        .updateTable("disclosureRedactions")
        .set({ decision, reasonCode: code, decidedBy: decision === "pending" ? null : ctx.actor.userId, decidedAt: decision === "pending" ? null : now })
        .where("orgId", "=", row.orgId)
        .where("id", "=", id)
        .execute();
    }
  });
}

/** Decides at once every mark of a person (every mention of Jamie), of a kind (every phone number), or every one still undecided. */
export async function decideAll(
  ctx: Context,
  caseId: string,
  documentId: string,
  which: { person: string } | { kind: string } | { undecided: true },
  decision: "remove" | "keep",
  reasonCode: string | undefined,
): Promise<number> {
  let count = 0;
  const scope = "person" in which ? "person" : "kind" in which ? "kind" : "undecided";
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    const code = decision === "remove" ? checkReason(found.type, reasonCode, `${scope}Reason`) : null;
    let ids: string[];
    if ("person" in which) {
      // A person's name is sealed: their marks are found by opening each.
      const named = await trx.selectFrom("disclosureRedactions").selectAll().where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("person", "is not", null).execute();
      ids = (await openedMarks(ctx, row, named)).filter((mark) => sameSpacing(mark.person ?? "") === sameSpacing(which.person)).map((mark) => mark.id);
    } else {
      let query = trx.selectFrom("disclosureRedactions").select("id").where("orgId", "=", row.orgId).where("documentId", "=", row.id);
      query = "kind" in which ? query.where("kind", "=", which.kind) : query.where("decision", "=", "pending");
      ids = (await query.execute()).map((mark) => mark.id);
    }
    if (ids.length === 0) {
      throw new CaseFormError({ [scope === "undecided" ? "undecidedReason" : scope]: scope === "undecided" ? "Every suggestion is decided already" : `The document has no marks of this ${scope}` });
    }
    const now = ctx.services.clock.now();
    for (let start = 0; start < ids.length; start += 500) {
      await trx
        .updateTable("disclosureRedactions")
        .set({ decision, reasonCode: code, decidedBy: ctx.actor.userId, decidedAt: now })
        .where("orgId", "=", row.orgId)
        .where("id", "in", ids.slice(start, start + 500))
        .execute();
    }
    count = ids.length;
  });
  return count;
}

type NewMark = { origin: "phrase" | "box" | "page"; page: number; kind: string; startOffset?: number; endOffset?: number; rect?: Rect; words?: string; reasonCode: string };

/** Marks the DPO adds, decided remove at once: written 500 to a statement. */
async function insertMarks(trx: Tx, ctx: Context, document: { orgId: string; caseId: string; id: string }, marks: readonly NewMark[]) {
  const now = ctx.services.clock.now();
  const key = marks.some((mark) => mark.words !== undefined) ? await workingKeyOf(ctx.services, document.orgId, document.caseId, { create: true }) : undefined;
  const values = marks.map((mark) => {
    const id = randomUUID();
    return {
      orgId: document.orgId,
      id,
      documentId: document.id,
      origin: mark.origin,
      page: mark.page,
      startOffset: mark.startOffset ?? null,
      endOffset: mark.endOffset ?? null,
      rect: mark.rect ? JSON.stringify(mark.rect) : null,
      kind: mark.kind,
      recognizer: null,
      score: null,
      words: mark.words === undefined ? null : sealWorkingText(key!, { table: "disclosureRedactions", column: "words", rowId: id }, mark.words),
      why: null,
      person: null,
      decision: "remove" as const,
      reasonCode: mark.reasonCode,
      decidedBy: ctx.actor.userId,
      decidedAt: now,
      createdAt: now,
    };
  });
  for (let start = 0; start < values.length; start += 500) {
    await trx.insertInto("disclosureRedactions").values(values.slice(start, start + 500)).execute();
  }
}

/** More matches than this and the words are too common to mean one thing (a name is not "of"). */
export const MOST_PHRASE_MATCHES = 2_000;

/** Removes every match of a phrase in the document (any case, any spacing), each a mark of its own. Returns how many. */
export async function removePhrase(ctx: Context, caseId: string, documentId: string, phrase: string, reasonCode: string | undefined): Promise<number> {
  const wanted = phrase.trim();
  if (wanted.length < 2) {
    throw new CaseFormError({ phrase: "Enter the words to remove, at least 2 characters" });
  }
  let count = 0;
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    const code = checkReason(found.type, reasonCode, "phraseReason");
    const text = await readText(trx, ctx, row);
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(wanted).replace(/\s+/g, "\\s+")}(?![\\p{L}\\p{N}])`, "giu");
    const matches = [...text.text.matchAll(pattern)];
    if (matches.length === 0) {
      throw new CaseFormError({ phrase: "The document does not contain these words" });
    }
    if (matches.length > MOST_PHRASE_MATCHES) {
      throw new CaseFormError({ phrase: `These words appear ${matches.length.toLocaleString("en-GB")} times: give longer words, or withhold the pages` });
    }
    await insertMarks(
      trx,
      ctx,
      row,
      matches.map((match) => ({ origin: "phrase", page: pageOf(text, match.index).page, kind: "phrase", startOffset: match.index, endOffset: match.index + match[0].length, words: match[0], reasonCode: code })),
    );
    count = matches.length;
  });
  return count;
}

/** Withholds a whole page: nothing of it is disclosed but the reason. */
export async function withholdPage(ctx: Context, caseId: string, documentId: string, page: number, reasonCode: string | undefined): Promise<void> {
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    checkPage(page, row.pageCount);
    const code = checkReason(found.type, reasonCode, "withholdReason");
    const already = await trx.selectFrom("disclosureRedactions").select("id").where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("origin", "=", "page").where("page", "=", page).executeTakeFirst();
    if (already) {
      throw new CaseFormError({ withholdReason: "This page is withheld already" });
    }
    await insertMarks(trx, ctx, row, [{ origin: "page", page, kind: "page", reasonCode: code }]);
  });
}

/** A box drawn by hand on the page image, given back in page points. */
export async function markRegion(ctx: Context, caseId: string, documentId: string, page: number, rect: Rect, reasonCode: string | undefined): Promise<void> {
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    checkPage(page, row.pageCount);
    const [x0, y0, x1, y1] = rect;
    if (![x0, y0, x1, y1].every((value) => Number.isFinite(value) && value >= 0 && value <= 14_400) || x1 - x0 < 2 || y1 - y0 < 2) {
      throw new CaseFormError({ region: "Draw a box over what to remove" });
    }
    await insertMarks(trx, ctx, row, [{ origin: "box", page, kind: "region", rect, reasonCode: checkReason(found.type, reasonCode, "regionReason") }]);
  });
}

/** Takes back a mark the DPO added (a phrase match, a box, a withheld page). Suggestions are kept instead. */
export async function removeMark(ctx: Context, caseId: string, documentId: string, markId: string): Promise<void> {
  await changeReview(ctx, caseId, documentId, async (trx, _found, row) => {
    const removed = await trx.deleteFrom("disclosureRedactions").where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("id", "=", markId).where("origin", "!=", "suggested").executeTakeFirst();
    if (removed.numDeletedRows === 0n) {
      throw notFound();
    }
  });
}

/**
 * Asks for the decided removals to be applied and checked. Every suggestion must be decided
 * first: one left undecided is a question nobody answered.
 */
export async function redactDocument(ctx: Context, caseId: string, documentId: string): Promise<void> {
  await changeReview(ctx, caseId, documentId, async (trx, found, row) => {
    const pending = await trx.selectFrom("disclosureRedactions").select("id").where("orgId", "=", row.orgId).where("documentId", "=", row.id).where("decision", "=", "pending").limit(1).execute();
    if (pending.length > 0) {
      throw new CaseFormError({ review: "Decide every suggestion first: remove or keep each one, or use ‘Decide all that are left’" });
    }
    await trx.updateTable("disclosureDocuments").set({ state: "redacting", failure: null, redactionProblems: null, changedAt: ctx.services.clock.now() }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await enqueueJob(trx, ctx.services, { organisationId: row.orgId, kind: "disclosure-redact", payload: { documentId: row.id } });
    await addEvent(trx, ctx, row.orgId, found.id, "disclosure", "Asked for a document's redactions to be applied");
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.redact", caseId));
  });
}

/** Takes a redacted document back to review (its redacted copy is dropped: it will be made again). */
export async function changeRedactions(ctx: Context, caseId: string, documentId: string): Promise<void> {
  authorise(ctx.actor, "cases:manage");
  let dropped: { organisationId: string; id: string } | undefined;
  await inActorScope(ctx, async (trx) => {
    const { case: found, row } = await findDocument(trx, ctx, caseId, documentId);
    refuseIfClosed(found, "review");
    const current = await trx.selectFrom("disclosureDocuments").select("state").where("orgId", "=", row.orgId).where("id", "=", row.id).forUpdate().executeTakeFirstOrThrow();
    if (row.purgedAt) {
      throw new CaseFormError({ review: "This document’s working files were deleted 30 days after the case closed, so it cannot be reviewed again. Add it again to change what is disclosed." });
    }
    if (current.state !== "redacted") {
      throw new CaseFormError({ review: "This document is not redacted yet" });
    }
    await trx.updateTable("disclosureDocuments").set({ state: "review", redactedFileId: null, redactedSha256: null, changedAt: ctx.services.clock.now() }).where("orgId", "=", row.orgId).where("id", "=", row.id).execute();
    await addEvent(trx, ctx, row.orgId, found.id, "disclosure", "Took a document back to review to change its redactions");
    await recordAudit(trx, auditOfCase(ctx, row.orgId, "disclosure.decide", caseId));
    dropped = row.redactedFileId ? { organisationId: row.orgId, id: row.redactedFileId } : undefined;
  });
  if (dropped) {
    await ctx.services.files.remove(dropped);
  }
}
