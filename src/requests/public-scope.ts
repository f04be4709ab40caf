import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import type { PublicContext } from "./public-forms.ts";

/** A transaction for a public page's request: it sees only the organisation whose page it is. */
export function inPublicScope<T>(ctx: PublicContext, work: (trx: Tx) => Promise<T>): Promise<T> {
  return inScope(ctx.services.database.db, { organisationIds: [ctx.organisation.id] }, work);
}
