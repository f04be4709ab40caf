import { forbidden, notFound } from "../platform/errors.ts";
import type { Role } from "../platform/database/schema.ts";
import type { Actor } from "./actor.ts";

/**
 * Every action a permission guards, who may take it, and what it means. This table is the one
 * source of truth: routes declare an action, domain functions call `authorise`, and the README's
 * role table is checked against it by a test.
 */
export const PERMISSIONS = {
  "dashboard:view": {
    roles: ["owner", "admin", "dpo", "staff", "adviser", "auditor"],
    trustOnly: false,
    meaning: "See the dashboard",
  },
  "users:manage": {
    roles: ["owner", "admin"],
    trustOnly: false,
    meaning: "List, create and deactivate users, change their roles, reset their two-factor and sign them out",
  },
  "schools:manage": {
    roles: ["owner", "admin"],
    trustOnly: true,
    meaning: "List and add the trust's schools",
  },
  "settings:manage": {
    roles: ["owner", "admin"],
    trustOnly: false,
    meaning: "Change the organisation's settings, such as requiring two-factor sign-in for everyone",
  },
  "cases:log": {
    roles: ["owner", "admin", "dpo", "staff", "adviser"],
    trustOnly: false,
    meaning: "Log a request or incident, and follow the cases they logged or were given",
  },
  "cases:view-all": {
    roles: ["owner", "admin", "dpo", "adviser", "auditor"],
    trustOnly: false,
    meaning: "See every case in the organisation (in a trust, every school's) and export the list",
  },
  "cases:manage": {
    roles: ["owner", "admin", "dpo", "adviser"],
    trustOnly: false,
    meaning: "Assign cases, move them on, stop and restart their clocks, extend and close them",
  },
  "calendar:manage": {
    roles: ["owner", "admin"],
    trustOnly: false,
    meaning: "Set each school's nation, kind of school, term dates and advice target",
  },
  "reports:view": {
    roles: ["owner", "admin", "dpo", "adviser", "auditor"],
    trustOnly: false,
    meaning: "See the governors' report: each school's case figures for a school year or term, with nobody named",
  },
  "registers:view": {
    roles: ["owner", "admin", "dpo", "adviser", "auditor"],
    trustOnly: false,
    meaning: "Read the registers (processing, suppliers) and their review schedule, and export them",
  },
  "registers:manage": {
    roles: ["owner", "admin", "dpo", "adviser"],
    trustOnly: false,
    meaning: "Add to and change the registers, record reviews, and copy the trust's templates",
  },
  "outbox:view": { roles: ["owner", "admin"], trustOnly: false, meaning: "Read the email outbox" },
  "audit:view": { roles: ["owner", "admin", "dpo", "auditor"], trustOnly: false, meaning: "Read and export the audit trail" },
  "ownership:transfer": { roles: ["owner"], trustOnly: false, meaning: "Hand the licence to another admin" },
  "organisation:export": { roles: ["owner"], trustOnly: false, meaning: "Download everything the organisation holds, as one file" },
  "licence:view": {
    roles: ["owner", "admin"],
    trustOnly: false,
    meaning: "See the licence's term and state; approve or stop a deletion the owner asked for; ask to take over a licence whose owner has gone",
  },
  "licence:manage": { roles: ["owner"], trustOnly: false, meaning: "Renew the licence, and ask for the organisation and all its data to be deleted" },
} as const satisfies Record<string, { roles: readonly Role[]; trustOnly: boolean; meaning: string }>;

export type Action = keyof typeof PERMISSIONS;

export const ROLES: readonly Role[] = ["owner", "admin", "dpo", "staff", "adviser", "auditor"];

/** Roles that open sensitive records: granting one needs the grantor to confirm training. */
export const SENSITIVE_ROLES: readonly Role[] = ["admin", "dpo", "adviser"];

/**
 * Two-factor sign-in is required of everyone who can open sensitive records, manage users or read
 * every case (the owner, the sensitive roles, and auditors, who read case content though they
 * change nothing), and of everyone when their organisation says so.
 */
export function mustUseTwoFactor(role: Role, organisationRequiresIt: boolean): boolean {
  const readsEveryCase = (PERMISSIONS["cases:view-all"].roles as readonly Role[]).includes(role);
  return organisationRequiresIt || role === "owner" || SENSITIVE_ROLES.includes(role) || readsEveryCase;
}

/** Each role's name, as every page says it (never the code). */
export const ROLE_NAMES: Record<Role, string> = {
  owner: "Licence owner",
  admin: "Administrator",
  dpo: "Data protection officer",
  staff: "Staff",
  adviser: "External adviser",
  auditor: "Auditor",
};

/** What each role is for, in the words the pages use. */
export const ROLE_DESCRIPTIONS: Record<Exclude<Role, "owner">, string> = {
  staff: "Logs requests and incidents, and sees their own.",
  dpo: "The data protection officer: runs the organisation's data protection work and reads the audit trail.",
  admin: "Manages users and settings, and sees everything in their organisation.",
  adviser: "An external data protection adviser, working for the organisation as its processor.",
  auditor: "Reads records and the audit trail, and changes nothing.",
};

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
