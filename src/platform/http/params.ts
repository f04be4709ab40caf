import type { z } from "zod";
import { notFound } from "../errors.ts";

/** A route's path parameters as its schema reads them; any that do not fit (a malformed id) are a page not found. */
export function paramsOr404<T>(schema: z.ZodType<T>, params: unknown): T {
  const result = schema.safeParse(params);
  if (!result.success) {
    throw notFound();
  }
  return result.data;
}
