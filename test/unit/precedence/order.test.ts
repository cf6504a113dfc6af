import { describe, expect, test } from "vitest";
import { hostnameMatches } from "../../../shared/gateway-api/hostname.ts";
import { orderByPrecedence } from "../../../shared/precedence/order.ts";
import type { MatchUnitKey } from "../../../shared/precedence/unit.ts";
import { grpcUnit, httpUnit } from "./keys.ts";

const byKey = (key: MatchUnitKey): MatchUnitKey => key;

describe("orderByPrecedence", () => {
  test("returns a new array and leaves the input as it was", () => {
    const input = [httpUnit({}, { ruleIndex: 1 }), httpUnit({}, { ruleIndex: 0 })];
    const snapshot = [...input];
    const ordered = orderByPrecedence(input, byKey);
    expect(ordered).not.toBe(input);
    expect(input).toEqual(snapshot);
    expect(ordered.map((k) => k.ruleIndex)).toEqual([0, 1]);
  });

  test("reads each item's key through the accessor", () => {
    const items = [
      { id: "catch-all", key: httpUnit({ pathValue: "/" }) },
      { id: "api", key: httpUnit({ pathValue: "/api" }) },
    ];
    expect(orderByPrecedence(items, (item) => item.key).map((item) => item.id)).toEqual(["api", "catch-all"]);
  });

  test("the same unit given twice keeps its input order", () => {
    const first = { id: 1, key: httpUnit() };
    const second = { id: 2, key: httpUnit() };
    expect(orderByPrecedence([first, second], (item) => item.key)).toEqual([first, second]);
  });

  test("hostnames order exact by length, then wildcards by labels, then the catch-all", () => {
    const hostnames = [
      "very.deep.api.example.com",
      "v1.api.example.com",
      "api.example.com",
      "a.example.com",
      "example.com",
      "example.io",
      "*.sub.example.com",
      "*.example.com",
      "*.io",
      undefined,
    ];
    const units = [...hostnames].reverse().map((hostname) => httpUnit({}, { hostname }));
    expect(orderByPrecedence(units, byKey).map((unit) => unit.hostname)).toEqual(hostnames);
  });

  test("three hostnames × two matches order into six units, hostname first", () => {
    const units = ["*.example.com", "api.example.com", "example.com"].flatMap((hostname) => [
      httpUnit({ pathType: "PathPrefix", pathValue: "/" }, { hostname, matchIndex: 0 }),
      httpUnit({ pathType: "Exact", pathValue: "/health" }, { hostname, matchIndex: 1 }),
    ]);
    expect(
      orderByPrecedence(units, byKey).map((u) => `${u.hostname} ${u.http?.pathType} ${u.http?.pathValue}`),
    ).toEqual([
      "api.example.com Exact /health",
      "api.example.com PathPrefix /",
      "example.com Exact /health",
      "example.com PathPrefix /",
      "*.example.com Exact /health",
      "*.example.com PathPrefix /",
    ]);
  });

  test("HTTP and gRPC units on one listener interleave by specificity", () => {
    const units = [
      httpUnit({ pathValue: "/" }, { routeName: "web" }),
      grpcUnit({}, { routeName: "grpc-all" }),
      grpcUnit({ service: "pkg.Svc" }, { routeName: "svc" }),
      grpcUnit({ service: "pkg.Svc", method: "Get" }, { routeName: "get" }),
      httpUnit({ pathValue: "/static" }, { routeName: "static" }),
      grpcUnit({ method: "Health" }, { routeName: "health" }),
      httpUnit({ pathType: "RegularExpression", pathValue: "/v[0-9]+/.*" }, { routeName: "versions" }),
    ];
    expect(orderByPrecedence(units, byKey).map((u) => u.routeName)).toEqual([
      "get",
      "svc",
      "static",
      "health",
      "grpc-all",
      "web",
      "versions",
    ]);
  });
});

/**
 * The conformance test HTTPRouteMatchingAcrossRoutes: `matching-part1` (example.com, example.net;
 * `PathPrefix /` or header `version: one`) and the newer `matching-part2` (example.com;
 * `PathPrefix /v2` or header `version: two`), evaluated first-match over the ordered units.
 */
describe("conformance: matching across routes", () => {
  interface Unit {
    key: MatchUnitKey;
    backend: string;
    headers: Record<string, string>;
  }

  const part1 = {
    routeNamespace: "gateway-conformance-infra",
    routeName: "matching-part1",
    creationTimestamp: "2024-05-01T10:00:00Z",
  };
  const part2 = {
    routeNamespace: "gateway-conformance-infra",
    routeName: "matching-part2",
    creationTimestamp: "2024-05-01T10:00:01Z",
  };
  const units: Unit[] = [
    ...["example.com", "example.net"].flatMap((hostname): Unit[] => [
      { key: httpUnit({ pathValue: "/" }, { ...part1, hostname, matchIndex: 0 }), backend: "v1", headers: {} },
      {
        key: httpUnit({ pathValue: "/", headerCount: 1 }, { ...part1, hostname, matchIndex: 1 }),
        backend: "v1",
        headers: { version: "one" },
      },
    ]),
    {
      key: httpUnit({ pathValue: "/v2" }, { ...part2, hostname: "example.com", matchIndex: 0 }),
      backend: "v2",
      headers: {},
    },
    {
      key: httpUnit({ pathValue: "/", headerCount: 1 }, { ...part2, hostname: "example.com", matchIndex: 1 }),
      backend: "v2",
      headers: { version: "two" },
    },
  ];

  const ordered = orderByPrecedence(units, (unit) => unit.key);

  function route(host: string, path: string, headers: Record<string, string> = {}): string | undefined {
    const hit = ordered.find(
      (unit) =>
        hostnameMatches(unit.key.hostname, host) &&
        prefixMatches(unit.key.http?.pathValue ?? "/", path) &&
        Object.entries(unit.headers).every(([name, value]) => headers[name] === value),
    );
    return hit?.backend;
  }

  test("the specific `/v2` route comes first and the `/` catch-all last", () => {
    expect(ordered.map((u) => `${u.key.routeName}#${u.key.matchIndex} ${u.key.hostname}`)).toEqual([
      "matching-part2#0 example.com",
      "matching-part1#1 example.com",
      "matching-part1#1 example.net",
      "matching-part2#1 example.com",
      "matching-part1#0 example.com",
      "matching-part1#0 example.net",
    ]);
  });

  test.each<[host: string, path: string, headers: Record<string, string>, backend: string]>([
    ["example.com", "/", {}, "v1"],
    ["example.com", "/example", {}, "v1"],
    ["example.net", "/example", {}, "v1"],
    ["example.com", "/example", { version: "one" }, "v1"],
    ["example.com", "/v2", {}, "v2"],
    ["example.net", "/v2", {}, "v1"],
    ["example.com", "/v2/example", {}, "v2"],
    ["example.com", "/", { version: "two" }, "v2"],
  ])("%s%s with headers %j reaches %s", (host, path, headers, backend) => {
    expect(route(host, path, headers)).toBe(backend);
  });
});

/** PathPrefix semantics: whole segments, a trailing `/` ignored. */
function prefixMatches(prefix: string, path: string): boolean {
  const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return path === base || path.startsWith(`${base}/`);
}
