import { createInterface } from "node:readline";
import { systemClock } from "../platform/clock.ts";
import { loadConfig } from "../platform/config.ts";
import type { StewardDatabase } from "../platform/database/database.ts";
import { UsageError } from "../platform/errors.ts";
import { createOperator } from "./operators.ts";
import { discardOperatorSetupToken } from "./setup-token.ts";

export const OPERATOR_USAGE = `usage: npm run steward -- operator create --email ADDRESS
       (the password is read from STEWARD_OPERATOR_PASSWORD, or from standard input: asked for, unseen, at a terminal)`;

export interface OperatorCommandIo {
  /** Opens (and migrates) the configured database, as the other commands do. */
  openDatabase(purpose: string): Promise<StewardDatabase>;
  /** The password: STEWARD_OPERATOR_PASSWORD, or standard input. */
  readPassword(): Promise<string>;
  print(line: string): void;
  printError(line: string): void;
}

/**
 * `steward operator create --email ADDRESS`: makes an operator account with the password policy
 * users have (checked before the database is opened). They set up two-factor at their first
 * sign-in. Any setup address still waiting stops working.
 */
export async function operatorCommand(args: string[], io: OperatorCommandIo): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "create") {
    throw new UsageError(command ? `Unknown operator command: ${command}` : "Say what to do: operator create");
  }
  let email: string | undefined;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === "--email" && rest[i + 1] !== undefined) {
      email = rest[(i += 1)];
    } else if (arg.startsWith("--email=")) {
      email = arg.slice("--email=".length);
    } else {
      throw new UsageError(`Unexpected argument: ${arg}`);
    }
  }
  if (!email) {
    throw new UsageError("Give the operator's email address with --email");
  }
  const password = await io.readPassword();
  const database = await io.openDatabase("steward operator create");
  try {
    const services = { database, clock: systemClock };
    const created = await createOperator(services, { email, password }, { via: "command" });
    if (!created.ok) {
      for (const [field, message] of Object.entries(created.errors)) {
        io.printError(`${field}: ${message}`);
      }
      return 1;
    }
    await discardOperatorSetupToken(services);
    io.print(`OK: operator ${email.trim().toLowerCase()} created. They sign in at ${loadConfig().publicUrl}/operator/login and set up two-factor authentication there.`);
    return 0;
  } finally {
    await database.close();
  }
}

/** STEWARD_OPERATOR_PASSWORD if set; otherwise asked for at a terminal (not echoed), or the first line of standard input. */
export async function readOperatorPassword(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env["STEWARD_OPERATOR_PASSWORD"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return fromEnv;
  }
  if (process.stdin.isTTY) {
    return askUnseen("Password for the new operator: ");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/** Asks at the terminal without echoing what is typed. */
function askUnseen(question: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    let asked = false;
    // readline echoes through this method: once the question is shown, nothing typed is.
    (terminal as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
      if (!asked) process.stdout.write(text);
    };
    terminal.question(question, (answer) => {
      terminal.close();
      process.stdout.write("\n");
      resolve(answer);
    });
    asked = true;
  });
}
