/**
 * Manifests through parse → defaults and validation → translation → the ELBv2 planner, the path of
 * `switchyard plan --diff`. Every case is a bundled example (over the platform file) changed at one
 * to four fields, written out as YAML or JSON text. Whatever the text, nothing throws; an object is
 * refused only with problems that name its field; every status condition carries a reason; and the
 * planner, against an empty account and against the account the unchanged example built, returns
 * operations with priorities ELBv2 accepts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { main } from "../../cli/main.ts";
import { controllerConfig } from "../../shared/config.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { planElb } from "../../shared/elb/plan.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import type { StatusUpdate } from "../../shared/status/compute.ts";
import { simulate } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { type Mutation, mutated, mutations } from "./mutate.ts";
import { FUZZ_RUNS, fuzzParameters, testTimeout, withinCaseLimit } from "./support.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");
const PLATFORM = "00-platform.yaml";
const MAX_RULE_PRIORITY = 50_000;

/** One bundled example over the platform file, as the plain documents its YAML holds. */
interface Seed {
  name: string;
  documents: Record<string, unknown>[];
  /** What the unchanged example builds in an empty account, per Gateway key. */
  built: Map<string, ObservedElb>;
}

function documentsOf(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(EXAMPLES, file), "utf8"))
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is Record<string, unknown> => typeof value === "object" && value !== null);
}

function builtBy(documents: readonly Record<string, unknown>[]): Map<string, ObservedElb> {
  const loaded = loadManifests(documents.map((d) => JSON.stringify(d)).join("\n---\n"), "seed.yaml");
  const built = new Map<string, ObservedElb>();
  for (const { model } of translate(snapshotOf(loaded.objects), controllerConfig()).loadBalancers) {
    let state = emptyObserved();
    const created = new Map<string, string>();
    for (const op of planElb(model, state).operations) state = simulate(state, op, created);
    built.set(model.gatewayKey, state);
  }
  return built;
}

const platform = documentsOf(PLATFORM);
const SEEDS: Seed[] = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith(".yaml") && file !== PLATFORM)
  .sort()
  .map((file) => {
    const documents = [...platform, ...documentsOf(file)];
    return { name: file, documents, built: builtBy(documents) };
  });

/**
 * The text a user could have written: each document as YAML (block style) or as JSON. The YAML
 * writer recurses, so a document nested too deeply for it is written as JSON (also YAML).
 */
function manifestText(documents: readonly unknown[], format: "yaml" | "json"): string {
  return documents.map((d) => (format === "json" ? JSON.stringify(d) : yamlOrJson(d))).join("\n---\n");
}

function yamlOrJson(document: unknown): string {
  try {
    return stringify(document, { aliasDuplicateObjects: false });
  } catch (error) {
    if (error instanceof RangeError) return JSON.stringify(document);
    throw error;
  }
}

const manifestCase = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  changes: mutations(4),
  format: fc.constantFrom("yaml" as const, "json" as const),
});

function seedOf(index: number): Seed {
  const seed = SEEDS[index];
  if (!seed) throw new Error(`no seed ${index}`);
  return seed;
}

function textOf({ seed, changes, format }: { seed: number; changes: Mutation[]; format: "yaml" | "json" }): string {
  return manifestText(mutated(seedOf(seed).documents, changes), format);
}

function conditionsOf(update: StatusUpdate): Condition[] {
  if ("parents" in update) return update.parents.flatMap((p) => p.conditions);
  if ("status" in update) return update.status.ancestors.flatMap((a) => a.conditions);
  if ("listeners" in update) return [...update.conditions, ...update.listeners.flatMap((l) => l.conditions)];
  return update.conditions;
}

/** Priorities the operations set: ELBv2 accepts 1 to 50,000, unique on a listener. */
function outOfRange(priorities: readonly number[]): number[] {
  return priorities.filter((p) => !(Number.isInteger(p) && p >= 1 && p <= MAX_RULE_PRIORITY));
}

