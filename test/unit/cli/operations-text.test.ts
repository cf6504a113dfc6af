/** The load balancer features in `switchyard plan`: the model's lines and the `--diff` operations. */
import { describe, expect, it } from "vitest";
import { featureLines, listenerAttributesText } from "../../../cli/render/features-text.ts";
import { describeOperation } from "../../../cli/render/operations-text.ts";
import type { ListenerModel, LoadBalancerModel } from "../../../shared/elb/model.ts";

describe("plan --diff lines for load balancer features", () => {
  it("names the creation settings of a new load balancer", () => {
    expect(
      describeOperation({
        op: "CreateLoadBalancer",
        name: "sy-other-nlb",
        type: "network",
        scheme: "internet-facing",
        ipAddressType: "ipv4",
        subnets: [],
        securityGroups: [],
        tags: {},
        subnetMappings: [{ subnetId: "subnet-a", allocationId: "eipalloc-a", sourceNatIpv6Prefix: "auto_assigned" }],
      }),
    ).toBe(
      "+ network load balancer sy-other-nlb (internet-facing, subnet-a eipalloc-a, subnet-a source NAT auto_assigned)",
    );
    expect(
      describeOperation({
        op: "CreateLoadBalancer",
        name: "sy-apps-gw",
        type: "application",
        scheme: "internal",
        ipAddressType: "ipv4",
        subnets: [],
        securityGroups: [],
        tags: {},
        customerOwnedIpv4Pool: "coip-1",
        ipv4IpamPool: "ipam-1",
      }),
    ).toBe("+ application load balancer sy-apps-gw (internal, customer-owned IPv4 pool coip-1, IPv4 IPAM pool ipam-1)");
  });

  it("describes each add-on and listener attribute change", () => {
    expect([
      describeOperation({ op: "AssociateWebACL", webAclArn: "arn:acl" }),
      describeOperation({ op: "DisassociateWebACL", webAclArn: "arn:acl" }),
      describeOperation({ op: "CreateProtection" }),
      describeOperation({ op: "DeleteProtection", protectionId: "p-1" }),
      describeOperation({ op: "ModifyCapacityReservation", minimumCapacityUnits: 100 }),
      describeOperation({ op: "ModifyCapacityReservation" }),
      describeOperation({ op: "ModifyIpPools", ipv4IpamPool: "ipam-1" }),
      describeOperation({ op: "ModifyIpPools" }),
      describeOperation({
        op: "ModifyListenerAttributes",
        listenerId: "TCP:80",
        attributes: { "tcp.idle_timeout.seconds": "600" },
      }),
    ]).toEqual([
      "+ WAFv2 Web ACL arn:acl",
      "- WAFv2 Web ACL arn:acl",
      "+ Shield Advanced protection",
      "- Shield Advanced protection p-1",
      "~ load balancer capacity reservation 100 units",
      "- load balancer capacity reservation (reset)",
      "~ load balancer IPv4 IPAM pool ipam-1",
      "- load balancer IPv4 IPAM pool",
      "~ listener TCP:80: attributes tcp.idle_timeout.seconds",
    ]);
  });
});

describe("the text plan of a load balancer's features", () => {
  it("lists pinned subnet addresses, pools, the reservation, the Web ACL and Shield, and listener attributes", () => {
    const model: LoadBalancerModel = {
      gatewayKey: "other/nlb",
      type: "network",
      name: "sy-other-nlb",
      scheme: "internet-facing",
      ipAddressType: "dualstack",
      subnets: ["subnet-a"],
      securityGroups: [],
      attributes: {},
      tags: {},
      listeners: [],
      targetGroups: [],
      subnetMappings: [{ subnetId: "subnet-a", allocationId: "eipalloc-a", ipv6Address: "2001:db8::a" }],
      minimumCapacityUnits: 100,
      shieldProtection: false,
    };
    expect(featureLines(model)).toEqual([
      "    subnet subnet-a: Elastic IP eipalloc-a, IPv6 2001:db8::a",
      "    capacity reservation 100 units",
      "    Shield Advanced protection off (only switchyard's own is removed)",
    ]);
    expect(
      featureLines({ ...model, subnetMappings: [], minimumCapacityUnits: undefined, shieldProtection: undefined }),
    ).toEqual([]);
    const listener: ListenerModel = {
      id: "TCP:80",
      port: 80,
      protocol: "TCP",
      defaultActions: [],
      rules: [],
      gatewayListeners: [],
      tags: {},
      attributes: { "tcp.idle_timeout.seconds": "600" },
    };
    expect(listenerAttributesText(listener)).toBe(" attributes tcp.idle_timeout.seconds=600");
    expect(listenerAttributesText({ ...listener, attributes: {} })).toBe("");
  });
});
