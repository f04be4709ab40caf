import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLicence } from "../testing/factories.ts";
import { TestAgent } from "../testing/test-agent.ts";
import { startTestSteward, type TestSteward } from "../testing/test-steward.ts";
import { testEngine } from "../testing/test-database.ts";

describe(`a school's calendar page: settings and term dates saved together (${testEngine})`, () => {
  let steward: TestSteward;
  beforeAll(async () => {
    steward = await startTestSteward();
  });
  afterAll(() => steward.close());

  async function school() {
    steward.clock.set("2026-12-01T10:00:00Z");
    const licence = await buildLicence(steward.services, { organisationKind: "school" });
    const owner = new TestAgent(steward.app, steward.clock);
    await owner.signIn(licence.username);
    return { owner, organisationId: licence.organisationId, path: `/settings/calendar/${licence.organisationId}` };
  }

  async function stored(organisationId: string) {
    const db = steward.services.database.db;
    const { rows: [organisation] } = await sql<{ nation: string; schoolType: string; adviceTargetDays: number }>`
      select nation, school_type, advice_target_days from organisations where id = ${organisationId}`.execute(db);
    const { rows: terms } = await sql<{ kind: string; firstDay: string; lastDay: string }>`
      select kind, first_day::text, last_day::text from school_terms where org_id = ${organisationId} order by first_day, kind`.execute(db);
    return { ...organisation, terms };
  }

  const settings = { nation: "wales", schoolType: "academy", adviceTargetDays: "10" };
  const row = (n: number, first: string, last: string, kind = "term") => {
    const [fy, fm, fd] = first ? first.split("-") : ["", "", ""];
    const [ly, lm, ld] = last ? last.split("-") : ["", "", ""];
    return {
      [`term-${n}-first-day`]: fd!, [`term-${n}-first-month`]: fm!, [`term-${n}-first-year`]: fy!,
      [`term-${n}-last-day`]: ld!, [`term-${n}-last-month`]: lm!, [`term-${n}-last-year`]: ly!, [`term-${n}-kind`]: kind,
    };
  };

  it("takes term dates as rows of date boxes and shows each term's school days", async () => {
    const { owner, organisationId, path } = await school();
    const saved = await owner.submit(path, { ...settings, paste: "", ...row(0, "2027-04-19", "2027-05-07"), ...row(1, "2027-04-19", "", "closure"), ...row(2, "", "") });
    expect(saved.statusCode, saved.body.slice(0, 2000)).toBe(303);
    expect(await stored(organisationId)).toEqual({
      nation: "wales", schoolType: "academy", adviceTargetDays: 10,
      terms: [{ kind: "closure", firstDay: "2027-04-19", lastDay: "2027-04-19" }, { kind: "term", firstDay: "2027-04-19", lastDay: "2027-05-07" }],
    });
    const page = (await owner.get(path)).body;
    // 15 weekdays, less the INSET day and the early May bank holiday (3 May 2027).
    expect(page).toMatch(/<strong>13 school days<\/strong> in this term/);
    expect(page).toContain('name="term-0-first-day"');
    expect(page).toContain('name="term-4-first-day"');
  });

  it("accepts a paste from a spreadsheet (tabs, DD/MM/YYYY), which replaces the rows", async () => {
    const { owner, organisationId, path } = await school();
    const paste = "Term\tStarts\tEnds\nAutumn 1\t03/09/2026\t23/10/2026\nINSET\t04/09/2026\t\nAutumn 2\t02/11/2026\t18/12/2026\n";
    const saved = await owner.submit(path, { ...settings, paste, ...row(0, "2020-01-06", "2020-02-14") });
    expect(saved.statusCode, saved.body.slice(0, 2000)).toBe(303);
    expect((await stored(organisationId)).terms).toEqual([
      { kind: "term", firstDay: "2026-09-03", lastDay: "2026-10-23" },
      { kind: "closure", firstDay: "2026-09-04", lastDay: "2026-09-04" },
      { kind: "term", firstDay: "2026-11-02", lastDay: "2026-12-18" },
    ]);
  });

  it("refuses overlapping terms or a bad date, keeps every field as typed, and saves nothing at all", async () => {
    const { owner, organisationId, path } = await school();
    await owner.submit(path, { ...settings, paste: "", ...row(0, "2027-01-05", "2027-02-12") });
    const before = await stored(organisationId);

    const overlapping = await owner.submit(path, { nation: "scotland", schoolType: "independent", adviceTargetDays: "15", paste: "", ...row(0, "2027-01-05", "2027-02-12"), ...row(1, "2027-02-10", "2027-03-26") });
    expect(overlapping.statusCode).toBe(400);
    expect(overlapping.body).toContain("The term from 10 Feb 2027 to 26 Mar 2027 overlaps the term from 5 Jan 2027 to 12 Feb 2027");
    expect(overlapping.body).toContain('href="#term-1-first"');
    expect(overlapping.body).toMatch(/value="scotland" checked/);
    expect(overlapping.body).toMatch(/value="independent" checked/);
    expect(overlapping.body).toContain('value="15"');
    expect(await stored(organisationId)).toEqual(before);

    const impossible = await owner.submit(path, { nation: "scotland", schoolType: "independent", adviceTargetDays: "15", paste: "", ...row(0, "2027-01-05", "2027-02-12"), "term-1-first-day": "30", "term-1-first-month": "2", "term-1-first-year": "2027", "term-1-last-day": "", "term-1-last-month": "", "term-1-last-year": "", "term-1-kind": "term" });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.body).toContain("First day of term 2 must be a real date");
    expect(impossible.body).toMatch(/value="scotland" checked/);
    expect(impossible.body).toMatch(/name="term-1-first-day"[^>]*value="30"|value="30"[^>]*name="term-1-first-day"/);
    expect(await stored(organisationId)).toEqual(before);

    const badPaste = await owner.submit(path, { nation: "northern-ireland", schoolType: "maintained", adviceTargetDays: "20", paste: "03/09/2026\t31/02/2027" });
    expect(badPaste.statusCode).toBe(400);
    expect(badPaste.body).toContain("Line 1: 31/02/2027 is not a real date");
    expect(badPaste.body).toMatch(/value="northern-ireland" checked/);
    expect(badPaste.body).toContain("03/09/2026\t31/02/2027");
    expect(await stored(organisationId)).toEqual(before);

    // A post carrying no term rows at all (not this page's form) changes the settings and leaves the terms.
    const settingsOnly = await owner.post(path, { nation: "scotland", schoolType: "academy", adviceTargetDays: "10" });
    expect(settingsOnly.statusCode).toBe(303);
    expect(await stored(organisationId)).toEqual({ ...before, nation: "scotland" });
    await owner.post(path, { nation: before.nation!, schoolType: "academy", adviceTargetDays: "10" });

    const badTarget = await owner.submit(path, { nation: "scotland", schoolType: "independent", adviceTargetDays: "0", paste: "", ...row(0, "2027-01-05", "2027-02-12"), ...row(1, "2027-02-22", "2027-03-26") });
    expect(badTarget.statusCode).toBe(400);
    expect(badTarget.body).toContain("at least 1 working day");
    expect(badTarget.body).toMatch(/name="term-1-first-day"[^>]*value="22"|value="22"[^>]*name="term-1-first-day"/);
    expect(await stored(organisationId)).toEqual(before);
  });
});
