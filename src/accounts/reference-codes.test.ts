import { describe, expect, it } from "vitest";
import { referenceCodeFor } from "./reference-codes.ts";

describe("a school's reference code", () => {
  it("is its name's initials, leaving out words every school has", () => {
    expect(referenceCodeFor("Oak Hill Primary School", new Set())).toBe("OHP");
    expect(referenceCodeFor("The Academy of St Mary and St John", new Set())).toBe("SMSJ");
    expect(referenceCodeFor("Northern Lights Learning Trust", new Set())).toBe("NLL");
  });

  it("takes three letters of a one-word name, and something for a name with no letters", () => {
    expect(referenceCodeFor("Elm Academy", new Set())).toBe("ELM");
    expect(referenceCodeFor("The Academy", new Set())).toBe("S");
  });

  it("is unique among the codes the trust already uses", () => {
    expect(referenceCodeFor("Orchard House Primary", new Set(["OHP"]))).toBe("OHP2");
    expect(referenceCodeFor("Orchard House Primary", new Set(["OHP", "OHP2"]))).toBe("OHP3");
  });
});
