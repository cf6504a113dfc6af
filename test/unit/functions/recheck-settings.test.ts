// The reconcile λ's recheck settings from its environment (the ControlPlane's `recheck` prop):
// defaults when unset, whole seconds when set, and a value the chain could not run on refused at
// cold start, naming the variable.
import { describe, expect, it } from "vitest";
import { InvalidSetting } from "../../../functions/lib/settings.ts";
import { reconcilePortsFromEnvironment } from "../../../functions/reconcile/environment.ts";
import { RECHECK_VARIABLES, recheckSettingsFromEnvironment } from "../../../functions/reconcile/recheck-settings.ts";
import { DEFAULT_RECHECK, nextRecheck } from "../../../shared/pipeline/settle-recheck.ts";
import { RECONCILE_ENVIRONMENT } from "../../fixtures/reconcile-environment.ts";

const { firstDelay, maxDelay, giveUpAfter } = RECHECK_VARIABLES;

describe("SWITCHYARD_RECHECK_*", () => {
  it("unset or empty: 10 s doubling to 60 s, given up after 15 min", () => {
    expect(recheckSettingsFromEnvironment({})).toEqual(DEFAULT_RECHECK);
    expect(recheckSettingsFromEnvironment({ [firstDelay]: "", [maxDelay]: "", [giveUpAfter]: "" })).toEqual(
      DEFAULT_RECHECK,
    );
  });

  it("whole seconds, each on its own", () => {
    expect(recheckSettingsFromEnvironment({ [firstDelay]: "5", [maxDelay]: "120", [giveUpAfter]: "3600" })).toEqual({
      firstDelayMs: 5_000,
      maxDelayMs: 120_000,
      maxTotalMs: 3_600_000,
    });
    expect(recheckSettingsFromEnvironment({ [giveUpAfter]: "1800" })).toEqual({
      ...DEFAULT_RECHECK,
      maxTotalMs: 1_800_000,
    });
  });

  it("a give-up of 0 turns rechecks off: a settling Gateway waits for the resync", () => {
    const off = recheckSettingsFromEnvironment({ [giveUpAfter]: "0" });
    expect(nextRecheck(true, undefined, 1_000, off)).toEqual({ kind: "none" });
    expect(nextRecheck(true, undefined, 1_000, DEFAULT_RECHECK)).toMatchObject({ kind: "recheck", notBefore: 11_000 });
  });

  it("anything else is refused, naming the variable and what it takes", () => {
    for (const [name, value] of [
      [firstDelay, "ten"],
      [firstDelay, "1.5"],
      [maxDelay, "-1"],
      [giveUpAfter, "15m"],
      [giveUpAfter, " 900"],
    ] as const) {
      expect(() => recheckSettingsFromEnvironment({ [name]: value }), `${name}=${value}`).toThrow(
        `environment variable ${name} is ${JSON.stringify(value)}, expected a whole number of seconds`,
      );
    }
    expect(() => recheckSettingsFromEnvironment({ [firstDelay]: "0" })).toThrow(InvalidSetting);
    expect(() => recheckSettingsFromEnvironment({ [firstDelay]: "30", [maxDelay]: "20" })).toThrow(
      `environment variable ${maxDelay} is "20", expected between the first delay (30 s) and 43200 s`,
    );
    expect(() => recheckSettingsFromEnvironment({ [maxDelay]: "43201" })).toThrow(InvalidSetting);
    expect(recheckSettingsFromEnvironment({ [maxDelay]: "43200" }).maxDelayMs).toBe(43_200_000);
  });

  it("is what the λ's ports carry, and a refused value stops the cold start", () => {
    const env = RECONCILE_ENVIRONMENT;
    expect(reconcilePortsFromEnvironment({ ...env, [firstDelay]: "20" }).recheck).toEqual({
      ...DEFAULT_RECHECK,
      firstDelayMs: 20_000,
    });
    expect(() => reconcilePortsFromEnvironment({ ...env, [firstDelay]: "soon" })).toThrow(InvalidSetting);
  });
});
