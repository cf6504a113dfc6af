/**
 * The creation settings ↔ ELBv2 SDK shapes, against the API reference's documented shapes (moto
 * neither reports load balancer addresses nor the customer-owned and IPAM pools: QUIRKS.md LB3, LB4).
 */
import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { addOnsOf, creationSettingsFrom, toSdkCreationSettings } from "../../../shared/aws/elbv2/features.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";

type Create = Extract<ElbOperation, { op: "CreateLoadBalancer" }>;

function create(overrides: Partial<Create> = {}): Create {
  return {
    op: "CreateLoadBalancer",
    name: "sy-apps-gw",
    type: "network",
    scheme: "internet-facing",
    ipAddressType: "ipv4",
    subnets: [],
    securityGroups: [],
    tags: {},
    ...overrides,
  };
}

describe("CreateLoadBalancer's creation settings", () => {
  it("sends plain Subnets when no address is pinned", () => {
    expect(toSdkCreationSettings(create(), ["subnet-a", "subnet-b"])).toEqual({ Subnets: ["subnet-a", "subnet-b"] });
  });

  it("sends SubnetMappings, never Subnets, when the model pins addresses", () => {
    const settings = toSdkCreationSettings(
      create({
        subnetMappings: [
          { subnetId: "subnet-a", allocationId: "eipalloc-a", ipv6Address: "2001:db8::a" },
          { subnetId: "subnet-b", privateIPv4Address: "10.0.1.5" },
        ],
      }),
      ["subnet-a", "subnet-b"],
    );
    expect(settings).toEqual({
      SubnetMappings: [
        { SubnetId: "subnet-a", AllocationId: "eipalloc-a", IPv6Address: "2001:db8::a" },
        { SubnetId: "subnet-b", PrivateIPv4Address: "10.0.1.5" },
      ],
    });
  });

  it("turns EnablePrefixForIpv6SourceNat on when a subnet has a source NAT prefix", () => {
    const settings = toSdkCreationSettings(
      create({ subnetMappings: [{ subnetId: "subnet-a", sourceNatIpv6Prefix: "auto_assigned" }] }),
      ["subnet-a"],
    );
    expect(settings).toMatchObject({
      SubnetMappings: [{ SubnetId: "subnet-a", SourceNatIpv6Prefix: "auto_assigned" }],
      EnablePrefixForIpv6SourceNat: "on",
    });
  });

  it("sends the customer-owned and IPAM pools", () => {
    expect(
      toSdkCreationSettings(create({ customerOwnedIpv4Pool: "coip-1", ipv4IpamPool: "ipam-1" }), ["subnet-a"]),
    ).toEqual({ Subnets: ["subnet-a"], CustomerOwnedIpv4Pool: "coip-1", IpamPools: { Ipv4IpamPoolId: "ipam-1" } });
  });
});

describe("a described load balancer's creation settings", () => {
  it("reads pinned addresses and source NAT prefixes per subnet, IPv6 in canonical form", () => {
    const lb: LoadBalancer = {
      CustomerOwnedIpv4Pool: "coip-1",
      IpamPools: { Ipv4IpamPoolId: "ipam-1" },
      AvailabilityZones: [
        {
          ZoneName: "eu-west-1a",
          SubnetId: "subnet-a",
          LoadBalancerAddresses: [
            { IpAddress: "203.0.113.5", AllocationId: "eipalloc-a" },
            { IPv6Address: "2001:DB8::A" },
          ],
          SourceNatIpv6Prefixes: ["2001:db8:0:0:1:0:0:0/80"],
        },
        { ZoneName: "eu-west-1b", SubnetId: "subnet-b", LoadBalancerAddresses: [{ PrivateIPv4Address: "10.0.1.5" }] },
        // An AWS-assigned address alone pins nothing.
        { ZoneName: "eu-west-1c", SubnetId: "subnet-c", LoadBalancerAddresses: [{ IpAddress: "203.0.113.9" }] },
      ],
    };
    expect(creationSettingsFrom(lb)).toEqual({
      customerOwnedIpv4Pool: "coip-1",
      ipv4IpamPool: "ipam-1",
      subnetMappings: [
        {
          subnetId: "subnet-a",
          allocationId: "eipalloc-a",
          ipv6Address: "2001:db8::a",
          sourceNatIpv6Prefix: "2001:db8:0:0:1::/80",
        },
        { subnetId: "subnet-b", privateIPv4Address: "10.0.1.5" },
      ],
    });
  });

  it("reports nothing for a load balancer without any", () => {
    expect(creationSettingsFrom({ AvailabilityZones: [{ SubnetId: "subnet-a" }] })).toEqual({});
  });

  it("carries the add-ons of a record over a re-read that does not fetch them", () => {
    expect(
      addOnsOf({ minimumCapacityUnits: 0, webAcl: "arn:acl", shieldProtection: { id: "p", managed: true } }),
    ).toEqual({ minimumCapacityUnits: 0, webAcl: "arn:acl", shieldProtection: { id: "p", managed: true } });
    expect(addOnsOf(undefined)).toEqual({});
  });
});
