import { describe, expect, test } from "vitest";
import { conditionOf, gateway, graphOf, statusesOf, statusOf } from "./fixtures.ts";

const terminate = {
  name: "terminate",
  port: 8443,
  protocol: "TLS",
  hostname: "terminate.example.com",
  tls: { mode: "Terminate" as const, options: { "switchyard.dev/certificate-arn": "arn:aws:acm:::certificate/x" } },
};
const passthrough = {
  name: "passthrough",
  port: 8443,
  protocol: "TLS",
  hostname: "passthrough.example.com",
  tls: { mode: "Passthrough" as const },
};

describe("listener conflicts", () => {
  test("TLS Terminate and Passthrough listeners on one port are a ProtocolConflict, not a HostnameConflict", () => {
    const [gw] = graphOf(gateway("gw", "nlb", [terminate, passthrough])).gateways;
    expect(gw?.listeners.map((l) => l.conflict?.reason)).toEqual(["ProtocolConflict", "ProtocolConflict"]);
  });

  test("Terminate beside Passthrough on one port lists no supported kinds; another ProtocolConflict keeps its kinds", () => {
    const mixed = statusOf(statusesOf(gateway("gw", "nlb", [terminate, passthrough])), "Gateway", "gw").listeners;
    expect(mixed.map((l) => l.supportedKinds)).toEqual([[], []]);
    const protocols = statusOf(
      statusesOf(
        gateway("gw", "alb", [
          { name: "http", port: 80, protocol: "HTTP" },
          { name: "https-on-80", port: 80, protocol: "HTTPS", tls: terminate.tls },
        ]),
      ),
      "Gateway",
      "gw",
    ).listeners;
    expect(protocols.map((l) => l.supportedKinds.map((k) => k.kind))).toEqual([
      ["HTTPRoute"],
      ["HTTPRoute", "GRPCRoute"],
    ]);
  });

  test("a conflicted listener reports the conflict reason on Programmed", () => {
    const updates = statusesOf(
      gateway("gw", "alb", [
        { name: "http", port: 80, protocol: "HTTP" },
        { name: "https-on-80", port: 80, protocol: "HTTPS", tls: terminate.tls },
        { name: "alt", port: 8080, protocol: "HTTP" },
      ]),
    );
    const listener = statusOf(updates, "Gateway", "gw").listeners[0];
    expect(conditionOf(listener?.conditions ?? [], "Programmed")).toMatchObject({
      status: "False",
      reason: "ProtocolConflict",
    });
  });
});

describe("overlapping TLS configuration", () => {
  const tls = { options: { "switchyard.dev/certificate-arn": "arn:aws:acm:::certificate/x" } };
  const https = (name: string, hostname: string) => ({ name, port: 443, protocol: "HTTPS", hostname, tls });

  test("terminating listeners on one port with overlapping hostnames both report OverlappingTLSConfig", () => {
    const updates = statusesOf(
      gateway("gw", "alb", [https("wildcard", "*.example.com"), https("foo", "foo.example.com")]),
    );
    const listeners = statusOf(updates, "Gateway", "gw").listeners;
    for (const l of listeners) {
      expect(conditionOf(l.conditions, "OverlappingTLSConfig")).toMatchObject({
        status: "True",
        reason: "OverlappingHostnames",
      });
      expect(conditionOf(l.conditions, "Accepted")).toMatchObject({ status: "True" });
    }
  });

  test("disjoint hostnames carry no OverlappingTLSConfig condition at all", () => {
    const updates = statusesOf(gateway("gw", "alb", [https("a", "a.example.com"), https("b", "b.example.com")]));
    for (const l of statusOf(updates, "Gateway", "gw").listeners) {
      expect(conditionOf(l.conditions, "OverlappingTLSConfig")).toBeUndefined();
    }
  });
});

describe("listener Programmed on a Gateway that is not accepted", () => {
  test("a valid listener says its parent is not accepted rather than calling itself invalid", () => {
    const updates = statusesOf(
      gateway("gw", "alb", [{ name: "http", port: 80, protocol: "HTTP" }], {
        addresses: [{ type: "IPAddress", value: "192.0.2.1" }],
      }),
    );
    const listener = statusOf(updates, "Gateway", "gw").listeners[0];
    expect(conditionOf(listener?.conditions ?? [], "Programmed")).toMatchObject({
      status: "False",
      reason: "Invalid",
      message: "its parent is not accepted",
    });
  });
});
