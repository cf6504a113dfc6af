/**
 * Property tests: the comparator is a strict weak ordering (in fact total on distinct keys) and
 * ordering does not depend on input order. Keys come from small value pools so that most levels
 * tie often and the deep tie-breakers get exercised.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compareMatchUnits } from "../../../shared/precedence/compare.ts";
import { orderByPrecedence } from "../../../shared/precedence/order.ts";
import type { GRPCMatchKey, HTTPMatchKey, MatchUnitKey } from "../../../shared/precedence/unit.ts";

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const unitFields = fc.record({
  routeNamespace: fc.constantFrom("a", "a-b", "b"),
  routeName: fc.constantFrom("x", "y"),
  creationTimestamp: fc.constantFrom(
    undefined,
    "2024-01-01T00:00:00Z",
    "2024-01-01T02:00:00+02:00", // the same instant as the one above
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:01Z",
    "not a timestamp",
  ),
  ruleIndex: fc.integer({ min: 0, max: 2 }),
  matchIndex: fc.integer({ min: 0, max: 2 }),
  hostname: fc.constantFrom(
    undefined,
    "example.com",
    "example.net",
    "a.example.com",
    "*.example.com",
    "*.a.example.com",
  ),
});

const httpMatch: fc.Arbitrary<HTTPMatchKey> = fc.record(
  {
    pathType: fc.constantFrom("Exact", "PathPrefix", "RegularExpression"),
    pathValue: fc.constantFrom("/", "/a", "/b", "/ab", "/a/b", "/pkg.S/"),
    method: fc.constantFrom(undefined, "GET", "POST"),
    headerCount: fc.integer({ min: 0, max: 2 }),
    queryParamCount: fc.integer({ min: 0, max: 2 }),
  },
  { requiredKeys: ["pathType", "pathValue", "headerCount", "queryParamCount"] },
);

const grpcMatch: fc.Arbitrary<GRPCMatchKey> = fc.record(
  {
    methodType: fc.constantFrom("Exact", "RegularExpression"),
    service: optional(fc.constantFrom("pkg.S", "pkg.T", "pkg.Svc")),
    method: optional(fc.constantFrom("M", "N", "Get")),
    headerCount: fc.integer({ min: 0, max: 2 }),
  },
  { requiredKeys: ["methodType", "headerCount"] },
);

const matchUnitKey: fc.Arbitrary<MatchUnitKey> = fc.oneof(
  fc.tuple(unitFields, httpMatch).map(([unit, http]): MatchUnitKey => ({ ...unit, routeKind: "HTTPRoute", http })),
  fc.tuple(unitFields, grpcMatch).map(([unit, grpc]): MatchUnitKey => ({ ...unit, routeKind: "GRPCRoute", grpc })),
);

/**
 * Pairs that differ in a few fields only: `b` is `a` with some fields taken from another key, so
 * every level of the order is reached, down to the last tie-breaker.
 */
const FIELDS = [
  "match",
  "routeNamespace",
  "routeName",
  "creationTimestamp",
  "ruleIndex",
  "matchIndex",
  "hostname",
] as const;
const nearPair: fc.Arbitrary<[MatchUnitKey, MatchUnitKey]> = fc
  .tuple(matchUnitKey, matchUnitKey, fc.subarray([...FIELDS]))
  .map(([a, other, fields]) => {
    let b: MatchUnitKey = { ...a };
    for (const field of fields) {
      b =
        field === "match"
          ? { ...b, routeKind: other.routeKind, http: other.http, grpc: other.grpc }
          : { ...b, [field]: other[field] };
    }
    return [a, b];
  });

const precedes = (a: MatchUnitKey, b: MatchUnitKey): boolean => compareMatchUnits(a, b) < 0;
const ties = (a: MatchUnitKey, b: MatchUnitKey): boolean => compareMatchUnits(a, b) === 0;

/** Every field the comparator reads, with absent and "" optional values made alike. */
function canonical(key: MatchUnitKey): string {
  const match =
    key.routeKind === "HTTPRoute"
      ? { ...key.http, method: key.http?.method || undefined }
      : { ...key.grpc, service: key.grpc?.service || undefined, method: key.grpc?.method || undefined };
  return JSON.stringify([
    key.routeKind,
    key.routeNamespace,
    key.routeName,
    key.creationTimestamp,
    key.ruleIndex,
    key.matchIndex,
    key.hostname,
    match,
  ]);
}

function writtenDifferently(key: MatchUnitKey): MatchUnitKey {
  const copy = structuredClone(key);
  return copy.routeKind === "HTTPRoute"
    ? { ...copy, grpc: { methodType: "Exact", service: "ignored", headerCount: 9 } }
    : { ...copy, http: { pathType: "Exact", pathValue: "/ignored", headerCount: 9, queryParamCount: 9 } };
}

