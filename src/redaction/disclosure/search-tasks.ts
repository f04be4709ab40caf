import { randomUUID } from "node:crypto";
import { inActorScope, type Context } from "../../accounts/actor.ts";
import { authorise } from "../../accounts/permissions.ts";
import { recordAudit } from "../../audit/audit.ts";
import { formatDate, londonDateOf } from "../../calendar/dates.ts";
import { assignableTo } from "../../cases/case-changes.ts";
import { addEvent, auditOfCase, CaseFormError, peopleNames } from "../../cases/cases.ts";
import { queueEmail } from "../../notify/outbox.ts";
import type { DisclosureTaskTable } from "../../platform/database/schema.ts";
import type { Tx } from "../../platform/database/tenant-scope.ts";
import { notFound } from "../../platform/errors.ts";
import { openPersonalFields } from "../../accounts/personal-fields.ts";
import { addUploadedDocument, documentNameOf, DOCUMENT_STATE_NAMES, findDisclosingCase, refuseIfClosed, workingKeyIfAny } from "./documents.ts";
import { openWorkingText, sealWorkingText, workingKeyOf } from "./working-keys.ts";
import { clearLostWorkingData } from "./purge.ts";
import { UnreadableError } from "../../platform/encryption/envelope.ts";

/**
 * Search tasks: most of a SAR is finding the documents, and the people who hold them are often
 * not the DPO ("the class teacher's emails", "the SENCO file"). The DPO gives a task to someone
 * with a due date; they are emailed (the reference and the date only), see the task under "Your
 * search tasks", upload into it and mark it done or "nothing found". The task is all they see:
 * not the case, not its other documents, only what was uploaded into their own task.
 */
export type TaskState = "open" | "done" | "nothing-found";

export const TASK_STATE_NAMES: Record<TaskState, string> = { open: "To do", done: "Done", "nothing-found": "Nothing found" };

/** A task's title may name someone ("Mrs Hill's emails"): working data, under the case's working key, and gone with it. */
const titlePlace = (taskId: string) => ({ table: "disclosureTasks", column: "title", rowId: taskId });
const GONE_TITLE = "A search for documents (its words were deleted with the case’s working files)";

function titleOf(key: Buffer | undefined, row: { id: string; title: string }): string {
  if (key) {
    try {
      return openWorkingText(key, titlePlace(row.id), row.title);
    } catch (error) {
      if (!(error instanceof UnreadableError)) throw error;
    }
  }
  return GONE_TITLE;
}

export interface SearchTask {
  id: string;
  caseId: string;
  reference: string;
  title: string;
  assigneeId: string;
  assigneeName: string;
  dueOn: string;
  overdue: boolean;
  state: TaskState;
  stateName: string;
  uploads: { id: string; filename: string; stateName: string }[];
}

/** Gives a search task on an open case to someone who can log cases at its school or trust. */
export async function addSearchTask(ctx: Context, caseId: string, task: { title: string; assigneeId: string; dueOn: string }): Promise<string> {
  authorise(ctx.actor, "cases:manage");
  const people = await assignableTo(ctx, caseId);
  const assignee = people.find((person) => person.id === task.assigneeId);
  if (!assignee) {
    throw new CaseFormError({ assigneeId: "Select who will search" });
  }
  if (task.dueOn < londonDateOf(ctx.services.clock.now())) {
    throw new CaseFormError({ dueOn: "The date it is due must be today or in the future" });
  }
  const id = randomUUID();
  await inActorScope(ctx, async (trx) => {
    const found = await findDisclosingCase(trx, ctx, caseId);
    refuseIfClosed(found, "title");
    await trx
      .insertInto("disclosureTasks")
      .values({
        orgId: found.orgId,
        id,
        caseId,
        title: sealWorkingText(await workingKeyOf(ctx.services, found.orgId, found.id, { create: true }), titlePlace(id), task.title),
        assigneeId: assignee.id,
        dueOn: task.dueOn,
        createdBy: ctx.actor.userId,
        createdAt: ctx.services.clock.now(),
        finishedBy: null,
        finishedAt: null,
      })
      .execute();
    await addEvent(trx, ctx, found.orgId, caseId, "disclosure-task", `Asked ${assignee.name} to search for documents, by ${formatDate(task.dueOn)}`);
    await recordAudit(trx, auditOfCase(ctx, found.orgId, "disclosure.task-add", caseId));
    if (assignee.id !== ctx.actor.userId) {
      const user = await trx.selectFrom("users").select(["orgId", "id", "email"]).where("id", "=", assignee.id).executeTakeFirstOrThrow();
      const { email } = await openPersonalFields(trx, ctx.services.keyring, user.orgId, user.id, { email: user.email });
      // The reference and the date only: the task's title may name someone.
      await queueEmail(trx, ctx.services, found.orgId, {
        to: email,
        subject: `A search for documents on ${found.reference}, due ${formatDate(task.dueOn)}`,
        text: `You have been asked to search for documents for ${found.reference} by ${formatDate(task.dueOn)}.\n\nSee what to look for, and upload what you find: ${ctx.services.config.publicUrl}/tasks/${id}\n`,
      });
    }
  });
  return id;
}

