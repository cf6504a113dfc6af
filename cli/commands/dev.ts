/**
 * `switchyard dev`: the whole control plane on one machine against a real cluster and any
 * AWS-compatible endpoints — the forwarder and the ingest, reconcile, status and resync handlers
 * in this process, fed from real SQS queues by the local runner (cli/dev/pipeline.ts). Runs until
 * SIGINT or SIGTERM, printing one line per step.
 */
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import type { StatusMode } from "../../shared/registry/cluster.ts";
import { type ProgressEvent, type RunningPipeline, startPipeline } from "../dev/pipeline.ts";
import { EXIT_OK, EXIT_USAGE, type Io } from "../main.ts";

export const DEV_USAGE = `Usage: switchyard dev --cluster-id ID [options]

Runs the forwarder and the ingest, reconcile, status and resync handlers in this process, on real
SQS queues and a DynamoDB table (created when missing), until Ctrl-C.

Cluster:
  --kubeconfig FILE          kubeconfig of the cluster to watch (default $KUBECONFIG or ~/.kube/config)
  --server URL --token T --ca FILE
                             the cluster's API server, bearer token and CA instead of a kubeconfig
  --cluster-id ID            the cluster's id in the registry (required)
  --namespace NS             watch only this namespace (repeatable; default all)
Registration:
  --account ACCOUNT          AWS account of the load balancers (default: the caller's, the control
                             plane's); another account needs --reconcile-role in it and --external-id
  --region REGION            (default $AWS_REGION, else us-east-1)
  --vpc-id VPC               (default: the account's default VPC)
  --reconcile-role ARN       role the reconciler assumes in the account (default: own credentials)
  --external-id ID           ExternalId for that role
  --eks-cluster-name NAME    write status with an EKS IAM token for NAME (as the status λ does);
                             without it, status is written with the kubeconfig's own token (local mode only)
  --status-mode MODE         direct (the status λ writes to the API server; default) or
                             via-forwarder (the status λ queues intents on <prefix>-status-<cluster-id>
                             and the forwarder writes them with the kubeconfig's identity)
Endpoints and names:
  --aws-endpoint URL         one endpoint for every AWS service (e.g. moto)
  --dynamodb-endpoint URL    DynamoDB endpoint (e.g. DynamoDB Local; default --aws-endpoint)
  --lattice-endpoint URL     VPC Lattice endpoint (e.g. the Lattice emulator; default --aws-endpoint)
  --table NAME               DynamoDB table (default switchyard-dev)
  --queue-prefix PREFIX      queue name prefix (default switchyard-dev)
  --resync-seconds N         drift-check every Gateway this often (default 60)
  --verbose                  the handlers' own logs (Powertools, JSON) as well
`;

function formatProgress(event: ProgressEvent): string {
  switch (event.stage) {
    case "queues":
      return `queues ready: ${Object.values(event.queues).join(" ")}`;
    case "table":
      return `table ready: ${event.tableName}${event.created ? " (created)" : ""}`;
    case "cluster":
      return `cluster ${event.cluster.clusterId} registered: account ${event.cluster.account}, ${event.cluster.region}, ${event.cluster.vpcId}; forwarder sends as ${event.senderId}`;
    case "forwarder":
      return `forwarder ${event.state}`;
    case "ingest":
      return `ingest: ${event.records} event(s)${event.failed > 0 ? `, ${event.failed} to retry` : ""}`;
    case "reconcile":
      return `reconcile ${event.gatewayKey} (${event.reason}${event.receiveCount > 1 ? `, delivery ${event.receiveCount}` : ""}): ${event.outcome}`;
    case "status":
      return `status ${event.object}: ${event.outcome}${event.detail ? ` (${event.detail})` : ""}`;
    case "resync":
      return `resync: ${event.enqueued} Gateway(s) enqueued`;
    case "log":
      return event.message;
  }
}

const STATUS_MODES: readonly StatusMode[] = ["direct", "via-forwarder"];

/** The `--status-mode` value (default `direct`), or undefined if it names no mode. */
export function statusModeOf(value: string | undefined): StatusMode | undefined {
  if (value === undefined) return "direct";
  return STATUS_MODES.find((mode) => mode === value);
}

