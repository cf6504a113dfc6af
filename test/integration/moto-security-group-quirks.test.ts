// Where moto's EC2 security groups, network interfaces and route tables differ from what AWS
// documents (test/env/QUIRKS.md, "moto EC2 security groups", SG1–SG6). Each test pins moto's
// current behaviour: when an upgrade fixes a quirk, its test fails, and the entry and the test go.
// switchyard's code follows AWS; none of it relies on these.

import {
  AssignPrivateIpAddressesCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  SetSecurityGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoSettings, resetMoto } from "../env/clients.ts";

let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let vpc: string;
let subnets: string[];

async function group(name: string): Promise<string> {
  const out = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc }));
  return out.GroupId ?? "";
}

beforeAll(async () => {
  await resetMoto();
  ec2 = new EC2Client(motoSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  vpc =
    (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs?.[0]
      ?.VpcId ?? "";
  subnets = (
    (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).Subnets ?? []
  )
    .map((s) => s.SubnetId ?? "")
    .sort();
});

afterAll(() => {
  ec2?.destroy();
  elbv2?.destroy();
});

describe("moto EC2 security groups", () => {
  it("SG1: the default VPC has no route to an internet gateway", async () => {
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }));
    const routes = (tables.RouteTables ?? []).flatMap((t) => t.Routes ?? []);
    expect(routes.some((r) => r.GatewayId?.startsWith("igw-"))).toBe(false);
  });

  it("SG2: DeleteSecurityGroup deletes a group a load balancer names and another group's rule admits", async () => {
    const lbGroup = await group("quirk-lb");
    const referrer = await group("quirk-referrer");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: referrer,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: lbGroup }] }],
      }),
    );
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "quirk-sg2",
        Type: "application",
        Scheme: "internal",
        Subnets: subnets.slice(0, 2),
        SecurityGroups: [lbGroup],
      }),
    );
    await expect(ec2.send(new DeleteSecurityGroupCommand({ GroupId: lbGroup }))).resolves.toBeDefined();
  });

  it("SG3: a network interface is found by its primary private address only", async () => {
    const g = await group("quirk-eni");
    const eni = (
      await ec2.send(
        new CreateNetworkInterfaceCommand({ SubnetId: subnets[0], PrivateIpAddress: "172.31.9.10", Groups: [g] }),
      )
    ).NetworkInterface?.NetworkInterfaceId;
    await ec2.send(
      new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni, PrivateIpAddresses: ["172.31.9.11"] }),
    );
    const find = async (ip: string) =>
      (
        await ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "addresses.private-ip-address", Values: [ip] }] }),
        )
      ).NetworkInterfaces?.map((n) => n.NetworkInterfaceId) ?? [];
    expect(await find("172.31.9.10")).toEqual([eni]);
    expect(await find("172.31.9.11")).toEqual([]);
  });

  it("SG4: AuthorizeSecurityGroupIngress answers with the last permission's rules only", async () => {
    const g = await group("quirk-authorize");
    const out = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    expect(out.SecurityGroupRules?.map((r) => r.FromPort)).toEqual([443]);
    const all = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [g] }] }));
    expect((all.SecurityGroupRules ?? []).filter((r) => !r.IsEgress)).toHaveLength(2);
  });

  it("SG5: a network load balancer created without security groups takes them later, and PrivateLink enforcement is not kept", async () => {
    const g = await group("quirk-nlb");
    const arn =
      (
        await elbv2.send(
          new CreateLoadBalancerCommand({
            Name: "quirk-sg5",
            Type: "network",
            Scheme: "internal",
            Subnets: subnets.slice(0, 1),
          }),
        )
      ).LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    const set = await elbv2.send(
      new SetSecurityGroupsCommand({
        LoadBalancerArn: arn,
        SecurityGroups: [g],
        EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
      }),
    );
    expect(set.SecurityGroupIds).toEqual([g]);
    expect(set.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic).toBeUndefined();
    const lb = (await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers?.[0];
    expect(lb?.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic).toBeUndefined();
  });

  it("SG6: a load balancer has no network interfaces", async () => {
    const g = await group("quirk-sg6");
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "quirk-sg6",
        Type: "application",
        Scheme: "internal",
        Subnets: subnets.slice(0, 2),
        SecurityGroups: [g],
      }),
    );
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: [g] }] }));
    expect(enis.NetworkInterfaces ?? []).toEqual([]);
  });
});
