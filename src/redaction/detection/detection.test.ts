import { describe, expect, it } from "vitest";
import { detectPersonalData } from "./detect.ts";
import { isValidGbIban, isValidNhsNumber, isValidNinoPrefix, isValidPostcode, isValidUln, isValidUpn } from "./identifiers.ts";
import { resolveOverlaps, type Suggestion } from "./suggestion.ts";

/** What the detector boxes in a text, as [kind, text] pairs. */
function found(text: string, options: Parameters<typeof detectPersonalData>[1] = {}): [string, string][] {
  return detectPersonalData(text, options).map((suggestion) => [suggestion.type, text.slice(suggestion.start, suggestion.end)]);
}

function foundOf(kind: string, text: string, options: Parameters<typeof detectPersonalData>[1] = {}): string[] {
  return found(text, options)
    .filter(([type]) => type === kind)
    .map(([, value]) => value);
}

describe("validators, against the reference's test vectors", () => {
  it("checks NHS numbers by mod 11", () => {
    expect(isValidNhsNumber("9434765919")).toBe(true);
    expect(isValidNhsNumber("4010232137")).toBe(true);
    expect(isValidNhsNumber("9434765918")).toBe(false);
    expect(isValidNhsNumber("943476591")).toBe(false);
  });
  it("checks ULNs by their check digit", () => {
    expect(isValidUln("9276308686")).toBe(true);
    expect(isValidUln("9276308687")).toBe(false);
    expect(isValidUln("0276308686")).toBe(false);
  });
  it("checks UPNs by their check letter, temporary UPNs too", () => {
    expect(isValidUpn("B801200005001")).toBe(true);
    expect(isValidUpn("A801200005001")).toBe(false);
    expect(isValidUpn("P207000016049")).toBe(true);
    expect(isValidUpn("Q207000016049")).toBe(false);
  });
  it("applies HMRC's prefix rules to National Insurance numbers", () => {
    expect(isValidNinoPrefix("AB")).toBe(true);
    for (const prefix of ["DA", "FA", "IA", "QQ", "UA", "VA", "AO", "BG", "GB", "NK", "KN", "TN", "NT", "ZZ"]) {
      expect(isValidNinoPrefix(prefix), prefix).toBe(false);
    }
  });
  it("applies BS 7666's letter rules to postcodes", () => {
    for (const postcode of ["SW1A 1AA", "LS1 4AB", "M1 1AE", "EC1V 9HX", "GIR 0AA", "B338TH"]) {
      expect(isValidPostcode(postcode), postcode).toBe(true);
    }
    for (const postcode of ["QA1 1AA", "LS1 4CB", "V1 1AA"]) {
      expect(isValidPostcode(postcode), postcode).toBe(false);
    }
  });
  it("checks GB IBANs by mod 97", () => {
    expect(isValidGbIban("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(isValidGbIban("GB82 WEST 1234 5698 7654 33")).toBe(false);
  });
});

describe("UK identifiers in text", () => {
  it("finds a valid NHS number, surer with the word NHS near it, and leaves an invoice number alone", () => {
    const [withWord] = detectPersonalData("NHS no: 943 476 5919");
    const [layoutOnly] = detectPersonalData("Reference 943 476 5919 on file");
    expect(withWord).toMatchObject({ type: "nhs-number", score: 0.99 });
    expect(withWord!.why).toContain("mod 11");
    expect(layoutOnly!.score).toBeLessThan(withWord!.score);
    expect(foundOf("nhs-number", "Invoice 4010232137 is due on 3 March.")).toEqual([]);
    expect(foundOf("nhs-number", "NHS number 943 476 5918 (as the GP wrote it)")).toEqual(["943 476 5918"]);
    expect(foundOf("nhs-number", "Our order ref 943 476 5918")).toEqual([]);
  });
  it("finds a ULN by its word and check digit", () => {
    expect(foundOf("uln", "ULN: 9276308686")).toEqual(["9276308686"]);
    expect(foundOf("uln", "Room 9276308687 booked")).toEqual([]);
  });
  it("finds National Insurance numbers written with and without spaces, and leaves references alone", () => {
    expect(foundOf("ni-number", "NI number AB 12 34 56 C and JP123456D")).toEqual(["AB 12 34 56 C", "JP123456D"]);
    expect(foundOf("ni-number", "Order QQ123456 shipped")).toEqual([]);
    // HMRC's deliberately invalid example is still removed where the words say it is an NI number.
    expect(foundOf("ni-number", "National Insurance: QQ 12 34 56 C")).toEqual(["QQ 12 34 56 C"]);
  });
  it("finds UPNs, permanent and temporary, and only mistyped ones where the words say UPN", () => {
    expect(foundOf("upn", "Pupil B801200005001 joined")).toEqual(["B801200005001"]);
    expect(foundOf("upn", "Batch A801200005001 printed")).toEqual([]);
    expect(foundOf("upn", "UPN: A801200005001")).toEqual(["A801200005001"]);
  });
  it("finds every postcode, in capitals or not", () => {
    expect(foundOf("postcode", "Moved to LS6 2QT, then ls1 4ab and B33 8TH.")).toEqual(["LS6 2QT", "ls1 4ab", "B33 8TH"]);
  });
  it("finds people's phone numbers in every way they are written, and leaves the school's switchboard and organisations' lines alone", () => {
    expect(foundOf("phone", "Mum: 07700 900123, home (0113) 496 0472, work +44 20 7946 0000 or 07700900124.")).toEqual([
      "07700 900123",
      "(0113) 496 0472",
      "+44 20 7946 0000",
      "07700900124",
    ]);
    expect(foundOf("phone", "Call the school office on 01632 960000.")).toEqual([]);
    expect(foundOf("phone", "Switchboard: 0113 496 0000")).toEqual([]);
    expect(foundOf("phone", "The ICO's helpline is 0303 123 1113; Childline 0800 1111.")).toEqual([]);
  });
  it("finds a person's email address (OCR's stray space too) and leaves the school's office address alone", () => {
    expect(foundOf("email", "Write to jane.smith@example.org or jane.smith @example.org")).toEqual(["jane.smith@example.org", "jane.smith @example.org"]);
    expect(foundOf("email", "Email office@hillside.sch.uk")).toEqual([]);
  });
  it("finds dates of birth by their words, and leaves meeting dates alone", () => {
    expect(foundOf("date-of-birth", "DOB: 12/03/2015. Born 3rd May 2014. Date of birth 2016-01-09.")).toEqual(["12/03/2015", "3rd May 2014", "2016-01-09"]);
    expect(foundOf("date-of-birth", "The meeting on 12/03/2026 was moved to 19 March 2026.")).toEqual([]);
  });
  it("finds bank details only where the words say so", () => {
    expect(found("Sort code 12-34-56, account number 12345678")).toEqual([
      ["sort-code", "12-34-56"],
      ["bank-account", "12345678"],
    ]);
    expect(found("On 12-03-26 we paid invoice 12345678.")).toEqual([]);
  });
  it("finds vehicle registrations", () => {
    expect(foundOf("vehicle-registration", "His car (reg AB12 CDE) was parked outside.")).toEqual(["AB12 CDE"]);
  });
});

describe("people", () => {
  it("finds every mention of a listed person in the forms people write, and says who it is", () => {
    const text = "Jamie Hill (Year 6). Hill, Jamie was late. Mr Hill rang. J. Hill signed. Jamie's coat. JAMIE HILL";
    const suggestions = detectPersonalData(text, { knownPeople: [{ name: "Jamie Hill", part: "other-pupil" }] });
    expect(suggestions.map((suggestion) => text.slice(suggestion.start, suggestion.end))).toEqual(["Jamie Hill", "Hill, Jamie", "Hill", "J. Hill", "Jamie", "JAMIE HILL"]);
    expect(suggestions.every((suggestion) => suggestion.person === "Jamie Hill" && suggestion.why.includes("another pupil"))).toBe(true);
    // The title stays outside the box.
    expect(text.slice(suggestions[2]!.start - 3, suggestions[2]!.start)).toBe("Mr ");
  });
  it("finds a listed member of staff's initials, but not a school word that shares them", () => {
    expect(foundOf("person", "Call logged by TB at 10:15.", { knownPeople: [{ name: "Tom Baker", part: "staff" }] })).toEqual(["TB"]);
    expect(foundOf("person", "SEN support was agreed.", { knownPeople: [{ name: "Sarah Emily Nowak", part: "staff" }] })).toEqual([]);
    expect(foundOf("person", "the hill behind the school", { knownPeople: [{ name: "Jamie Hill", part: "other" }] })).toEqual([]);
  });
  it("finds names nobody listed, vouched for by titles, greetings, sign-offs, headers and roles", () => {
    const text = "From: Ingrid Lindqvist\nDear Mrs Oyelaran,\nHer sister Thandiwe told us.\n\nKind regards,\n\nCaspian Whitlock\nHead of Year 8";
    expect(foundOf("person", text)).toEqual(["Ingrid Lindqvist", "Oyelaran", "Thandiwe", "Caspian Whitlock"]);
  });
  it("finds a name wrapped onto the next line, and two titled names in one run", () => {
    expect(foundOf("person", "We spoke to his sister Oluwaseun\nAdebayo about it.")).toEqual(["Oluwaseun\nAdebayo"]);
    expect(foundOf("person", "Attendees: Mrs Ashdown Mr Farrow")).toEqual(["Ashdown", "Farrow"]);
    expect(foundOf("person", "Attendees:\nMrs Ashdown\nMr Farrow")).toEqual(["Ashdown", "Farrow"]);
  });
  it("finds a name given in full once wherever the document uses it again, initials included", () => {
    expect(foundOf("person", "Present: Keziah Abernethy.\nKeziah agreed. Action: KA to write to Abernethy's office.")).toEqual(["Keziah Abernethy", "Keziah", "KA", "Abernethy"]);
  });
  it("finds names in a table's name columns, and not the school in its school column", () => {
    const csv = "UPN,Legal Surname,Legal Forename,School\nB801200005001,Pemberton,Tobiah,Hillside Primary\n";
    expect(found(csv)).toEqual([
      ["upn", "B801200005001"],
      ["person", "Pemberton"],
      ["person", "Tobiah"],
    ]);
  });
  it("leaves schools, roads, days, months and subjects alone", () => {
    expect(foundOf("person", "On Monday St Mary's Primary School met Hillside Academy in March about English and Maths.")).toEqual([]);
  });
  it("finds street addresses, and not the school's own on its letterhead", () => {
    expect(foundOf("address", "The family moved to 14 Elm Road, Leeds last week.")).toEqual(["14 Elm Road, Leeds"]);
    expect(foundOf("address", "Hillside Primary School\n12 School Lane, Leeds")).toEqual([]);
  });
  it("removes the organisation's always-remove words, and lets it switch a recognizer off", () => {
    expect(found("The foster placement at Rose Cottage ended.", { alwaysRemove: ["Rose Cottage"] })).toEqual([["word-list", "Rose Cottage"]]);
    expect(foundOf("postcode", "LS6 2QT", { switchedOff: new Set(["postcode"]) })).toEqual([]);
  });
});

describe("overlaps", () => {
  const suggestion = (start: number, end: number, type: Suggestion["type"], score: number): Suggestion => ({ start, end, type, score, recognizer: "test", why: "" });
  it("joins overlapping suggestions of one kind into one span", () => {
    expect(resolveOverlaps([suggestion(4, 14, "person", 0.9), suggestion(0, 9, "person", 0.95)])).toMatchObject([{ start: 0, end: 14, type: "person", score: 0.95 }]);
  });
  it("keeps the surer of two kinds, and on a tie the longer", () => {
    expect(resolveOverlaps([suggestion(0, 10, "nhs-number", 0.6), suggestion(0, 10, "uln", 0.99)])).toMatchObject([{ type: "uln" }]);
    expect(resolveOverlaps([suggestion(0, 4, "person", 0.9), suggestion(0, 12, "address", 0.9)])).toMatchObject([{ type: "address", end: 12 }]);
  });
  it("keeps suggestions that do not touch, in text order", () => {
    expect(resolveOverlaps([suggestion(10, 12, "email", 0.99), suggestion(0, 4, "person", 0.9)]).map((s) => s.start)).toEqual([0, 10]);
  });
});

describe("hostile text", () => {
  // Both once took a minute (quadratic overlaps, unbounded line searches); the speed itself is the bench's to measure.
  it("finds every name of a 20,000-row table, with offsets that fit the text", () => {
    const text = "Name\tParent name\tContact name\n" + "Jo Bo\tJo Bo\tJo Bo\n".repeat(20_000);
    const suggestions = detectPersonalData(text);
    expect(suggestions).toHaveLength(60_000);
    expect(suggestions.every((s) => text.slice(s.start, s.end) === "Jo Bo")).toBe(true);
  });
  it("reads a long text with no line breaks at all", () => {
    expect(detectPersonalData("1234567890 ".repeat(20_000))).toEqual([]);
  });
});
