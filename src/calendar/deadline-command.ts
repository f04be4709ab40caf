import { readFile } from "node:fs/promises";
import { HolidayCalendar, NATIONS, type Nation } from "./bank-holidays.ts";
import { CASE_TYPES, computeDeadline, DeadlineInputError, type CaseType } from "./deadlines.ts";
import { readTermDatesCsv, type TermDates } from "./school-days.ts";
import { UsageError } from "../platform/errors.ts";

export const DEADLINE_USAGE =
  "usage: npm run steward -- deadline <type> <received YYYY-MM-DD or date-time> [--nation england|wales|scotland|northern-ireland] [--school-days FILE]\n" +
  `  type: ${CASE_TYPES.filter((type) => type !== "advice").join(", ")}\n` +
  "  FILE: term dates as CSV (first_day,last_day,kind), the same file the Settings page imports";


/**
 * `deadline <type> <received>`: one JSON object on stdout. Counted with the built-in bank holidays,
 * so it needs no database (and can run while Steward is running).
 */
export async function deadlineCommand(args: string[]): Promise<string> {
  const positional: string[] = [];
  let nation: Nation = "england";
  let schoolTerms: TermDates[] | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "--nation") {
      const value = args[++index];
      if (!NATIONS.includes(value as Nation)) {
        throw new UsageError(`--nation must be one of ${NATIONS.join(", ")}`);
      }
      nation = value as Nation;
    } else if (arg === "--school-days") {
      const file = args[++index];
      if (!file) {
        throw new UsageError("--school-days needs a file");
      }
      const result = readTermDatesCsv(await readFile(file, "utf8"));
      if (!result.ok) {
        throw new UsageError(`${file}: ${result.errors.join("; ")}`);
      }
      schoolTerms = result.terms;
    } else if (arg.startsWith("--")) {
      throw new UsageError(`Unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [type, received, ...extra] = positional;
  if (!type || !received || extra.length > 0) {
    throw new UsageError("Give a type and a received date");
  }
  if (!CASE_TYPES.includes(type as CaseType)) {
    throw new UsageError(`Unknown type ${type}`);
  }
  try {
    const deadline = computeDeadline({ type: type as CaseType, received, nation, schoolTerms }, HolidayCalendar.of());
    return JSON.stringify({
      type,
      received,
      nation,
      due: deadline.due,
      rule: deadline.rule,
      ...(deadline.warnings.length > 0 ? { warnings: deadline.warnings } : {}),
    });
  } catch (error) {
    if (error instanceof DeadlineInputError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
