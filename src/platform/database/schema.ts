import type { ColumnType, Generated } from "kysely";

/**
 * The database as Kysely sees it (camelCase here, snake_case in SQL, through CamelCasePlugin).
 * Every tenant-owned table carries organisationId (org_id) and is guarded by row-level security.
 */
export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  sessions: SessionTable;
  passwordLinks: PasswordLinkTable;
  outbox: OutboxTable;
  auditEvents: AuditEventTable;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type OrganisationKind = "trust" | "school";

export interface OrganisationTable {
  id: string;
  parentId: string | null;
  kind: OrganisationKind;
  name: string;
  postalAddress: string;
  telephone: string;
  createdAt: CreatedAt;
}

export type Role = "owner" | "admin" | "dpo" | "staff" | "adviser" | "auditor";

export interface UserTable {
  orgId: string;
  id: string;
  fullName: string;
  email: string;
  username: string;
  role: Role;
  passwordHash: string | null;
  deactivatedAt: Timestamp | null;
  createdAt: CreatedAt;
  updatedAt: Timestamp;
  failedSignIns: Generated<number>;
  lastFailedSignInAt: Timestamp | null;
  lockedUntil: Timestamp | null;
}

export interface SessionTable {
  orgId: string;
  id: string;
  tokenHash: string;
  userId: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
}

export type PasswordLinkPurpose = "invitation" | "reset";

export interface PasswordLinkTable {
  orgId: string;
  id: string;
  tokenHash: string;
  userId: string;
  purpose: PasswordLinkPurpose;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
}

export type EmailStatus = "held" | "pending" | "sent" | "failed";

export interface OutboxTable {
  orgId: string;
  id: string;
  recipient: string;
  subject: string;
  body: string;
  status: EmailStatus;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp | null;
  lastError: string | null;
  createdAt: Timestamp;
  sentAt: Timestamp | null;
}

export interface AuditEventTable {
  orgId: string;
  seq: ColumnType<number, number, never>;
  id: string;
  occurredAt: Timestamp;
  actorUserId: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  ip: string | null;
  userAgent: string | null;
  previousHash: string;
  hash: string;
}
