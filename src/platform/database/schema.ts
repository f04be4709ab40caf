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
  organisationKeys: OrganisationKeyTable;
  recoveryCodes: RecoveryCodeTable;
  emailChanges: EmailChangeTable;
  erasureRequests: ErasureRequestTable;
  schoolTerms: SchoolTermTable;
  bankHolidayUpdates: BankHolidayUpdateTable;
  caseCounters: CaseCounterTable;
  cases: CaseTable;
  caseStops: CaseStopTable;
  caseEvents: CaseEventTable;
  caseAttachments: CaseAttachmentTable;
  caseReminders: CaseReminderTable;
  keptForms: KeptFormTable;
  jobs: JobTable;
  disclosureDocuments: DisclosureDocumentTable;
  disclosurePeople: DisclosurePersonTable;
  disclosureRedactions: DisclosureRedactionTable;
  disclosureTasks: DisclosureTaskTable;
  disclosureApprovals: DisclosureApprovalTable;
  redactionSettings: RedactionSettingsTable;
  requestConfirmations: RequestConfirmationTable;
  caseRequesters: CaseRequesterTable;
  requesterLinks: RequesterLinkTable;
  requesterSessions: RequesterSessionTable;
  caseMessages: CaseMessageTable;
  letterTemplates: LetterTemplateTable;
  caseReleases: CaseReleaseTable;
  caseLetters: CaseLetterTable;
  registerEntries: RegisterEntryTable;
  registerReminders: RegisterReminderTable;
  supplierNoticeReadings: SupplierNoticeReadingTable;
  disposalRecords: DisposalRecordTable;
  caseDestructionApprovals: CaseDestructionApprovalTable;
  dpiaVersions: DpiaVersionTable;
  licences: LicenceTable;
  ownershipRequests: OwnershipRequestTable;
  operators: OperatorTable;
  operatorSessions: OperatorSessionTable;
  operatorEvents: OperatorEventTable;
  backupRuns: BackupRunTable;
  contactConsents: ContactConsentTable;
  emailSuppressions: EmailSuppressionTable;
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
  twoFactorRequired: Generated<boolean>;
  /** A second person must approve a disclosure bundle before it is released (a trust's choice holds for its schools). */
  disclosureApprovalRequired: Generated<boolean>;
  nation: Generated<"england" | "wales" | "scotland" | "northern-ireland">;
  /** Maintained schools have the parent's 15-school-day educational record right; academies do not. */
  schoolType: Generated<"maintained" | "academy" | "independent">;
  /** The organisation's own service target for advice requests, in working days. */
  adviceTargetDays: Generated<number>;
  /** What a licence's attachments may take in all: only the licence's own (top) organisation's counts. Set by an operator. */
  storageLimitBytes: Generated<string | number>;
  /** In a trust, the short code that begins each of the organisation's case references (unique in the trust). */
  referenceCode: string | null;
  /** The address of its public request page, /r/<publicName>. */
  publicName: string | null;
  /** How many days a released response stays downloadable from the requester's page. */
  releaseDays: Generated<number>;
}

export type Role = "owner" | "admin" | "dpo" | "staff" | "adviser" | "auditor";

export interface UserTable {
  orgId: string;
  id: string;
  /** Sealed (see accounts/personal-fields.ts), as are email and username. */
  fullName: string;
  email: string;
  username: string;
  /** Blind indexes of the lower-cased username and email: sign-in lookups and uniqueness. */
  usernameIndex: string | null;
  emailIndex: string | null;
  role: Role;
  passwordHash: string | null;
  deactivatedAt: Timestamp | null;
  createdAt: CreatedAt;
  updatedAt: Timestamp;
  failedSignIns: Generated<number>;
  lastFailedSignInAt: Timestamp | null;
  lockedUntil: Timestamp | null;
  /** Sealed under the organisation's data key; in force only once confirmed. */
  totpSecret: string | null;
  totpConfirmedAt: Timestamp | null;
  /** The last 30-second step whose code was accepted: a code is never accepted twice. */
  totpLastStep: number | null;
}

export interface SessionTable {
  orgId: string;
  id: string;
  tokenHash: string;
  userId: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  /** Passed the password, not yet the second factor: may only finish signing in. */
  awaitingSecondFactor: Generated<boolean>;
  /** When the person last proved who they are in this session: sensitive actions need it recent. */
  confirmedAt: Timestamp;
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
  /** Sealed, as are subject, body and lastError: an email is personal data. */
  recipient: string;
  subject: string;
  body: string;
  status: EmailStatus;
  /** A set-password, reset or email-change email: its body (the link) is never shown on the outbox page. */
  authentication: Generated<boolean>;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp | null;
  lastError: string | null;
  createdAt: Timestamp;
  sentAt: Timestamp | null;
}