/** The same unit with its path (HTTP) or service and method (gRPC) rewritten at equal length. */
function sameLengthsOtherText(key: MatchUnitKey): MatchUnitKey | undefined {
  const flipLast = (text: string): string => `${text.slice(0, -1)}${text.endsWith("z") ? "y" : "z"}`;
  if (key.routeKind === "HTTPRoute") {
    const http = key.http ?? { pathType: "PathPrefix", pathValue: "/", headerCount: 0, queryParamCount: 0 };
    return { ...key, http: { ...http, pathValue: flipLast(http.pathValue) } };
  }
  const grpc = key.grpc ?? { methodType: "Exact", headerCount: 0 };
  if (grpc.service) return { ...key, grpc: { ...grpc, service: flipLast(grpc.service) } };
  if (grpc.method) return { ...key, grpc: { ...grpc, method: flipLast(grpc.method) } };
  return undefined; // a match for every call has no text to rewrite
}

/** A small deterministic generator (mulberry32) so 1,000 shuffles per case stay reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy;
}

describe("compareMatchUnits is a strict weak ordering", () => {
  test("irreflexivity: no unit precedes itself", () => {
    fc.assert(
      fc.property(matchUnitKey, (a) => {
        expect(precedes(a, a)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("asymmetry: if a precedes b then b does not precede a", () => {
    fc.assert(
      fc.property(nearPair, ([a, b]) => {
        expect(precedes(a, b) && precedes(b, a)).toBe(false);
        expect(Math.sign(compareMatchUnits(a, b)) + Math.sign(compareMatchUnits(b, a))).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  test("transitivity: a before b and b before c imply a before c (every triple of a sample)", () => {
    fc.assert(
      fc.property(fc.array(matchUnitKey, { minLength: 3, maxLength: 14 }), (keys) => {
        for (const a of keys) {
          for (const b of keys) {
            if (!precedes(a, b)) continue;
            for (const c of keys) {
              if (precedes(b, c)) expect(precedes(a, c)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test("transitivity of incomparability: a ~ b and b ~ c imply a ~ c (every triple of a sample)", () => {
    // Distinct random keys never tie, so the sample also holds each unit a second time, written
    // differently: a cloned object carrying the other kind's match, which its route kind ignores.
    const sample = fc
      .array(matchUnitKey, { minLength: 2, maxLength: 8 })
      .chain((keys) => fc.shuffledSubarray([...keys, ...keys.map(writtenDifferently)], { minLength: 3 }));
    fc.assert(
      fc.property(sample, (keys) => {
        for (const a of keys) {
          for (const b of keys) {
            if (!ties(a, b)) continue;
            for (const c of keys) {
              if (ties(b, c)) expect(ties(a, c)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test("totality: two keys compare equal exactly when every field the order reads is equal", () => {
    fc.assert(
      fc.property(nearPair, ([a, b]) => {
        expect(ties(a, b)).toBe(canonical(a) === canonical(b));
      }),
      { numRuns: 5000 },
    );
  });

  test("totality: units whose match text differs but not its lengths never tie", () => {
    fc.assert(
      fc.property(matchUnitKey, (a) => {
        const b = sameLengthsOtherText(a);
        fc.pre(b !== undefined);
        expect(canonical(a)).not.toBe(canonical(b));
        expect(ties(a, b)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("the comparator is a pure function of its arguments", () => {
    fc.assert(
      fc.property(matchUnitKey, matchUnitKey, (a, b) => {
        const snapshot = JSON.stringify([a, b]);
        expect(compareMatchUnits(a, b)).toBe(compareMatchUnits(structuredClone(a), structuredClone(b)));
        expect(JSON.stringify([a, b])).toBe(snapshot);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("orderByPrecedence does not depend on input order", () => {
  test("the ordered result is identical under 1,000 random shuffles of one listener's units", () => {
    const units = fc.sample(matchUnitKey, { numRuns: 60, seed: 42 });
    const expected = orderByPrecedence(units, (k) => k).map(canonical);
    fc.assert(
      fc.property(fc.shuffledSubarray(units, { minLength: units.length, maxLength: units.length }), (permutation) => {
        expect(orderByPrecedence(permutation, (k) => k).map(canonical)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  test("for random unit lists, 1,000 seeded shuffles each give the same order", () => {
    fc.assert(
      fc.property(fc.array(matchUnitKey, { minLength: 1, maxLength: 30 }), fc.integer(), (units, seed) => {
        const expected = orderByPrecedence(units, (k) => k).map(canonical);
        const random = seededRandom(seed);
        for (let i = 0; i < 1000; i++) {
          expect(orderByPrecedence(shuffled(units, random), (k) => k).map(canonical)).toEqual(expected);
        }
      }),
      { numRuns: 20 },
    );
  });

  test("the ordered result is sorted: each unit precedes or ties with the next", () => {
    fc.assert(
      fc.property(fc.array(matchUnitKey, { maxLength: 40 }), (units) => {
        const ordered = orderByPrecedence(units, (k) => k);
        for (let i = 1; i < ordered.length; i++) {
          const [prev, next] = [ordered[i - 1], ordered[i]];
          if (prev === undefined || next === undefined) throw new Error("index out of range");
          expect(compareMatchUnits(prev, next)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
