import { describe, expect, test } from "vitest";
import { compareMatchUnits } from "../../../shared/precedence/compare.ts";
import { expectPrecedes, grpcUnit, httpUnit } from "./keys.ts";

describe("1. hostname: exact before wildcard before catch-all", () => {
  test("an exact hostname precedes a wildcard covering it", () => {
    expectPrecedes(httpUnit({}, { hostname: "foo.example.com" }), httpUnit({}, { hostname: "*.example.com" }));
  });

  test("a wildcard hostname precedes the catch-all", () => {
    expectPrecedes(httpUnit({}, { hostname: "*.example.com" }), httpUnit({}, { hostname: undefined }));
  });

  test("an exact hostname precedes the catch-all", () => {
    expectPrecedes(httpUnit({}, { hostname: "example.com" }), httpUnit({}, { hostname: undefined }));
  });

  test("a longer exact hostname precedes a shorter one", () => {
    expectPrecedes(httpUnit({}, { hostname: "api.example.com" }), httpUnit({}, { hostname: "a.example.com" }));
  });

  test("exact hostnames rank by characters, not labels", () => {
    expectPrecedes(httpUnit({}, { hostname: "averylongname.example.com" }), httpUnit({}, { hostname: "a.b.c.io" }));
  });

  test("a wildcard with more labels precedes one with fewer", () => {
    expectPrecedes(httpUnit({}, { hostname: "*.sub.example.com" }), httpUnit({}, { hostname: "*.example.com" }));
  });

  test("labels outrank characters between wildcards", () => {
    expectPrecedes(httpUnit({}, { hostname: "*.a.b.io" }), httpUnit({}, { hostname: "*.example.com" }));
  });

  test("between wildcards with as many labels the longer one goes first", () => {
    expectPrecedes(httpUnit({}, { hostname: "*.example.com" }), httpUnit({}, { hostname: "*.test.io" }));
  });

  test("a host-specific short path beats a catch-all long path", () => {
    expectPrecedes(
      httpUnit({ pathType: "PathPrefix", pathValue: "/" }, { hostname: "a.example.com" }),
      httpUnit({ pathType: "Exact", pathValue: "/a/very/long/exact/path" }, { hostname: undefined }),
    );
  });

  test("hostname outranks every match criterion", () => {
    expectPrecedes(
      httpUnit({}, { hostname: "foo.example.com", creationTimestamp: "2025-01-01T00:00:00Z" }),
      httpUnit(
        { pathType: "Exact", pathValue: "/x", method: "GET", headerCount: 5, queryParamCount: 5 },
        { hostname: "*.example.com", creationTimestamp: "2020-01-01T00:00:00Z" },
      ),
    );
  });
});

describe("2. path: Exact, then PathPrefix, then RegularExpression, then longer value", () => {
  test("Exact precedes PathPrefix of the same value", () => {
    expectPrecedes(
      httpUnit({ pathType: "Exact", pathValue: "/foo" }),
      httpUnit({ pathType: "PathPrefix", pathValue: "/foo" }),
    );
  });

  test("Exact beats a longer PathPrefix", () => {
    expectPrecedes(
      httpUnit({ pathType: "Exact", pathValue: "/a" }),
      httpUnit({ pathType: "PathPrefix", pathValue: "/a/much/longer/prefix" }),
    );
  });

  test("PathPrefix precedes RegularExpression", () => {
    expectPrecedes(
      httpUnit({ pathType: "PathPrefix", pathValue: "/" }),
      httpUnit({ pathType: "RegularExpression", pathValue: "/api/v[0-9]+/.*" }),
    );
  });

  test("Exact precedes RegularExpression", () => {
    expectPrecedes(
      httpUnit({ pathType: "Exact", pathValue: "/a" }),
      httpUnit({ pathType: "RegularExpression", pathValue: "/a.*" }),
    );
  });

  test("the longer PathPrefix goes first", () => {
    expectPrecedes(
      httpUnit({ pathType: "PathPrefix", pathValue: "/v2" }),
      httpUnit({ pathType: "PathPrefix", pathValue: "/" }),
    );
  });

  test("the PathPrefix with more characters goes first whatever its segments", () => {
    expectPrecedes(
      httpUnit({ pathType: "PathPrefix", pathValue: "/abcdef" }),
      httpUnit({ pathType: "PathPrefix", pathValue: "/a/b/c" }),
    );
  });

  test("the longer Exact path goes first", () => {
    expectPrecedes(
      httpUnit({ pathType: "Exact", pathValue: "/foo/bar" }),
      httpUnit({ pathType: "Exact", pathValue: "/foo" }),
    );
  });

  test("the longer RegularExpression goes first", () => {
    expectPrecedes(
      httpUnit({ pathType: "RegularExpression", pathValue: "/api/.*" }),
      httpUnit({ pathType: "RegularExpression", pathValue: "/.*" }),
    );
  });

  test("a missing HTTP match stands for the default PathPrefix /", () => {
    const defaulted = { ...httpUnit(), http: undefined };
    expect(compareMatchUnits(defaulted, httpUnit({ pathType: "PathPrefix", pathValue: "/" }))).toBe(0);
  });
});