function kubeConfigFrom(values: { kubeconfig?: string; server?: string; token?: string; ca?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (values.server !== undefined) {
    if (values.token === undefined || values.ca === undefined) throw new Error("--server needs --token and --ca");
    kc.loadFromOptions({
      clusters: [{ name: "dev", server: values.server, caFile: values.ca, skipTLSVerify: false }],
      users: [{ name: "dev", token: values.token }],
      contexts: [{ name: "dev", cluster: "dev", user: "dev" }],
      currentContext: "dev",
    });
  } else if (values.kubeconfig !== undefined) {
    kc.loadFromFile(values.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  return kc;
}

/** Resolves once `signal` fires (SIGINT/SIGTERM in the command; tests pass their own). */
function until(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export async function devCommand(argv: readonly string[], io: Io, stop?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      kubeconfig: { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      ca: { type: "string" },
      "cluster-id": { type: "string" },
      namespace: { type: "string", short: "n", multiple: true },
      account: { type: "string" },
      region: { type: "string" },
      "vpc-id": { type: "string" },
      "reconcile-role": { type: "string" },
      "external-id": { type: "string" },
      "eks-cluster-name": { type: "string" },
      "status-mode": { type: "string" },
      "aws-endpoint": { type: "string" },
      "dynamodb-endpoint": { type: "string" },
      "lattice-endpoint": { type: "string" },
      table: { type: "string" },
      "queue-prefix": { type: "string" },
      "resync-seconds": { type: "string" },
      verbose: { type: "boolean" },
    },
  });
  if (values.help) {
    io.stdout.write(DEV_USAGE);
    return EXIT_OK;
  }
  const clusterId = values["cluster-id"];
  if (clusterId === undefined) {
    io.stderr.write(`switchyard dev: --cluster-id is required\n\n${DEV_USAGE}`);
    return EXIT_USAGE;
  }
  const statusMode = statusModeOf(values["status-mode"]);
  if (statusMode === undefined) {
    io.stderr.write(`switchyard dev: --status-mode must be one of ${STATUS_MODES.join(", ")}\n`);
    return EXIT_USAGE;
  }
  const resyncSeconds = Number(values["resync-seconds"] ?? "60");
  if (!Number.isSafeInteger(resyncSeconds) || resyncSeconds < 1) {
    io.stderr.write("switchyard dev: --resync-seconds must be a positive integer\n");
    return EXIT_USAGE;
  }
  // Local runs have no CloudWatch to read the handlers' EMF metrics from.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const line = (text: string) => io.stdout.write(`${new Date().toISOString()} ${text}\n`);
  const shutdown = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    line(`${signal}: stopping`);
    shutdown.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  stop?.addEventListener("abort", () => shutdown.abort(), { once: true });
  let pipeline: RunningPipeline | undefined;
  try {
    pipeline = await startPipeline({
      kubeConfig: kubeConfigFrom(values),
      clusterId,
      region: values.region ?? process.env.AWS_REGION ?? "us-east-1",
      ...(values.account ? { account: values.account } : {}),
      ...(values["vpc-id"] ? { vpcId: values["vpc-id"] } : {}),
      ...(values["reconcile-role"] ? { reconcileRoleArn: values["reconcile-role"] } : {}),
      ...(values["external-id"] ? { externalId: values["external-id"] } : {}),
      ...(values["eks-cluster-name"] ? { eksClusterName: values["eks-cluster-name"] } : {}),
      statusMode,
      ...(values["aws-endpoint"] ? { awsEndpoint: values["aws-endpoint"] } : {}),
      ...(values["dynamodb-endpoint"] ? { dynamoDbEndpoint: values["dynamodb-endpoint"] } : {}),
      ...(values["lattice-endpoint"] ? { latticeEndpoint: values["lattice-endpoint"] } : {}),
      ...(values.table ? { tableName: values.table } : {}),
      ...(values["queue-prefix"] ? { queuePrefix: values["queue-prefix"] } : {}),
      ...(values.namespace ? { namespaces: values.namespace } : {}),
      resyncIntervalMs: resyncSeconds * 1000,
      logLevel: values.verbose ? "INFO" : "ERROR",
      progress: (event) => line(formatProgress(event)),
    });
    if (statusMode === "via-forwarder") {
      line(`status goes through the forwarder: ${pipeline.forwarderStatusQueue ?? "(no queue)"}`);
    } else if (!values["eks-cluster-name"]) {
      line("status is written with the kubeconfig's own credentials (local mode only; --eks-cluster-name for IAM)");
    }
    await Promise.race([pipeline.forwarderSynced(120_000), until(shutdown.signal)]);
    line("running; Ctrl-C to stop");
    await until(shutdown.signal);
    return EXIT_OK;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await pipeline?.stop();
    if (pipeline) line("stopped");
  }
}
