/**
 * Golden cases: test/golden/cases/<case>/in.yaml (plus base.yaml) → out.yaml, the resolved graph
 * summary and every status. `npm run golden:update` rewrites out.yaml files; review them as diffs.
 * An optional observations.yaml maps gateway keys to data-plane observations; an optional
 * options.yaml sets translation options (e.g. maxRulesPerLoadBalancer) to keep a case small. Each case with a load
 * balancer also records model.yaml (its ELB model, ALB or NLB) and plan.yaml: the ELBv2 operations
 * that build it in an empty account, in order; each case with a VPC Lattice Gateway records
 * lattice.yaml (its Lattice model, and this cluster's ServiceExport target groups).
 *
 * Each in.yaml's `# Expected:` prose is backed by `# Check:` lines (see checks.ts), evaluated
 * against the computed output, not the stored files, so regenerating the goldens cannot hide a
 * broken rule. A case with an Expected line and no Check line fails.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { controllerConfig } from "../../shared/config.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { summarizeGraph } from "../../shared/graph/summary.ts";
import type { Secret } from "../../shared/k8s/core.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { objectKey } from "../../shared/k8s/meta.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { formatProblem } from "../../shared/manifest/problem.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import type { DataPlaneObservation } from "../../shared/status/compute.ts";
import { type TranslateOptions, translate } from "../../shared/translate.ts";
import { checkGolden, UPDATE } from "./check.ts";
import { parseCaseHeader, runChecks } from "./checks.ts";

const ROOT = import.meta.dirname;
const CASES = join(ROOT, "cases");

/**
 * TLS Secrets as the forwarder reports them once imported into ACM: with a certificate ARN, unless
 * the case sets one, reports an import error, or asks to stay pending with the annotation
 * `switchyard.dev/golden-import: pending`.
 */
function asImported(o: KubeObject): KubeObject {
  if (o.kind !== "Secret") return o;
  const secret = o as Secret;
  if (secret.type !== "kubernetes.io/tls" || secret.acmCertificateArn || secret.acmImportError) return o;
  if (secret.metadata.annotations?.["switchyard.dev/golden-import"] === "pending") return o;
  const arn = `arn:aws:acm:us-east-1:111122223333:certificate/${secret.metadata.namespace}-${secret.metadata.name}`;
  return { ...secret, acmCertificateArn: arn } as KubeObject;
}

function runCase(dir: string): {
  out: string;
  model: string | undefined;
  plan: string | undefined;
  lattice: string | undefined;
} {
  const base = loadManifests(readFileSync(join(ROOT, "base.yaml"), "utf8"), "base.yaml");
  const input = loadManifests(readFileSync(join(dir, "in.yaml"), "utf8"), "in.yaml");
  const identity = (o: KubeObject) => `${o.kind}/${objectKey(o.metadata)}`;
  const own = new Set(input.objects.map(identity));
  const objects = [...base.objects.filter((o) => !own.has(identity(o))), ...input.objects].map(asImported);
  const observationsFile = join(dir, "observations.yaml");
  const observations = existsSync(observationsFile)
    ? new Map(Object.entries(parse(readFileSync(observationsFile, "utf8")) as Record<string, DataPlaneObservation>))
    : undefined;
  const optionsFile = join(dir, "options.yaml");
  const caseOptions = existsSync(optionsFile)
    ? (parse(readFileSync(optionsFile, "utf8")) as Pick<
        TranslateOptions,
        "maxRulesPerLoadBalancer" | "latticeQuotas" | "remoteServiceExports" | "cluster"
      >)
    : {};
  const config = controllerConfig({ acceptAwsControllerNames: true });
  const { graph, statuses, loadBalancers, lattice } = translate(snapshotOf(objects), config, {
    clusterId: "golden",
    // The target account and Region of every golden Gateway; imported Secrets' ARNs are in them.
    accountId: "111122223333",
    region: "us-east-1",
    ...caseOptions,
    ...(observations ? { observations } : {}),
  });
  const rejected = [...input.rejected.flatMap((r) => r.problems), ...input.problems].map(formatProblem);
  const out = stringify(
    { ...(rejected.length ? { rejected } : {}), graph: summarizeGraph(graph), statuses },
    { lineWidth: 0 },
  );
  const model =
    loadBalancers.length > 0
      ? stringify(
          loadBalancers.map((b) => b.model),
          { lineWidth: 0 },
        )
      : undefined;
  const plan =
    loadBalancers.length > 0
      ? stringify(
          loadBalancers.map((b) => ({
            gateway: b.model.gatewayKey,
            operations: planElb(b.model, emptyObserved()).operations,
          })),
          { lineWidth: 0, aliasDuplicateObjects: false },
        )
      : undefined;
  const latticeDoc =
    lattice.gateways.length > 0 || lattice.exports.length > 0
      ? stringify(
          [
            ...lattice.gateways.map((b) => b.model),
            ...(lattice.exports.length > 0 ? [{ exports: lattice.exports }] : []),
          ],
          { lineWidth: 0, aliasDuplicateObjects: false },
        )
      : undefined;
  return { out, model, plan, lattice: latticeDoc };
}

const cases = existsSync(CASES)
  ? readdirSync(CASES)
      .filter((c) => existsSync(join(CASES, c, "in.yaml")))
      .sort()
  : [];

describe("golden translation cases", () => {
  it("has cases to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(CASES, name);
      const { out, model, plan, lattice } = runCase(dir);
      const goldens = () => {
        checkGolden(name, join(dir, "out.yaml"), out);
        checkGolden(name, join(dir, "model.yaml"), model);
        checkGolden(name, join(dir, "plan.yaml"), plan);
        checkGolden(name, join(dir, "lattice.yaml"), lattice);
      };
      // When updating, the goldens are written first: the checks still judge the new output.
      if (UPDATE) goldens();
      const header = parseCaseHeader(readFileSync(join(dir, "in.yaml"), "utf8"), `${name}/in.yaml`);
      expect(header.errors, "malformed Check lines").toEqual([]);
      if (header.expected !== undefined) {
        expect(header.checks.length, `${name}: the Expected line has no Check lines under it`).toBeGreaterThan(0);
      }
      const docs = {
        out: parse(out),
        model: model && parse(model),
        plan: plan && parse(plan),
        lattice: lattice && parse(lattice),
      };
      expect(runChecks(header.checks, docs, `${name}/in.yaml`).join("\n"), "failed checks").toBe("");
      if (!UPDATE) goldens();
    });
  }
});