describe("2. gRPC on the path scale: service and method ≈ Exact `/svc/m`, service ≈ PathPrefix `/svc/`, method ≈ PathPrefix `/` narrowed", () => {
  test("a service-and-method match precedes a service-only match", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc", method: "Get" }), grpcUnit({ service: "pkg.Svc" }));
  });

  test("a service-only match precedes a method-only match", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc" }), grpcUnit({ method: "Get" }));
  });

  test("a service-and-method match precedes a method-only match", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc", method: "Get" }), grpcUnit({ method: "Get" }));
  });

  test("a service-only match precedes the match-every-call match", () => {
    expectPrecedes(grpcUnit({ service: "s" }), grpcUnit({}));
  });

  test("a method-only match precedes the match-every-call match (more characters in a matching method)", () => {
    expectPrecedes(grpcUnit({ method: "Get" }), grpcUnit({}));
  });

  test("the longer service goes first", () => {
    expectPrecedes(
      grpcUnit({ service: "pkg.LongService", method: "M" }),
      grpcUnit({ service: "pkg.Svc", method: "M" }),
    );
  });

  test("service length outranks method length", () => {
    expectPrecedes(
      grpcUnit({ service: "pkg.LongService", method: "M" }),
      grpcUnit({ service: "pkg.S", method: "AVeryLongMethodName" }),
    );
  });

  test("the longer method goes first when services are as long", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc", method: "GetAll" }), grpcUnit({ service: "pkg.Svc", method: "Get" }));
  });

  test("the longer service goes first among service-only matches", () => {
    expectPrecedes(grpcUnit({ service: "pkg.v1.Svc" }), grpcUnit({ service: "pkg.Svc" }));
  });

  test("the longer method goes first among method-only matches", () => {
    expectPrecedes(grpcUnit({ method: "GetAll" }), grpcUnit({ method: "Get" }));
  });

  test("an Exact match precedes a RegularExpression one", () => {
    expectPrecedes(
      grpcUnit({ service: "pkg.Svc" }),
      grpcUnit({ methodType: "RegularExpression", service: "pkg\\..*", method: "Get.*" }),
    );
  });

  test("RegularExpression matches order by service length, then method length", () => {
    expectPrecedes(
      grpcUnit({ methodType: "RegularExpression", service: "pkg\\.v1\\..*" }),
      grpcUnit({ methodType: "RegularExpression", service: "pkg\\..*", method: "Get.*" }),
    );
  });

  test("an empty service or method counts as absent", () => {
    expect(compareMatchUnits(grpcUnit({ service: "pkg.Svc", method: "" }), grpcUnit({ service: "pkg.Svc" }))).toBe(0);
  });

  test("a missing gRPC match stands for the match every call", () => {
    expect(compareMatchUnits({ ...grpcUnit(), grpc: undefined }, grpcUnit({}))).toBe(0);
  });
});

describe("3. an HTTP method match", () => {
  test("a match with a method precedes one without", () => {
    expectPrecedes(httpUnit({ method: "GET" }), httpUnit({}));
  });

  test("a method decides between equal prefixes", () => {
    expectPrecedes(httpUnit({ pathValue: "/api", method: "POST" }), httpUnit({ pathValue: "/api" }));
  });

  test("a method beats more headers", () => {
    expectPrecedes(httpUnit({ method: "GET", headerCount: 0 }), httpUnit({ headerCount: 3 }));
  });

  test("the path outranks a method", () => {
    expectPrecedes(httpUnit({ pathValue: "/longer" }), httpUnit({ pathValue: "/", method: "GET" }));
  });

  test("an empty method counts as absent", () => {
    expect(compareMatchUnits(httpUnit({ method: "" }), httpUnit({}))).toBe(0);
  });
});