async function tasksWithUploads(trx: Tx, ctx: Context, rows: readonly (Pick<DisclosureTaskTable, "orgId" | "id" | "caseId" | "title" | "assigneeId" | "dueOn"> & { state: TaskState; reference: string })[]): Promise<SearchTask[]> {
  const names = await peopleNames(trx, ctx, rows.map((row) => row.assigneeId));
  const today = londonDateOf(ctx.services.clock.now());
  const uploads = rows.length
    ? await trx
        .selectFrom("disclosureDocuments")
        .select(["orgId", "id", "taskId", "filename", "fileType", "purgedAt", "state"])
        .where("orgId", "in", [...new Set(rows.map((row) => row.orgId))])
        .where(
          "taskId",
          "in",
          rows.map((row) => row.id),
        )
        .where("removedAt", "is", null)
        .orderBy("addedAt")
        .execute()
    : [];
  const tasks: SearchTask[] = [];
  const keys = new Map<string, Buffer | undefined>();
  for (const row of rows) {
    if (!keys.has(row.caseId)) {
      keys.set(row.caseId, await workingKeyIfAny(ctx.services, row.orgId, row.caseId));
    }
    const key = keys.get(row.caseId);
    const own = uploads.filter((candidate) => candidate.taskId === row.id).map((upload) => ({ id: upload.id, filename: documentNameOf(key, upload), stateName: DOCUMENT_STATE_NAMES[upload.state] }));
    tasks.push({
      id: row.id,
      caseId: row.caseId,
      reference: row.reference,
      title: titleOf(key, row),
      assigneeId: row.assigneeId,
      assigneeName: names.get(row.assigneeId) ?? "Someone who has left",
      dueOn: row.dueOn,
      overdue: row.state === "open" && row.dueOn < today,
      state: row.state,
      stateName: TASK_STATE_NAMES[row.state],
      uploads: own,
    });
  }
  return tasks;
}

/** A case's search tasks, for its disclosure area (the DPO's view). */
export async function tasksOfCase(trx: Tx, ctx: Context, found: { orgId: string; id: string; reference: string }): Promise<SearchTask[]> {
  const rows = await trx
    .selectFrom("disclosureTasks")
    .select(["orgId", "id", "caseId", "title", "assigneeId", "dueOn", "state"])
    .where("orgId", "=", found.orgId)
    .where("caseId", "=", found.id)
    .orderBy("createdAt")
    .orderBy("id")
    .execute();
  return tasksWithUploads(
    trx,
    ctx,
    rows.map((row) => ({ ...row, reference: found.reference })),
  );
}

/** A case's search tasks, in a transaction of their own, for the disclosure area's page. */
export async function searchTasksOfCase(ctx: Context, caseId: string): Promise<SearchTask[]> {
  authorise(ctx.actor, "cases:manage");
  return inActorScope(ctx, async (trx) => tasksOfCase(trx, ctx, await findDisclosingCase(trx, ctx, caseId)));
}

/** The actor's own search tasks, open ones first. Audited: a task's title may name someone. */
export async function myTasks(ctx: Context): Promise<SearchTask[]> {
  authorise(ctx.actor, "cases:log");
  return inActorScope(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("disclosureTasks")
      .innerJoin("cases", (join) => join.onRef("cases.orgId", "=", "disclosureTasks.orgId").onRef("cases.id", "=", "disclosureTasks.caseId"))
      .select(["disclosureTasks.orgId", "disclosureTasks.id", "disclosureTasks.caseId", "disclosureTasks.title", "disclosureTasks.assigneeId", "disclosureTasks.dueOn", "disclosureTasks.state", "cases.reference"])
      .where("disclosureTasks.orgId", "in", ctx.actor.organisationIds)
      .where("disclosureTasks.assigneeId", "=", ctx.actor.userId)
      .orderBy((eb) => eb.case().when("disclosureTasks.state", "=", "open").then(0).else(1).end())
      .orderBy("disclosureTasks.dueOn")
      .limit(200)
      .execute();
    for (const organisationId of new Set(rows.map((row) => row.orgId))) {
      await recordAudit(trx, { organisationId, actorUserId: ctx.actor.userId, action: "disclosure.task-view", meta: ctx.request, at: ctx.services.clock.now() });
    }
    return tasksWithUploads(trx, ctx, rows);
  });
}

