// The recheck decision: when a reconcile that left AWS settling asks for another, how long it
// waits, and when the chain gives up and leaves the rest to the resync.
import { describe, expect, it } from "vitest";
import type { ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import {
  DEFAULT_RECHECK,
  gaveUpNote,
  NO_RECHECK,
  nextRecheck,
  stillSettling,
} from "../../../shared/pipeline/settle-recheck.ts";
import { ELB_DATA_PLANE } from "../../../shared/reconcile/elb-plane.ts";
import type { DataPlaneOutcome } from "../../../shared/reconcile/engine.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";

const NOW = 5_000_000;

const observed = (state: string | undefined): ObservedElb => ({
  ...(state === undefined
    ? {}
    : {
        loadBalancer: {
          arn: "arn:lb",
          name: "lb",
          dnsName: "lb.example",
          state,
        } as NonNullable<ObservedElb["loadBalancer"]>,
      }),
  listeners: [],
  targetGroups: [],
  strayLoadBalancers: [],
});

type Outcome = DataPlaneOutcome<ObservedElb, ElbOperation>;
const applied = (state: string | undefined, pending?: string): Outcome => ({
  kind: "applied",
  observed: observed(state),
  operations: ["CreateLoadBalancer"],
  drift: false,
  ...(pending ? { pending } : {}),
});
const settling = (outcome: Outcome) => stillSettling(outcome, ELB_DATA_PLANE.isSettling);

describe("what is still settling", () => {
  it("a load balancer provisioning, applied or unchanged, is settling", () => {
    expect(settling(applied("provisioning"))).toBe(true);
    expect(settling({ kind: "unchanged", observed: observed("provisioning") })).toBe(true);
  });

  it("an active (or impaired) load balancer, or none, is not", () => {
    expect(settling(applied("active"))).toBe(false);
    expect(settling(applied("active_impaired"))).toBe(false);
    expect(settling({ kind: "unchanged", observed: observed(undefined) })).toBe(false);
  });

  it("work the plan left pending (targets draining) is settling even with everything active", () => {
    expect(settling(applied("active", "target group tg draining"))).toBe(true);
  });

  it("busy, deleted, held and failed outcomes are not: their own paths bring the Gateway back", () => {
    expect(settling({ kind: "busy" })).toBe(false);
    expect(settling({ kind: "deleted" })).toBe(false);
    expect(settling({ kind: "held", observed: observed("provisioning"), reason: "refused" })).toBe(false);
    expect(
      settling({
        kind: "failed",
        observed: observed("provisioning"),
        error: ElbOperationError.fromCode("ServiceUnavailable", "CreateListener", "try later"),
        retryable: true,
      }),
    ).toBe(false);
  });
});

describe("the next recheck", () => {
  it("nothing settling: no recheck, whatever the chain", () => {
    expect(nextRecheck(false, undefined, NOW)).toEqual({ kind: "none" });
    expect(nextRecheck(false, { attempt: 3, since: NOW - 60_000 }, NOW)).toEqual({ kind: "none" });
  });

  it("the first recheck comes 10 s on and starts a chain now", () => {
    expect(nextRecheck(true, undefined, NOW)).toEqual({
      kind: "recheck",
      notBefore: NOW + 10_000,
      chain: { attempt: 1, since: NOW },
    });
  });

  it("each next one doubles the wait up to 60 s and keeps the chain's start", () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => {
      const decision = nextRecheck(true, { attempt, since: NOW }, NOW);
      if (decision.kind !== "recheck") throw new Error(decision.kind);
      expect(decision.chain).toEqual({ attempt: attempt + 1, since: NOW });
      return decision.notBefore - NOW;
    });
    expect(delays).toEqual([20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it("gives up when the next wait would end past 15 min since the chain began", () => {
    const since = NOW - (DEFAULT_RECHECK.maxTotalMs - 60_000);
    expect(nextRecheck(true, { attempt: 9, since }, NOW)).toMatchObject({ kind: "recheck", notBefore: NOW + 60_000 });
    expect(nextRecheck(true, { attempt: 9, since: since - 1 }, NOW)).toEqual({
      kind: "gave-up",
      waitedMs: DEFAULT_RECHECK.maxTotalMs - 60_000 + 1,
    });
  });

  it("rechecks off (NO_RECHECK): nothing is asked for, nor given up", () => {
    expect(nextRecheck(true, undefined, NOW, NO_RECHECK)).toEqual({ kind: "none" });
  });

  it("the give-up note names the wait and the resync", () => {
    expect(gaveUpNote(900_400)).toBe("switchyard stopped rechecking after 900 s; the next resync looks again");
  });
});
