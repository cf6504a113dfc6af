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
import { formatProblem } from "../../shared/manifest/problem.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import type { Io } from "../main.ts";
import { DEFAULT_MAX_FILE_BYTES, loadFiles, parseByteSize, readBounded } from "../manifests.ts";
import { describeOperation } from "../render/operations-text.ts";
import { notAccepted, renderPlanText } from "../render/plan-text.ts";
import { oneLine } from "../render/terminal.ts";

const BUNDLED_EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

export function planCommand(argv: readonly string[], io: Io): number {
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
  const output = args.values.output ?? "text";
  if (!["text", "json", "yaml"].includes(output)) return fail(`-o must be text, json or yaml (got ${output})`);
  const maxFileBytes =
    args.values["max-file-size"] === undefined ? DEFAULT_MAX_FILE_BYTES : parseByteSize(args.values["max-file-size"]);
  if (maxFileBytes === undefined)
    return fail(`--max-file-size must be a size such as 16MiB or 1048576 (got ${args.values["max-file-size"]})`);
  const paths = args.values.file?.length ? args.values.file : [BUNDLED_EXAMPLES];
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) return fail(`no such file or directory: ${missing.join(", ")}`);
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
  const translation = translate(snapshotOf(loaded.objects), config);
  const rejected = loaded.problems.map((p) => oneLine(formatProblem(p)));
  const warnings = loaded.warnings.map((p) => oneLine(formatProblem(p)));
  const diffs = args.values.diff
    ? translation.loadBalancers.map((b) => ({
        gateway: b.model.gatewayKey,
        ...planElb(b.model, observed[b.model.gatewayKey] ?? emptyObserved()),
      }))
    : undefined;
  if (output === "text") {
    io.stdout.write(renderPlanText(translation, rejected, loaded.files.length, warnings));
    for (const d of diffs ?? []) {
      io.stdout.write(
        `Changes for Gateway ${d.gateway}${args.values.observed ? "" : " (against an empty account)"}:\n`,
      );
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
      ...(diffs ? { changes: diffs } : {}),
    };
    io.stdout.write(
      output === "json" ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0 }),
    );
  }
  return rejected.length > 0 || notAccepted(translation.statuses).length > 0 ? 1 : 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      file: { type: "string", short: "f", multiple: true },
      output: { type: "string", short: "o" },
      namespace: { type: "string", short: "n" },
      "aws-controller-names": { type: "boolean" },
      diff: { type: "boolean" },
      observed: { type: "string" },
      "max-file-size": { type: "string" },
    },
    allowPositionals: false,
  });
}

function isMappingOfMappings(value: unknown): value is Record<string, Record<string, unknown>> {
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  return isMapping(value) && Object.values(value).every(isMapping);
}
