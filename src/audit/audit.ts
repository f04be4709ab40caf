import { createHash, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../platform/database/schema.ts";
import type { Tx } from "../platform/database/tenant-scope.ts";

/** Every kind of event the trail records. Reads of personal data are events too. */
export type AuditAction =
  | "licence.register"
  | "school.add"
  | "user.create"
  | "user.deactivate"
  | "role.grant"
  | "ownership.transfer"
  | "ownership.request"
  | "ownership.request-decided"
  | "licence.view"
  | "licence.renew"
  | "licence.term-change"
  | "licence.expiry-warning"
  | "licence.expired"
  | "licence.reinstated"
  | "licence.deletion-request"
  | "licence.deletion-approve"
  | "licence.deletion-cancel"
  | "licence.ending"
  | "user.list"
  | "user.view"
  | "password.set"
  | "session.start"
  | "session.end"
  | "session.end-others"
  | "session.confirm"
  | "session.end-all"
  | "sign-in.refused"
  | "sign-in.locked"
  | "two-factor.enable"
  | "two-factor.refused"
  | "two-factor.recovery-code-used"
  | "two-factor.reset"
  | "two-factor.recovery-codes-replace"
  | "organisation.settings-change"
  | "organisation.export"
  | "account.view"
  | "account.name-change"
  | "account.email-change-request"
  | "account.email-change"
  | "account.export"
  | "account.erasure-request"
  | "contact.choices-change"
  | "contact.unsubscribe"
  | "password-reset.request"
  | "outbox.read"
  | "audit.read"
  | "audit.export"
  | "case.log"
  | "case.list"
  | "case.view"
  | "case.export"
  | "case.assign"
  | "case.status"
  | "case.clock-stop"
  | "case.clock-restart"
  | "case.extend"
  | "case.note"
  | "case.close"
  | "case.reopen"
  | "case.correct"
  | "case.breach-assess"
  | "case.attach"
  | "case.attachment-download"
  | "case.attachment-remove"
  | "disclosure.view"
  | "disclosure.add"
  | "disclosure.person-add"
  | "disclosure.person-remove"
  | "disclosure.review"
  | "disclosure.decide"
  | "disclosure.redact"
  | "disclosure.download"
  | "disclosure.bundle"
  | "disclosure.purge"
  | "disclosure.verified"
  | "disclosure.verify-failed"
  | "disclosure.remove"
  | "disclosure.task-add"
  | "redaction.settings-view"
  | "redaction.settings-change"
  | "disclosure.approve"
  | "disclosure.task-view"
  | "disclosure.task-finish"
  | "requester.confirm"
  | "requester.sign-in"
  | "requester.view"
  | "requester.message"
  | "requester.upload"
  | "requester.download"
  | "message.send"
  | "letter.send"
  | "letter.download"
  | "letter.template-change"
  | "release.make"
  | "report.view"
  | "register.list"
  | "register.view"
  | "register.add"
  | "register.change"
  | "register.review"
  | "register.copy"
  | "register.export"
  | "register.notice-read"
  | "register.disposal"
  | "register.sign"
  | "case.destruction-approve"
  | "calendar.change"
  | "calendar.terms-import";

/** Where a request came from: recorded with each event (never in the application log). */
export interface RequestMeta {
  ip: string | undefined;
  userAgent: string | undefined;
}

export interface AuditEntry {
  /** Whose trail the event belongs to: the organisation that holds the record. */
  organisationId: string;
  actorUserId: string | null;
  action: AuditAction;
  recordType?: "organisation" | "user" | "email" | "audit" | "case" | "register";
  recordId?: string;
  meta?: RequestMeta | undefined;
  at: Date;
}

/** The hash before the first event of every chain. */
export const GENESIS_HASH = "0".repeat(64);

/** Everything an event's hash covers: all its columns but the hashes and the order it was appended in. */
interface ChainedFields {
  orgId: string;
  seq: number;
  id: string;
  occurredAt: Date;
  actorUserId: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** SHA-256 over the previous hash and every field of the event, in a fixed order. */
export function eventHash(previousHash: string, event: ChainedFields): string {
  const canonical = JSON.stringify([
    event.orgId,
    event.seq,
    event.id,
    event.occurredAt.toISOString(),
    event.actorUserId,
    event.action,
    event.recordType,
    event.recordId,
    event.ip,
    event.userAgent,
  ]);
  return createHash("sha256").update(`${previousHash}\n${canonical}`).digest("hex");
}

const rowOf = (entry: AuditEntry) => ({
  orgId: entry.organisationId,
  id: randomUUID(),
  occurredAt: entry.at,
  actorUserId: entry.actorUserId,
  action: entry.action,
  recordType: entry.recordType ?? null,
  recordId: entry.recordId ?? null,
  ip: entry.meta?.ip?.slice(0, 64) ?? null,
  userAgent: entry.meta?.userAgent?.slice(0, 300) ?? null,
});

/**
 * Appends an event to its organisation's trail, inside the caller's transaction, so the event
 * exists if and only if what it records does. It takes no lock: its place in the hash chain is
 * given a moment after the transaction commits, by sealAuditTrail, so concurrent requests of one
 * organisation never wait on each other to be audited.
 */
export async function recordAudit(trx: Tx, entry: AuditEntry): Promise<void> {
  await recordAudits(trx, [entry]);
}

/** As recordAudit, for several events in one statement (a list that shows several organisations' records). */
export async function recordAudits(trx: Tx, entries: AuditEntry[]): Promise<void> {
  if (entries.length > 0) {
    await trx.insertInto("auditEvents").values(entries.map(rowOf)).execute();
  }
}

/** How many waiting events one sealing transaction takes at most. */
const SEAL_BATCH = 2_000;

/**
 * Seals every committed event still waiting into its organisation's chain, in the order they were
 * appended: each gets the next sequence number, the previous event's hash and its own. One sealer
 * at a time across every app process (a transaction-scoped advisory lock; a process that finds it
 * taken leaves the work to the holder). Runs as the database owner, the only role that may give
 * an event its place. Returns how many it sealed.
 */
export async function sealAuditTrail(db: Kysely<Database>): Promise<number> {
  let sealed = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const { rows: lock } = await sql<{ taken: boolean }>`select pg_try_advisory_xact_lock(hashtextextended('steward audit sealer', 0)) as taken`.execute(trx);
      if (!lock[0]?.taken) {
        return 0;
      }
      // Ordered by the column itself: the text alias in the select list would sort "10" before "2".
      const { rows: waiting } = await sql<Omit<ChainedFields, "seq"> & { appendOrder: string }>`
        select append_order::text, org_id, id, occurred_at, actor_user_id, action, record_type, record_id, ip, user_agent
        from audit_events where hash is null order by audit_events.append_order limit ${SEAL_BATCH}`.execute(trx);
      if (waiting.length === 0) {
        return 0;
      }
      const organisations = [...new Set(waiting.map((event) => event.orgId))];
      const { rows: ends } = await sql<{ orgId: string; seq: number; hash: string }>`
        select o.id as org_id, last.seq, last.hash
        from unnest(${organisations}::uuid[]) as o (id)
        cross join lateral (
          select seq, hash from audit_events where org_id = o.id and seq is not null order by seq desc limit 1
        ) as last`.execute(trx);
      const chainEnds = new Map(ends.map((end) => [end.orgId, { seq: Number(end.seq), hash: end.hash }]));
      const places = { appendOrder: [] as string[], seq: [] as number[], previousHash: [] as string[], hash: [] as string[] };
      for (const event of waiting) {
        const end = chainEnds.get(event.orgId) ?? { seq: 0, hash: GENESIS_HASH };
        const seq = end.seq + 1;
        const hash = eventHash(end.hash, { ...event, seq, occurredAt: new Date(event.occurredAt) });
        places.appendOrder.push(event.appendOrder);
        places.seq.push(seq);
        places.previousHash.push(end.hash);
        places.hash.push(hash);
        chainEnds.set(event.orgId, { seq, hash });
      }
      await sql`
        update audit_events as e set seq = p.seq, previous_hash = p.previous_hash, hash = p.hash
        from unnest(${places.appendOrder}::bigint[], ${places.seq}::int[], ${places.previousHash}::text[], ${places.hash}::text[])
          as p (append_order, seq, previous_hash, hash)
        where e.append_order = p.append_order and e.hash is null`.execute(trx);
      return waiting.length;
    });
    sealed += batch;
    if (batch < SEAL_BATCH) {
      return sealed;
    }
  }
}

