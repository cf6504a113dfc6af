/** Lattice names: the controller's `<route[:20]>-<ns[:18]>`, hashed when that is invalid or ambiguous. */
import { describe, expect, test } from "vitest";
import {
  latticeNameProblem,
  parseServiceNetworkRef,
  SERVICE_NAME_MAX,
  serviceName,
  targetGroupName,
} from "../../../shared/lattice/naming.ts";

describe("service names", () => {
  test("a short route keeps the Lattice controller's name", () => {
    expect(serviceName("HTTPRoute", "apps", "web")).toBe("web-apps");
  });

  test("a name the controller would truncate is hashed, so two long names never collide", () => {
    const a = serviceName("HTTPRoute", "apps", "checkout-service-route-a");
    const b = serviceName("HTTPRoute", "apps", "checkout-service-route-b");
    expect(a).not.toBe(b);
    expect(a.startsWith("checkout-service-rou")).toBe(true);
  });

  test.each([
    ["HTTPRoute", "a".repeat(253), "n".repeat(63)],
    ["GRPCRoute", "web.v2", "apps"],
    ["HTTPRoute", "svc-web", "apps"],
    ["HTTPRoute", "x", "y"],
  ])("%s %s/%s gets a valid name within 40 characters", (kind, name, ns) => {
    const result = serviceName(kind, ns, name);
    expect(latticeNameProblem(result, SERVICE_NAME_MAX, "svc-")).toBeUndefined();
  });

  test("names are deterministic", () => {
    expect(serviceName("HTTPRoute", "apps", "a".repeat(50))).toBe(serviceName("HTTPRoute", "apps", "a".repeat(50)));
  });

  test("the same long name of two route kinds gives two names", () => {
    const long = "a-route-name-longer-than-twenty";
    expect(serviceName("HTTPRoute", "apps", long)).not.toBe(serviceName("GRPCRoute", "apps", long));
  });
});

describe("name rules", () => {
  test.each([
    ["ab", "must be 3–40 characters"],
    ["a".repeat(41), "must be 3–40 characters"],
    ["Web-Apps", "lowercase"],
    ["web--apps", "single hyphens"],
    ["-web", "start or end with a hyphen"],
    ["svc-web", "may not start with svc-"],
  ])("%s is refused (%s)", (name, reason) => {
    expect(latticeNameProblem(name, SERVICE_NAME_MAX, "svc-")).toContain(reason);
  });

  test("target group names stay within 128 characters and depend on the cluster and the owner", () => {
    const a = targetGroupName("c1", "ns/gw", "n".repeat(63), "s".repeat(63), 8080, "id");
    expect(a.length).toBeLessThanOrEqual(128);
    expect(latticeNameProblem(a, 128)).toBeUndefined();
    expect(a).not.toBe(targetGroupName("c2", "ns/gw", "n".repeat(63), "s".repeat(63), 8080, "id"));
    expect(a).not.toBe(targetGroupName("c1", "ns/other", "n".repeat(63), "s".repeat(63), 8080, "id"));
  });
});

describe("service network references", () => {
  test.each([
    ["my-net", { kind: "name", name: "my-net" }],
    ["sn-0123456789abcdef0", { kind: "id", id: "sn-0123456789abcdef0" }],
    [
      "arn:aws:vpc-lattice:us-east-1:444455556666:servicenetwork/sn-0123456789abcdef0",
      { kind: "arn", arn: "arn:aws:vpc-lattice:us-east-1:444455556666:servicenetwork/sn-0123456789abcdef0" },
    ],
  ])("%s is a %o", (text, expected) => {
    expect(parseServiceNetworkRef(text)).toEqual(expected);
  });

  test.each(["My_Net", "arn:aws:s3:::bucket", "gw.example"])("%s is refused with the reason", (text) => {
    expect(parseServiceNetworkRef(text)).toHaveProperty("problem");
  });
});
