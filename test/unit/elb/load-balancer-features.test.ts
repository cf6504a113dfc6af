/**
 * LoadBalancerConfiguration settings beyond the basics: what each becomes in the desired model, and
 * the precise UnsupportedValue for what AWS cannot do on the Gateway's load balancer.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { isQuic, quicListenerProtocol, quicServerId } from "../../../shared/elb/listener-features.ts";
import { canonicalIpv6, canonicalPrefix, loadBalancerFeatures } from "../../../shared/elb/load-balancer-features.ts";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { GatewayStatusUpdate } from "../../../shared/status/compute.ts";
import { translate } from "../../../shared/translate.ts";
import { serviceManifests } from "../../fixtures/services.ts";

interface Outcome {
  model: LoadBalancerModel | undefined;
  accepted: { status: string; reason: string; message: string } | undefined;
}

/** A Gateway `apps/gw` of `dataPlane` whose infrastructure names LoadBalancerConfiguration `apps/lbc`. */
function build(options: {
  dataPlane: "alb" | "nlb";
  spec: string;
  listeners?: string;
  classSpec?: string;
  routeKind?: string;
}): Outcome {
  const listeners =
    options.listeners ??
    (options.dataPlane === "alb"
      ? "[{name: http, port: 80, protocol: HTTP}]"
      : "[{name: tcp, port: 5432, protocol: TCP}]");
  const classRef = options.classSpec
    ? "\n  parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: class-lbc, namespace: apps}"
    : "";
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cls}
spec:
  controllerName: switchyard.dev/${options.dataPlane}${classRef}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: lbc, namespace: apps}
spec: ${options.spec}
${
  options.classSpec
    ? `---
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: class-lbc, namespace: apps}
spec: ${options.classSpec}
`
    : ""
}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps, generation: 1}
spec:
  gatewayClassName: cls
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: lbc}
  listeners: ${listeners}
${serviceManifests({ name: "web", addresses: ["10.0.0.1", "10.0.0.2"] })}---
apiVersion: gateway.networking.k8s.io/v1
kind: ${options.routeKind ?? (options.dataPlane === "alb" ? "HTTPRoute" : "TCPRoute")}
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.rejected).toEqual([]);
  const { loadBalancers, statuses } = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "t" });
  const gateway = statuses.find((s): s is GatewayStatusUpdate => s.kind === "Gateway" && "conditions" in s);
  const accepted = gateway?.conditions.find((c) => c.type === "Accepted");
  return {
    model: loadBalancers[0]?.model,
    accepted: accepted && { status: accepted.status, reason: accepted.reason, message: accepted.message },
  };
}

function refusal(outcome: Outcome): string {
  expect(outcome.model).toBeUndefined();
  expect(outcome.accepted).toMatchObject({ status: "False", reason: "UnsupportedValue" });
  return outcome.accepted?.message ?? "";
}

const ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/shop/0123";

describe("the desired model of each setting", () => {
  it("maps every setting to its model field, and leaves the model untouched without them", () => {
    expect(
      loadBalancerFeatures({
        customerOwnedIpv4Pool: "ipv4pool-coip-1",
        ipv4IPAMPoolId: "ipam-pool-1",
        minimumLoadBalancerCapacity: { capacityUnits: 100 },
        wafV2: { webACL: ACL },
        shieldConfiguration: { enabled: false },
      }),
    ).toEqual({
      customerOwnedIpv4Pool: "ipv4pool-coip-1",
      ipv4IpamPool: "ipam-pool-1",
      minimumCapacityUnits: 100,
      webAcl: ACL,
      shieldProtection: false,
    });
    expect(loadBalancerFeatures({ scheme: "internal", loadBalancerSubnets: [{ identifier: "subnet-a" }] })).toEqual({});
  });

  it("reads zero capacity units and an empty Web ACL as none, as the AWS Load Balancer Controller does", () => {
    expect(loadBalancerFeatures({ minimumLoadBalancerCapacity: { capacityUnits: 0 }, wafV2: { webACL: "" } })).toEqual(
      {},
    );
  });

  it("sends subnet mappings only when a subnet pins an address, with IPv6 in canonical form", () => {
    const features = loadBalancerFeatures({
      loadBalancerSubnets: [
        { identifier: "subnet-a", ipv6Allocation: "2001:DB8:0:0::1", sourceNatIPv6Prefix: "2001:db8:0:0:1:0:0:0/80" },
        { identifier: "subnet-b", ipv6Allocation: "2001:db8::2", sourceNatIPv6Prefix: "auto_assigned" },
      ],
    });
    expect(features.subnetMappings).toEqual([
      { subnetId: "subnet-a", ipv6Address: "2001:db8::1", sourceNatIpv6Prefix: "2001:db8:0:0:1::/80" },
      { subnetId: "subnet-b", ipv6Address: "2001:db8::2", sourceNatIpv6Prefix: "auto_assigned" },
    ]);
    expect(canonicalIpv6("not-an-address")).toBe("not-an-address");
    expect(canonicalPrefix("auto_assigned")).toBe("auto_assigned");
  });

  it("builds an accepted ALB with the Web ACL, Shield protection and capacity in its model", () => {
    const { model, accepted } = build({
      dataPlane: "alb",
      spec: `{wafV2: {webACL: "${ACL}"}, shieldConfiguration: {enabled: true}, minimumLoadBalancerCapacity: {capacityUnits: 200}}`,
    });
    expect(accepted?.status).toBe("True");
    expect(model).toMatchObject({ webAcl: ACL, shieldProtection: true, minimumCapacityUnits: 200 });
  });

  it("gives an ALB listener its listener attributes, keyed by protocolPort", () => {
    const { model } = build({
      dataPlane: "alb",
      spec: `{listenerConfigurations: [{protocolPort: "HTTP:80", listenerAttributes: [{key: routing.http.response.server.enabled, value: "false"}]}]}`,
    });
    expect(model?.listeners[0]?.attributes).toEqual({ "routing.http.response.server.enabled": "false" });
  });

  it("turns an NLB UDP listener with quicEnabled into QUIC, its target group into QUIC, its targets into server IDs", () => {
    const { model } = build({
      dataPlane: "nlb",
      spec: `{disableSecurityGroup: true, listenerConfigurations: [{protocolPort: "UDP:443", quicEnabled: true}]}`,
      listeners: "[{name: h3, port: 443, protocol: UDP}]",
      routeKind: "UDPRoute",
    });
    expect(model?.listeners.map((l) => [l.id, l.protocol])).toEqual([["QUIC:443", "QUIC"]]);
    expect(model?.targetGroups.map((tg) => [tg.protocol, tg.targets.map((t) => t.quicServerId)])).toEqual([
      ["QUIC", ["0x000000000a000001", "0x000000000a000002"]],
    ]);
  });
});