/** Actions that only read: what a change's own event already covers when it is the page that follows it. */
const READS = new Set<AuditAction>(["case.view", "case.list", "case.export", "case.attachment-download", "disclosure.view", "disclosure.review", "disclosure.download", "disclosure.bundle", "disclosure.task-view", "redaction.settings-view", "requester.view", "requester.download", "letter.download", "user.view", "user.list", "account.view", "account.export", "audit.read", "audit.export", "outbox.read"]);

/** How soon after a change its redirect lands: the page the form sends the person back to. */
const REDIRECT_WINDOW_MS = 60_000;

/**
 * Records a view of a record, except on the page a person is sent back to by their own change
 * (POST, then redirect to the record, which says so with `afterOwnChange`): when the record's
 * latest event is that same person's change, made moments ago, it already says who had the record
 * open and when, and a "looked at it" after every change would bury the reads that matter.
 * The marker alone is not trusted (it is in the address): the change must be in the trail.
 */
export async function recordView(trx: Tx, entry: AuditEntry & { recordType: NonNullable<AuditEntry["recordType"]>; recordId: string }, { afterOwnChange = false }: { afterOwnChange?: boolean } = {}): Promise<void> {
  if (afterOwnChange && entry.actorUserId) {
    const last = await trx
      .selectFrom("auditEvents")
      .select(["action", "actorUserId", "occurredAt"])
      .where("orgId", "=", entry.organisationId)
      .where("recordType", "=", entry.recordType)
      .where("recordId", "=", entry.recordId)
      .orderBy("appendOrder", "desc")
      .limit(1)
      .executeTakeFirst();
    if (
      last &&
      last.actorUserId === entry.actorUserId &&
      !READS.has(last.action as AuditAction) &&
      entry.at.getTime() - new Date(last.occurredAt).getTime() < REDIRECT_WINDOW_MS
    ) {
      return;
    }
  }
  await recordAudit(trx, entry);
}

