import { describe, expect, it } from "vitest";
import {
  albRequest,
  forwardedHeaders,
  headerRecord,
  pickTarget,
  pickTargetGroup,
  routableTargets,
  splitTarget,
} from "./alb-routing.ts";

describe("the request the emulator hands to the ALB evaluator", () => {
  it("keeps every value of a repeated header, in order, under the lower-cased name", () => {
    expect(headerRecord(["X-Env", "a", "Host", "h", "x-env", "b"])).toEqual({ "x-env": ["a", "b"], host: ["h"] });
  });

  it("splits path from raw query; an empty request-target is the root", () => {
    expect(splitTarget("/a/b?x=1&y")).toEqual({ path: "/a/b", query: "x=1&y" });
    expect(splitTarget("/a")).toEqual({ path: "/a" });
    expect(splitTarget("?q")).toEqual({ path: "/", query: "q" });
  });

  it("takes the Host header verbatim and the peer address without its IPv4-mapped prefix", () => {
    const request = albRequest(
      { method: "GET", url: "/p?q=1", rawHeaders: ["Host", "www.example.com:80"], remoteAddress: "::ffff:127.0.0.9" },
      "http",
      80,
    );
    expect(request).toEqual({
      method: "GET",
      scheme: "http",
      host: "www.example.com:80",
      port: 80,
      path: "/p",
      query: "q=1",
      headers: { host: ["www.example.com:80"] },
      sourceIp: "127.0.0.9",
    });
  });
});

describe("weighted target group choice", () => {
  const shares = [
    { targetGroupId: "a", weight: 3, share: 0.75 },
    { targetGroupId: "zero", weight: 0, share: 0 },
    { targetGroupId: "b", weight: 1, share: 0.25 },
  ];

  it("lays the shares end to end on [0, 1)", () => {
    expect(pickTargetGroup(shares, 0)?.targetGroupId).toBe("a");
    expect(pickTargetGroup(shares, 0.7499)?.targetGroupId).toBe("a");
    expect(pickTargetGroup(shares, 0.75)?.targetGroupId).toBe("b");
    expect(pickTargetGroup(shares, 0.9999999)?.targetGroupId).toBe("b");
  });

  it("never picks a group of weight 0, and picks nothing from no groups", () => {
    const picked = new Set([0, 0.2, 0.5, 0.75, 0.8, 0.99].map((r) => pickTargetGroup(shares, r)?.targetGroupId));
    expect(picked.has("zero")).toBe(false);
    expect(pickTargetGroup([], 0.5)).toBeUndefined();
  });
});

describe("target choice", () => {
  const healthy = { ip: "127.1.0.1", port: 8080, state: "healthy" };
  const unhealthy = { ip: "127.1.0.2", port: 8080, state: "unhealthy" };
  const draining = { ip: "127.1.0.3", port: 8080, state: "draining" };

  it("routes to healthy targets only while there are any", () => {
    expect(routableTargets([unhealthy, healthy, draining])).toEqual([healthy]);
  });

  it("fails open to every non-draining target when none is healthy", () => {
    expect(routableTargets([unhealthy, draining])).toEqual([unhealthy]);
  });

  it("has nothing to route to in an empty group", () => {
    expect(pickTarget([], 0.3)).toBeUndefined();
    expect(pickTarget([draining], 0.3)).toBeUndefined();
  });

  it("spreads requests over the routable targets by the random number", () => {
    const two = [healthy, { ...healthy, ip: "127.1.0.4" }];
    expect(pickTarget(two, 0.1)?.ip).toBe("127.1.0.1");
    expect(pickTarget(two, 0.9)?.ip).toBe("127.1.0.4");
  });
});

describe("headers a target receives", () => {
  const request = albRequest(
    {
      method: "GET",
      url: "/",
      rawHeaders: ["Host", "a.example", "Connection", "keep-alive", "X-Forwarded-For", "10.0.0.1", "X-Custom", "v"],
    },
    "http",
    8080,
  );

  it("drops hop-by-hop headers, sets Host as transformed and appends to X-Forwarded-For", () => {
    expect(forwardedHeaders(request, "b.example", "127.0.0.5")).toEqual({
      host: "b.example",
      "x-forwarded-for": "10.0.0.1, 127.0.0.5",
      "x-forwarded-proto": "http",
      "x-forwarded-port": "8080",
      "x-custom": ["v"],
    });
  });
});
