/**
 * Argument dispatch for the `switchyard` command. Each command returns its exit code; nothing here
 * calls process.exit, so commands are testable in-process.
 */
import { devCommand } from "./commands/dev.ts";
import { explainCommand } from "./commands/explain.ts";
import { planCommand } from "./commands/plan.ts";
import { oneLine, terminalSafe } from "./render/terminal.ts";

export interface Io {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export interface MainOptions {
  /** Print the stack of an unexpected failure (SWITCHYARD_DEBUG=1). */
  debug?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

const USAGE = `switchyard — Kubernetes Gateway API on AWS (ALB, NLB, VPC Lattice)

Usage:
  switchyard plan [-f <file|dir>]... [-o text|json|yaml] [--namespace NS] [--max-file-size SIZE]
                  [--aws-controller-names] [--diff [--observed FILE]]
      Offline: read manifests and print, per Gateway, what switchyard would build and every
      status it would write. Defaults to the bundled examples/ directory. --diff adds the ordered
      ELBv2 operations the reconciler would run, against an empty account or against FILE
      (JSON: Gateway key → what exists, as the state record stores it).
  switchyard explain -f <file|dir>... --request 'METHOD URL' [-H 'name: value']... [--source-ip IP]
                     [--sni NAME] [--quic-server-id ID] [--namespace NS] [--max-file-size SIZE] [-o text|json]
      Offline: which ALB listener rule a request matches, where it goes and why earlier rules
      did not match; the VPC Lattice service and rule; the NLB listener a connection meets and
      where it goes. URL may also be tcp://, udp://, tls:// or quic://host:port (NLB only).
  switchyard dev --cluster-id ID [--kubeconfig FILE | --server URL --token T --ca FILE]
                 [--aws-endpoint URL] [--dynamodb-endpoint URL] [--eks-cluster-name NAME] ...
      The whole pipeline in this process against a cluster and AWS (or moto and DynamoDB Local),
      until Ctrl-C. \`switchyard dev --help\` for every flag.
  switchyard help

Files over --max-file-size (default 16MiB; bytes, or with a KiB/MiB/GiB suffix) are not read.
Exit codes: 0 ok, 1 some object was rejected or not accepted, 2 usage or input error.
`;

/** Both streams with every write made terminal-safe. */
export function terminalSafeIo(io: Io): Io {
  return {
    stdout: { write: (chunk: string) => io.stdout.write(terminalSafe(chunk)) },
    stderr: { write: (chunk: string) => io.stderr.write(terminalSafe(chunk)) },
  };
}

/**
 * Everything written passes through `terminalSafe`: whatever a manifest contains, the terminal
 * shows it as text. A failure nobody anticipated is one line and exit 2, not a stack trace.
 */
export async function main(argv: readonly string[], io: Io, options: MainOptions = {}): Promise<number> {
  const safe = terminalSafeIo(io);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        safe.stdout.write(USAGE);
        return EXIT_OK;
      case "plan":
        return planCommand(rest, safe);
      case "explain":
        return explainCommand(rest, safe);
      case "dev":
        return await devCommand(rest, safe);
      default:
        safe.stderr.write(`switchyard: unknown command "${oneLine(command)}"\n\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    safe.stderr.write(`switchyard${command ? ` ${oneLine(command)}` : ""}: ${oneLine(message)}\n`);
    if (options.debug && err instanceof Error && err.stack) safe.stderr.write(`${err.stack}\n`);
    return EXIT_USAGE;
  }
}