function prioritiesOf(operations: readonly ElbOperation[]): number[] {
  return operations.flatMap((op) =>
    op.op === "CreateRule" ? [op.priority] : op.op === "SetRulePriorities" ? op.priorities.map((p) => p.priority) : [],
  );
}

describe("manifests through parse, validation, translation and the planner", () => {
  it("the seeds are valid: every example loads without a problem and builds in the simulator", () => {
    for (const seed of SEEDS) {
      const loaded = loadManifests(manifestText(seed.documents, "yaml"), seed.name);
      expect({ seed: seed.name, problems: loaded.problems, rejected: loaded.rejected }).toEqual({
        seed: seed.name,
        problems: [],
        rejected: [],
      });
    }
    expect(SEEDS.filter((s) => s.built.size > 0).length).toBeGreaterThanOrEqual(8);
  });

  it(
    `${FUZZ_RUNS} mutated examples: no throw, every refusal names a field, every condition a reason, plans stay in range`,
    () => {
      const config = controllerConfig();
      fc.assert(
        fc.property(manifestCase, (input) => {
          const text = textOf(input);
          const built = seedOf(input.seed).built;
          withinCaseLimit("parse → translate → plan", () => {
            const loaded = loadManifests(text, "fuzz.yaml");
            for (const problem of loaded.problems) {
              expect(problem.source).toBe("fuzz.yaml");
              expect(Number.isInteger(problem.document)).toBe(true);
              expect(problem.message).not.toBe("");
            }
            for (const rejected of loaded.rejected) {
              expect(rejected.problems.length).toBeGreaterThan(0);
              for (const problem of rejected.problems) {
                // A crash inside defaults or validation surfaces as "could not be checked" at the root.
                expect(problem.message).not.toMatch(/^could not be checked/);
                expect(problem.field).not.toBe("");
                expect(problem.message).not.toBe("");
              }
            }
            for (const ignored of loaded.ignored) expect(ignored.reason).not.toBe("");
            const translation = translate(snapshotOf(loaded.objects), config);
            for (const update of translation.statuses) {
              for (const condition of conditionsOf(update)) {
                expect(["True", "False", "Unknown"]).toContain(condition.status);
                expect(condition.reason).toMatch(/^[A-Za-z]+$/);
                expect(typeof condition.message).toBe("string");
              }
            }
            for (const { model } of translation.loadBalancers) {
              for (const observed of [emptyObserved(), built.get(model.gatewayKey)]) {
                if (observed === undefined) continue;
                expect(outOfRange(prioritiesOf(planElb(model, observed).operations))).toEqual([]);
              }
            }
          });
        }),
        fuzzParameters(),
      );
    },
    testTimeout(),
  );

  const workdir = mkdtempSync(join(tmpdir(), "switchyard-fuzz-plan-"));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  const cliRuns = Math.max(1, Math.ceil(FUZZ_RUNS / 100));
  it(
    `${cliRuns} mutated examples through \`switchyard plan --diff -o json\`: exit 0 or 1, JSON out, nothing on stderr`,
    async () => {
      const file = join(workdir, "fuzz.yaml");
      await fc.assert(
        fc.asyncProperty(manifestCase, async (input) => {
          writeFileSync(file, textOf(input));
          const stdout: string[] = [];
          const stderr: string[] = [];
          const io = {
            stdout: { write: (s: string) => stdout.push(s) },
            stderr: { write: (s: string) => stderr.push(s) },
          };
          const code = await main(["plan", "-f", file, "--diff", "-o", "json"], io);
          expect(stderr).toEqual([]);
          expect([0, 1]).toContain(code);
          const document = JSON.parse(stdout.join("")) as { rejected: string[] };
          expect(Array.isArray(document.rejected)).toBe(true);
        }),
        fuzzParameters(cliRuns),
      );
    },
    testTimeout(cliRuns),
  );
});
