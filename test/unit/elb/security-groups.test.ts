/** The security groups a load balancer gets from its LoadBalancerConfiguration (shared/elb/security-groups.ts). */
import { describe, expect, it } from "vitest";
import type { TargetGroupModel } from "../../../shared/elb/model.ts";
import type { ListenerProtocol } from "../../../shared/elb/rules.ts";
import {
  buildSecurityGroups,
  frontendIngress,
  type SecurityGroupBuildInput,
  targetAccess,
} from "../../../shared/elb/security-groups.ts";
import type { LoadBalancerConfigurationSpec } from "../../../shared/extensions/aws-lbc.ts";
import { HTTP_HEALTH_CHECK } from "../../fixtures/health-checks.ts";

const HTTP80 = [{ port: 80, protocol: "HTTP" as const }];

function build(spec: LoadBalancerConfigurationSpec, more: Partial<SecurityGroupBuildInput> = {}) {
  return buildSecurityGroups({
    clusterId: "prod",
    gatewayKey: "apps/web",
    type: "application",
    ipAddressType: "ipv4",
    spec,
    listeners: HTTP80,
    tags: {},
    ...more,
  });
}

function rules(
  spec: LoadBalancerConfigurationSpec,
  ipAddressType: "ipv4" | "dualstack" = "ipv4",
  listeners: readonly { port: number; protocol: ListenerProtocol }[] = HTTP80,
) {
  return frontendIngress(spec, ipAddressType, listeners)
    .map((p) => `${p.protocol} ${p.fromPort}-${p.toPort} ${p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId}`)
    .sort();
}

describe("the frontend group's inbound rules", () => {
  it("default to every IPv4 address on each listener port", () => {
    expect(rules({})).toEqual(["tcp 80-80 0.0.0.0/0"]);
  });

  it("add every IPv6 address when the load balancer is dual-stack", () => {
    expect(rules({}, "dualstack")).toEqual(["tcp 80-80 0.0.0.0/0", "tcp 80-80 ::/0"]);
  });

  it("come from sourceRanges when given, canonical, one rule per range and port", () => {
    const listeners = [
      { port: 80, protocol: "HTTP" as const },
      { port: 443, protocol: "HTTPS" as const },
    ];
    expect(rules({ sourceRanges: ["10.1.2.3/8", "2001:DB8::/32"] }, "ipv4", listeners)).toEqual([
      "tcp 443-443 10.0.0.0/8",
      "tcp 443-443 2001:db8::/32",
      "tcp 80-80 10.0.0.0/8",
      "tcp 80-80 2001:db8::/32",
    ]);
  });

  it("admit only the prefix lists when securityGroupPrefixes is given without sourceRanges", () => {
    expect(rules({ securityGroupPrefixes: ["pl-0123456789abcdef0"] })).toEqual(["tcp 80-80 pl-0123456789abcdef0"]);
  });

  it("admit both the ranges and the prefix lists when both are given", () => {
    expect(rules({ sourceRanges: ["10.0.0.0/8"], securityGroupPrefixes: ["pl-00000001"] })).toEqual([
      "tcp 80-80 10.0.0.0/8",
      "tcp 80-80 pl-00000001",
    ]);
  });

  it("open UDP for a UDP listener and both transports for TCP_UDP", () => {
    expect(
      rules({}, "ipv4", [
        { port: 53, protocol: "TCP_UDP" },
        { port: 514, protocol: "UDP" },
      ]),
    ).toEqual(["tcp 53-53 0.0.0.0/0", "udp 514-514 0.0.0.0/0", "udp 53-53 0.0.0.0/0"]);
  });

  it("with enableICMP, admit ICMP fragmentation-needed (3/4) and ICMPv6 packet-too-big (2/0) per range", () => {
    expect(rules({ enableICMP: true, sourceRanges: ["10.0.0.0/8", "::/0"] })).toEqual([
      "icmp 3-4 10.0.0.0/8",
      "icmpv6 2-0 ::/0",
      "tcp 80-80 10.0.0.0/8",
      "tcp 80-80 ::/0",
    ]);
    // Not for prefix lists: the controller adds ICMP per range only.
    expect(rules({ enableICMP: true, securityGroupPrefixes: ["pl-00000001"] })).toEqual(["tcp 80-80 pl-00000001"]);
  });
});

