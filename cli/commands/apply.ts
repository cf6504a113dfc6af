/**
 * `switchyard apply`: local runs. The reconcile engine, once for each Gateway of the given
 * manifests, against the configured AWS endpoint and state table — the same claim, plan, apply and
 * record the reconcile λ runs, under the same lease, so a deployed control plane and a local
 * apply never write one Gateway at once. Progress (each AWS operation as it starts) on stderr;
 * per Gateway the outcome and the Programmed status it would write on stdout. Statuses are not
 * written to the cluster.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { controllerConfig } from "../../shared/config.ts";
import { clusterGatewayKey, parseGatewayKey } from "../../shared/keys.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { reconcileGateway } from "../../shared/reconcile/engine.ts";
import { observationOf } from "../../shared/reconcile/observation.ts";
import type { ElbPort } from "../../shared/reconcile/ports.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { EXIT_ERROR, EXIT_OK, runCommand } from "../command-runner.ts";
import {
  CONTROL_PLANE_HELP,
  CONTROL_PLANE_OPTIONS,
  ControlPlane,
  controlPlaneSettings,
  type Env,
  outputFormat,
  UsageError,
} from "../control-plane.ts";
import { elbPort, type LiveCluster, openCluster } from "../live.ts";
import type { Io } from "../main.ts";
import { DEFAULT_MAX_FILE_BYTES, loadFiles, parseByteSize } from "../manifests.ts";
import { describeOperation } from "../render/operations-text.ts";
import { oneLine } from "../render/terminal.ts";

export const APPLY_USAGE = `Usage: switchyard apply --cluster-id ID -f <file|dir>... [options]

Local runs: runs the reconcile engine once for each Gateway of the manifests (ALB and NLB) against
the configured AWS endpoint and state table, in the registered cluster's account, Region and VPC,
under the Gateway's lease. Each AWS operation is printed on stderr as it starts; the outcome and the
Programmed status each Gateway would get are printed on stdout (not written to any cluster).
Gateways not in the manifests are left alone; VPC Lattice Gateways are not applied yet.

  --cluster-id ID              the registered cluster the manifests belong to (required)
  -f, --file PATH              a manifest file or directory (repeatable; required)
  -n, --namespace NS           namespace of objects that name none (default default)
  --max-file-size SIZE         skip larger files (default 16MiB)
  --aws-controller-names       also own the AWS Load Balancer Controller's GatewayClasses

${CONTROL_PLANE_HELP}
Exit codes: 0 every Gateway applied or unchanged; 1 a manifest was rejected (nothing applied), or
some Gateway failed or was busy (another reconciler holds it); 2 usage.
`;

export async function applyCommand(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  return runCommand("apply", io, "apply", async (context) => {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...CONTROL_PLANE_OPTIONS,
        "cluster-id": { type: "string" },
        file: { type: "string", short: "f", multiple: true },
        namespace: { type: "string", short: "n" },
        "max-file-size": { type: "string" },
        "aws-controller-names": { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout.write(APPLY_USAGE);
      return EXIT_OK;
    }
    const output = outputFormat(values.output);
    const clusterId = values["cluster-id"];
    if (!clusterId)
      throw new UsageError("--cluster-id is required (switchyard cluster list shows the registered ones)");
    const paths = values.file ?? [];
    if (paths.length === 0) throw new UsageError("-f is required: the manifests to apply");
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length > 0) throw new UsageError(`no such file or directory: ${missing.join(", ")}`);
    const maxFileBytes =
      values["max-file-size"] === undefined ? DEFAULT_MAX_FILE_BYTES : parseByteSize(values["max-file-size"]);
    if (maxFileBytes === undefined) throw new UsageError(`--max-file-size must be a size such as 16MiB`);
    const settings = controlPlaneSettings(values, env);
    context.settings = settings;

    const loaded = loadFiles(paths, {
      ...(values.namespace ? { defaultNamespace: values.namespace } : {}),
      maxFileBytes,
    });
    for (const warning of loaded.warnings) io.stderr.write(`warning: ${oneLine(formatProblem(warning))}\n`);
    if (loaded.problems.length > 0) {
      for (const problem of loaded.problems) io.stderr.write(`rejected: ${oneLine(formatProblem(problem))}\n`);
      io.stderr.write(
        `switchyard apply: ${loaded.problems.length} manifest problem(s), nothing applied: fix them (switchyard plan -f ... shows each) and run again\n`,
      );
      return EXIT_ERROR;
    }

    const plane = new ControlPlane(settings);
    let live: LiveCluster | undefined;
    try {
      live = await openCluster(plane, clusterId);
      const cluster = live.cluster;
      const snapshot = snapshotOf(loaded.objects);
      const translation = translate(
        snapshot,
        controllerConfig({ acceptAwsControllerNames: values["aws-controller-names"] ?? false }),
        {
          clusterId,
          accountId: cluster.account,
          region: cluster.region,
        },
      );
      const { leases, states } = plane.stores();
      const owner = `switchyard-apply@${hostname()}:${process.pid}`;
      const results: ApplyResult[] = [];
      for (const build of translation.loadBalancers) {
        const gatewayKey = parseGatewayKey(build.model.gatewayKey);
        const resolved = translation.graph.gateways.find((g) => g.key === gatewayKey);
        const started = Date.now();
        io.stderr.write(`reconciling Gateway ${clusterId}/${gatewayKey} (${build.model.type} ${build.model.name})\n`);
        const port = announcing(elbPort(live, gatewayKey), (line) => io.stderr.write(`  ${line}\n`));
        const outcome = await reconcileGateway(
          {
            gatewayKey: clusterGatewayKey(clusterId, gatewayKey),
            dataPlane: resolved?.dataPlane === "nlb" ? "nlb" : "alb",
            account: cluster.account,
            region: cluster.region,
            desired: build.model,
          },
          {
            leases,
            states,
            now: Date.now,
            owner,
            elb: port,
            logger: {
              warn: (message, details) => io.stderr.write(`  warning: ${message} ${JSON.stringify(details)}\n`),
            },
          },
        );
        const observation = observationOf(outcome, build.model);
        const result: ApplyResult = {
          gateway: `${clusterId}/${gatewayKey}`,
          outcome: outcome.kind,
          durationMs: Date.now() - started,
          operations: outcome.kind === "applied" ? outcome.operations : [],
          ...(outcome.kind === "failed"
            ? {
                error: `${outcome.error.operation} failed: ${outcome.error.code}: ${outcome.error.message}`,
                retryable: outcome.retryable,
              }
            : {}),
          ...(outcome.kind === "busy"
            ? {
                error: `another reconciler holds the Gateway${outcome.until ? ` until ${new Date(outcome.until).toISOString()}` : ""}: run again later`,
              }
            : {}),
          ...(outcome.kind === "elsewhere"
            ? {
                error: `the Gateway's record names the ${outcome.dataPlane} data plane: its resources must be deleted there first (the reconcile pipeline does it); nothing was changed`,
              }
            : {}),
          ...(observation
            ? {
                programmed: observation.programmed,
                ...(observation.address ? { address: observation.address } : {}),
                ...(observation.message ? { message: observation.message } : {}),
              }
            : {}),
        };
        io.stderr.write(
          `  ${result.outcome}${result.operations.length ? ` (${result.operations.length} operation(s))` : ""} in ${result.durationMs} ms\n`,
        );
        results.push(result);
      }
      const lattice = translation.lattice.gateways.map((g) => g.model.gatewayKey);
      if (lattice.length > 0) io.stderr.write(`not applied (VPC Lattice, not yet): ${lattice.join(", ")}\n`);
      if (output === "json") {
        io.stdout.write(
          `${JSON.stringify({ gateways: results, notApplied: lattice, awsCalls: live.factory.counter.snapshot() }, null, 2)}\n`,
        );
      } else {
        if (results.length === 0)
          io.stdout.write("no ALB or NLB Gateway of switchyard's in the manifests: nothing to apply\n");
        for (const r of results) {
          io.stdout.write(
            `Gateway ${r.gateway}: ${r.outcome}${r.operations.length ? ` (${r.operations.join(", ")})` : ""}\n`,
          );
          if (r.error) io.stdout.write(`  error: ${r.error}\n`);
          if (r.programmed !== undefined) {
            io.stdout.write(
              `  Programmed=${r.programmed ? "True" : "False"}${r.address ? ` ${r.address}` : ""}${r.message ? `: ${r.message}` : ""}\n`,
            );
          }
        }
      }
      return results.some((r) => r.outcome === "failed" || r.outcome === "busy" || r.outcome === "elsewhere")
        ? EXIT_ERROR
        : EXIT_OK;
    } finally {
      live?.factory.destroy();
      plane.destroy();
    }
  });
}

interface ApplyResult {
  gateway: string;
  outcome: string;
  durationMs: number;
  operations: string[];
  error?: string;
  retryable?: boolean;
  programmed?: boolean;
  address?: string;
  message?: string;
}

/** The port, saying each operation before it runs: progress for a long apply. */
function announcing(port: ElbPort, say: (line: string) => void): ElbPort {
  return {
    observe: (applied) => {
      say("re-reading the recorded resources (drift check)");
      return port.observe(applied);
    },
    refresh: (applied) => port.refresh(applied),
    discover: (key) => {
      say("discovering resources by ownership tags");
      return port.discover(key);
    },
    execute: (op, current, created) => {
      say(describeOperation(op));
      return port.execute(op, current, created);
    },
  };
}