/** How many open search tasks the actor has: for the dashboard. */
export async function openTaskCount(ctx: Context): Promise<number> {
  return inActorScope(ctx, async (trx) => {
    const row = await trx
      .selectFrom("disclosureTasks")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("orgId", "in", ctx.actor.organisationIds)
      .where("assigneeId", "=", ctx.actor.userId)
      .where("state", "=", "open")
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  });
}

/** The task, if it is the actor's own; 404 for anyone else's, however it is asked for. */
async function ownTask(trx: Tx, ctx: Context, taskId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(taskId)) {
    throw notFound();
  }
  const row = await trx
    .selectFrom("disclosureTasks")
    .innerJoin("cases", (join) => join.onRef("cases.orgId", "=", "disclosureTasks.orgId").onRef("cases.id", "=", "disclosureTasks.caseId"))
    .select(["disclosureTasks.orgId", "disclosureTasks.id", "disclosureTasks.caseId", "disclosureTasks.title", "disclosureTasks.assigneeId", "disclosureTasks.dueOn", "disclosureTasks.state", "cases.reference", "cases.closedAt"])
    .where("disclosureTasks.orgId", "in", ctx.actor.organisationIds)
    .where("disclosureTasks.id", "=", taskId)
    .where("disclosureTasks.assigneeId", "=", ctx.actor.userId)
    .executeTakeFirst();
  if (!row) {
    throw notFound();
  }
  return row;
}

export async function taskForAssignee(ctx: Context, taskId: string): Promise<SearchTask & { closed: boolean }> {
  authorise(ctx.actor, "cases:log");
  return inActorScope(ctx, async (trx) => {
    const row = await ownTask(trx, ctx, taskId);
    await recordAudit(trx, { organisationId: row.orgId, actorUserId: ctx.actor.userId, action: "disclosure.task-view", meta: ctx.request, at: ctx.services.clock.now() });
    const [task] = await tasksWithUploads(trx, ctx, [row]);
    return { ...task!, closed: row.closedAt !== null };
  });
}

/** The assignee uploads what they found into their task: read and suggested like any document for disclosure. */
export async function uploadToTask(ctx: Context, taskId: string, upload: { filename: string; bytes: Buffer; tooLarge?: true }): Promise<void> {
  authorise(ctx.actor, "cases:log");
  await addUploadedDocument(
    ctx,
    upload,
    "disclosure",
    async (trx) => {
      const task = await ownTask(trx, ctx, taskId);
      if (task.closedAt || task.state !== "open") {
        throw new CaseFormError({ file: task.closedAt ? "The case is closed, so nothing more can be added" : "This task is finished. Ask the DPO to open a new one if you found more" });
      }
      // As every path that may make the case's first working key: lost working data is cleared first, under the case's lock.
      await clearLostWorkingData(trx, ctx.services, task.orgId, task.caseId);
      return { organisationId: task.orgId, caseId: task.caseId, taskId };
    },
    () => "Added a document for a search task",
  );
}

/** The assignee says the search is done, or that there was nothing to find. */
export async function finishTask(ctx: Context, taskId: string, outcome: "done" | "nothing-found"): Promise<void> {
  authorise(ctx.actor, "cases:log");
  await inActorScope(ctx, async (trx) => {
    const task = await ownTask(trx, ctx, taskId);
    if (task.state !== "open") {
      throw new CaseFormError({ outcome: "This task is finished already" });
    }
    await trx
      .updateTable("disclosureTasks")
      .set({ state: outcome, finishedBy: ctx.actor.userId, finishedAt: ctx.services.clock.now() })
      .where("orgId", "=", task.orgId)
      .where("id", "=", task.id)
      .where("state", "=", "open")
      .execute();
    await addEvent(trx, ctx, task.orgId, task.caseId, "disclosure-task", outcome === "done" ? "A search task is done" : "A search task found nothing");
    await recordAudit(trx, auditOfCase(ctx, task.orgId, "disclosure.task-finish", task.caseId));
  });
}
