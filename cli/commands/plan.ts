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
import { summarizeGraph } from "../../shared/graph/summary.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import type { Io } from "../main.ts";
import { loadFiles } from "../manifests.ts";
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
  const loaded = loadFiles(paths, args.values.namespace);
  const config = controllerConfig({ acceptAwsControllerNames: args.values["aws-controller-names"] ?? false });
  const translation = translate(snapshotOf(loaded.objects), config);
  const rejected = loaded.problems.map(formatProblem);
  if (output === "text") {
    io.stdout.write(renderPlanText(translation, rejected, loaded.files.length));
  } else {
    const document = {
      rejected,
      graph: summarizeGraph(translation.graph),
      loadBalancers: translation.loadBalancers.map((b) => b.model),
      statuses: translation.statuses,
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
    },
    allowPositionals: false,
  });
}
