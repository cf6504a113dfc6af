/**
 * Argument dispatch for the `switchyard` command. Each command returns its exit code; nothing here
 * calls process.exit, so commands are testable in-process.
 */
import { applyCommand } from "./commands/apply.ts";
import { clusterCommand } from "./commands/cluster.ts";
import { devCommand } from "./commands/dev.ts";
import { explainCommand } from "./commands/explain.ts";
import { planCommand } from "./commands/plan.ts";
import { statusCommand } from "./commands/status.ts";
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
/** `plan --diff --detailed-exitcode`: AWS differs from the plan. */
export const EXIT_CHANGES = 3;

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
  switchyard plan --diff --live --cluster-id ID --table NAME [-f <file|dir>]... [--detailed-exitcode]
      Against live state: each Gateway's resources (ALB, NLB, VPC Lattice) as its state record
      names them, re-read from AWS with read-only calls (or found by their ownership tags when
      there is no record).
  switchyard apply --cluster-id ID --table NAME -f <file|dir>... [--wait SECONDS]
      Local runs: the reconcile engine once for each Gateway of the manifests (and, on VPC
      Lattice, until Lattice is done with --wait), against the configured AWS endpoint and state
      table, with progress on stderr.
  switchyard status [GATEWAY] [--cluster-id ID] --table NAME [--queue-prefix P] [--live]
      Per Gateway: the last reconcile, the AWS resources it owns, its conditions, drift; and
      the queues' lag.
  switchyard cluster register|list|remove ...
      The cluster registry, and the forwarder's Helm values or manifests for a cluster.
  switchyard help

Every command takes --help. Control-plane commands take -o json for scripts.

Files over --max-file-size (default 16MiB; bytes, or with a KiB/MiB/GiB suffix) are not read.
Exit codes: 0 ok; 1 some object was rejected or not accepted (plan, explain) or the command failed
(apply, status, cluster); 2 usage or input error; 3 changes pending (plan --detailed-exitcode).
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
        return await planCommand(rest, safe);
      case "explain":
        return explainCommand(rest, safe);
      case "dev":
        return await devCommand(rest, safe);
      case "cluster":
        return await clusterCommand(rest, safe);
      case "status":
        return await statusCommand(rest, safe);
      case "apply":
        return await applyCommand(rest, safe);
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
