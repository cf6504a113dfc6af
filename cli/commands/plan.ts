/**
 * `switchyard plan`: offline and read-only. Manifests in, and out per Gateway what switchyard
 * would build plus every status it would write. Exit 1 when any object is rejected or not accepted,
 * so the command works as a CI gate for manifests.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { controllerConfig } from "../../shared/config.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { decodeObservedElb } from "../../shared/elb/observed-codec.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { summarizeGraph } from "../../shared/graph/summary.ts";
import { clusterGatewayKey, parseGatewayKey } from "../../shared/keys.ts";
import type { LatticeOperation } from "../../shared/lattice/operations.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { LATTICE_DATA_PLANE, LATTICE_EXPORT_DATA_PLANE } from "../../shared/reconcile/lattice-plane.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { EXIT_CHANGES, runCommand } from "../command-runner.ts";
import {
  CONTROL_PLANE_HELP,
  CONTROL_PLANE_OPTIONS,
  ControlPlane,
  controlPlaneSettings,
  type Env,
  LATTICE_HELP,
  LATTICE_OPTIONS,
} from "../control-plane.ts";
import {
  exportUnitOf,
  type LiveCluster,
  latticePort,
  type ObservedFrom,
  observeLive,
  observeLiveLattice,
  openCluster,
  stateOf,
} from "../live.ts";
import type { Io } from "../main.ts";
import { DEFAULT_MAX_FILE_BYTES, loadFiles, parseByteSize, readBounded } from "../manifests.ts";
import { describeLatticeOperation, type GroupNames, groupNamesOf } from "../render/lattice-operations-text.ts";
import { describeOperation } from "../render/operations-text.ts";
import { notAccepted, renderPlanText } from "../render/plan-text.ts";
import { oneLine } from "../render/terminal.ts";

const BUNDLED_EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

export const PLAN_USAGE = `Usage: switchyard plan [-f <file|dir>]... [options]

Offline: reads manifests and prints, per Gateway, what switchyard would build and every status it
would write; with no -f, the bundled examples/.

  -f, --file PATH              a manifest file or directory (repeatable)
  -o, --output text|json|yaml  (default text)
  -n, --namespace NS           namespace of objects that name none (default default)
  --max-file-size SIZE         skip larger files (default 16MiB)
  --aws-controller-names       also own the AWS Load Balancer Controller's GatewayClasses
  --diff                       add the ordered operations the reconciler would run, against an
                               empty account or against --observed FILE (Gateway key → observed
                               state, as the state record stores it)
  --live --cluster-id ID       with --diff: against what AWS holds now. Each Gateway's resources
                               as its state record names them, re-read with read-only calls
                               (Describe*, Get*, List*), or found by their ownership tags when it
                               has no record. The cluster's registration names account, Region, VPC
                               and role. VPC Lattice Gateways and federated ServiceExports' target
                               groups too (Get* and List* calls). Never writes to AWS or to the table.
  --detailed-exitcode          with --diff: exit 3 when some Gateway has operations pending

${CONTROL_PLANE_HELP}${LATTICE_HELP}(the control-plane flags apply to --live only)
Exit codes: 0 accepted (and, with --detailed-exitcode, nothing to change); 1 some object rejected or
not accepted, or live state could not be read; 2 usage or input error; 3 changes pending.
`;

export async function planCommand(argv: readonly string[], io: Io, env: Env = process.env): Promise<number> {
  let args: ReturnType<typeof parse>;
  const fail = (message: string) => {
    io.stderr.write(`switchyard plan: ${oneLine(message)}\n`);
    return 2;
  };
  try {
    args = parse(argv);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (args.values.help) {
    io.stdout.write(PLAN_USAGE);
    return 0;
  }
  const output = args.values.output ?? "text";
  if (!["text", "json", "yaml"].includes(output)) return fail(`-o must be text, json or yaml (got ${output})`);
  const maxFileBytes =
    args.values["max-file-size"] === undefined ? DEFAULT_MAX_FILE_BYTES : parseByteSize(args.values["max-file-size"]);
  if (maxFileBytes === undefined)
    return fail(`--max-file-size must be a size such as 16MiB or 1048576 (got ${args.values["max-file-size"]})`);
  const paths = args.values.file?.length ? args.values.file : [BUNDLED_EXAMPLES];
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) return fail(`no such file or directory: ${missing.join(", ")}`);
  const live = args.values.live ?? false;
  if (live && !args.values.diff) return fail("--live plans the changes against AWS: add --diff");
  if (live && args.values.observed !== undefined) return fail("--live and --observed: choose one");
  if (live && !args.values["cluster-id"])
    return fail("--live needs --cluster-id ID (the registered cluster the manifests belong to)");
  if (args.values["detailed-exitcode"] && !args.values.diff) return fail("--detailed-exitcode needs --diff");
  let observed: Record<string, ObservedElb> = {};
  const observedFile = args.values.observed;
  if (observedFile !== undefined) {
    const read = readBounded(observedFile, maxFileBytes);
    if (!read.ok) return fail(`--observed ${observedFile}: ${read.message}`);
    try {
      const value: unknown = JSON.parse(read.text);
      if (!isMappingOfMappings(value)) throw new Error("expected a JSON object of Gateway key → observed state");
      observed = Object.fromEntries(Object.entries(value).map(([key, state]) => [key, decodeObservedElb(state, key)]));
    } catch (err) {
      return fail(`--observed ${observedFile}: ${(err as Error).message}`);
    }
  }
  const loaded = loadFiles(paths, {
    ...(args.values.namespace ? { defaultNamespace: args.values.namespace } : {}),
    maxFileBytes,
  });
  const config = controllerConfig({ acceptAwsControllerNames: args.values["aws-controller-names"] ?? false });
  const rejected = loaded.problems.map((p) => oneLine(formatProblem(p)));
  const warnings = loaded.warnings.map((p) => oneLine(formatProblem(p)));
  if (live) {
    const values = args.values;
    return runCommand("plan", io, "plan", async (context) => {
      const settings = controlPlaneSettings(values, env);
      context.settings = settings;
      const plane = new ControlPlane(settings);
      let cluster: LiveCluster | undefined;
      try {
        cluster = await openCluster(plane, values["cluster-id"] ?? "");
        const registered = cluster.cluster;
        const translation = translate(snapshotOf(loaded.objects), config, {
          clusterId: registered.clusterId,
          accountId: registered.account,
          region: registered.region,
          cluster: { vpcId: registered.vpcId },
        });
        const diffs: Diff[] = [];
        for (const b of translation.loadBalancers) {
          const gateway = parseGatewayKey(b.model.gatewayKey);
          io.stderr.write(`observing Gateway ${gateway} in ${registered.account} ${registered.region}\n`);
          const state = await stateOf(plane, registered.clusterId, gateway);
          const seen = await observeLive(cluster, gateway, state);
          diffs.push({ gateway, observedFrom: seen.from, ...planElb(b.model, seen.observed) });
        }
        for (const b of translation.lattice.gateways) {
          const gateway = parseGatewayKey(b.model.gatewayKey);
          io.stderr.write(`observing VPC Lattice Gateway ${gateway} in ${registered.account} ${registered.region}\n`);
          const port = latticePort(cluster, gateway);
          // Other clusters' export groups the routes forward to, by name (ListTargetGroups), as the reconciler does.
          const desired = port.resolve ? await port.resolve(b.model) : b.model;
          const seen = await observeLiveLattice(plane, port, clusterGatewayKey(registered.clusterId, gateway));
          diffs.push({
            dataPlane: "lattice",
            gateway,
            observedFrom: seen.from,
            ...LATTICE_DATA_PLANE.plan(desired, seen.observed),
            names: groupNamesOf(desired, seen.observed),
          });
        }
        for (const e of translation.lattice.exports) {
          const unit = exportUnitOf(registered.clusterId, e.export);
          io.stderr.write(`observing ServiceExport ${unit.serviceExport}'s VPC Lattice target groups\n`);
          const seen = await observeLiveLattice(plane, latticePort(cluster, e.export), unit.key);
          diffs.push({
            dataPlane: "lattice",
            serviceExport: unit.serviceExport,
            observedFrom: seen.from,
            ...LATTICE_EXPORT_DATA_PLANE.plan(e, seen.observed),
            names: groupNamesOf(e, seen.observed),
          });
        }
        const awsCalls = cluster.factory.counter.snapshot();
        return report(translation, rejected, warnings, diffs, { awsCalls });
      } finally {
        cluster?.factory.destroy();
        plane.destroy();
      }
    });
  }
  const translation = translate(snapshotOf(loaded.objects), config);
  const diffs: Diff[] | undefined = args.values.diff
    ? translation.loadBalancers.map((b) => ({
        gateway: b.model.gatewayKey,
        ...planElb(b.model, observed[b.model.gatewayKey] ?? emptyObserved()),
      }))
    : undefined;
  return report(translation, rejected, warnings, diffs);

  function report(
    translation: ReturnType<typeof translate>,
    rejected: string[],
    warnings: string[],
    diffs: Diff[] | undefined,
    extra: { awsCalls?: unknown } = {},
  ): number {
    if (output === "text") {
      io.stdout.write(renderPlanText(translation, rejected, loaded.files.length, warnings));
      for (const d of diffs ?? []) {
        if ("dataPlane" in d) {
          writeLatticeDiff(d);
          continue;
        }
        const against = d.observedFrom
          ? d.observedFrom === "state-record"
            ? " (live: the state record's resources, re-read from AWS)"
            : " (live: found by ownership tags; no usable state record)"
          : args.values.observed
            ? ""
            : " (against an empty account)";
        io.stdout.write(`Changes for Gateway ${d.gateway}${against}:\n`);
        if (d.replacement) io.stdout.write(`  ! the load balancer is replaced: ${d.replacement}\n`);
        if (d.operations.length === 0) io.stdout.write("  nothing to change\n");
        d.operations.forEach((op, i) => {
          io.stdout.write(`  ${String(i + 1).padStart(3)}. ${describeOperation(op)}\n`);
        });
        io.stdout.write("\n");
      }
    } else {
      const document = {
        rejected,
        warnings,
        graph: summarizeGraph(translation.graph),
        loadBalancers: translation.loadBalancers.map((b) => b.model),
        lattice: translation.lattice.gateways.map((b) => b.model),
        ...(translation.lattice.exports.length ? { latticeExports: translation.lattice.exports } : {}),
        statuses: translation.statuses,
        ...(diffs
          ? {
              changes: diffs.map((d) => {
                if (!("dataPlane" in d)) return d;
                const { names: _names, ...rest } = d;
                return rest;
              }),
            }
          : {}),
        ...extra,
      };
      io.stdout.write(
        output === "json" ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0 }),
      );
    }
    if (rejected.length > 0 || notAccepted(translation.statuses).length > 0) return 1;
    // A Lattice plan's `pending` alone (a group still being created) is work for a later
    // reconcile: it counts as a change, as the reconciler would still act.
    if (
      args.values["detailed-exitcode"] &&
      diffs?.some((d) => d.operations.length > 0 || d.replacement || ("pending" in d && d.pending))
    ) {
      return EXIT_CHANGES;
    }
    return 0;
  }

  function writeLatticeDiff(d: LatticeDiff): void {
    const against =
      d.observedFrom === "state-record"
        ? " (live: the state record's resources, re-read from VPC Lattice)"
        : " (live: found by ownership tags; no usable state record)";
    io.stdout.write(
      d.gateway !== undefined
        ? `Changes for VPC Lattice Gateway ${d.gateway}${against}:\n`
        : `Changes for ServiceExport ${d.serviceExport}'s VPC Lattice target groups${against}:\n`,
    );
    if (d.replacement) io.stdout.write(`  ! replaced: ${d.replacement}\n`);
    if (d.operations.length === 0) io.stdout.write("  nothing to change\n");
    d.operations.forEach((op, i) => {
      io.stdout.write(`  ${String(i + 1).padStart(3)}. ${describeLatticeOperation(op, d.names)}\n`);
    });
    if (d.pending) io.stdout.write(`  then, once VPC Lattice is done: ${d.pending}\n`);
    io.stdout.write("\n");
  }
}

type Diff = ElbDiff | LatticeDiff;

interface ElbDiff extends ReturnType<typeof planElb> {
  gateway: string;
  observedFrom?: ObservedFrom;
}

/** A VPC Lattice Gateway's plan, or a ServiceExport's (its target groups), against what Lattice holds. */
interface LatticeDiff {
  dataPlane: "lattice";
  /** The Gateway (`namespace/name`), for a Gateway's plan. */
  gateway?: string;
  /** The ServiceExport (`namespace/name`), for an export's plan. */
  serviceExport?: string;
  observedFrom: ObservedFrom;
  operations: LatticeOperation[];
  replacement?: string;
  /** What a later reconcile still has to do once Lattice is done (a group being created). */
  pending?: string;
  /** Group names for the text output; not part of the JSON (a Map serialises as `{}`). */
  names?: GroupNames;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      file: { type: "string", short: "f", multiple: true },
      namespace: { type: "string", short: "n" },
      "aws-controller-names": { type: "boolean" },
      diff: { type: "boolean" },
      observed: { type: "string" },
      "max-file-size": { type: "string" },
      ...CONTROL_PLANE_OPTIONS,
      ...LATTICE_OPTIONS,
      live: { type: "boolean" },
      "cluster-id": { type: "string" },
      "detailed-exitcode": { type: "boolean" },
    },
    allowPositionals: false,
  });
}

function isMappingOfMappings(value: unknown): value is Record<string, Record<string, unknown>> {
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  return isMapping(value) && Object.values(value).every(isMapping);
}
