import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectCommand } from "./detect-command.ts";
import { UsageError } from "../platform/errors.ts";

describe("npm run steward -- detect", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), "steward-detect-"));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  async function run(args: string[], input = ""): Promise<string[]> {
    const lines: string[] = [];
    await detectCommand(args, (line) => lines.push(line), async () => input);
    return lines;
  }

  it("prints one JSON array for a text from standard input, with offsets into it and the fields the checks read", async () => {
    const text = "Ask Tobiah Ashdown to ring 07700 900123.";
    const [line] = await run(["--known-people", "Tobiah Ashdown"], text);
    const suggestions = JSON.parse(line!) as { start: number; end: number; type: string }[];
    expect(suggestions.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ["person", "Tobiah Ashdown"],
      ["phone", "07700 900123"],
    ]);
    expect(Object.keys(suggestions[0]!).sort()).toEqual(["end", "recognizer", "score", "start", "type", "why"]);
  });

  it("reads a file, and JSON lines in one process with each line's own known people", async () => {
    const file = path.join(folder, "note.txt");
    await writeFile(file, "NHS 943 476 5919");
    expect(JSON.parse((await run([file]))[0]!)).toHaveLength(1);
    const jsonl = path.join(folder, "many.jsonl");
    await writeFile(jsonl, `${JSON.stringify({ id: "a", text: "Saw Wren Mwangi today.", known_people: ["Wren Mwangi"] })}\n\n${JSON.stringify({ id: 7, text: "Nothing personal here." })}\n`);
    const out = (await run(["--jsonl", jsonl])).map((line) => JSON.parse(line) as { id: unknown; suggestions: unknown[] });
    expect(out).toEqual([
      { id: "a", suggestions: [expect.objectContaining({ start: 4, end: 15, type: "person", recognizer: "known-people" })] },
      { id: 7, suggestions: [] },
    ]);
  });

  it("refuses bad input with a usage error that names the line", async () => {
    const jsonl = path.join(folder, "bad.jsonl");
    await writeFile(jsonl, `{"id": 1, "text": "ok"}\nnot json\n`);
    await expect(run(["--jsonl", jsonl])).rejects.toThrow(new UsageError(`line 2 of ${jsonl} is not JSON`));
    await expect(run(["--known-people"])).rejects.toThrow(UsageError);
    await expect(run(["--whatever"])).rejects.toThrow(/unknown option/);
  });
});
