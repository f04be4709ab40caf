import { sql } from "kysely";
import { inActorScope, type Context } from "../accounts/actor.ts";
import { authorise } from "../accounts/permissions.ts";

/*
 * What the dashboard shows of the requester's side, per school (for a trust, every school): the
 * public request page, messages from requesters waiting for a reply and how long the oldest has
 * waited, and requests no letter has answered yet (not even an acknowledgement). Counts and
 * dates only: no personal data.
 */

export interface CorrespondenceLine {
  organisationId: string;
  name: string;
  publicLink: string | null;
  waitingMessages: number;
  oldestWaitingSince: Date | null;
  /** How long the oldest has waited, in words ("3 days"). */
  waitedFor: string | null;
  /** The case whose message has waited longest, to open. */
  oldestWaitingCaseId: string | null;
  unacknowledged: number;
  oldestUnacknowledgedOn: string | null;
}

export async function correspondenceOverview(ctx: Context, organisationIds: readonly string[] = ctx.actor.organisationIds): Promise<CorrespondenceLine[]> {
  authorise(ctx.actor, "cases:manage");
  const wanted = organisationIds.filter((id) => ctx.actor.organisationIds.includes(id));
  if (wanted.length === 0) {
    return [];
  }
  return inActorScope(ctx, async (trx) => {
    const { rows } = await sql<{
      id: string;
      name: string;
      publicName: string | null;
      waiting: string;
      oldestWaiting: Date | null;
      oldestWaitingCase: string | null;
      unacknowledged: string;
      oldestUnacknowledged: string | null;
    }>`
      select o.id, o.name, o.public_name,
             (select count(*) from case_messages m where m.org_id = o.id and m.from_requester and m.answered_at is null) as waiting,
             (select min(m.sent_at) from case_messages m where m.org_id = o.id and m.from_requester and m.answered_at is null) as oldest_waiting,
             (select m.case_id from case_messages m where m.org_id = o.id and m.from_requester and m.answered_at is null order by m.sent_at limit 1) as oldest_waiting_case,
             (select count(*) from cases c where c.org_id = o.id and c.closed_at is null and c.type not in ('breach', 'advice')
                 and not exists (select 1 from case_letters l where l.org_id = c.org_id and l.case_id = c.id)) as unacknowledged,
             (select min(c.received_on)::text from cases c where c.org_id = o.id and c.closed_at is null and c.type not in ('breach', 'advice')
                 and not exists (select 1 from case_letters l where l.org_id = c.org_id and l.case_id = c.id)) as oldest_unacknowledged
        from organisations o
       where o.id in (${sql.join(wanted)})
       order by o.kind desc, o.name`.execute(trx);
    const now = ctx.services.clock.now().getTime();
    return rows.map((row) => ({
      organisationId: row.id,
      name: row.name,
      publicLink: row.publicName ? `/r/${row.publicName}` : null,
      waitingMessages: Number(row.waiting),
      oldestWaitingSince: row.oldestWaiting ? new Date(row.oldestWaiting) : null,
      waitedFor: row.oldestWaiting ? waitedFor(now - new Date(row.oldestWaiting).getTime()) : null,
      oldestWaitingCaseId: row.oldestWaitingCase,
      unacknowledged: Number(row.unacknowledged),
      oldestUnacknowledgedOn: row.oldestUnacknowledged,
    }));
  });
}

function waitedFor(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return "under an hour";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"}`;
  return `${Math.floor(hours / 24)} days`;
}
