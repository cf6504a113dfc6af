/**
 * `switchyard plan`: offline and read-only. Manifests in, and out per Gateway what switchyard
 * would build plus every status it would write. Exit 1 when any object is rejected or not accepted,
 * so the command works as a CI gate for manifests.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { controllerConfig } from "../../shared/config.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { summarizeGraph } from "../../shared/graph/summary.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import type { Io } from "../main.ts";
import { loadFiles } from "../manifests.ts";
import { describeOperation } from "../render/operations-text.ts";
import { notAccepted, renderPlanText } from "../render/plan-text.ts";

const BUNDLED_EXAMPLES = join(import.meta.dirname, "..", "..", "examples");

export function planCommand(argv: readonly string[], io: Io): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.stderr.write(`switchyard plan: ${(err as Error).message}\n`);
    return 2;
  }
  const output = args.values.output ?? "text";
  if (!["text", "json", "yaml"].includes(output)) {
    io.stderr.write(`switchyard plan: -o must be text, json or yaml (got ${output})\n`);
    return 2;
  }
  const paths = args.values.file?.length ? args.values.file : [BUNDLED_EXAMPLES];
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    io.stderr.write(`switchyard plan: no such file or directory: ${missing.join(", ")}\n`);
    return 2;
  }
  let observed: Record<string, ObservedElb> = {};
  if (args.values.observed) {
    try {
      observed = JSON.parse(readFileSync(args.values.observed, "utf8")) as Record<string, ObservedElb>;
    } catch (err) {
      io.stderr.write(`switchyard plan: --observed ${args.values.observed}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const loaded = loadFiles(paths, args.values.namespace);
  const config = controllerConfig({ acceptAwsControllerNames: args.values["aws-controller-names"] ?? false });
  const translation = translate(snapshotOf(loaded.objects), config);
  const rejected = loaded.problems.map(formatProblem);
  const diffs = args.values.diff
    ? translation.loadBalancers.map((b) => ({
        gateway: b.model.gatewayKey,
        ...planElb(b.model, observed[b.model.gatewayKey] ?? emptyObserved()),
      }))
    : undefined;
  if (output === "text") {
    io.stdout.write(renderPlanText(translation, rejected, loaded.files.length));
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
      graph: summarizeGraph(translation.graph),
      loadBalancers: translation.loadBalancers.map((b) => b.model),
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
    },
    allowPositionals: false,
  });
}
