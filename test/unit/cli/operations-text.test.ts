/** `plan --diff` lines for the load balancer feature operations: what each does, in a few words. */
import { describe, expect, it } from "vitest";
import { describeOperation } from "../../../cli/render/operations-text.ts";

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
