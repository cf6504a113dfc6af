// ELBv2 against moto: a load balancer created in a fresh VPC is described back as created.
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION, uniqueName } from "../env/clients.ts";

describe("ELBv2 on moto", () => {
  let ec2: EC2Client;
  let elbv2: ElasticLoadBalancingV2Client;

  beforeAll(async () => {
    await resetMoto();
    ec2 = new EC2Client(motoSettings());
    elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  });

  afterAll(() => {
    ec2?.destroy();
    elbv2?.destroy();
  });

  it("describes a load balancer created in a new VPC with its subnets, security group, scheme and type", async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc?.VpcId;
    expect(vpcId).toMatch(/^vpc-/);
    const subnets = new Map<string, string>();
    for (const [zone, cidr] of [
      [`${TEST_REGION}a`, "10.20.1.0/24"],
      [`${TEST_REGION}b`, "10.20.2.0/24"],
    ] as const) {
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }));
      subnets.set(String(subnet.Subnet?.SubnetId), zone);
    }
    const groupId = (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: uniqueName("alb"), Description: "test" }),
      )
    ).GroupId;
    const name = uniqueName("gw");

    const created = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Type: "application",
        Scheme: "internal",
        IpAddressType: "ipv4",
        Subnets: [...subnets.keys()],
        SecurityGroups: [String(groupId)],
        Tags: [{ Key: "switchyard.io/gateway", Value: "default/web" }],
      }),
    );
    const arn = created.LoadBalancers?.[0]?.LoadBalancerArn;
    expect(arn).toMatch(
      new RegExp(`^arn:aws:elasticloadbalancing:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:loadbalancer/app/${name}/`),
    );

    const described = await elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }));
    expect(described.LoadBalancers).toHaveLength(1);
    const lb = described.LoadBalancers?.[0];
    expect(lb).toMatchObject({
      LoadBalancerArn: arn,
      LoadBalancerName: name,
      VpcId: vpcId,
      Type: "application",
      Scheme: "internal",
      IpAddressType: "ipv4",
      SecurityGroups: [groupId],
    });
    expect(lb?.DNSName).toEqual(expect.stringContaining(name));
    const zones = new Map((lb?.AvailabilityZones ?? []).map((az) => [String(az.SubnetId), az.ZoneName]));
    expect(zones).toEqual(subnets);

    const byArn = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [String(arn)] }));
    expect(byArn.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual([name]);
  });
});