describe("QUIC", () => {
  it("upgrades UDP to QUIC and TCP_UDP to TCP_QUIC only when enabled", () => {
    const on = { protocolPort: "UDP:443", quicEnabled: true };
    expect(quicListenerProtocol("UDP", on)).toBe("QUIC");
    expect(quicListenerProtocol("TCP_UDP", on)).toBe("TCP_QUIC");
    expect(quicListenerProtocol("TCP", on)).toBe("TCP");
    expect(quicListenerProtocol("UDP", { protocolPort: "UDP:443", quicEnabled: false })).toBe("UDP");
    expect(quicListenerProtocol("UDP", undefined)).toBe("UDP");
    expect([isQuic("QUIC"), isQuic("TCP_QUIC"), isQuic("UDP")]).toEqual([true, true, false]);
  });

  it("derives a target's server ID from its IPv4 address: 0x, 8 zeros, the address in hex", () => {
    expect(quicServerId("10.1.0.7")).toBe("0x000000000a010007");
    expect(quicServerId("255.255.255.255")).toBe("0x00000000ffffffff");
    expect(quicServerId("0.0.0.0")).toBe("0x0000000000000000");
    expect(quicServerId("2001:db8::1")).toBeUndefined();
    expect(quicServerId("10.1.0.256")).toBeUndefined();
  });
});

