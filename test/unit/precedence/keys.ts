/** Builders for match unit keys: a key with every field at its most neutral value, plus overrides. */
import { expect } from "vitest";
import { compareMatchUnits } from "../../../shared/precedence/compare.ts";
import type { GRPCMatchKey, HTTPMatchKey, MatchUnitKey } from "../../../shared/precedence/unit.ts";

type UnitFields = Partial<Omit<MatchUnitKey, "routeKind" | "http" | "grpc">>;

const UNIT_DEFAULTS = {
  routeNamespace: "default",
  routeName: "route",
  creationTimestamp: "2024-01-01T00:00:00Z",
  ruleIndex: 0,
  matchIndex: 0,
  hostname: undefined,
} satisfies Omit<MatchUnitKey, "routeKind">;

export function httpUnit(match: Partial<HTTPMatchKey> = {}, unit: UnitFields = {}): MatchUnitKey {
  return {
    ...UNIT_DEFAULTS,
    ...unit,
    routeKind: "HTTPRoute",
    http: { pathType: "PathPrefix", pathValue: "/", headerCount: 0, queryParamCount: 0, ...match },
  };
}

export function grpcUnit(match: Partial<GRPCMatchKey> = {}, unit: UnitFields = {}): MatchUnitKey {
  return { ...UNIT_DEFAULTS, ...unit, routeKind: "GRPCRoute", grpc: { methodType: "Exact", headerCount: 0, ...match } };
}

/** `first` takes precedence over `second`, and the comparator says so from both sides. */
export function expectPrecedes(first: MatchUnitKey, second: MatchUnitKey): void {
  expect(compareMatchUnits(first, second)).toBeLessThan(0);
  expect(compareMatchUnits(second, first)).toBeGreaterThan(0);
}