describe("which groups switchyard manages", () => {
  it("by default: the Gateway's frontend group and the cluster's backend group", () => {
    const sg = build({});
    expect(sg.frontend?.name).toMatch(/^sy-apps-web-[0-9a-f]{10}$/);
    expect(sg.frontend?.tags).toMatchObject({
      "switchyard.dev/gateway": "apps/web",
      "switchyard.dev/role": "frontend-security-group",
    });
    expect(sg.backend?.name).toMatch(/^sy-backend-prod-[0-9a-f]{10}$/);
    expect(sg.backend?.tags).not.toHaveProperty("switchyard.dev/gateway");
    expect(sg.backend?.ruleTags).toMatchObject({ "switchyard.dev/role": "backend-ingress" });
    expect(Object.entries(sg.backend?.ruleTags ?? {})).toContainEqual([
      expect.stringMatching(/^switchyard\.dev\/claim\//),
      "apps/web",
    ]);
  });

  it("the backend group is one per cluster; the frontend group one per Gateway", () => {
    const other = build({}, { gatewayKey: "apps/api" });
    expect(other.backend?.name).toBe(build({}).backend?.name);
    expect(other.frontend?.name).not.toBe(build({}).frontend?.name);
    expect(build({}, { clusterId: "staging" }).backend?.name).not.toBe(build({}).backend?.name);
  });

  it("configured tags go on the frontend group, not on the shared backend group", () => {
    const sg = build({}, { tags: { team: "shop" } });
    expect(sg.frontend?.tags).toMatchObject({ team: "shop" });
    expect(sg.backend?.tags).not.toHaveProperty("team");
  });

  it("with the configuration's own securityGroups: none, unless manageBackendSecurityGroupRules", () => {
    expect(build({ securityGroups: ["sg-0123456789abcdef0"] })).toEqual({});
    const managed = build({ securityGroups: ["sg-0123456789abcdef0"], manageBackendSecurityGroupRules: true });
    expect(managed.frontend).toBeUndefined();
    expect(managed.backend?.name).toMatch(/^sy-backend-prod-/);
  });

  it("a Network Load Balancer with disableSecurityGroup gets none", () => {
    expect(build({ disableSecurityGroup: true }, { type: "network" })).toEqual({});
  });

  it("the PrivateLink setting is kept for a Network Load Balancer only", () => {
    const spec = { enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off" };
    expect(build(spec, { type: "network" }).enforceInboundRulesOnPrivateLinkTraffic).toBe("off");
    expect(build(spec).enforceInboundRulesOnPrivateLinkTraffic).toBeUndefined();
  });
});

describe("what the backend group must reach on the targets", () => {
  function group(protocol: TargetGroupModel["protocol"], port: string, targets: [string, number][]) {
    return {
      protocol,
      healthCheck: { ...HTTP_HEALTH_CHECK, port },
      targets: targets.map(([id, p]) => ({ id, port: p })),
    };
  }

  it("each target's port, the health checks riding on it", () => {
    expect(targetAccess({ targetGroups: [group("HTTP", "traffic-port", [["10.0.0.1", 8080]])] })).toEqual([
      { ip: "10.0.0.1", protocol: "tcp", port: 8080 },
    ]);
  });

  it("a separate health-check port over TCP", () => {
    expect(targetAccess({ targetGroups: [group("HTTP", "9000", [["10.0.0.1", 8080]])] })).toEqual([
      { ip: "10.0.0.1", protocol: "tcp", port: 8080 },
      { ip: "10.0.0.1", protocol: "tcp", port: 9000 },
    ]);
  });

  it("UDP targets over UDP, their health checks over TCP; TCP_UDP over both", () => {
    expect(
      targetAccess({
        targetGroups: [
          group("UDP", "traffic-port", [["10.0.0.1", 53]]),
          group("TCP_UDP", "traffic-port", [["10.0.0.2", 53]]),
        ],
      }),
    ).toEqual([
      { ip: "10.0.0.1", protocol: "tcp", port: 53 },
      { ip: "10.0.0.1", protocol: "udp", port: 53 },
      { ip: "10.0.0.2", protocol: "tcp", port: 53 },
      { ip: "10.0.0.2", protocol: "udp", port: 53 },
    ]);
  });

  it("once per target and port however many groups share it", () => {
    const g = group("HTTP", "traffic-port", [["10.0.0.1", 8080]]);
    expect(targetAccess({ targetGroups: [g, g] })).toHaveLength(1);
  });
});