describe("what AWS cannot do on this load balancer is UnsupportedValue, naming the field", () => {
  it("refuses a CloudFront (global) Web ACL and an ARN that is not a Web ACL on an ALB", () => {
    expect(
      refusal(
        build({
          dataPlane: "alb",
          spec: `{wafV2: {webACL: "arn:aws:wafv2:us-east-1:111122223333:global/webacl/cdn/1"}}`,
        }),
      ),
    ).toContain(
      "spec.wafV2.webACL: arn:aws:wafv2:us-east-1:111122223333:global/webacl/cdn/1 is a CloudFront (global) Web ACL",
    );
    expect(refusal(build({ dataPlane: "alb", spec: `{wafV2: {webACL: "shop"}}` }))).toContain(
      'spec.wafV2.webACL: "shop" is not a regional WAFv2 Web ACL ARN',
    );
  });

  it("allows shieldConfiguration.enabled: false on an NLB (nothing to protect or remove)", () => {
    const { model, accepted } = build({ dataPlane: "nlb", spec: "{shieldConfiguration: {enabled: false}}" });
    expect(accepted?.status).toBe("True");
    expect(model?.shieldProtection).toBe(false);
  });

  it("refuses capacity units that are not a whole number of units", () => {
    expect(refusal(build({ dataPlane: "alb", spec: "{minimumLoadBalancerCapacity: {capacityUnits: -5}}" }))).toContain(
      "spec.minimumLoadBalancerCapacity.capacityUnits: -5 is not a whole number of capacity units",
    );
  });

  it("refuses pinned addresses that do not fit the NLB's scheme or address type", () => {
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: "{scheme: internal, loadBalancerSubnets: [{identifier: subnet-a, eipAllocation: eipalloc-1}]}",
        }),
      ),
    ).toContain(
      "spec.loadBalancerSubnets[0].eipAllocation: an Elastic IP per subnet needs an internet-facing load balancer",
    );
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: "{scheme: internet-facing, loadBalancerSubnets: [{identifier: subnet-a, privateIPv4Allocation: 10.0.0.5}]}",
        }),
      ),
    ).toContain(
      "spec.loadBalancerSubnets[0].privateIPv4Allocation: a private IPv4 address per subnet needs an internal load balancer",
    );
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: `{loadBalancerSubnets: [{identifier: subnet-a, ipv6Allocation: "2001:db8::1"}]}`,
        }),
      ),
    ).toContain(
      "spec.loadBalancerSubnets[0].ipv6Allocation: an IPv6 address per subnet needs a dualstack load balancer",
    );
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: "{loadBalancerSubnets: [{identifier: subnet-a, sourceNatIPv6Prefix: auto_assigned}]}",
        }),
      ),
    ).toContain(
      "spec.loadBalancerSubnets[0].sourceNatIPv6Prefix: a source NAT IPv6 prefix per subnet needs a dualstack load balancer",
    );
  });

  it("refuses malformed pinned addresses and a mapping without a subnet id", () => {
    const message = refusal(
      build({
        dataPlane: "nlb",
        spec: `{scheme: internal, loadBalancerSubnets: [{identifier: subnet-a, privateIPv4Allocation: 10.0.0.300}, {identifier: subnet-b, privateIPv4Allocation: "2001:db8::1"}]}`,
      }),
    );
    expect(message).toContain('spec.loadBalancerSubnets[0].privateIPv4Allocation: "10.0.0.300" is not an IPv4 address');
    expect(message).toContain(
      'spec.loadBalancerSubnets[1].privateIPv4Allocation: "2001:db8::1" is not an IPv4 address',
    );
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: "{scheme: internal, loadBalancerSubnets: [{privateIPv4Allocation: 10.0.0.5}]}",
        }),
      ),
    ).toContain("spec.loadBalancerSubnets[0].identifier: a subnet that pins addresses must be named by its id");
    expect(
      refusal(
        build({
          dataPlane: "nlb",
          spec: `{ipAddressType: dualstack, loadBalancerSubnets: [{identifier: subnet-a, sourceNatIPv6Prefix: "2001:db8::/64"}]}`,
        }),
      ),
    ).toContain('"2001:db8::/64" is not an IPv6 /80 prefix or auto_assigned');
  });

  it("refuses QUIC on a dualstack NLB and on an NLB with security groups", () => {
    const quic = `listenerConfigurations: [{protocolPort: "UDP:443", quicEnabled: true}]`;
    const udp = "[{name: h3, port: 443, protocol: UDP}]";
    expect(refusal(build({ dataPlane: "nlb", spec: `{ipAddressType: dualstack, ${quic}}`, listeners: udp }))).toContain(
      "spec.listenerConfigurations[0].quicEnabled: a dualstack Network Load Balancer cannot have QUIC listeners",
    );
    expect(
      refusal(build({ dataPlane: "nlb", spec: `{securityGroups: [sg-0123456789abcdef0], ${quic}}`, listeners: udp })),
    ).toContain(
      "spec.listenerConfigurations[0].quicEnabled: a Network Load Balancer with security groups (sg-0123456789abcdef0) cannot have QUIC listeners",
    );
    // The groups switchyard makes by default count too: the way out is named.
    expect(refusal(build({ dataPlane: "nlb", spec: `{${quic}}`, listeners: udp }))).toContain(
      "with security groups (switchyard's frontend group, switchyard's backend group) cannot have QUIC listeners; set disableSecurityGroup: true",
    );
    expect(
      build({ dataPlane: "nlb", spec: `{disableSecurityGroup: true, ${quic}}`, listeners: udp, routeKind: "UDPRoute" })
        .accepted?.status,
    ).toBe("True");
  });

  it("refuses two QUIC listeners on one NLB", () => {
    const message = refusal(
      build({
        dataPlane: "nlb",
        spec: `{listenerConfigurations: [{protocolPort: "UDP:443", quicEnabled: true}, {protocolPort: "UDP:8443", quicEnabled: true}]}`,
        listeners: "[{name: a, port: 443, protocol: UDP}, {name: b, port: 8443, protocol: UDP}]",
        routeKind: "UDPRoute",
      }),
    );
    expect(message).toContain(
      "a Network Load Balancer has at most one QUIC or TCP_QUIC listener, not QUIC:443, QUIC:8443",
    );
  });

  it("judges a setting in the configuration whose value the merge kept, and names that configuration", () => {
    // The GatewayClass's configuration wins by default: its quicEnabled false overrides the Gateway's true.
    const kept = build({
      dataPlane: "nlb",
      spec: `{listenerConfigurations: [{protocolPort: "TCP:5432", quicEnabled: true}]}`,
      classSpec: `{listenerConfigurations: [{protocolPort: "TCP:5432", quicEnabled: false}]}`,
    });
    expect(kept.accepted?.status).toBe("True");
    // The other way round, the class's value is in effect and is named.
    const named = build({
      dataPlane: "nlb",
      spec: "{}",
      classSpec: `{wafV2: {webACL: "${ACL}"}}`,
    });
    expect(refusal(named)).toContain("LoadBalancerConfiguration apps/class-lbc spec.wafV2:");
  });
});