export interface AuditEventTable {
  orgId: string;
  /** The event's place in its organisation's chain: null until the sealer gives it one. */
  seq: ColumnType<number | null, never, number>;
  /** The order events were appended in, across all organisations: the order the sealer seals them in. */
  appendOrder: ColumnType<string, never, never>;
  id: string;
  occurredAt: Timestamp;
  actorUserId: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Both null until the event is sealed into its chain. */
  previousHash: ColumnType<string | null, never, string>;
  hash: ColumnType<string | null, never, string>;
}

export interface OrganisationKeyTable {
  orgId: string;
  /** The data key, sealed by the master key; null once destroyed (crypto-shredding). */
  wrappedKey: string | null;
  destroyedAt: Timestamp | null;
  createdAt: CreatedAt;
}

export interface RecoveryCodeTable {
  orgId: string;
  id: string;
  userId: string;
  codeHash: string;
  createdAt: Timestamp;
  usedAt: Timestamp | null;
}

export interface EmailChangeTable {
  orgId: string;
  id: string;
  tokenHash: string;
  userId: string;
  /** Sealed. */
  newEmail: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
}

export interface ErasureRequestTable {
  orgId: string;
  id: string;
  userId: string;
  /** Sealed: free text that may hold personal data. */
  reason: string | null;
  createdAt: Timestamp;
  closedAt: Timestamp | null;
}

/** Dates as PostgreSQL `date`, always read and written as YYYY-MM-DD text (see database.ts). */
type DateText = string;

export interface SchoolTermTable {
  orgId: string;
  id: string;
  kind: "term" | "closure";
  firstDay: DateText;
  lastDay: DateText;
}

export interface BankHolidayUpdateTable {
  division: "england-and-wales" | "scotland" | "northern-ireland";
  date: DateText;
  title: string;
}

export interface CaseCounterTable {
  orgId: string;
  prefix: string;
  year: number;
  lastNumber: number;
}