export interface ChainBreak {
  organisationId: string;
  seq: number;
  reason: string;
}

export interface VerificationReport {
  organisations: number;
  events: number;
  /** The first broken link of each broken chain. */
  breaks: ChainBreak[];
  /** Events committed but not yet sealed into their chain (sealAuditTrail gives them their place). */
  awaitingSeal: number;
}

/**
 * Re-computes every organisation's chain. Runs as the database owner (an operator's command): it
 * reads only the events, which hold ids and actions, never personal data values.
 */
export async function verifyAuditChains(db: Kysely<Database>): Promise<VerificationReport> {
  const { rows } = await sql<ChainedFields & { previousHash: string; hash: string }>`
    select org_id, seq, id, occurred_at, actor_user_id, action, record_type, record_id, ip, user_agent,
           previous_hash, hash
    from audit_events where hash is not null order by org_id, seq`.execute(db);
  const { rows: waiting } = await sql<{ count: number }>`select count(*)::int as count from audit_events where hash is null`.execute(db);
  const report: VerificationReport = { organisations: 0, events: rows.length, breaks: [], awaitingSeal: waiting[0]?.count ?? 0 };
  let organisation: string | undefined;
  let expectedSeq = 1;
  let previousHash = GENESIS_HASH;
  let broken = false;
  for (const row of rows) {
    if (row.orgId !== organisation) {
      organisation = row.orgId;
      report.organisations += 1;
      expectedSeq = 1;
      previousHash = GENESIS_HASH;
      broken = false;
    }
    if (broken) {
      continue;
    }
    const reason =
      row.seq !== expectedSeq
        ? `event ${expectedSeq} is missing`
        : row.previousHash !== previousHash
          ? "does not link to the event before it"
          : row.hash !== eventHash(previousHash, { ...row, seq: Number(row.seq), occurredAt: new Date(row.occurredAt) })
            ? "its contents do not match its hash"
            : undefined;
    if (reason) {
      report.breaks.push({ organisationId: row.orgId, seq: Number(row.seq), reason });
      broken = true;
      continue;
    }
    previousHash = row.hash;
    expectedSeq += 1;
  }
  return report;
}
