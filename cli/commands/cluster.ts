/**
 * `switchyard cluster register|list|remove`: the cluster registry in the control plane's table
 * (shared/registry, DynamoDB), and for a registered cluster the forwarder's Helm values, or its
 * rendered manifests, or those applied to the cluster with server-side apply.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { splitClusterGatewayKey } from "../../shared/keys.ts";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { ClusterAlreadyRegistered, ClusterNotRegistered } from "../../shared/registry/registry.ts";
import { applyManifests } from "../cluster/apply-manifests.ts";
import { chartDefaults, forwarderManifests, type Manifest } from "../cluster/forwarder-manifests.ts";
import { type ControlPlaneEndpoints, forwarderValues } from "../cluster/forwarder-values.ts";
import { RegistrationFlagError, registrationFromFlags } from "../cluster/registration.ts";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, runCommand } from "../command-runner.ts";
import {
  CONTROL_PLANE_HELP,
  CONTROL_PLANE_OPTIONS,
  ControlPlane,
  controlPlaneSettings,
  type Env,
  outputFormat,
  UsageError,
} from "../control-plane.ts";
import type { Io } from "../main.ts";

export const CLUSTER_USAGE = `Usage: switchyard cluster register|list|remove [options]

  switchyard cluster register --cluster-id ID --account ACCOUNT --vpc-id VPC --sender-principal ARN
                              (--eks-cluster-name NAME | --eks-endpoint URL --eks-ca-file FILE) ...
      Writes the cluster's registry entry and prints the forwarder's Helm values for it
      (helm install ... -f -), or its manifests with --manifests, or applies them with --apply.
  switchyard cluster list
      Every registered cluster.
  switchyard cluster remove ID [--force]
      Deletes the registry entry. Refused while Gateways of the cluster still have state records
      (their AWS resources exist) unless --force.

\`switchyard cluster register --help\` for every registration flag.

${CONTROL_PLANE_HELP}
Exit codes: 0 ok, 1 failed (not registered, already registered, AWS or Kubernetes refused), 2 usage.
`;

export const REGISTER_USAGE = `Usage: switchyard cluster register [options]

Registration (validated as the registry validates every entry):
  --cluster-id ID              lower-case letters, digits and '-', at most 63 (required)
  --account ACCOUNT            the AWS account of the cluster and its load balancers (required)
  --region REGION              its Region (default $AWS_REGION)
  --vpc-id VPC                 the VPC of its load balancers (required)
  --eks-cluster-name NAME      reach the API server through EKS DescribeCluster, or
  --eks-endpoint URL --eks-ca-file FILE
                               the API server's https URL and CA bundle (PEM)
  --reconcile-role ARN         role the reconciler assumes in the account (required, with
  --external-id ID             an ExternalId, when the account is not the control plane's)
  --sender-principal ARN       the forwarder's IAM role (or user) ARN (required)
  --sender-id ID               that principal's unique id (AROA…), which SQS reports as SenderId:
                               aws iam get-role --role-name NAME --query Role.RoleId
                               (without it, ingest refuses the cluster's events)
  --status-mode MODE           direct (default) or via-forwarder
  --update                     replace an existing registration (default: refuse one)
Forwarder values:
  --queue-prefix PREFIX        find <PREFIX>-events.fifo (and with via-forwarder <PREFIX>-status-<ID>)
                               by name; claim-check bucket <PREFIX>-claim-checks-<control plane account>
                               [SWITCHYARD_QUEUE_PREFIX]
  --events-queue-url URL       the control plane's events queue [SWITCHYARD_EVENTS_QUEUE_URL]
  --claim-check-bucket NAME    [SWITCHYARD_CLAIM_CHECK_BUCKET]
  --status-queue-url URL       the cluster's status queue (via-forwarder)
Output:
  (default)                    the Helm values (YAML) on stdout
  --manifests                  the rendered manifests instead (what helm template renders)
  --apply                      apply them to the cluster (server-side apply, field manager switchyard)
  --kubeconfig FILE            for --apply (default $KUBECONFIG, ~/.kube/config)
  --release NAME               release name (default switchyard)
  --namespace NS               release namespace (default switchyard-system)

${CONTROL_PLANE_HELP}`;

const REGISTER_OPTIONS = {
  ...CONTROL_PLANE_OPTIONS,
  "cluster-id": { type: "string" },
  account: { type: "string" },
  region: { type: "string" },
  "vpc-id": { type: "string" },
  "eks-cluster-name": { type: "string" },
  "eks-endpoint": { type: "string" },
  "eks-ca-file": { type: "string" },
  "reconcile-role": { type: "string" },
  "external-id": { type: "string" },
  "sender-principal": { type: "string" },
  "sender-id": { type: "string" },
  "status-mode": { type: "string" },
  update: { type: "boolean" },
  "queue-prefix": { type: "string" },
  "events-queue-url": { type: "string" },
  "claim-check-bucket": { type: "string" },
  "status-queue-url": { type: "string" },
  manifests: { type: "boolean" },
  apply: { type: "boolean" },
  kubeconfig: { type: "string" },
  release: { type: "string" },
  namespace: { type: "string", short: "n" },
} as const;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export async function clusterCommand(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
      io.stderr.write(CLUSTER_USAGE);
      return EXIT_USAGE;
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(CLUSTER_USAGE);
      return EXIT_OK;
    case "register":
      return runCommand("cluster register", io, "cluster register", (context) => register(rest, io, env, context));
    case "list":
      return runCommand("cluster list", io, "cluster", (context) => list(rest, io, env, context));
    case "remove":
      return runCommand("cluster remove", io, "cluster", (context) => remove(rest, io, env, context));
    default:
      io.stderr.write(`switchyard cluster: unknown sub-command "${sub}": register, list or remove\n`);
      return EXIT_USAGE;
  }
}

function readCa(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new RegistrationFlagError("--eks-ca-file", `cannot read ${file}: ${(error as Error).message}`);
  }
  return pem.toString("base64");
}

async function register(
  argv: readonly string[],
  io: Io,
  env: Env,
  context: { settings?: ReturnType<typeof controlPlaneSettings> },
): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: REGISTER_OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    io.stdout.write(REGISTER_USAGE);
    return EXIT_OK;
  }
  const output = outputFormat(values.output);
  const settings = controlPlaneSettings(values, env);
  context.settings = settings;
  if (values.manifests && values.apply) throw new UsageError("--manifests and --apply: choose one");
  const release = values.release ?? "switchyard";
  const namespace = values.namespace ?? "switchyard-system";
  if (!DNS_LABEL.test(release)) throw new UsageError(`--release must be a DNS label (got ${release})`);
  if (!DNS_LABEL.test(namespace)) throw new UsageError(`--namespace must be a DNS label (got ${namespace})`);
  const caData = readCa(values["eks-ca-file"]);
  const prefix = values["queue-prefix"] ?? env.SWITCHYARD_QUEUE_PREFIX;
  const eventsQueueUrl = values["events-queue-url"] ?? env.SWITCHYARD_EVENTS_QUEUE_URL;
  if (!eventsQueueUrl && !prefix) {
    throw new UsageError(
      "the forwarder needs the events queue: pass --events-queue-url URL or --queue-prefix PREFIX (switchyard dev: switchyard-dev)",
    );
  }
  const kubeConfig = values.apply ? loadKubeConfig(values.kubeconfig) : undefined;
  const registrationOptions = {
    ...(caData !== undefined ? { caData } : {}),
    ...(env.AWS_REGION ? { defaultRegion: env.AWS_REGION } : {}),
  };
  // Every check that does not depend on the control plane's account, before any AWS call.
  registrationFromFlags(values, { ...registrationOptions, controlPlaneAccount: values.account ?? "" });

  const plane = new ControlPlane(settings);
  try {
    const controlPlaneAccount = await plane.account();
    const cluster = registrationFromFlags(values, { ...registrationOptions, controlPlaneAccount });
    const endpoints: ControlPlaneEndpoints = {
      eventsQueueUrl: eventsQueueUrl || (await plane.queueUrl(`${prefix}-events.fifo`)),
      claimCheckBucket:
        values["claim-check-bucket"] ??
        env.SWITCHYARD_CLAIM_CHECK_BUCKET ??
        (prefix ? `${prefix}-claim-checks-${controlPlaneAccount}` : ""),
    };
    const statusQueueUrl =
      values["status-queue-url"] ??
      (cluster.statusMode === "via-forwarder" && prefix
        ? await plane.queueUrl(`${prefix}-status-${cluster.clusterId}`)
        : undefined);
    if (statusQueueUrl) endpoints.statusQueueUrl = statusQueueUrl;
    if (endpoints.claimCheckBucket === "") {
      throw new UsageError(
        "--claim-check-bucket is required without --queue-prefix (or set SWITCHYARD_CLAIM_CHECK_BUCKET)",
      );
    }
    // Everything is checked before the registry is written.
    const forwarder = forwarderValues(cluster, endpoints);
    const manifests =
      values.manifests || values.apply
        ? forwarderManifests(forwarder, { release, namespace }, chartDefaults())
        : undefined;

    const registry = await plane.registry();
    try {
      await registry.put(cluster, values.update ? "update" : "create");
    } catch (error) {
      if (error instanceof ClusterAlreadyRegistered) {
        io.stderr.write(
          `switchyard cluster register: cluster ${cluster.clusterId} is already registered: pass --update to replace its entry, or \`switchyard cluster remove ${cluster.clusterId}\` first\n`,
        );
        return EXIT_ERROR;
      }
      if (error instanceof ClusterNotRegistered) {
        io.stderr.write(
          `switchyard cluster register: cluster ${cluster.clusterId} is not registered, so there is nothing to --update: register it without --update\n`,
        );
        return EXIT_ERROR;
      }
      throw error;
    }
    io.stderr.write(
      `cluster ${cluster.clusterId} ${values.update ? "updated" : "registered"} in ${settings.table}: account ${cluster.account}, ${cluster.region}, ${cluster.vpcId}, status ${cluster.statusMode}\n`,
    );
    if (cluster.senderId === undefined) {
      io.stderr.write(
        `warning: no --sender-id: ingest refuses every event of ${cluster.clusterId} until it is set; find the role's unique id with \`aws iam get-role --role-name NAME --query Role.RoleId\` and re-run with --update --sender-id ID\n`,
      );
    }

    let applied: Awaited<ReturnType<typeof applyManifests>> | undefined;
    if (kubeConfig && manifests) {
      io.stderr.write(
        `applying ${manifests.length + 1} object(s) to ${kubeConfig.getCurrentCluster()?.server ?? "the cluster"}\n`,
      );
      try {
        applied = await applyManifests(kubeConfig, namespace, manifests, (o) =>
          io.stderr.write(`  applied ${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}\n`),
        );
      } catch (error) {
        io.stderr.write(
          `switchyard cluster register: the cluster is registered, but applying the forwarder failed: ${kubeFailure(error)}; fix it and re-run with --update --apply\n`,
        );
        return EXIT_ERROR;
      }
    }
    if (output === "json") {
      io.stdout.write(
        `${JSON.stringify(
          {
            cluster,
            values: forwarder,
            ...(manifests ? { manifests } : {}),
            ...(applied ? { applied } : {}),
          },
          null,
          2,
        )}\n`,
      );
    } else if (applied) {
      for (const o of applied) io.stdout.write(`${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} applied\n`);
    } else if (manifests) {
      io.stdout.write(renderManifests(manifests));
    } else {
      io.stdout.write(
        `# Helm values for the switchyard forwarder of cluster ${cluster.clusterId}:\n#   helm install ${release} forwarder/deploy/chart --namespace ${namespace} --create-namespace -f <this file>\n${stringify(forwarder)}`,
      );
    }
    return EXIT_OK;
  } finally {
    plane.destroy();
  }
}

export function renderManifests(manifests: readonly Manifest[]): string {
  return manifests.map((m) => `---\n${stringify(m, { lineWidth: 0 })}`).join("");
}

function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file !== undefined) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (error) {
    throw new UsageError(`--kubeconfig ${file ?? "(default)"}: ${(error as Error).message}`);
  }
  if (!kc.getCurrentCluster()) {
    throw new UsageError(
      "--apply needs a cluster: pass --kubeconfig FILE or set KUBECONFIG (no current context found)",
    );
  }
  return kc;
}

function kubeFailure(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const status: unknown = JSON.parse(body);
      const message = (status as { message?: unknown } | null)?.message;
      if (typeof message === "string") return message;
    } catch {
      // Not a Status: the message below.
    }
  }
  return error instanceof Error ? error.message : String(error);
}

function describeEks(cluster: RegisteredCluster): string {
  return "clusterName" in cluster.eks ? `eks:${cluster.eks.clusterName}` : cluster.eks.endpoint;
}

async function list(
  argv: readonly string[],
  io: Io,
  env: Env,
  context: { settings?: ReturnType<typeof controlPlaneSettings> },
): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: CONTROL_PLANE_OPTIONS, strict: true });
  if (values.help) {
    io.stdout.write(CLUSTER_USAGE);
    return EXIT_OK;
  }
  const output = outputFormat(values.output);
  const settings = controlPlaneSettings(values, env);
  context.settings = settings;
  const plane = new ControlPlane(settings);
  try {
    const clusters = await (await plane.registry()).list();
    if (output === "json") {
      io.stdout.write(`${JSON.stringify({ clusters }, null, 2)}\n`);
      return EXIT_OK;
    }
    if (clusters.length === 0) {
      io.stdout.write(`no cluster is registered in ${settings.table} (switchyard cluster register --help)\n`);
      return EXIT_OK;
    }
    const rows = [
      ["CLUSTER", "ACCOUNT", "REGION", "VPC", "API SERVER", "STATUS", "SENDER"],
      ...clusters.map((c) => [
        c.clusterId,
        c.account,
        c.region,
        c.vpcId,
        describeEks(c),
        c.statusMode,
        c.senderId ? c.senderPrincipal : `${c.senderPrincipal} (no sender id: events refused)`,
      ]),
    ];
    io.stdout.write(table(rows));
    return EXIT_OK;
  } finally {
    plane.destroy();
  }
}

/** Columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

async function remove(
  argv: readonly string[],
  io: Io,
  env: Env,
  context: { settings?: ReturnType<typeof controlPlaneSettings> },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...CONTROL_PLANE_OPTIONS, force: { type: "boolean" }, "cluster-id": { type: "string" } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(CLUSTER_USAGE);
    return EXIT_OK;
  }
  const output = outputFormat(values.output);
  const ids = [...positionals, ...(values["cluster-id"] ? [values["cluster-id"]] : [])];
  const [clusterId] = ids;
  if (ids.length !== 1 || clusterId === undefined) throw new UsageError("name exactly one cluster: cluster remove ID");
  const settings = controlPlaneSettings(values, env);
  context.settings = settings;
  const plane = new ControlPlane(settings);
  try {
    const registry = await plane.registry();
    if ((await registry.get(clusterId)) === undefined) {
      io.stderr.write(
        `switchyard cluster remove: cluster ${clusterId} is not registered in ${settings.table} (switchyard cluster list)\n`,
      );
      return EXIT_ERROR;
    }
    const gateways: string[] = [];
    for await (const state of plane.stores().states.list()) {
      if (splitClusterGatewayKey(state.gatewayKey).cluster === clusterId) gateways.push(state.gatewayKey);
    }
    if (gateways.length > 0 && !values.force) {
      io.stderr.write(
        `switchyard cluster remove: ${gateways.length} Gateway(s) of ${clusterId} still own AWS resources (${gateways.join(", ")}): delete those Gateways in the cluster and wait until \`switchyard status\` shows no record, or pass --force to deregister anyway (their resources then stay in AWS until removed by hand)\n`,
      );
      return EXIT_ERROR;
    }
    const removed = await registry.remove(clusterId);
    if (output === "json") {
      io.stdout.write(`${JSON.stringify({ removed: removed ? clusterId : null, gatewaysLeft: gateways }, null, 2)}\n`);
    } else {
      io.stdout.write(`cluster ${clusterId} removed from ${settings.table}\n`);
      if (gateways.length > 0) {
        io.stderr.write(`warning: the AWS resources of ${gateways.join(", ")} remain; remove them by hand\n`);
      }
    }
    return removed ? EXIT_OK : EXIT_ERROR;
  } finally {
    plane.destroy();
  }
}
