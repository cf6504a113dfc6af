/**
 * `switchyard apply`: local runs. The reconcile engine, once for each Gateway of the given
 * manifests (ALB, NLB and VPC Lattice) and each federated ServiceExport's target groups, against
 * the configured AWS endpoint and state table — the same claim, plan, apply and record the
 * reconcile λ runs, under the same lease, so a deployed control plane and a local apply never
 * write one Gateway at once. Progress (each AWS operation as it starts) on stderr; per Gateway the
 * outcome and the Programmed status it would write on stdout. Statuses are not written to the
 * cluster. VPC Lattice creates asynchronously: with `--wait`, a unit whose resources are still
 * being created (or whose plan waits on them) is reconciled again until it settles or the wait
 * runs out; without, it is reported `pending`.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { controllerConfig } from "../../shared/config.ts";
import { clusterGatewayKey, parseGatewayKey } from "../../shared/keys.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import type { LatticeOperation } from "../../shared/lattice/operations.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import {
  type DataPlaneOutcome,
  type EngineDeps,
  reconcileDataPlane,
  reconcileGateway,
} from "../../shared/reconcile/engine.ts";
import {
  LATTICE_DATA_PLANE,
  LATTICE_EXPORT_DATA_PLANE,
  type LatticeOutcome,
  type LatticePort,
  latticeObservationOf,
} from "../../shared/reconcile/lattice-plane.ts";
import { observationOf } from "../../shared/reconcile/observation.ts";
import type { DataPlane, DataPlanePort } from "../../shared/reconcile/ports.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { EXIT_ERROR, EXIT_OK, runCommand } from "../command-runner.ts";
import {
  CONTROL_PLANE_HELP,
  CONTROL_PLANE_OPTIONS,
  ControlPlane,
  controlPlaneSettings,
  type Env,
  LATTICE_HELP,
  LATTICE_OPTIONS,
  outputFormat,
  UsageError,
} from "../control-plane.ts";
import { elbPort, exportUnitOf, type LiveCluster, latticePort, openCluster } from "../live.ts";
import type { Io } from "../main.ts";
import { DEFAULT_MAX_FILE_BYTES, loadFiles, parseByteSize } from "../manifests.ts";
import { describeLatticeOperation, describeLatticeSettling, groupNamesOf } from "../render/lattice-operations-text.ts";
import { describeOperation } from "../render/operations-text.ts";
import { oneLine } from "../render/terminal.ts";

export const APPLY_USAGE = `Usage: switchyard apply --cluster-id ID -f <file|dir>... [options]

Local runs: runs the reconcile engine once for each Gateway of the manifests (ALB, NLB and VPC
Lattice) and each federated ServiceExport's VPC Lattice target groups against the configured AWS
endpoint and state table, in the registered cluster's account, Region and VPC, under the Gateway's
lease. Each AWS operation is printed on stderr as it starts; the outcome and the Programmed status
each Gateway would get are printed on stdout (not written to any cluster). Gateways not in the
manifests are left alone.

VPC Lattice creates services, target groups and associations asynchronously: a unit whose resources
are still being created, or whose plan waits on them (an export group's targets are registered once
it is ACTIVE), is reported "pending" with what it waits for. With --wait SECONDS it is reconciled
again (after 1 s, doubling to 10 s) until it settles or the time is up.

  --cluster-id ID              the registered cluster the manifests belong to (required)
  -f, --file PATH              a manifest file or directory (repeatable; required)
  -n, --namespace NS           namespace of objects that name none (default default)
  --max-file-size SIZE         skip larger files (default 16MiB)
  --aws-controller-names       also own the AWS Load Balancer Controller's GatewayClasses
  --drift-check                re-read what AWS holds even when the state record is current and its
                               drift check is not due (every 10 minutes), and repair what differs
  --wait SECONDS               VPC Lattice: reconcile a pending unit again until it settles, for at
                               most SECONDS (default 0: once, and report it pending)

${CONTROL_PLANE_HELP}${LATTICE_HELP}
Exit codes: 0 every Gateway applied or unchanged (a Lattice unit may be pending without --wait); 1 a
manifest was rejected (nothing applied), some Gateway failed or was busy (another reconciler holds
it), or with --wait a Lattice unit was still pending when the time was up; 2 usage.
`;

/** The first wait between two reconciles of a pending Lattice unit; it doubles up to the cap. */
const FIRST_RECHECK_MS = 1_000;
const MAX_RECHECK_MS = 10_000;

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
        wait: { type: "string" },
        "drift-check": { type: "boolean" },
        ...LATTICE_OPTIONS,
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
    const waitSeconds = values.wait === undefined ? 0 : Number(values.wait);
    if (!/^\d+(\.\d+)?$/.test(values.wait ?? "0") || !Number.isFinite(waitSeconds))
      throw new UsageError(`--wait must be a number of seconds such as 120 (got ${values.wait})`);
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
          cluster: { vpcId: cluster.vpcId },
        },
      );
      const { leases, states } = plane.stores();
      // A drift check on every reconcile: the record's resources are re-read before planning.
      const drift = values["drift-check"] ? { driftIntervalMs: 0 } : {};
      const owner = `switchyard-apply@${hostname()}:${process.pid}`;
      const results: ApplyResult[] = [];
      for (const build of translation.loadBalancers) {
        const gatewayKey = parseGatewayKey(build.model.gatewayKey);
        const resolved = translation.graph.gateways.find((g) => g.key === gatewayKey);
        const started = Date.now();
        io.stderr.write(`reconciling Gateway ${clusterId}/${gatewayKey} (${build.model.type} ${build.model.name})\n`);
        const port = announcing(elbPort(live, gatewayKey), describeOperation, (line) => io.stderr.write(`  ${line}\n`));
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
            ...drift,
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
      const latticeStates = plane.latticeStates();
      const engine = (say: (line: string) => void): EngineDeps<ObservedLattice> => ({
        leases,
        states: latticeStates,
        now: Date.now,
        owner,
        ...drift,
        logger: { warn: (message, details) => say(`warning: ${message} ${JSON.stringify(details)}`) },
      });
      const settle = { waitMs: waitSeconds * 1000, stderr: (line: string) => io.stderr.write(line) };
      for (const build of translation.lattice.gateways) {
        const gatewayKey = parseGatewayKey(build.model.gatewayKey);
        const unit = `${clusterId}/${gatewayKey}`;
        io.stderr.write(`reconciling VPC Lattice Gateway ${unit}\n`);
        const port = latticePort(live, gatewayKey);
        const result = await reconcileLattice(
          LATTICE_DATA_PLANE,
          port,
          // Other clusters' export groups the routes forward to, by name, as the reconciler resolves them.
          async () => (port.resolve ? port.resolve(build.model) : build.model),
          { gatewayKey: clusterGatewayKey(clusterId, gatewayKey), account: cluster.account, region: cluster.region },
          engine,
          settle,
        );
        const observation = latticeObservationOf(result.outcome, result.desired);
        results.push({
          ...result.report,
          gateway: unit,
          dataPlane: "lattice",
          ...(observation
            ? {
                programmed: observation.programmed,
                ...(observation.address ? { address: observation.address } : {}),
                ...(observation.message ? { message: observation.message } : {}),
              }
            : {}),
        });
      }
      for (const build of translation.lattice.exports) {
        const unit = exportUnitOf(clusterId, build.export);
        io.stderr.write(`reconciling ServiceExport ${clusterId}/${unit.serviceExport}'s VPC Lattice target groups\n`);
        const result = await reconcileLattice(
          LATTICE_EXPORT_DATA_PLANE,
          latticePort(live, build.export),
          async () => build,
          { gatewayKey: unit.key, account: cluster.account, region: cluster.region },
          engine,
          settle,
        );
        results.push({ ...result.report, serviceExport: `${clusterId}/${unit.serviceExport}`, dataPlane: "lattice" });
      }
      if (output === "json") {
        io.stdout.write(
          `${JSON.stringify({ gateways: results, awsCalls: live.factory.counter.snapshot() }, null, 2)}\n`,
        );
      } else {
        if (results.length === 0)
          io.stdout.write("no Gateway or federated ServiceExport of switchyard's in the manifests: nothing to apply\n");
        for (const r of results) {
          const what = r.serviceExport
            ? `ServiceExport ${r.serviceExport} (VPC Lattice target groups)`
            : `${r.dataPlane === "lattice" ? "VPC Lattice " : ""}Gateway ${r.gateway}`;
          io.stdout.write(`${what}: ${r.outcome}${r.operations.length ? ` (${r.operations.join(", ")})` : ""}\n`);
          if (r.error) io.stdout.write(`  error: ${r.error}\n`);
          if (r.pending) io.stdout.write(`  pending: VPC Lattice is not done: ${r.pending}\n`);
          if (r.programmed !== undefined) {
            io.stdout.write(
              `  Programmed=${r.programmed ? "True" : "False"}${r.address ? ` ${r.address}` : ""}${r.message ? `: ${r.message}` : ""}\n`,
            );
          }
        }
      }
      const waitedInVain = waitSeconds > 0 && results.some((r) => r.pending !== undefined);
      const refused = results.some((r) => r.outcome === "failed" || r.outcome === "busy" || r.outcome === "elsewhere");
      return refused || waitedInVain ? EXIT_ERROR : EXIT_OK;
    } finally {
      live?.factory.destroy();
      plane.destroy();
    }
  });
}