describe("4. more header matches", () => {
  test("one header precedes none", () => {
    expectPrecedes(httpUnit({ headerCount: 1 }), httpUnit({ headerCount: 0 }));
  });

  test("three headers precede two", () => {
    expectPrecedes(httpUnit({ headerCount: 3 }), httpUnit({ headerCount: 2 }));
  });

  test("headers beat query params", () => {
    expectPrecedes(httpUnit({ headerCount: 1 }), httpUnit({ queryParamCount: 4 }));
  });

  test("headers count for gRPC units too", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc", headerCount: 2 }), grpcUnit({ service: "pkg.Svc", headerCount: 1 }));
  });
});

describe("5. more query param matches", () => {
  test("one query param precedes none", () => {
    expectPrecedes(httpUnit({ queryParamCount: 1 }), httpUnit({ queryParamCount: 0 }));
  });

  test("two query params precede one", () => {
    expectPrecedes(httpUnit({ headerCount: 1, queryParamCount: 2 }), httpUnit({ headerCount: 1, queryParamCount: 1 }));
  });

  test("query params outrank the route's age", () => {
    expectPrecedes(
      httpUnit({ queryParamCount: 1 }, { creationTimestamp: "2025-01-01T00:00:00Z" }),
      httpUnit({}, { creationTimestamp: "2020-01-01T00:00:00Z" }),
    );
  });
});

describe("6. the older creationTimestamp", () => {
  test("the older route goes first", () => {
    expectPrecedes(
      httpUnit({}, { creationTimestamp: "2020-09-08T01:02:03Z" }),
      httpUnit({}, { creationTimestamp: "2020-09-08T01:02:04Z" }),
    );
  });

  test("age outranks the route's name", () => {
    expectPrecedes(
      httpUnit({}, { routeName: "zzz", creationTimestamp: "2020-01-01T00:00:00Z" }),
      httpUnit({}, { routeName: "aaa", creationTimestamp: "2021-01-01T00:00:00Z" }),
    );
  });

  test("instants are compared, not text: an offset is applied", () => {
    expectPrecedes(
      httpUnit({}, { routeName: "b", creationTimestamp: "2024-01-01T01:30:00+02:00" }),
      httpUnit({}, { routeName: "a", creationTimestamp: "2024-01-01T00:00:00Z" }),
    );
  });

  test("fractional seconds count", () => {
    expectPrecedes(
      httpUnit({}, { routeName: "b", creationTimestamp: "2024-01-01T00:00:00.25Z" }),
      httpUnit({}, { routeName: "a", creationTimestamp: "2024-01-01T00:00:00.5Z" }),
    );
  });

  test("a missing timestamp sorts as the newest", () => {
    expectPrecedes(
      httpUnit({}, { routeName: "b", creationTimestamp: "2099-01-01T00:00:00Z" }),
      httpUnit({}, { routeName: "a", creationTimestamp: undefined }),
    );
  });

  test("an unreadable timestamp sorts as the newest", () => {
    expectPrecedes(
      httpUnit({}, { routeName: "b", creationTimestamp: "2099-01-01T00:00:00Z" }),
      httpUnit({}, { routeName: "a", creationTimestamp: "yesterday" }),
    );
  });
});

describe("7. {namespace}/{name} alphabetically", () => {
  test("foo/bar precedes foo/baz (godoc example)", () => {
    expectPrecedes(
      httpUnit({}, { routeNamespace: "foo", routeName: "bar" }),
      httpUnit({}, { routeNamespace: "foo", routeName: "baz" }),
    );
  });

  test("the namespace leads the text", () => {
    expectPrecedes(
      httpUnit({}, { routeNamespace: "a", routeName: "z" }),
      httpUnit({}, { routeNamespace: "b", routeName: "a" }),
    );
  });

  test("the joined text is compared, so `a-b/x` precedes `a/x`", () => {
    expectPrecedes(
      httpUnit({}, { routeNamespace: "a-b", routeName: "x" }),
      httpUnit({}, { routeNamespace: "a", routeName: "x" }),
    );
  });

  test("the name outranks the rule index", () => {
    expectPrecedes(httpUnit({}, { routeName: "a", ruleIndex: 3 }), httpUnit({}, { routeName: "b", ruleIndex: 0 }));
  });
});

