import { describe, expect, it } from "vitest";
import { readForm } from "../platform/forms.ts";
import { criteriaWithExamples, needsPriorConsultation, riskLevel, screen, type Risk } from "./dpia-rules.ts";
import { DERIVED, ENTRY_SCHEMAS, ICO_REGISTRATION, nextReviewFrom } from "./register-kinds.ts";
import { nextReviewAfter, reviewStateOf, STARTERS } from "./registers.ts";
import { reviewReminderDue } from "./review-reminders.ts";

describe("DPIA screening", () => {
  it("requires one for any Article 35(3) case", () => {
    expect(screen(["35-3-c"]).needed).toBe(true);
    expect(screen(["35-3-b"]).reasons[0]).toContain("Article 35(3)");
  });

  it("requires one for an ICO criterion that stands alone, such as children's data for an online service", () => {
    expect(screen(["children"]).needed).toBe(true);
    expect(screen(["tracking"]).needed).toBe(true);
  });

  it("does not require one for a criterion marked to need another, alone, but does with another", () => {
    expect(screen(["biometric"]).needed).toBe(false);
    expect(screen(["biometric"]).reasons[0]).toContain("needs another");
    expect(screen(["innovative"]).needed).toBe(false);
    expect(screen(["biometric", "innovative"]).needed).toBe(true);
    // A school's pupils are children: biometrics with them needs one.
    expect(screen(["biometric", "vulnerable"]).needed).toBe(true);
    expect(screen(["vulnerable"]).needed).toBe(false);
    expect(screen([]).needed).toBe(false);
    expect(screen([]).reasons[0]).toContain("good practice");
  });

  it("adds the criteria the school examples usually meet", () => {
    expect(criteriaWithExamples([], ["biometrics"]).sort()).toEqual(["biometric", "vulnerable"]);
    expect(screen(criteriaWithExamples([], ["biometrics"])).needed).toBe(true);
    expect(screen(criteriaWithExamples([], ["cctv"])).needed).toBe(true);
    expect(criteriaWithExamples(["genetic"], ["nonsense"])).toEqual(["genetic"]);
  });
});

describe("a DPIA's screening as it is saved", () => {
  it("ticks an example's criteria when the example is ticked, and leaves them as the DPO left them after", () => {
    const first = DERIVED.dpia!({ examples: ["biometrics"], criteria: [] }) as { criteria: string[]; screening: { needed: boolean } };
    expect(first.criteria.sort()).toEqual(["biometric", "vulnerable"]);
    expect(first.screening.needed).toBe(true);
    // Later the DPO unticks one: it stays unticked, and the screening follows.
    const changed = DERIVED.dpia!({ examples: ["biometrics"], criteria: ["biometric"] }, { examples: ["biometrics"] }) as { criteria: string[]; screening: { needed: boolean } };
    expect(changed.criteria).toEqual(["biometric"]);
    expect(changed.screening.needed).toBe(false);
    // A newly ticked example adds its own.
    expect((DERIVED.dpia!({ examples: ["biometrics", "cctv"], criteria: ["biometric"] }, { examples: ["biometrics"] }) as { criteria: string[] }).criteria.sort()).toEqual(["35-3-c", "biometric", "tracking"]);
  });
});

describe("DPIA risk scoring (likelihood × severity)", () => {
  it.each([
    ["remote", "minimal", "low"], ["remote", "significant", "low"], ["possible", "minimal", "low"],
    ["remote", "severe", "medium"], ["possible", "significant", "medium"], ["probable", "minimal", "medium"],
    ["possible", "severe", "high"], ["probable", "significant", "high"], ["probable", "severe", "high"],
  ])("%s × %s is %s", (likelihood, severity, level) => {
    expect(riskLevel(likelihood, severity)).toBe(level);
  });

  it("knows no level for an unknown score", () => {
    expect(riskLevel("often", "severe")).toBeUndefined();
  });

  const risk = (fields: Partial<Risk>): Risk => ({ id: "r", description: "d", likelihood: "probable", severity: "severe", measure: "", measureOwner: "", measureDueOn: "", effect: "", likelihoodAfter: "", severityAfter: "", approved: "", ...fields });

  it("raises prior consultation only when a high risk is left after its measures", () => {
    expect(needsPriorConsultation([risk({})])).toBe(true);
    expect(needsPriorConsultation([risk({ measure: "m", likelihoodAfter: "remote", severityAfter: "severe" })])).toBe(false);
    expect(needsPriorConsultation([risk({ likelihood: "remote", severity: "minimal" })])).toBe(false);
    expect(needsPriorConsultation([])).toBe(false);
  });
});

