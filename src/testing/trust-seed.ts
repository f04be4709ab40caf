import { randomUUID } from "node:crypto";
import { sql, type Insertable } from "kysely";
import { loadActor, type Context } from "../accounts/actor.ts";
import { sealPersonalFields } from "../accounts/personal-fields.ts";
import { addSchool } from "../accounts/schools.ts";
import { recordAudits, type AuditEntry } from "../audit/audit.ts";
import { hashPassword } from "../auth/passwords.ts";
import { newTotpSecret, toBase32 } from "../auth/totp.ts";
import { loadHolidayCalendar, loadOrganisationCalendar } from "../calendar/calendar-store.ts";
import { isIsoDate, londonDateOf, parseDateTime } from "../calendar/dates.ts";
import { computeDeadline, type CaseType } from "../calendar/deadlines.ts";
import { typeLoggedAs } from "../cases/logging.ts";
import { needsResponse, RESPONSE_CHANNELS } from "../cases/response.ts";
import { asksWhoseData, CHANNELS, RIGHTS, SUBJECT_KINDS, typesOfferedTo, WORKFLOWS } from "../cases/workflows.ts";
import type { CaseEventTable, Role } from "../platform/database/schema.ts";
import { inScope, type Tx } from "../platform/database/tenant-scope.ts";
import { sealFor } from "../platform/encryption/keyring.ts";
import type { Services } from "../platform/services.ts";
import { buildLicence, TEST_PASSWORD } from "./factories.ts";

/*
 * A trust at its real size, for the bench (issue 15): one trust with its schools, thousands of
 * cases per school over two years, a couple of hundred staff, and other licences beside it so
 * row-level security has rows to filter. Organisations and schools are made by the app's own
 * functions; people and cases are written in bulk (batches inside inScope transactions), each row
 * with what the app would compute for it: sealed fields (sealFor / sealPersonalFields), the type
 * a school logs it as (typeLoggedAs), its reference, its deadline (computeDeadline on the
 * school's calendar, stored as storeDeadline stores it), its timeline and its audit event.
 */

export interface TrustSeedOptions {
  schools?: number;
  casesPerSchool?: number;
  /** Everyone in the trust and its schools together, the owner and the DPO included. */
  users?: number;
  otherLicences?: number;
  casesPerOtherLicence?: number;
  /** Rows per insert statement (and per transaction for cases). */
  batch?: number;
  /** The received dates spread over this many days before now. */
  spreadDays?: number;
}

export interface TrustSeed {
  trustId: string;
  schoolIds: string[];
  /** The trust's DPO: signs in with this name, TEST_PASSWORD, and a code from this base32 TOTP secret. */
  dpo: { userId: string; username: string; password: string; totpSecret: string };
  /** Some open cases of the trust's schools, for case-page figures. */
  openCaseIds: string[];
  counts: { cases: number; users: number; otherCases: number };
}

/** A small deterministic generator, so two runs seed the same mix. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
type Random = ReturnType<typeof randomSource>;

/** How often each kind of case comes in at a school (the rest are not offered everywhere). */
const TYPE_WEIGHTS: [CaseType, number][] = [
  ["sar", 30],
  ["foi", 24],
  ["complaint", 12],
  ["advice", 10],
  ["rights", 8],
  ["breach", 8],
  ["eir", 5],
  ["educational-record", 3],
];

const FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hassan", "Isla", "Jack", "Kiran", "Leah", "Mo", "Nia", "Oscar", "Priya", "Quinn", "Ruby", "Sam", "Tariq"];
const LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Owen", "Patel", "Quigley", "Roberts", "Smith", "Taylor"];
const personName = (random: Random) => `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;

/** Term dates of an English school year, from September to July, with half-terms as closures. */
function schoolYearTerms(startYear: number) {
  const y = startYear;
  const n = startYear + 1;
  return [
    { kind: "term" as const, firstDay: `${y}-09-03`, lastDay: `${y}-12-19` },
    { kind: "closure" as const, firstDay: `${y}-10-27`, lastDay: `${y}-10-31` },
    { kind: "term" as const, firstDay: `${n}-01-06`, lastDay: `${n}-03-28` },
    { kind: "closure" as const, firstDay: `${n}-02-16`, lastDay: `${n}-02-20` },
    { kind: "term" as const, firstDay: `${n}-04-14`, lastDay: `${n}-07-22` },
    { kind: "closure" as const, firstDay: `${n}-05-26`, lastDay: `${n}-05-29` },
  ];
}

async function inBatches<T>(items: readonly T[], size: number, work: (batch: T[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await work(items.slice(start, start + size));
  }
}

interface Person {
  orgId: string;
  id: string;
  role: Role;
}

/** Staff of one organisation, sealed as the app seals them; returns who they are. */
async function seedPeople(services: Services, organisationId: string, count: number, random: Random, batch: number): Promise<Person[]> {
  const now = services.clock.now();
  const people: Person[] = [];
  for (let i = 0; i < count; i += 1) {
    const role: Role = i % 25 === 0 ? "dpo" : i % 12 === 0 ? "admin" : i % 40 === 7 ? "auditor" : "staff";
    people.push({ orgId: organisationId, id: randomUUID(), role });
  }
  await inBatches(people, batch, (some) =>
    inScope(services.database.db, { organisationIds: [organisationId] }, async (trx) => {
      const rows = [];
      for (const person of some) {
        const fullName = personName(random);
        const handle = `${fullName.toLowerCase().replace(/\s+/g, ".")}.${person.id.slice(0, 8)}`;
        const fields = await sealPersonalFields(trx, services.keyring, organisationId, person.id, { fullName, email: `${handle}@school.example`, username: handle });
        rows.push({ orgId: organisationId, id: person.id, ...fields, role: person.role, passwordHash: null, deactivatedAt: null, createdAt: now, updatedAt: now });
      }
      await trx.insertInto("users").values(rows).execute();
    }),
  );
  return people;
}

/**
 * Cases of one organisation, in batches of `batch` per transaction: what logging them would have
 * written (the case, its "logged" and "told" events, its case.log audit event), and for about half
 * of them what closing would (an outcome, the response sent). Returns the ids of the open ones.
 */
async function seedCases(
  services: Services,
  scope: readonly string[],
  organisationId: string,
  count: number,
  people: readonly Person[],
  random: Random,
  { batch, spreadDays }: { batch: number; spreadDays: number },
): Promise<string[]> {
  const now = services.clock.now();
  const db = services.database.db;
  const { organisation, calendar, holidays } = await inScope(db, { organisationIds: [organisationId] }, async (trx) => ({
    organisation: await trx.selectFrom("organisations").select(["kind", "referenceCode"]).where("id", "=", organisationId).executeTakeFirstOrThrow(),
    calendar: await loadOrganisationCalendar(trx, organisationId),
    holidays: await loadHolidayCalendar(trx),
  }));
  const offered = new Set(typesOfferedTo(calendar.nation, calendar.schoolType));
  const weights = TYPE_WEIGHTS.map(([type, weight]) => [typeLoggedAs(type, organisation.kind, calendar).type, weight] as const).filter(([type]) => offered.has(type));
  const totalWeight = weights.reduce((sum, [, weight]) => sum + weight, 0);
  const pickType = (): CaseType => {
    let roll = random.next() * totalWeight;
    for (const [type, weight] of weights) {
      roll -= weight;
      if (roll < 0) return type;
    }
    return weights[0]![0];
  };
  // References number each prefix and year from 1, in the order the cases arrived.
  const received = Array.from({ length: count }, () => now.getTime() - random.next() * spreadDays * 86_400_000).sort((a, b) => a - b);
  const counters = new Map<string, number>();
  const openIds: string[] = [];

  await inBatches(
    received.map((at, index) => ({ at, index })),
    batch,
    (some) =>
      inScope(db, { organisationIds: [...scope] }, async (trx) => {
        const cases = [];
        const events: Insertable<CaseEventTable>[] = [];
        const audits: AuditEntry[] = [];
        for (const { at } of some) {
          const id = randomUUID();
          const type = pickType();
          const workflow = WORKFLOWS[type];
          const receivedOn = londonDateOf(new Date(at));
          const time = type === "breach" ? `${String(8 + random.int(9)).padStart(2, "0")}:${String(random.int(60)).padStart(2, "0")}` : "00:00";
          const receivedAt = parseDateTime(`${receivedOn}T${time}`)!;
          const year = Number(receivedOn.slice(0, 4));
          const counterKey = `${workflow.prefix}/${year}`;
          const number = (counters.get(counterKey) ?? 0) + 1;
          counters.set(counterKey, number);
          const reference = `${organisation.referenceCode ? `${organisation.referenceCode}-` : ""}${workflow.prefix}-${year}-${String(number).padStart(4, "0")}`;
          const deadline = computeDeadline(
            {
              type,
              received: type === "breach" ? receivedAt.toISOString() : receivedOn,
              nation: calendar.nation,
              schoolType: calendar.schoolType,
              schoolTerms: calendar.terms,
              stops: [],
              extended: false,
              adviceTargetDays: calendar.adviceTargetDays,
            },
            holidays,
          );
          const dueAt = deadline.due && !isIsoDate(deadline.due) ? new Date(deadline.due) : null;
          const dueOn = deadline.due === null ? null : dueAt ? londonDateOf(dueAt) : deadline.due;
          const closed = random.next() < 0.5;
          const outcome = closed ? random.pick(workflow.outcomes) : undefined;
          const closedAt = closed ? new Date(Math.min(now.getTime(), receivedAt.getTime() + (3 + random.int(40)) * 86_400_000)) : null;
          const responds = outcome ? needsResponse(type, outcome.id) : false;
          const createdBy = people.length > 0 ? random.pick(people).id : undefined;
          const subjectKind = asksWhoseData(type) ? random.pick(SUBJECT_KINDS).id : null;
          const place = (column: string) => ({ organisationId, table: "cases" as const, column, rowId: id });
          const seal = (column: string, value: string) => sealFor(trx, services.keyring, place(column), value);
          const requester = personName(random);
          cases.push({
            orgId: organisationId,
            id,
            reference,
            type,
            rightAsked: type === "rights" ? random.pick(RIGHTS.filter((right) => right.id !== "erasure")).id : null,
            status: closed ? workflow.statuses[workflow.statuses.length - 1]!.id : workflow.statuses[random.int(workflow.statuses.length - 1)]!.id,
            receivedAt,
            receivedOn,
            channel: random.pick(CHANNELS).id,
            requesterName: await seal("requesterName", requester),
            requesterContact: await seal("requesterContact", `${requester.toLowerCase().replace(" ", ".")}@example.com`),
            subjectKind,
            subjectName: subjectKind && subjectKind !== "requester" ? await seal("subjectName", personName(random)) : null,
            summary: await seal("summary", `${workflow.name} received by ${receivedOn}: asks about records held between ${year - 2} and ${year}.`),
            breachReport: null,
            createdBy: createdBy ?? people[0]!.id,
            submissionKey: null,
            // Most open cases have someone on them; a few wait to be given out.
            assigneeId: people.length > 0 && (closed || random.next() < 0.85) ? random.pick(people).id : null,
            extensionReason: null,
            requesterToldOn: null,
            extendedTo: null,
            dueOn,
            dueAt,
            riskLikelihood: null,
            riskSeverity: null,
            icoReportedOn: null,
            peopleToldOn: null,
            outcome: outcome?.id ?? null,
            outcomeDetail: outcome?.needsDetail ? await seal("outcomeDetail", "Exemptions applied: third-party data (Sch 2 para 16)") : null,
            closedAt,
            responseSentOn: responds && closedAt ? londonDateOf(closedAt) : null,
            responseChannel: responds ? random.pick(RESPONSE_CHANNELS).id : null,
            createdAt: receivedAt,
            updatedAt: closedAt ?? receivedAt,
          });
          const event = async (kind: string, detail: string, at: Date) => {
            const eventId = randomUUID();
            events.push({
              orgId: organisationId,
              id: eventId,
              caseId: id,
              at,
              actorUserId: createdBy ?? null,
              kind,
              detail: await sealFor(trx, services.keyring, { organisationId, table: "caseEvents", column: "detail", rowId: eventId }, detail),
            });
          };
          await event("logged", `${workflow.name} logged`, receivedAt);
          await event("told", "The DPOs were told", receivedAt);
          if (closedAt && outcome) await event("closed", `Closed: ${outcome.name}`, closedAt);
          audits.push({ organisationId, actorUserId: createdBy ?? null, action: "case.log", recordType: "case", recordId: id, at: receivedAt });
          if (!closed) openIds.push(id);
        }
        await trx.insertInto("cases").values(cases).execute();
        await inBatches(events, batch, async (rows) => {
          await trx.insertInto("caseEvents").values(rows).execute();
        });
        // One statement per batch; the trail seals them into its chain after commit, as for the app.
        await recordAudits(trx, audits);
      }),
  );
  // The counters where logging the next case would carry on from.
  await inScope(db, { organisationIds: [organisationId] }, async (trx) => {
    for (const [key, lastNumber] of counters) {
      const [prefix, year] = key.split("/");
      await trx
        .insertInto("caseCounters")
        .values({ orgId: organisationId, prefix: prefix!, year: Number(year), lastNumber })
        .onConflict((oc) => oc.columns(["orgId", "prefix", "year"]).doUpdateSet({ lastNumber: sql`greatest(case_counters.last_number, excluded.last_number)` }))
        .execute();
    }
  });
  return openIds;
}

/** Three school years of term dates, so school-day deadlines over the spread have terms to count. */
async function seedTerms(services: Services, organisationId: string, now: Date): Promise<void> {
  const year = now.getUTCFullYear();
  const terms = [year - 3, year - 2, year - 1, year].flatMap(schoolYearTerms);
  await inScope(services.database.db, { organisationIds: [organisationId] }, async (trx: Tx) => {
    await trx
      .insertInto("schoolTerms")
      .values(terms.map((term) => ({ orgId: organisationId, id: randomUUID(), ...term })))
      .execute();
  });
}

/**
 * Seeds the issue's data set into `services`' database: a trust (registered as a licence is),
 * its schools (added as the trust's owner adds them), its people (the trust's DPO among them,
 * with a password and two-factor set up), each school's cases, and other licences with cases.
 */
export async function seedTrust(services: Services, options: TrustSeedOptions = {}): Promise<TrustSeed> {
  const { schools = 2, casesPerSchool = 10_000, users = 200, otherLicences = 3, casesPerOtherLicence = 500, batch = 500, spreadDays = 730 } = options;
  const random = randomSource(15);
  const now = services.clock.now();
  const licence = await buildLicence(services, { organisationKind: "trust", organisationName: "Riverside Learning Trust" });
  const owner = await inScope(services.database.db, { organisationIds: [licence.organisationId] }, (trx) => loadActor(trx, services.keyring, licence.organisationId, licence.userId));
  const ctx: Context = { actor: owner!, services };
  const names = ["Oak Hill Primary School", "Meadow Lane Academy", "Castle View School", "Brook Park Primary"];
  const schoolIds: string[] = [];
  for (let i = 0; i < schools; i += 1) {
    const id = await addSchool(ctx, { name: names[i % names.length]! + (i >= names.length ? ` ${i}` : ""), postalAddress: `${i + 1} School Lane\nLeeds\nLS1 1AA`, telephone: "0113 496 0000" });
    schoolIds.push(id);
    await seedTerms(services, id, now);
  }

  // The trust DPO: a password and a confirmed authenticator, as after setting it up.
  const dpoId = randomUUID();
  const dpoName = `dpo-${dpoId.slice(0, 8)}`;
  const totpSecret = toBase32(newTotpSecret());
  const passwordHash = await hashPassword(TEST_PASSWORD);
  await inScope(services.database.db, { organisationIds: [licence.organisationId] }, async (trx) => {
    const fields = await sealPersonalFields(trx, services.keyring, licence.organisationId, dpoId, { fullName: "Dana Protection", email: `${dpoName}@trust.example`, username: dpoName });
    await trx
      .insertInto("users")
      .values({
        orgId: licence.organisationId,
        id: dpoId,
        ...fields,
        role: "dpo",
        passwordHash,
        deactivatedAt: null,
        createdAt: now,
        updatedAt: now,
        totpSecret: await sealFor(trx, services.keyring, { organisationId: licence.organisationId, table: "users", column: "totpSecret", rowId: dpoId }, totpSecret),
        totpConfirmedAt: now,
      })
      .execute();
  });

  // The rest of the people: a few at the trust, the others shared between the schools.
  const remaining = Math.max(0, users - 2);
  const atTrust = Math.min(remaining, 8);
  const trustPeople = await seedPeople(services, licence.organisationId, atTrust, random, batch);
  const schoolPeople: Person[][] = [];
  for (let i = 0; i < schoolIds.length; i += 1) {
    const share = Math.floor((remaining - atTrust) / schoolIds.length) + (i < (remaining - atTrust) % schoolIds.length ? 1 : 0);
    schoolPeople.push(await seedPeople(services, schoolIds[i]!, share, random, batch));
  }

  const scope = [licence.organisationId, ...schoolIds];
  const openCaseIds: string[] = [];
  for (let i = 0; i < schoolIds.length; i += 1) {
    // A school's case is logged by its own staff and given to them (or to the trust's DPO).
    const workers = [...schoolPeople[i]!, { orgId: licence.organisationId, id: dpoId, role: "dpo" as const }];
    openCaseIds.push(...(await seedCases(services, scope, schoolIds[i]!, casesPerSchool, workers, random, { batch, spreadDays })));
  }

  // Other licences, each a school with its own staff and cases: rows row-level security must hide.
  let otherCases = 0;
  for (let i = 0; i < otherLicences; i += 1) {
    const other = await buildLicence(services, { organisationKind: "school", organisationName: `Other School ${i + 1}` });
    await seedTerms(services, other.organisationId, now);
    const staff = await seedPeople(services, other.organisationId, 20, random, batch);
    await seedCases(services, [other.organisationId], other.organisationId, casesPerOtherLicence, staff, random, { batch, spreadDays });
    otherCases += casesPerOtherLicence;
  }
  // Planner statistics, as autovacuum would have them after a bulk load.
  await sql`analyze`.execute(services.database.db);

  return {
    trustId: licence.organisationId,
    schoolIds,
    dpo: { userId: dpoId, username: dpoName, password: TEST_PASSWORD, totpSecret },
    // Spread over the two years, not just the newest.
    openCaseIds: openCaseIds.filter((_, index) => index % Math.max(1, Math.floor(openCaseIds.length / 20)) === 0).slice(0, 20),
    counts: { cases: casesPerSchool * schoolIds.length, users: 2 + trustPeople.length + schoolPeople.reduce((sum, group) => sum + group.length, 0), otherCases },
  };
}
