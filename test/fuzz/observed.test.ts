/**
 * `--observed` files through the planner: the path `switchyard plan --diff --observed FILE` takes
 * (JSON → Gateway key → observed-codec → planElb). Every case is what a bundled example builds in an
 * empty account (planned and applied in the ELB simulator), changed at one to four fields, written
 * as the file. Whatever the file holds, decoding either succeeds or throws a DecodeError whose path
 * leads to the offending field of the file; a decoded state is planned against the example's model
 * without a throw, and the plan's rule priorities are ones ELBv2 accepts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { DecodeError, decodeObservedElb } from "../../shared/elb/observed-codec.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { simulate } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { hostileValue, type Mutation, materialize, mutated, mutations } from "./mutate.ts";
import { FUZZ_RUNS, fuzzParameters, testTimeout, withinCaseLimit } from "./support.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");
const PLATFORM = readFileSync(join(EXAMPLES, "00-platform.yaml"), "utf8");
const MAX_RULE_PRIORITY = 50_000;

interface Seed {
  file: string;
  model: LoadBalancerModel;
  /** What the model builds in an empty account. */
  built: ObservedElb;
}

const SEEDS: Seed[] = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith(".yaml") && !file.startsWith("00-"))
  .sort()
  .flatMap((file) => {
    const text = `${PLATFORM}\n---\n${readFileSync(join(EXAMPLES, file), "utf8")}`;
    const { objects } = loadManifests(text, file);
    return translate(snapshotOf(objects), controllerConfig()).loadBalancers.map(({ model }) => {
      let built = emptyObserved();
      const created = new Map<string, string>();
      for (const op of planElb(model, built).operations) built = simulate(built, op, created);
      return { file, model, built };
    });
  });

function seedOf(index: number): Seed {
  const seed = SEEDS[index];
  if (!seed) throw new Error(`no seed ${index}`);
  return seed;
}

/** A file: the seed's state under its Gateway key, changed; or, rarely, a file of the wrong shape. */
const observedCase = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  changes: mutations(4),
  file: fc.oneof(
    { weight: 20, arbitrary: fc.constant<"mapping">("mapping") },
    { weight: 1, arbitrary: hostileValue.map((value) => ({ replaceFile: value })) },
  ),
});

type ObservedCase = typeof observedCase extends fc.Arbitrary<infer T> ? T : never;

function fileOf(input: ObservedCase): string {
  const seed = seedOf(input.seed);
  if (input.file !== "mapping") {
    const value = materialize(input.file.replaceFile);
    return JSON.stringify(value) ?? "";
  }
  const state = mutated(seed.built as unknown as Record<string, unknown>, input.changes as Mutation[]);
  return JSON.stringify({ [seed.model.gatewayKey]: state });
}

/**
 * `listeners[1].attributes["a.b"]` → ["listeners", 1, "attributes", "a.b"]; a path that does not
 * read back this way is not precise.
 */
function segments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[3] !== undefined) out.push(JSON.parse(match[3]) as string);
    else if (match[1] !== undefined) out.push(match[1]);
  }
  return out;
}

/** Whether every step of the path but the last exists in `root`, and the last too unless `missing`. */
function pathLeadsTo(root: unknown, path: string, missing: boolean): boolean {
  const steps = segments(path);
  let at: unknown = root;
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    if (typeof at !== "object" || at === null) return false;
    const has = Array.isArray(at) ? typeof step === "number" && step < at.length : Object.hasOwn(at, step);
    if (!has) return last && missing;
    at = (at as Record<string | number, unknown>)[step];
  }
  return true;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function outOfRange(priorities: readonly number[]): number[] {
  return priorities.filter((p) => !(Number.isInteger(p) && p >= 1 && p <= MAX_RULE_PRIORITY));
}

function prioritiesOf(operations: readonly ElbOperation[]): number[] {
  return operations.flatMap((op) =>
    op.op === "CreateRule" ? [op.priority] : op.op === "SetRulePriorities" ? op.priorities.map((p) => p.priority) : [],
  );
}

describe("--observed files through the planner", () => {
  it("the seeds decode as they are and plan to nothing: an unchanged account needs no change", () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(8);
    for (const seed of SEEDS) {
      const decoded = decodeObservedElb(JSON.parse(JSON.stringify(seed.built)), seed.file);
      expect({ file: seed.file, operations: planElb(seed.model, decoded).operations }).toEqual({
        file: seed.file,
        operations: [],
      });
    }
  });

  it(
    `${FUZZ_RUNS} changed observed states: a DecodeError that leads to its field, or a plan in ELBv2's range`,
    () => {
      fc.assert(
        fc.property(observedCase, (input) => {
          const text = fileOf(input);
          const seed = seedOf(input.seed);
          withinCaseLimit("decode → plan", () => {
            const file: unknown = JSON.parse(text);
            if (!isMapping(file) || !Object.values(file).every(isMapping)) return; // the CLI refuses it whole
            for (const [key, value] of Object.entries(file)) {
              let observed: ObservedElb;
              try {
                observed = decodeObservedElb(value, key);
              } catch (error) {
                expect(error).toBeInstanceOf(DecodeError);
                const decodeError = error as DecodeError;
                expect(decodeError.source).toBe(key);
                expect(decodeError.expected).not.toBe("");
                expect(pathLeadsTo(value, decodeError.path, decodeError.found === "nothing")).toBe(true);
                continue;
              }
              const model = key === seed.model.gatewayKey ? seed.model : undefined;
              if (!model) continue;
              expect(outOfRange(prioritiesOf(planElb(model, observed).operations))).toEqual([]);
            }
          });
        }),
        fuzzParameters(),
      );
    },
    testTimeout(),
  );

  const workdir = mkdtempSync(join(tmpdir(), "switchyard-fuzz-observed-"));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  const cliRuns = Math.max(1, Math.ceil(FUZZ_RUNS / 100));
  it(
    `${cliRuns} changed observed files through \`switchyard plan --diff --observed\`: a plan, or one line naming the field`,
    async () => {
      const observedFile = join(workdir, "observed.json");
      await fc.assert(
        fc.asyncProperty(observedCase, async (input) => {
          writeFileSync(observedFile, fileOf(input));
          const manifests = join(EXAMPLES, seedOf(input.seed).file);
          const stdout: string[] = [];
          const stderr: string[] = [];
          const io = {
            stdout: { write: (s: string) => stdout.push(s) },
            stderr: { write: (s: string) => stderr.push(s) },
          };
          const code = await main(
            ["plan", "-f", join(EXAMPLES, "00-platform.yaml"), "-f", manifests, "--diff", "--observed", observedFile],
            io,
          );
          if (code === 2) {
            expect(stderr).toHaveLength(1);
            expect(stderr[0]).toMatch(/^switchyard plan: --observed \S+: /);
          } else {
            expect(stderr).toEqual([]);
            expect(stdout.join("")).toContain("Changes for Gateway");
          }
        }),
        fuzzParameters(cliRuns),
      );
    },
    testTimeout(cliRuns),
  );
});