describe("the review schedule", () => {
  it("reminds 30 days before, 7 days before and on the day, the most urgent only", () => {
    expect(reviewReminderDue("2027-03-10", "2027-02-07")).toBeUndefined();
    expect(reviewReminderDue("2027-03-10", "2027-02-08")).toBe("30-days");
    expect(reviewReminderDue("2027-03-10", "2027-03-02")).toBe("30-days");
    expect(reviewReminderDue("2027-03-10", "2027-03-03")).toBe("7-days");
    expect(reviewReminderDue("2027-03-10", "2027-03-10")).toBe("due");
    expect(reviewReminderDue("2027-03-10", "2027-06-01")).toBe("due");
  });

  it("says overdue, due, coming or later, and nothing for a retired entry", () => {
    expect(reviewStateOf("2027-01-29", "2027-01-30", "active")).toBe("overdue");
    expect(reviewStateOf("2027-01-30", "2027-01-30", "draft")).toBe("due");
    expect(reviewStateOf("2027-02-28", "2027-01-30", "active")).toBe("coming");
    expect(reviewStateOf("2027-03-02", "2027-01-30", "active")).toBe("later");
    expect(reviewStateOf("2020-01-01", "2027-01-30", "retired")).toBe("later");
  });

  it("renews the data protection fee a year after it was due when paid near or after it, and any other review a year after it is done", () => {
    expect(nextReviewAfter("organisation", "2027-03-14", "2027-03-01")).toBe("2028-03-14");
    expect(nextReviewAfter("organisation", "2027-03-14", "2027-04-20")).toBe("2028-03-14");
    // A click long before the fee is due does not push the renewal a year past the real one.
    expect(nextReviewAfter("organisation", "2027-12-01", "2027-03-01")).toBe("2028-03-01");
    expect(nextReviewAfter("training", "2027-12-01", "2027-03-01")).toBe("2028-03-01");
    expect(nextReviewAfter("processing", "2027-03-14", "2027-03-01")).toBe("2028-03-01");
  });

  it("sets the next review a year on, at a month's end where the day does not exist", () => {
    expect(nextReviewFrom("2027-01-30")).toBe("2028-01-30");
    expect(nextReviewFrom("2028-02-29")).toBe("2029-02-28");
  });
});

describe("the starting points", () => {
  it("gives every starter answers that pass the same checks as a DPO's own entry", () => {
    for (const [kind, starters] of Object.entries(STARTERS)) {
      for (const { key, title, ...details } of starters!) {
        const form = { title, status: "draft", ownerUserId: "", reviewOn: "2027-09-01", ...details };
        // What the form would send: the kind's own fields (derived ones, such as a DPIA's screening, are worked out again).
        const schema = ENTRY_SCHEMAS[kind as keyof typeof ENTRY_SCHEMAS];
        const fields = Object.fromEntries(Object.entries(form).filter(([name]) => name in schema.shape));
        const parsed = readForm(schema, fields);
        expect(parsed.ok ? [] : parsed.errors, `${kind} starter ${key}`).toEqual([]);
      }
    }
  });
});

describe("the ICO registration number", () => {
  it("takes Z, a letter or digit, and six digits", () => {
    for (const good of ["ZA123456", "ZB968646", "Z1234567"]) expect(ICO_REGISTRATION.test(good)).toBe(true);
    for (const bad of ["Z12345", "A1234567", "ZA1234567", "za123456"]) expect(ICO_REGISTRATION.test(bad)).toBe(false);
  });
});
