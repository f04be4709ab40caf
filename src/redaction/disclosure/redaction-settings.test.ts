import { describe, expect, it } from "vitest";
import { csvRows, readPeopleList } from "./redaction-settings.ts";

describe("reading a people list exported from an MIS", () => {
  it("reads quoted cells with commas, quotes and line breaks, a byte-order mark, CRLF, Excel's sep line and spaced quotes", () => {
    const text = '\uFEFFsep=,\r\nLegal_Forename,Legal_Surname,Role\r\n"Priya","Patel",Pupil\r\n\r\nOluwaseun, "Adeyemi-Clarke, Jr",Parent\r\n"Jo ""JJ""",Smith,Staff\r\n';
    const list = readPeopleList(text, "mixed");
    expect(list).toEqual({
      ok: true,
      people: [
        { name: "Priya Patel", part: "other-pupil" },
        { name: "Oluwaseun Adeyemi-Clarke, Jr", part: "parent" },
        { name: 'Jo "JJ" Smith', part: "staff" },
      ],
    });
  });

  it("refuses a quote left open rather than swallowing the rest of the file, naming its line", () => {
    expect(csvRows('Name\n"Alice\nBob\nCarol\n')).toEqual({ ok: false, error: 'Line 2: a quote (") is opened and never closed' });
    expect(readPeopleList('Name\n"Alice\nBob\n', "pupils")).toEqual({ ok: false, error: 'Line 2: a quote (") is opened and never closed' });
  });

  it("names the line of a bad row as the file numbers it, blank lines and multi-line cells counted", () => {
    const list = readPeopleList('Name,Role\n"Ann\nBrown",Pupil\n\nX,Pupil\n', "mixed");
    expect(list).toEqual({ ok: false, error: "Line 5: there is no name, or it is shorter than 2 letters or longer than 200 characters" });
    expect(readPeopleList("Name,Role\nAnn Brown,Governor-ish visitor\nBen Cole,Alien\n", "mixed")).toEqual({ ok: false, error: "Line 3: the role must say pupil, parent or carer, or staff" });
  });

  it("needs the columns named, and a role for a mixed list", () => {
    expect(readPeopleList("Priya,Patel\n", "pupils")).toMatchObject({ ok: false, error: expect.stringContaining("The first line must name the columns") });
    expect(readPeopleList("Forename,Surname\nPriya,Patel\n", "mixed")).toMatchObject({ ok: false, error: expect.stringContaining("needs a Role column") });
    expect(readPeopleList("Forename,Surname\nPriya,Patel\n", "staff")).toEqual({ ok: true, people: [{ name: "Priya Patel", part: "staff" }] });
  });
});
