/**
 * `switchyard status [GATEWAY]`: per Gateway, the last reconcile, the AWS resources it owns, its
 * conditions and last error, and drift; then the pipeline queues' lag. Read-only: the state
 * records and the objects mirror in the table, GetQueueAttributes, and with --live the drift
 * check's Describe calls.
 */
import { parseArgs } from "node:util";
import { controllerConfig } from "../../shared/config.ts";
import { planElb } from "../../shared/elb/plan.ts";
import {
  type ClusterGatewayKey,
  clusterGatewayKey,
  parseClusterGatewayKey,
  parseGatewayKey,
  splitClusterGatewayKey,
} from "../../shared/keys.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { MirrorSnapshotSource } from "../../shared/mirror/snapshot-source.ts";
import type { StoredGatewayState } from "../../shared/store/state.ts";
import { translate } from "../../shared/translate.ts";
import { EXIT_ERROR, EXIT_OK, runCommand } from "../command-runner.ts";
import {
  CONTROL_PLANE_HELP,
  CONTROL_PLANE_OPTIONS,
  ControlPlane,
  controlPlaneSettings,
  type Env,
  outputFormat,
  QUEUE_HELP,
  QUEUE_OPTIONS,
  UsageError,
} from "../control-plane.ts";
import { type LiveCluster, observeLive, openCluster } from "../live.ts";
import type { Io } from "../main.ts";
import { queuesToRead, readQueueLag, renderQueueLag } from "../status/queues.ts";
import {
  type GatewayStatusReport,
  gatewayStatusReport,
  type LiveDrift,
  renderGatewayStatus,
} from "../status/report.ts";

export const STATUS_USAGE = `Usage: switchyard status [GATEWAY] [options]

Per Gateway (GATEWAY is cluster/namespace/name, or namespace/name with --cluster-id; without it,
every Gateway with a state record, of --cluster-id's cluster if given):
  - the last reconcile: applied, incomplete (AWS refused part of it), applying now, or
    interrupted; how many reconciles took the Gateway's lease; since when it is Programmed
  - the AWS resources it owns, as its state record names them
  - its conditions and last error, as the objects mirror holds the Gateway's status
  - drift: when a reconcile last re-read AWS; with --live, what a drift check finds now
Then the queues' depth (waiting, in flight, delayed), dead-letter queues included.

  --cluster-id ID              the cluster
  --live                       re-read each Gateway's resources from AWS now (read-only) and list
                               the operations a reconcile would run against the mirrored manifests

${QUEUE_HELP}
${CONTROL_PLANE_HELP}
Exit codes: 0 ok; 1 no such Gateway record, or the table or AWS could not be read; 2 usage.
`;

export async function statusCommand(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  return runCommand("status", io, "status", async (context) => {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        ...CONTROL_PLANE_OPTIONS,
        ...QUEUE_OPTIONS,
        "cluster-id": { type: "string" },
        live: { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(STATUS_USAGE);
      return EXIT_OK;
    }
    const output = outputFormat(values.output);
    if (positionals.length > 1) throw new UsageError("name at most one Gateway");
    const named = positionals[0] !== undefined ? gatewayArgument(positionals[0], values["cluster-id"]) : undefined;
    const settings = controlPlaneSettings(values, env);
    context.settings = settings;
    const plane = new ControlPlane(settings);
    const clusters = new Map<string, LiveCluster>();
    try {
      const states: StoredGatewayState[] = [];
      if (named) {
        const state = await plane.stores().states.get(named);
        if (state === undefined) {
          io.stderr.write(
            `switchyard status: no state record for Gateway ${named} in ${settings.table}: it has not been reconciled yet (or the name is wrong: \`switchyard status\` lists every Gateway)\n`,
          );
          return EXIT_ERROR;
        }
        states.push(state);
      } else {
        for await (const state of plane.stores().states.list()) {
          const cluster = splitClusterGatewayKey(state.gatewayKey).cluster;
          if (values["cluster-id"] === undefined || values["cluster-id"] === cluster) states.push(state);
        }
        states.sort((a, b) => a.gatewayKey.localeCompare(b.gatewayKey));
      }
      const mirror = new DynamoDbObjectMirror(plane.dynamo, settings.table);
      const reports: GatewayStatusReport[] = [];
      const notes: string[] = [];
      for (const state of states) {
        const { cluster, namespace, name, gatewayKey } = splitClusterGatewayKey(state.gatewayKey);
        const gateway = await mirror.get({ cluster, kind: "Gateway", namespace, name });
        let drift: LiveDrift | undefined;
        if (values.live) {
          io.stderr.write(`checking Gateway ${state.gatewayKey} against AWS (read-only)\n`);
          let live = clusters.get(cluster);
          if (live === undefined) {
            live = await openCluster(plane, cluster);
            clusters.set(cluster, live);
          }
          const desired = await desiredModel(mirror, live, gatewayKey);
          if (desired.problem) notes.push(`${state.gatewayKey}: ${desired.problem}`);
          else {
            const seen = await observeLive(live, gatewayKey, state);
            const plan = planElb(desired.model, seen.observed);
            drift = {
              checkedAt: Date.now(),
              from: seen.from,
              operations: plan.operations,
              ...(plan.replacement ? { replacement: plan.replacement } : {}),
            };
          }
        }
        reports.push(
          gatewayStatusReport(state, {
            now: Date.now(),
            ...(gateway ? { gateway: gateway.object } : {}),
            ...(drift ? { drift } : {}),
          }),
        );
      }
      const queues = await readQueueLag(plane, queuesToRead(values, env));
      if (output === "json") {
        io.stdout.write(`${JSON.stringify({ gateways: reports, queues, notes }, null, 2)}\n`);
      } else {
        if (reports.length === 0) {
          io.stdout.write(
            `no Gateway has a state record in ${settings.table}${values["cluster-id"] ? ` for cluster ${values["cluster-id"]}` : ""}\n`,
          );
        }
        for (const report of reports) io.stdout.write(`${renderGatewayStatus(report)}\n`);
        for (const note of notes) io.stdout.write(`note: ${note}\n`);
        io.stdout.write(renderQueueLag(queues));
      }
      return EXIT_OK;
    } finally {
      for (const live of clusters.values()) live.factory.destroy();
      plane.destroy();
    }
  });
}

function gatewayArgument(text: string, clusterId: string | undefined): ClusterGatewayKey {
  try {
    if (text.split("/").length === 3) return parseClusterGatewayKey(text);
    if (clusterId === undefined)
      throw new UsageError(`Gateway ${text}: give cluster/namespace/name, or add --cluster-id`);
    return clusterGatewayKey(clusterId, parseGatewayKey(text));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** The Gateway's desired model from the mirrored manifests, as the reconciler would build it. */
async function desiredModel(
  mirror: DynamoDbObjectMirror,
  live: LiveCluster,
  gatewayKey: string,
): Promise<{ model?: ReturnType<typeof translate>["loadBalancers"][number]["model"]; problem?: string }> {
  let snapshot: Awaited<ReturnType<MirrorSnapshotSource["load"]>>;
  try {
    snapshot = await new MirrorSnapshotSource(mirror).load(live.cluster.clusterId);
  } catch (error) {
    return { problem: `drift not checked: ${(error as Error).message}` };
  }
  const translation = translate(snapshot, controllerConfig(), {
    clusterId: live.cluster.clusterId,
    accountId: live.cluster.account,
    region: live.cluster.region,
  });
  const build = translation.loadBalancers.find((b) => b.model.gatewayKey === gatewayKey);
  return build ? { model: build.model } : {};
}
