import { forbidden, notFound } from "../platform/errors.ts";
import type { Role } from "../platform/database/schema.ts";
import type { Actor } from "./actor.ts";

/**
 * Every action a permission guards, who may take it, and what it means. This table is the one
 * source of truth: routes declare an action, domain functions call `authorise`, and the README's
 * role table is checked against it by a test.
 */
export const PERMISSIONS = {
  "dashboard:view": { roles: ["owner", "admin", "staff"], trustOnly: false, meaning: "See the dashboard" },
  "users:manage": {
    roles: ["owner", "admin"],
    trustOnly: false,
    meaning: "List, create and deactivate users",
  },
  "schools:manage": {
    roles: ["owner", "admin"],
    trustOnly: true,
    meaning: "List and add the trust's schools",
  },
  "outbox:view": { roles: ["owner", "admin"], trustOnly: false, meaning: "Read the email outbox" },
  "audit:view": { roles: ["owner", "admin"], trustOnly: false, meaning: "Read and export the audit trail" },
} as const satisfies Record<string, { roles: readonly Role[]; trustOnly: boolean; meaning: string }>;

export type Action = keyof typeof PERMISSIONS;

export const ROLES: readonly Role[] = ["owner", "admin", "staff"];

/** The one permission check. */
export function can(actor: Actor, action: Action): boolean {
  const rule = PERMISSIONS[action];
  if (rule.trustOnly && actor.organisation.kind !== "trust") {
    return false;
  }
  return (rule.roles as readonly Role[]).includes(actor.role);
}

export function authorise(actor: Actor, action: Action): void {
  if (!can(actor, action)) {
    throw forbidden();
  }
}

/** Another organisation's records answer "not found", never "forbidden", so existence does not leak. */
export function assertReachable(actor: Actor, organisationId: string): void {
  if (!actor.organisationIds.includes(organisationId)) {
    throw notFound();
  }
}
