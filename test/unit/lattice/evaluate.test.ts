/**
 * The Lattice listener evaluator against the documented rules ("Listener rules for your VPC
 * Lattice service", VPC Lattice user guide): priority order, the default rule, match parts, case
 * sensitivity and weighted forwards.
 */
import { describe, expect, test } from "vitest";
import {
  evaluateLatticeListener,
  headerMatches,
  type LatticeRequest,
  matchHolds,
  pathMatches,
} from "../../../shared/lattice/evaluate.ts";
import type { LatticeAction, LatticeMatch } from "../../../shared/lattice/model.ts";

const NOT_FOUND: LatticeAction = { type: "fixed-response", statusCode: 404 };
const to = (id: string): LatticeAction => ({ type: "forward", targetGroups: [{ targetGroupId: id, weight: 1 }] });
const prefix = (value: string, caseSensitive = true): LatticeMatch => ({
  path: { type: "prefix", value, caseSensitive },
  headers: [],
});
const req = (path: string, extra: Partial<LatticeRequest> = {}): LatticeRequest => ({ method: "GET", path, ...extra });

describe("rule order", () => {
  test("rules are evaluated from the lowest priority value; the first match decides", () => {
    const rules = [
      { priority: 20, match: prefix("/"), action: to("all") },
      { priority: 10, match: prefix("/api"), action: to("api") },
    ];
    expect(evaluateLatticeListener(rules, NOT_FOUND, req("/api/x"))).toMatchObject({
      rulePriority: 10,
      targetGroups: [{ targetGroupId: "api" }],
    });
  });

  test("the default rule applies when no rule matches", () => {
    const rules = [{ priority: 1, match: prefix("/api"), action: to("api") }];
    expect(evaluateLatticeListener(rules, NOT_FOUND, req("/web"))).toEqual({
      kind: "fixed-response",
      rulePriority: "default",
      statusCode: 404,
    });
  });
});

describe("path matches", () => {
  test.each([
    ["exact", "/a", true, "/a", true],
    ["exact", "/a", true, "/a/", false],
    ["exact", "/A", true, "/a", false],
    ["exact", "/A", false, "/a", true],
    ["prefix", "/api", true, "/api", true],
    ["prefix", "/api", true, "/apis", true],
    ["prefix", "/api/", true, "/apis", false],
    ["prefix", "/API/", false, "/api/x", true],
    ["prefix", "/API/", true, "/api/x", false],
  ] as const)("%s %s (case-sensitive %s) against %s → %s", (type, value, caseSensitive, path, expected) => {
    expect(pathMatches({ type, value, caseSensitive }, path)).toBe(expected);
  });
});

describe("header matches", () => {
  test.each([
    ["exact", "Canary", true, { "x-env": "Canary" }, true],
    ["exact", "Canary", true, { "x-env": "canary" }, false],
    ["exact", "Canary", false, { "x-env": "canary" }, true],
    ["exact", "Canary", true, { "X-ENV": "Canary" }, true],
    ["exact", "Canary", true, {}, false],
    ["exact", "b", true, { "x-env": ["a", "b"] }, true],
    ["prefix", "ca", true, { "x-env": "canary" }, true],
    ["contains", "nar", true, { "x-env": "canary" }, true],
    ["contains", "NAR", false, { "x-env": "canary" }, true],
  ] as const)("%s %s (case-sensitive %s) against %o → %s", (type, value, caseSensitive, headers, expected) => {
    expect(headerMatches({ name: "x-env", type, value, caseSensitive }, headers)).toBe(expected);
  });
});

describe("method and combined matches", () => {
  test("method matching is exact and case-sensitive", () => {
    const match: LatticeMatch = { method: "GET", headers: [] };
    expect(matchHolds(match, req("/", { method: "GET" }))).toBe(true);
    expect(matchHolds(match, req("/", { method: "get" }))).toBe(false);
  });

  test("every part of a match must hold", () => {
    const match: LatticeMatch = {
      method: "POST",
      path: { type: "exact", value: "/x", caseSensitive: true },
      headers: [{ name: "a", type: "exact", value: "1", caseSensitive: true }],
    };
    expect(matchHolds(match, req("/x", { method: "POST", headers: { a: "1" } }))).toBe(true);
    expect(matchHolds(match, req("/x", { method: "POST", headers: { a: "2" } }))).toBe(false);
    expect(matchHolds(match, req("/y", { method: "POST", headers: { a: "1" } }))).toBe(false);
  });

  test("a match with no parts holds for every request", () => {
    expect(matchHolds({ headers: [] }, req("/anything", { method: "DELETE" }))).toBe(true);
  });
});

describe("actions", () => {
  test("a weighted forward gives each target group weight / Σweight", () => {
    const action: LatticeAction = {
      type: "forward",
      targetGroups: [
        { targetGroupId: "a", weight: 10 },
        { targetGroupId: "b", weight: 30 },
      ],
    };
    const outcome = evaluateLatticeListener([], action, req("/"));
    expect(outcome).toEqual({
      kind: "forward",
      rulePriority: "default",
      targetGroups: [
        { targetGroupId: "a", weight: 10, share: 0.25 },
        { targetGroupId: "b", weight: 30, share: 0.75 },
      ],
    });
  });

  test("a forward whose weights are all 0 can deliver nowhere: 503", () => {
    const action: LatticeAction = { type: "forward", targetGroups: [{ targetGroupId: "a", weight: 0 }] };
    expect(evaluateLatticeListener([], action, req("/"))).toMatchObject({ kind: "fixed-response", statusCode: 503 });
  });

  test("a fixed response answers its status code", () => {
    const rules = [
      { priority: 1, match: prefix("/"), action: { type: "fixed-response" as const, statusCode: 500 as const } },
    ];
    expect(evaluateLatticeListener(rules, NOT_FOUND, req("/"))).toMatchObject({ rulePriority: 1, statusCode: 500 });
  });
});
