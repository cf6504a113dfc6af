// The claim rules of shared/store/claim.ts on their own: the stores' contract (contract.ts) shows
// them through claims; these pin each boundary and the refusal a store could only reach by a bug.
import { describe, expect, test } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { isCurrent, isLeaseFree, isOnPlanes, refusedClaim } from "../../../shared/store/claim.ts";
import { stateOf, T0 } from "./fixtures.ts";

const GW = clusterGatewayKey("cluster-a", "default", "web");

describe("a lease is free for a claim", () => {
  test("when there is none, or it was released", () => {
    expect(isLeaseFree(undefined, "a", T0)).toBe(true);
    expect(isLeaseFree({}, "a", T0)).toBe(true);
    expect(isLeaseFree({ owner: "b" }, "a", T0)).toBe(true);
  });

  test("from the millisecond after its expiry, not at it", () => {
    expect(isLeaseFree({ owner: "b", expiresAt: T0 }, "a", T0)).toBe(false);
    expect(isLeaseFree({ owner: "b", expiresAt: T0 }, "a", T0 + 1)).toBe(true);
  });

  test("to its own owner at any time", () => {
    expect(isLeaseFree({ owner: "a", expiresAt: T0 + 1_000 }, "a", T0)).toBe(true);
  });
});

describe("a record is current", () => {
  const { applying: _, ...settled } = { ...stateOf(GW, "a"), appliedHash: "h", lastDriftCheck: 100 };

  test("when it applied the hash, applies nothing and was drift-checked after the cut-off", () => {
    expect(isCurrent(settled, { appliedHash: "h", checkedAfter: 99 })).toBe(true);
  });

  test("not when it is missing, applied another hash, is applying, or was checked at or before the cut-off", () => {
    expect(isCurrent(undefined, { appliedHash: "h", checkedAfter: 99 })).toBe(false);
    expect(isCurrent(settled, { appliedHash: "other", checkedAfter: 99 })).toBe(false);
    expect(isCurrent(stateOf(GW, "a"), { appliedHash: "sha256:a", checkedAfter: 0 })).toBe(false);
    expect(isCurrent(settled, { appliedHash: "h", checkedAfter: 100 })).toBe(false);
  });

  test("never checked counts as checked at 0", () => {
    const { lastDriftCheck: __, ...unchecked } = settled;
    expect(isCurrent(unchecked, { appliedHash: "h", checkedAfter: -1 })).toBe(true);
    expect(isCurrent(unchecked, { appliedHash: "h", checkedAfter: 0 })).toBe(false);
  });
});

describe("a refused claim", () => {
  const state = { ...stateOf(GW, "a"), fencingToken: 3 };

  test("is busy while another owner's lease is in force, naming it, without reading the record", () => {
    const unread = () => {
      throw new Error("the record of a busy Gateway was read");
    };
    expect(refusedClaim({ owner: "b", expiresAt: T0 }, "a", T0, unread)).toEqual({
      kind: "busy",
      holder: { owner: "b", expiresAt: T0 },
    });
  });

  test("is the current record when the lease was free", () => {
    expect(refusedClaim({ owner: "b", expiresAt: T0 - 1 }, "a", T0, () => state)).toEqual({ kind: "current", state });
    expect(refusedClaim({ owner: "a", expiresAt: T0 + 1 }, "a", T0, () => state)).toEqual({ kind: "current", state });
    expect(refusedClaim(undefined, "a", T0, () => state)).toEqual({ kind: "current", state });
  });

  test("is elsewhere, naming the record's plane, when the record is on none of the claim's planes", () => {
    expect(refusedClaim(undefined, "a", T0, () => state, ["lattice"])).toEqual({ kind: "elsewhere", dataPlane: "alb" });
    expect(refusedClaim(undefined, "a", T0, () => state, ["alb"])).toEqual({ kind: "current", state });
    const unread = () => {
      throw new Error("the record of a busy Gateway was read");
    };
    expect(refusedClaim({ owner: "b", expiresAt: T0 }, "a", T0, unread, ["lattice"]).kind).toBe("busy");
  });

  test("names no holder without an owner (a damaged lease): the refusal is the current record", () => {
    expect(refusedClaim({ expiresAt: T0 + 1 }, "a", T0, () => state)).toEqual({ kind: "current", state });
  });

  test("with a free lease and no record is a store bug, thrown rather than guessed at", () => {
    expect(() => refusedClaim(undefined, "a", T0, () => undefined)).toThrow(
      "a claim was refused while the lease was free and there is no record to be current",
    );
  });
});

describe("a claim limited to data planes", () => {
  test("takes no record, a record of one of its planes, or any record when unlimited", () => {
    expect(isOnPlanes(undefined, ["lattice"])).toBe(true);
    expect(isOnPlanes({ dataPlane: "nlb" }, ["alb", "nlb"])).toBe(true);
    expect(isOnPlanes({ dataPlane: "alb" }, undefined)).toBe(true);
    expect(isOnPlanes({ dataPlane: "alb" }, ["lattice"])).toBe(false);
    expect(isOnPlanes({ dataPlane: "lattice" }, ["alb", "nlb"])).toBe(false);
  });
});