interface ApplyResult {
  /** The Gateway (`cluster/namespace/name`); absent for a ServiceExport. */
  gateway?: string;
  /** The federated ServiceExport (`cluster/namespace/name`) whose target groups were reconciled. */
  serviceExport?: string;
  /** Absent for ALB and NLB. */
  dataPlane?: "lattice";
  outcome: string;
  durationMs: number;
  operations: string[];
  error?: string;
  retryable?: boolean;
  programmed?: boolean;
  address?: string;
  message?: string;
  /** VPC Lattice: what the unit still waits for (resources being created, work after that). */
  pending?: string;
  /** VPC Lattice: how many times the engine ran for the unit (more than one with --wait). */
  passes?: number;
}

/**
 * A VPC Lattice unit (a Gateway, or a ServiceExport's groups) through the engine, under its lease:
 * once, then, while VPC Lattice is still creating what it holds or its plan waits on that, again
 * after a growing pause until it settles or `settle.waitMs` is spent. The outcome is the last
 * run's, `applied` with every operation when any run applied something.
 */
async function reconcileLattice<Desired extends { targetGroups: readonly { id: string; name: string }[] }>(
  plane: DataPlane<Desired, ObservedLattice, LatticeOperation>,
  port: LatticePort,
  desiredOf: () => Promise<Desired>,
  unit: { gatewayKey: ReturnType<typeof clusterGatewayKey>; account: string; region: string },
  engine: (say: (line: string) => void) => EngineDeps<ObservedLattice>,
  settle: { waitMs: number; stderr: (line: string) => void },
): Promise<{ report: Omit<ApplyResult, "gateway">; outcome: LatticeOutcome; desired: Desired }> {
  const started = Date.now();
  const say = (line: string) => settle.stderr(`  ${line}\n`);
  const desired = await desiredOf();
  const names = groupNamesOf(desired);
  const announced = announcing(port, (op: LatticeOperation) => describeLatticeOperation(op, names), say, "VPC Lattice");
  const operations: string[] = [];
  let outcome: DataPlaneOutcome<ObservedLattice, LatticeOperation>;
  let pending: string | undefined;
  let passes = 0;
  let pause = FIRST_RECHECK_MS;
  for (;;) {
    passes++;
    outcome = await reconcileDataPlane(plane, announced, { ...unit, dataPlane: "lattice", desired }, engine(say));
    if (outcome.kind === "applied") operations.push(...outcome.operations);
    pending =
      outcome.kind === "applied" || outcome.kind === "unchanged"
        ? waitingFor(plane, desired, outcome.observed)
        : undefined;
    if (pending === undefined || Date.now() + pause > started + settle.waitMs) break;
    say(`waiting for VPC Lattice: ${pending}; again in ${pause / 1000} s`);
    await sleep(pause);
    pause = Math.min(pause * 2, MAX_RECHECK_MS);
  }
  const kind =
    outcome.kind === "failed" || outcome.kind === "busy"
      ? outcome.kind
      : operations.length > 0
        ? "applied"
        : outcome.kind;
  const durationMs = Date.now() - started;
  say(
    `${kind}${operations.length ? ` (${operations.length} operation(s))` : ""}${pending ? ", pending" : ""} in ${durationMs} ms${passes > 1 ? ` over ${passes} runs` : ""}`,
  );
  return {
    report: {
      outcome: kind,
      durationMs,
      operations,
      passes,
      ...(pending ? { pending } : {}),
      ...(outcome.kind === "failed"
        ? {
            error: `${outcome.error.operation} failed: ${outcome.error.code}: ${outcome.error.message}`,
            retryable: outcome.retryable,
          }
        : {}),
      ...(outcome.kind === "busy"
        ? {
            error: `another reconciler holds it${outcome.until ? ` until ${new Date(outcome.until).toISOString()}` : ""}: run again later`,
          }
        : {}),
      ...(outcome.kind === "elsewhere"
        ? {
            error: `its record names the ${outcome.dataPlane} data plane: its resources must be deleted there first (the reconcile pipeline does it); nothing was changed`,
          }
        : {}),
    },
    outcome,
    desired,
  };
}

/** What VPC Lattice still owes the unit: resources on their way, or the plan's work after them. */
function waitingFor<Desired>(
  plane: DataPlane<Desired, ObservedLattice, LatticeOperation>,
  desired: Desired,
  observed: ObservedLattice,
): string | undefined {
  const settling = describeLatticeSettling(observed);
  const after = plane.plan(desired, observed).pending;
  const parts = [...(settling.length > 0 ? [`being created: ${settling.join(", ")}`] : []), ...(after ? [after] : [])];
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** The port, saying each operation before it runs: progress for a long apply. */
function announcing<Observed, Operation>(
  port: DataPlanePort<Observed, Operation>,
  describe: (op: Operation) => string,
  say: (line: string) => void,
  service = "AWS",
): DataPlanePort<Observed, Operation> {
  return {
    refresh: (applied) => {
      say(`re-reading what ${service} is still creating`);
      return port.refresh(applied);
    },
    observe: (applied) => {
      say("re-reading the recorded resources (drift check)");
      return port.observe(applied);
    },
    discover: (key) => {
      say("discovering resources by ownership tags");
      return port.discover(key);
    },
    execute: (op, current, created) => {
      say(describe(op));
      return port.execute(op, current, created);
    },
  };
}
