/**
 * How a control-plane command ends: a usage problem is one line and exit 2; any other failure
 * (AWS, DynamoDB, the cluster) is one line saying what to do next and exit 1. A stack only with
 * SWITCHYARD_DEBUG=1.
 */
import { RegistrationFlagError } from "./cluster/registration.ts";
import { type ControlPlaneSettings, explainFailure, UsageError } from "./control-plane.ts";
import type { Io } from "./main.ts";
import { oneLine } from "./render/terminal.ts";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** `plan --diff --detailed-exitcode`: the plan is valid and AWS differs from it. */
export const EXIT_CHANGES = 3;

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

export interface RunContext {
  /** Set once known, so failures can name the table and endpoints. */
  settings?: ControlPlaneSettings;
}

export async function runCommand(
  name: string,
  io: Io,
  usage: string,
  body: (context: RunContext) => Promise<number>,
): Promise<number> {
  const context: RunContext = {};
  try {
    return await body(context);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RegistrationFlagError || isParseArgsError(error)) {
      io.stderr.write(`switchyard ${name}: ${oneLine((error as Error).message)}\n(switchyard ${usage} --help)\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`switchyard ${name}: ${oneLine(explainFailure(error, context.settings))}\n`);
    if (process.env.SWITCHYARD_DEBUG === "1" && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    return EXIT_ERROR;
  }
}
