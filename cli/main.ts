/**
 * Argument dispatch for the `switchyard` command. Each command returns its exit code; nothing here
 * calls process.exit, so commands are testable in-process.
 */
import { explainCommand } from "./commands/explain.ts";
import { planCommand } from "./commands/plan.ts";

export interface Io {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

const USAGE = `switchyard — Kubernetes Gateway API on AWS (ALB, NLB, VPC Lattice)

Usage:
  switchyard plan [-f <file|dir>]... [-o text|json|yaml] [--namespace NS] [--diff [--observed FILE]]
      Offline: read manifests and print, per Gateway, what switchyard would build and every
      status it would write. Defaults to the bundled examples/ directory. --diff adds the ordered
      ELBv2 operations the reconciler would run, against an empty account or against FILE
      (JSON: Gateway key → what exists, as the state record stores it).
  switchyard explain -f <file|dir>... --request 'METHOD URL' [-H 'name: value']... [--source-ip IP] [-o text|json]
      Offline: which ALB listener rule a request matches, where it goes and why earlier rules
      did not match.
  switchyard help

Exit codes: 0 ok, 1 some object was rejected or not accepted, 2 usage error.
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(USAGE);
      return 0;
    case "plan":
      return planCommand(rest, io);
    case "explain":
      return explainCommand(rest, io);
    default:
      io.stderr.write(`switchyard: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
