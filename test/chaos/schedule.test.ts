// The chaos machinery's own rules, without servers: schedules are a function of the seed, and the
// shrinker finds the smallest failing subset.
import { describe, expect, it } from "vitest";
import { generateSchedule, type Step } from "./schedule.ts";
import { shrink } from "./shrink.ts";

describe("chaos schedules", () => {
  it("the same seed gives the same schedule, another seed another one", () => {
    expect(generateSchedule(7, 40)).toEqual(generateSchedule(7, 40));
    expect(generateSchedule(7, 40)).not.toEqual(generateSchedule(8, 40));
  });

  it("every schedule starts with a backend and a Gateway and has the asked length", () => {
    const steps = generateSchedule(3, 25);
    expect(steps).toHaveLength(25);
    expect(steps.slice(0, 2).map((s) => s.op)).toEqual(["service", "gateway"]);
  });
});

describe("shrinking a failing schedule", () => {
  it("keeps only the steps the failure needs", async () => {
    const steps = generateSchedule(11, 30);
    const needed = [steps[4], steps[17], steps[23]] as Step[];
    const fails = async (candidate: readonly Step[]) => needed.every((s) => candidate.includes(s));
    const { steps: minimal, minimal: isMinimal } = await shrink(steps, fails, 500);
    expect(isMinimal).toBe(true);
    expect(minimal).toEqual(needed);
  });

  it("stops at its replay budget and says the result may not be minimal", async () => {
    const steps = generateSchedule(12, 30);
    const { replays, minimal } = await shrink(steps, async (c) => c.includes(steps[5] as Step), 3);
    expect(replays).toBe(3);
    expect(minimal).toBe(false);
  });

  it("stops when its time runs out, keeping the smallest failing schedule found so far", async () => {
    const steps = generateSchedule(13, 30);
    let allowed = 2;
    const {
      replays,
      minimal,
      steps: found,
    } = await shrink(
      steps,
      async (c) => c.includes(steps[5] as Step),
      500,
      () => allowed-- > 0,
    );
    expect(replays).toBe(2);
    expect(minimal).toBe(false);
    expect(found).toContain(steps[5]);
    expect(found.length).toBeLessThan(steps.length);
  });
});
