import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deadlineCommand } from "./deadline-command.ts";
import { UsageError } from "../platform/errors.ts";

describe("npm run steward -- deadline", () => {
  it("prints one JSON object with the due date and the rule", async () => {
    const printed = JSON.parse(await deadlineCommand(["sar", "2027-01-30"]));
    expect(printed).toMatchObject({ type: "sar", received: "2027-01-30", due: "2027-03-01" });
    expect(printed.rule).toContain("28 Feb 2027 is the last day of that month");
  });

  it("uses the nation's bank holidays", async () => {
    expect(JSON.parse(await deadlineCommand(["sar", "2026-12-02", "--nation", "scotland"])).due).toBe("2027-01-05");
  });

  it("counts an environmental request in Scotland in Scottish working days (EISR)", async () => {
    const printed = JSON.parse(await deadlineCommand(["eir-scotland", "2026-06-01", "--nation", "scotland"]));
    expect(printed).toMatchObject({ type: "eir-scotland", due: "2026-06-30" });
    expect(printed.rule).toContain("15 Jun 2026 is a bank holiday in Scotland, proclaimed 4 Feb 2026");
  });

  it("reads term dates from --school-days", async () => {
    const folder = await mkdtemp(join(tmpdir(), "steward-terms-"));
    const file = join(folder, "terms.csv");
    await writeFile(file, "first_day,last_day,kind\n2026-11-02,2026-12-18,term\n2027-01-05,2027-02-12,term\n");
    expect(JSON.parse(await deadlineCommand(["foi-school", "2026-12-07", "--school-days", file])).due).toBe("2027-01-19");
  });

  it.each([
    [["sar"]],
    [["subject-access", "2027-01-30"]],
    [["sar", "2027-01-30", "--nation", "france"]],
    [["sar", "30/01/2027"]],
    [["sar", "2027-01-30", "--colour", "red"]],
  ])("refuses %j with a usage error", async (args) => {
    await expect(deadlineCommand(args)).rejects.toThrow(UsageError);
  });
});
