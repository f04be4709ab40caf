import { describe, expect, it } from "vitest";
import { breachDecision, typesOfferedTo, WORKFLOWS } from "./workflows.ts";

describe("breach risk: likelihood × severity of harm to people", () => {
  it.each([
    ["remote", "minimal", "low", false, false],
    ["possible", "minimal", "low", false, false],
    ["remote", "severe", "medium", true, false],
    ["likely", "minimal", "medium", true, false],
    ["possible", "severe", "high", true, true],
    ["very-likely", "significant", "high", true, true],
  ] as const)("%s and %s: %s risk (report %s, tell people %s)", (likelihood, severity, risk, reportToIco, tellPeople) => {
    expect(breachDecision(likelihood, severity)).toEqual({ risk, reportToIco, tellPeople });
  });
});

describe("which kinds of case a school is offered", () => {
  it("a maintained school in England has the educational record rule and FOI in school days", () => {
    expect(typesOfferedTo("england", "maintained")).toEqual(expect.arrayContaining(["educational-record", "foi", "foi-school", "eir"]));
  });
  it("an academy does not: a parent's request for the record is a SAR", () => {
    expect(typesOfferedTo("england", "academy")).not.toContain("educational-record");
  });
  it("a Scottish school answers FOI under FOISA and environmental requests under the Scottish regulations", () => {
    const types = typesOfferedTo("scotland", "maintained");
    expect(types).toContain("foi-scotland");
    expect(types).toContain("eir-scotland");
    expect(types).not.toContain("foi");
    expect(types).not.toContain("eir");
  });
  it("every Scottish school has the educational record rule (Pupils' Educational Records (Scotland) Regulations 2003)", () => {
    for (const schoolType of ["maintained", "academy", "independent"] as const) {
      expect(typesOfferedTo("scotland", schoolType)).toContain("educational-record");
    }
    expect(typesOfferedTo("wales", "maintained")).not.toContain("educational-record");
  });
  it("an independent school is not a public authority for FOI", () => {
    expect(typesOfferedTo("england", "independent")).not.toContain("foi");
  });
  it("every workflow can be closed, and every outcome that needs detail says what", () => {
    for (const workflow of Object.values(WORKFLOWS)) {
      expect(workflow.outcomes.length, workflow.type).toBeGreaterThan(0);
      expect(workflow.statuses[0]!.id, workflow.type).toBe("received");
    }
  });
});