describe("8. rule index, then match index", () => {
  test("the earlier rule goes first", () => {
    expectPrecedes(httpUnit({}, { ruleIndex: 0 }), httpUnit({}, { ruleIndex: 1 }));
  });

  test("the earlier match in a rule goes first", () => {
    expectPrecedes(httpUnit({}, { matchIndex: 1 }), httpUnit({}, { matchIndex: 2 }));
  });

  test("the rule index outranks the match index", () => {
    expectPrecedes(httpUnit({}, { ruleIndex: 0, matchIndex: 5 }), httpUnit({}, { ruleIndex: 1, matchIndex: 0 }));
  });
});

describe("9. final tie-breakers: only equal keys compare equal", () => {
  test("hostname text decides between equally specific hostnames", () => {
    expectPrecedes(httpUnit({}, { hostname: "example.com" }), httpUnit({}, { hostname: "example.net" }));
  });

  test("hostname text is consulted only after the match index", () => {
    expectPrecedes(
      httpUnit({}, { hostname: "example.net", matchIndex: 0 }),
      httpUnit({}, { hostname: "example.com", matchIndex: 1 }),
    );
  });

  test("route kind decides between an HTTPRoute and a GRPCRoute of the same name and rank", () => {
    expectPrecedes(grpcUnit({}), httpUnit({ pathType: "PathPrefix", pathValue: "/" }));
  });

  test("distinct paths of the same length never compare equal", () => {
    expectPrecedes(httpUnit({ pathType: "Exact", pathValue: "/a" }), httpUnit({ pathType: "Exact", pathValue: "/b" }));
  });

  test("distinct timestamps for the same instant never compare equal", () => {
    expectPrecedes(
      httpUnit({}, { creationTimestamp: "2024-01-01T00:00:00+00:00" }),
      httpUnit({}, { creationTimestamp: "2024-01-01T00:00:00Z" }),
    );
  });

  test("equal keys compare equal", () => {
    expect(compareMatchUnits(httpUnit({ method: "GET" }), httpUnit({ method: "GET" }))).toBe(0);
  });
});

describe("HTTP and gRPC units on one listener", () => {
  test("a specific GRPCRoute beats a catch-all HTTPRoute", () => {
    expectPrecedes(
      grpcUnit(
        { service: "pkg.Svc", method: "Get" },
        { routeName: "z-grpc", creationTimestamp: "2025-01-01T00:00:00Z" },
      ),
      httpUnit({ pathType: "PathPrefix", pathValue: "/" }, { routeName: "a-http" }),
    );
  });

  test("a service-only GRPCRoute beats the catch-all PathPrefix /", () => {
    expectPrecedes(grpcUnit({ service: "s" }, { routeName: "z" }), httpUnit({ pathValue: "/" }, { routeName: "a" }));
  });

  test("a method-only GRPCRoute beats the catch-all PathPrefix /", () => {
    expectPrecedes(grpcUnit({ method: "Get" }, { routeName: "z" }), httpUnit({ pathValue: "/" }, { routeName: "a" }));
  });

  test("an HTTP prefix below the service path beats the service-only GRPCRoute", () => {
    expectPrecedes(
      httpUnit({ pathValue: "/pkg.Svc/Get" }, { routeName: "z" }),
      grpcUnit({ service: "pkg.Svc" }, { routeName: "a" }),
    );
  });

  test("an HTTP match with a method beats a gRPC match with more headers on the same path", () => {
    expectPrecedes(
      httpUnit({ pathValue: "/pkg.Svc/", method: "POST" }, { routeName: "z" }),
      grpcUnit({ service: "pkg.Svc", headerCount: 3 }, { routeName: "a" }),
    );
  });

  test("a gRPC call match precedes an HTTP prefix covering its path", () => {
    expectPrecedes(grpcUnit({ service: "pkg.Svc", method: "Get" }), httpUnit({ pathValue: "/pkg.Svc/Get/more" }));
  });

  test("the hostname still comes first across kinds", () => {
    expectPrecedes(
      httpUnit({ pathValue: "/" }, { hostname: "api.example.com" }),
      grpcUnit({ service: "pkg.Svc", method: "Get" }, { hostname: "*.example.com" }),
    );
  });
});