export interface CaseTable {
  orgId: string;
  id: string;
  reference: string;
  type: string;
  /** For a rights request: rectification, erasure, restriction, objection or portability. */
  rightAsked: string | null;
  status: string;
  /** When it arrived (for a breach, when the school became aware), and that day in London. */
  receivedAt: Timestamp;
  receivedOn: DateText;
  channel: string;
  /** Sealed, as are requesterContact, subjectName, summary, extensionReason and outcomeDetail. */
  requesterName: string;
  requesterContact: string | null;
  /** Whose personal data it is about; null for an information request (FOI, EIR) or advice. */
  subjectKind: string | null;
  subjectName: string | null;
  summary: string;
  /** Sealed JSON: the breach's risk assessment and what an Art 33(3) notification needs. */
  breachReport: string | null;
  /** Null for a request made through the public form: nobody at the school logged it. */
  createdBy: string | null;
  assigneeId: string | null;
  extended: Generated<boolean>;
  extensionReason: string | null;
  requesterToldOn: DateText | null;
  extendedTo: DateText | null;
  /** The deadline as last computed, for lists, the dashboard and reminders; null while paused. */
  dueOn: DateText | null;
  dueAt: Timestamp | null;
  riskLikelihood: string | null;
  riskSeverity: string | null;
  /** The days the breach was reported to the ICO and the people affected were told: dates, as recorded. */
  icoReportedOn: DateText | null;
  peopleToldOn: DateText | null;
  /** The key of the log-a-case form that made it: a second post of that form finds this case. */
  submissionKey: Generated<string | null>;
  outcome: string | null;
  outcomeDetail: string | null;
  closedAt: Timestamp | null;
  /** When and how the response went to the requester (recorded on closing; null before it was asked). */
  responseSentOn: Generated<DateText | null>;
  responseChannel: Generated<string | null>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CaseStopTable {
  orgId: string;
  id: string;
  caseId: string;
  reason: "identity" | "fee" | "clarification";
  fromOn: DateText;
  toOn: DateText | null;
  /** Ended by the requester's reply or file rather than by the DPO. */
  endedByRequester: Generated<boolean>;
}

export interface CaseEventTable {
  orgId: string;
  id: string;
  caseId: string;
  seq: ColumnType<number, never, never>;
  at: Timestamp;
  actorUserId: string | null;
  kind: string;
  /** Sealed: may quote a note or a reason. */
  detail: string | null;
}

export interface CaseAttachmentTable {
  orgId: string;
  id: string;
  caseId: string;
  /** Sealed, as is removalReason. */
  filename: string;
  fileType: string;
  sizeBytes: number;
  /** Null: the sealed file is in the file store (services.files), its hash in contentSha256. Older rows hold it here, sealed as text. */
  content: string | null;
  contentSha256: string | null;
  /** Null for a requester's file. */
  uploadedBy: string | null;
  uploadedAt: Timestamp;
  fromRequester: Generated<boolean>;
  /** A requester's file: their proof of identity, or a file sent with a message. */
  purpose: Generated<"identity" | "message" | null>;
  /** The message a requester's file was sent with. */
  messageId: Generated<string | null>;
  /** A wrong attachment removed: its bytes are gone; the row and the timeline keep that it was, who removed it and why. */
  removedAt: Timestamp | null;
  removedBy: string | null;
  removalReason: string | null;
}

export interface CaseReminderTable {
  orgId: string;
  caseId: string;
  kind: string;
  dueKey: string;
  sentAt: Timestamp;
}

/** A form posted after its session ran out, kept (sealed) for its author to see again after signing in. */
export interface KeptFormTable {
  orgId: string;
  id: string;
  userId: string;
  /** The page the form was on (a path on this site, with its query). */
  path: string;
  /** Sealed JSON of the fields as typed (never passwords, codes or files). */
  fields: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

/** Work off the request path (src/platform/jobs/jobs.ts): ids and settings only, never personal data. */
export interface JobTable {
  orgId: string;
  id: string;
  kind: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  state: Generated<"waiting" | "running" | "done" | "failed">;
  attempts: Generated<number>;
  maxAttempts: Generated<number>;
  runAfter: Timestamp;
  claimedBy: string | null;
  claimedUntil: Timestamp | null;
  lastError: string | null;
  createdAt: Timestamp;
  finishedAt: Timestamp | null;
}

/** A document in a case's disclosure area. Sealed: filename, redactionProblems; each file in the file store under its own id. */
export interface DisclosureDocumentTable {
  orgId: string;
  id: string;
  caseId: string;
  filename: string;
  fileType: string;
  sizeBytes: ColumnType<number, number, number>;
  /** The original as uploaded, sealed in the file store under the document's id. */
  originalSha256: string;
  /** Only documents for disclosure can reach the requester; working files never do. */
  purpose: "disclosure" | "working";
  /** An email's attachment: the email it came in. */
  fromDocumentId: string | null;
  fromAttachmentId: string | null;
  /** Uploaded into a search task by its assignee. */
  taskId: string | null;
  state: "reading" | "failed" | "review" | "redacting" | "redacted" | "working" | "purged";
  /** Why reading or redacting failed, in a plain sentence with no personal data. */
  failure: string | null;
  pageCount: number | null;
  /** Scans with no text layer that OCR could not read (tesseract missing): the review warns, and the check cannot pass. */
  unreadPages: ColumnType<number[], number[] | undefined, number[]>;
  pdfFileId: string | null;
  pdfSha256: string | null;
  /** The document's text as read (pages, OCR words and boxes), sealed JSON. */
  textFileId: string | null;
  textSha256: string | null;
  redactedFileId: string | null;
  redactedSha256: string | null;
  redactionProblems: string | null;
  addedBy: string;
  addedAt: Timestamp;
  changedAt: Timestamp;
  removedAt: Timestamp | null;
  removedBy: string | null;
  /** Why a wrong document was removed (sealed). */
  removalReason: string | null;
  /** An email's attachments that were not added (a type Steward cannot read, a failed check, no room). */
  skippedAttachments: Generated<number>;
  /** When the working data went, 30 days after the case closed: only the redacted copy is left. */
  purgedAt: Timestamp | null;
}

/** A person the request concerns, with their part. Sealed: name. */
export interface DisclosurePersonTable {
  orgId: string;
  id: string;
  caseId: string;
  name: string;
  part: string;
  addedBy: string;
  addedAt: Timestamp;
}

/** One place a review decides on. Sealed: words, why, person. */
export interface DisclosureRedactionTable {
  orgId: string;
  id: string;
  documentId: string;
  origin: "suggested" | "phrase" | "box" | "page";
  page: number;
  startOffset: number | null;
  endOffset: number | null;
  rect: ColumnType<[number, number, number, number] | null, string | null, string | null>;
  kind: string;
  recognizer: string | null;
  score: number | null;
  words: string | null;
  why: string | null;
  person: string | null;
  decision: "pending" | "remove" | "keep";
  reasonCode: string | null;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  createdAt: Timestamp;
}

/** A search for documents, given to someone with a due date. Sealed: title. */
export interface DisclosureTaskTable {
  orgId: string;
  id: string;
  caseId: string;
  title: string;
  assigneeId: string;
  dueOn: string;
  state: Generated<"open" | "done" | "nothing-found">;
  createdBy: string;
  createdAt: Timestamp;
  finishedBy: string | null;
  finishedAt: Timestamp | null;
}

/** A second person's approval of a case's bundle, as it was when they approved it. */
export interface DisclosureApprovalTable {
  orgId: string;
  id: string;
  caseId: string;
  approvedBy: string;
  approvedAt: Timestamp;
  fingerprint: string;
}

/** An organisation's redaction settings. Sealed: alwaysRemove (JSON list of words), people (JSON list of {name, part}). */
export interface RedactionSettingsTable {
  orgId: string;
  switchedOff: ColumnType<string[], string[] | undefined, string[]>;
  alwaysRemove: string | null;
  people: string | null;
  peopleCount: Generated<number>;
  peopleImportedAt: Timestamp | null;
  changedBy: string;
  changedAt: Timestamp;
}

/** A public form posted, waiting for the code emailed to its address (sealed form, expires within the hour). */
export interface RequestConfirmationTable {
  orgId: string;
  id: string;
  emailIndex: string;
  /** Which public form (access, rights, information, complaint, breach): for its hourly limit. */
  formKind: string;
  /** Sealed JSON of what was asked; emptied once the case is logged. */
  form: string | null;
  codeHash: string;
  attempts: Generated<number>;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  caseId: string | null;
}

/** The requester's email address on a case (sealed, with a blind index): where letters and codes go. */
export interface CaseRequesterTable {
  orgId: string;
  caseId: string;
  email: string;
  emailIndex: string;
  confirmedAt: Timestamp | null;
  /** Sealed: what the requester asked, in their own words (a request made on the public page). */
  asked: Generated<string | null>;
  createdAt: Timestamp;
}

/** A link in an email to the requester; it opens their page only with a one-time code. */
export interface RequesterLinkTable {
  orgId: string;
  id: string;
  caseId: string;
  tokenHash: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  codeHash: string | null;
  codeSentAt: Timestamp | null;
  codeAttempts: Generated<number>;
  codesSent: Generated<number>;
  failedAttempts: Generated<number>;
}

export interface RequesterSessionTable {
  orgId: string;
  id: string;
  caseId: string;
  tokenHash: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
}

/** A message between the requester and the school on a case (sealed body), apart from internal notes. */
export interface CaseMessageTable {
  orgId: string;
  id: string;
  caseId: string;
  fromRequester: boolean;
  authorUserId: string | null;
  body: string;
  sentAt: Timestamp;
  /** For a requester's message: when the school replied. */
  answeredAt: Timestamp | null;
}

/** An organisation's own wording of a letter. */
export interface LetterTemplateTable {
  orgId: string;
  kind: string;
  subject: string;
  body: string;
  changedBy: string;
  changedAt: Timestamp;
}

/** A response released to the requester: the bundle as sent, sealed in the file store under its id. */
export interface CaseReleaseTable {
  orgId: string;
  id: string;
  caseId: string;
  contentSha256: string;
  sizeBytes: number | string;
  releasedBy: string;
  releasedAt: Timestamp;
  expiresAt: Timestamp;
}

/** A letter sent by email or downloaded to post. Subject and body sealed. */
export interface CaseLetterTable {
  orgId: string;
  id: string;
  caseId: string;
  kind: string;
  subject: string;
  body: string;
  method: "email" | "post";
  /** Sealed: where a posted letter went. */
  postalAddress: Generated<string | null>;
  sentOn: DateText;
  sentBy: string;
  sentAt: Timestamp;
  releaseId: string | null;
}

/** An entry in one of the registers (a processing activity, a supplier…): on the one review schedule. */
export interface RegisterEntryTable {
  orgId: string;
  id: string;
  kind: string;
  title: string;
  status: "draft" | "active" | "retired";
  ownerUserId: string | null;
  reviewOn: DateText;
  /** The kind's own fields, checked against its schema in registers/register-kinds.ts. */
  details: ColumnType<unknown, string, string>;
  /** The kind's fields about a person (register-kinds.ts PERSONAL_FIELDS), sealed, as JSON. */
  personal: string | null;
  version: Generated<number>;
  isTemplate: Generated<boolean>;
  templateId: string | null;
  templateVersion: number | null;
  starterKey: string | null;
  createdAt: Timestamp;
  createdBy: string | null;
  changedAt: Timestamp;
  changedBy: string | null;
  lastReviewedOn: DateText | null;
}

export interface RegisterReminderTable {
  orgId: string;
  entryId: string;
  reviewOn: DateText;
  bucket: "30-days" | "7-days" | "due";
  sentAt: Timestamp;
}

/** A supplier's privacy notice as Steward read it: its text, and the facts and flags the reader found. */
export interface SupplierNoticeReadingTable {
  orgId: string;
  id: string;
  source: string;
  noticeText: string;
  reading: ColumnType<unknown, string, string>;
  createdAt: Timestamp;
  createdBy: string;
}

/** The disposal log: what was destroyed, when, how, by whom, on whose authority. */
export interface DisposalRecordTable {
  orgId: string;
  id: string;
  what: string;
  disposedOn: DateText;
  method: string;
  disposedBy: string;
  authority: string;
  retentionEntryId: string | null;
  evidence: string | null;
  recordedBy: string;
  recordedAt: Timestamp;
}

/** A closed case the DPO approved for destruction once its retention period was over. */
export interface CaseDestructionApprovalTable {
  orgId: string;
  caseId: string;
  retentionEntryId: string;
  approvedBy: string;
  approvedAt: Timestamp;
}

/** A signed DPIA as it was signed: frozen, one row per version. */
export interface DpiaVersionTable {
  orgId: string;
  entryId: string;
  version: number;
  title: string;
  content: ColumnType<unknown, string, string>;
  signedBy: string;
  signedAt: Timestamp;
}

export type LicenceState = "active" | "dormant" | "deletion-pending" | "ending" | "ended";

/** A licence: its term and where it is in its life. Outlives its organisation's rows. */
export interface LicenceTable {
  orgId: string;
  organisationName: string;
  organisationKind: OrganisationKind;
  state: Generated<LicenceState>;
  termStartsOn: DateText;
  termEndsOn: DateText;
  warningsSent: Generated<number[]>;
  dormantSince: Timestamp | null;
  stateBeforeDeletion: LicenceState | null;
  deletionAskedAt: Timestamp | null;
  deletionAskedBy: string | null;
  deletionApprovedAt: Timestamp | null;
  deletionApprovedBy: string | null;
  deletionDueAt: Timestamp | null;
  reinstatedAt: Timestamp | null;
  noticesDue: Generated<string[]>;
  endedAt: Timestamp | null;
  endedReason: "dormant-12-months" | "deleted-on-request" | null;
  destroyedOrganisationIds: Generated<string[]>;
  filesRemovedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  createdAt: Timestamp;
  changedAt: Timestamp;
}

/** An admin's request to take over a licence whose owner has gone, for the operator to decide. */
export interface OwnershipRequestTable {
  orgId: string;
  id: string;
  askedBy: string;
  askedAt: Timestamp;
  /** Sealed. */
  reason: string;
  state: Generated<"waiting" | "approved" | "refused" | "withdrawn">;
  decidedAt: Timestamp | null;
  appliedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Someone who runs the service: no organisation, two-factor always. */
export interface OperatorTable {
  id: string;
  email: string;
  passwordHash: string;
  /** Sealed under the master key. */
  totpSecret: string | null;
  totpConfirmedAt: Timestamp | null;
  totpLastStep: number | null;
  failedSignIns: Generated<number>;
  lockedUntil: Timestamp | null;
  createdAt: Timestamp;
  deactivatedAt: Timestamp | null;
}

export interface OperatorSessionTable {
  id: string;
  tokenHash: string;
  operatorId: string;
  awaitingSecondFactor: Generated<boolean>;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
}

/** The operator's own trail: what operators and the licence jobs did, kept after a licence ends. */
export interface OperatorEventTable {
  id: string;
  occurredAt: Timestamp;
  operatorId: string | null;
  action: string;
  licenceId: string | null;
  detail: ColumnType<unknown, string | undefined, string>;
}

/** A backup Steward took into its rolling set. */
export interface BackupRunTable {
  id: string;
  takenAt: Timestamp;
  fileName: string;
  bytes: ColumnType<string | number, number, number>;
  prunedAt: Timestamp | null;
}

export type ContactKind = "product-updates" | "surveys";

/** One answer to "may Steward email you about …": the newest per person and kind is the one that counts. */
export interface ContactConsentTable {
  orgId: string;
  id: string;
  userId: string;
  kind: ContactKind;
  given: boolean;
  wording: string;
  recordedAt: Timestamp;
  how: "account-page" | "unsubscribe-link" | "registration";
}

/** An address that opted out of a kind of email, as a keyed hash: never emailed that kind again. */
export interface EmailSuppressionTable {
  addressIndex: string;
  kind: ContactKind;
  suppressedAt: Timestamp;
}
