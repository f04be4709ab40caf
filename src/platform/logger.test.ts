import { describe, expect, it } from "vitest";
import { scrubIdentifiers } from "./logger.ts";

describe("scrubbing identifiers from error messages", () => {
  it.each([
    ["duplicate key for jo.bloggs@oakfield.sch.uk", "duplicate key for [email]"],
    ['Key (lower(email))=(A.Head@school.example) already exists', "Key (lower(email))=([email]) already exists"],
    ["call 01632 960 001 now", "call [number] now"],
    ["NHS 943 476 5919", "NHS [number]"],
    ["lives at LS1 1AA", "lives at [postcode]"],
    ['relation "users" does not exist', 'relation "users" does not exist'],
    ["timeout after 30000 ms", "timeout after 30000 ms"],
  ])("%j → %j", (input, output) => {
    expect(scrubIdentifiers(input)).toBe(output);
  });
});
