import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { detectPersonalData } from "./detection/detect.ts";
import type { KnownPerson } from "./detection/people.ts";
import type { Suggestion } from "./detection/suggestion.ts";
import { UsageError } from "../platform/errors.ts";

export const DETECT_USAGE = `usage: npm run steward -- detect [--known-people "Name;Name"] [FILE]   (plain text; standard input without FILE)
       npm run steward -- detect --jsonl FILE   (each line {"id", "text", "known_people": [...]}; one {"id", "suggestions"} line out for each)`;

/** What the command prints of a suggestion: exactly the fields its users (the team's checks) read. */
function printable(suggestion: Suggestion) {
  const { start, end, type, score, recognizer, why } = suggestion;
  return { start, end, type, score, recognizer, why };
}

/** People named on the command line are others in the request: each is suggested for removal. */
function knownPeople(names: readonly unknown[]): KnownPerson[] {
  return names.filter((name): name is string => typeof name === "string" && name.trim() !== "").map((name) => ({ name: name.trim(), part: "other" }));
}

/** The value of `--known-people "Name;Name"`, for every command that takes it. */
export function knownPeopleOption(value: string | undefined): string[] {
  if (value === undefined) {
    throw new UsageError("--known-people needs a list of names, separated by semicolons");
  }
  return value.split(";").map((name) => name.trim()).filter(Boolean);
}

/** `detect`: suggestions for one text as a JSON array, or for many (JSON lines in, JSON lines out) in one process. */
export async function detectCommand(args: string[], write: (line: string) => void, readStandardInput: () => Promise<string>): Promise<void> {
  let people: string[] = [];
  let jsonl: string | undefined;
  const files: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === "--known-people") {
      people = knownPeopleOption(args[++index]);
    } else if (arg === "--jsonl") {
      jsonl = args[++index];
      if (jsonl === undefined) {
        throw new UsageError("--jsonl needs a file (- for standard input)");
      }
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length > 1 || (jsonl !== undefined && files.length > 0)) {
    throw new UsageError("give one input: a FILE, standard input, or --jsonl FILE");
  }
  if (jsonl !== undefined) {
    const lines = createInterface({ input: jsonl === "-" ? process.stdin : createReadStream(jsonl, "utf8"), crlfDelay: Infinity });
    let number = 0;
    for await (const line of lines) {
      number += 1;
      if (line.trim() === "") {
        continue;
      }
      let item: { id?: unknown; text?: unknown; known_people?: unknown };
      try {
        item = JSON.parse(line) as typeof item;
      } catch {
        throw new UsageError(`line ${number} of ${jsonl} is not JSON`);
      }
      if (typeof item.text !== "string" || (item.known_people !== undefined && !Array.isArray(item.known_people))) {
        throw new UsageError(`line ${number} of ${jsonl} needs "text" (a string) and, if given, "known_people" (a list of names)`);
      }
      const suggestions = detectPersonalData(item.text, { knownPeople: knownPeople((item.known_people as unknown[] | undefined) ?? []) }).map(printable);
      write(JSON.stringify({ id: item.id ?? null, suggestions }));
    }
    return;
  }
  const text = files[0] ? await readFile(files[0], "utf8") : await readStandardInput();
  write(JSON.stringify(detectPersonalData(text, { knownPeople: knownPeople(people) }).map(printable)));
}
