/**
 * The record keeps digests of rule matches and auth policies (shared/lattice/digest.ts): equal
 * values have equal digests whatever their key order, a change is a different digest the planner
 * acts on, and a record from before digests is read as digests.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson, isPolicyDigest, matchDigest } from "../../../shared/lattice/digest.ts";
import type { LatticeMatch } from "../../../shared/lattice/model.ts";
import { decodeObservedLattice, emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import { planLattice } from "../../../shared/lattice/plan.ts";
import { recordedAuthPolicy, sameAuthPolicy } from "../../../shared/lattice/plan-policies.ts";
import { convergeLattice } from "../../../shared/testing/index.ts";
import { latticeModel } from "../../fixtures/lattice-gateway.ts";
import { ALLOW_INVOKE, iamAuthPolicy, latticeModelWith } from "../../fixtures/lattice-policies.ts";

const MATCH: LatticeMatch = {
  method: "GET",
  path: { type: "prefix", value: "/a", caseSensitive: true },
  headers: [{ name: "x-tenant", type: "exact", value: "blue", caseSensitive: false }],
};

function applied(observed: ObservedLattice, desired: Parameters<typeof planLattice>[0]): ObservedLattice {
  return convergeLattice(desired, observed);
}

describe("a rule match's digest", () => {
  it("is equal for equal matches whatever the key order, and different for any change", () => {
    const reordered = JSON.parse(
      '{"headers":[{"value":"blue","type":"exact","name":"x-tenant","caseSensitive":false}],"path":{"caseSensitive":true,"value":"/a","type":"prefix"},"method":"GET"}',
    ) as LatticeMatch;
    expect(matchDigest(reordered)).toBe(matchDigest(MATCH));
    expect(canonicalJson(reordered)).toBe(canonicalJson(MATCH));
    expect(matchDigest({ ...MATCH, method: "POST" })).not.toBe(matchDigest(MATCH));
    expect(matchDigest({ ...MATCH, headers: [] })).not.toBe(matchDigest(MATCH));
    expect(matchDigest(MATCH)).toMatch(/^sha256:[\w-]{43}$/);
  });

  it("a match changed in the model is a batch update of that rule; an unchanged one is nothing", () => {
    // One service only (no Gateway service): its one rule is the one that moves.
    const desired = latticeModel({ gatewayService: false, routes: [{ paths: ["/a"] }] });
    const state = applied(emptyObservedLattice(), desired);
    const rule = state.services[0]?.listeners[0]?.rules[0];
    expect(rule).not.toHaveProperty("match");
    expect(planLattice(desired, state).operations).toEqual([]);
    const moved = latticeModel({ gatewayService: false, routes: [{ paths: ["/b"] }] });
    const ops = planLattice(moved, state).operations;
    expect(ops).toEqual([
      expect.objectContaining({
        op: "UpdateRules",
        updates: [expect.objectContaining({ ruleId: rule?.id, match: expect.anything() })],
      }),
    ]);
  });
});

describe("an auth policy as the record keeps it", () => {
  it("is a digest equal for documents that say the same thing", () => {
    const digest = recordedAuthPolicy('{"a":1,"b":[2]}');
    expect(isPolicyDigest(digest)).toBe(true);
    expect(digest).toBe(recordedAuthPolicy('{ "b": 2, "a": 1 }'));
    expect(sameAuthPolicy(digest, '{ "b": [2], "a": 1 }')).toBe(true);
    expect(sameAuthPolicy(digest, '{ "b": 3, "a": 1 }')).toBe(false);
    // Text that is not JSON is never the same as anything: Lattice would refuse it anyway.
    expect(sameAuthPolicy(recordedAuthPolicy("not json"), "not json")).toBe(false);
  });

  it("a document recorded before digests still compares by meaning", () => {
    expect(sameAuthPolicy('{"a":1}', '{ "a": [1] }')).toBe(true);
    expect(isPolicyDigest('{"a":1}')).toBe(false);
  });

  it("a policy put and unchanged plans nothing; a changed document is put again", () => {
    const route = { kind: "HTTPRoute" as const, name: "r0" };
    const desired = latticeModelWith({ routes: [{ paths: ["/a"] }], extra: [iamAuthPolicy("auth", route)] });
    const state = applied(emptyObservedLattice(), desired);
    expect(isPolicyDigest(state.services[0]?.authPolicy ?? "")).toBe(true);
    expect(planLattice(desired, state).operations).toEqual([]);
    const changed = latticeModelWith({
      routes: [{ paths: ["/a"] }],
      extra: [iamAuthPolicy("auth", route, { ...ALLOW_INVOKE, Id: "changed" })],
    });
    expect(planLattice(changed, state).operations.map((o) => o.op)).toEqual(["PutAuthPolicy"]);
  });
});

describe("a record from before digests", () => {
  it("is read with each rule's match as its digest, and plans nothing when nothing changed", () => {
    const desired = latticeModel({ gatewayService: false, routes: [{ paths: ["/a", "/b"] }] });
    const state = applied(emptyObservedLattice(), desired);
    const model = desired.services[0]?.listeners[0]?.rules ?? [];
    const legacy = JSON.parse(
      JSON.stringify({
        ...state,
        services: state.services.map((s) => ({
          ...s,
          listeners: s.listeners.map((l) => ({
            ...l,
            rules: l.rules.map(({ matchDigest: _d, ...r }) => ({
              ...r,
              match: model.find((m) => m.id === r.id)?.match,
            })),
          })),
        })),
      }),
    ) as unknown;
    const decoded = decodeObservedLattice(legacy);
    expect(decoded).toEqual(state);
    expect(planLattice(desired, decoded).operations).toEqual([]);
  });

  it("a rule with neither a digest nor a match is refused, naming it", () => {
    const desired = latticeModel({ routes: [{ paths: ["/a"] }] });
    const state = applied(emptyObservedLattice(), desired);
    const broken = JSON.parse(JSON.stringify(state)) as { services: { listeners: { rules: unknown[] }[] }[] };
    const listener = broken.services[0]?.listeners[0];
    if (listener) listener.rules = [{ id: "r0-m0", arn: "arn:rule" }];
    expect(() => decodeObservedLattice(broken)).toThrow(/services\[0\]\.listeners\[0\]\.rules\[0\].*neither/);
    if (listener) listener.rules = ["not a rule"];
    expect(() => decodeObservedLattice(broken)).toThrow(/rules\[0\].*is not a rule/);
  });
});
