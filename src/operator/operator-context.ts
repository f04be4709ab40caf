import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Tx } from "../platform/database/tenant-scope.ts";
import { forbidden } from "../platform/errors.ts";

/** Who is doing something in the operator's console, for domain code: the operator, and where from. */
export interface OperatorContext {
  operatorId: string;
  ip?: string;
}

/**
 * The context an operator's route hands to domain code. Only routes with `config: { access:
 * "operator" }` have a signed-in operator (the guard sets request.operator); anything else is refused.
 */
export function operatorContextOf(request: FastifyRequest): OperatorContext {
  if (!request.operator) {
    throw forbidden();
  }
  return { operatorId: request.operator.id, ip: request.ip };
}

export interface OperatorEvent {
  /** Who did it; null for Steward itself (a licence job, the setup at start-up). */
  operatorId: string | null;
  /** What, as a dotted code: `operator.sign-in`, `licence.reinstate` (3 to 60 of a-z, dots and hyphens). */
  action: string;
  /** The licence (its top organisation's id) it was about, if any. */
  licenceId?: string | null;
  /** Figures and codes only: never a person's name, email address or anything a school wrote. */
  detail?: Record<string, unknown>;
  at: Date;
}

/**
 * Adds an event to the operator's own trail (operator_events). Call it inside the transaction that
 * does what it records (asOperator, or steward_app's, which may insert too), so both or neither happen.
 */
export async function recordOperatorEvent(trx: Tx, event: OperatorEvent): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto("operatorEvents")
    .values({
      id,
      occurredAt: event.at,
      operatorId: event.operatorId,
      action: event.action,
      licenceId: event.licenceId ?? null,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
  return id;
}
