import { z } from "zod";
import { TERMS } from "./governors.ts";

/** The report's choices, from the query string: anything unreadable falls back to the default (this school year, the whole year, everyone). */
export const reportQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  term: z.enum(TERMS.map((term) => term.id) as [string, ...string[]]).optional().catch(undefined),
  organisationId: z.uuid().optional().catch(undefined),
});
