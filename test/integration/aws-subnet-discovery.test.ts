// Subnet discovery on moto: a VPC with public subnets (their route table sends 0.0.0.0/0 to an
// internet gateway) and private ones in two Availability Zones, read through the same EC2 calls
// switchyard makes; and the status a load balancer gets when no subnet qualifies.

import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { discoverSubnets } from "../../shared/aws/elbv2/network.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";

const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
let ec2: EC2Client;
let factory: AwsClientFactory;
let vpc: string;
let bare: string;
const subnets: Record<"publicA" | "publicB" | "privateA" | "privateB", string> = {
  publicA: "",
  publicB: "",
  privateA: "",
  privateB: "",
};

async function subnet(vpcId: string, cidr: string, zone: string): Promise<string> {
  const out = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }));
  return out.Subnet?.SubnetId ?? "";
}

async function tag(resource: string, key: string, value: string): Promise<void> {
  await ec2.send(new CreateTagsCommand({ Resources: [resource], Tags: [{ Key: key, Value: value }] }));
}

beforeAll(async () => {
  await resetMoto();
  ec2 = new EC2Client(motoSettings());
  factory = new AwsClientFactory({ endpoint: motoSettings().endpoint, credentials: DUMMY_CREDENTIALS });
  vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.50.0.0/16" }))).Vpc?.VpcId ?? "";
  subnets.publicA = await subnet(vpc, "10.50.0.0/24", "us-east-1a");
  subnets.publicB = await subnet(vpc, "10.50.1.0/24", "us-east-1b");
  subnets.privateA = await subnet(vpc, "10.50.10.0/24", "us-east-1a");
  subnets.privateB = await subnet(vpc, "10.50.11.0/24", "us-east-1b");
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId ?? "";
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable?.RouteTableId ?? "";
  await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  for (const s of [subnets.publicA, subnets.publicB]) {
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: s }));
  }
  // A VPC with subnets and no way to the internet.
  bare = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.60.0.0/16" }))).Vpc?.VpcId ?? "";
  await subnet(bare, "10.60.0.0/24", "us-east-1a");
  await subnet(bare, "10.60.1.0/24", "us-east-1b");
});

afterAll(() => {
  ec2?.destroy();
  factory?.destroy();
});

describe("subnet discovery without role tags", () => {
  it("puts an internet-facing load balancer in the subnets that route to an internet gateway", async () => {
    expect(await discoverSubnets(ec2, vpc, "internet-facing", "application")).toEqual(
      [subnets.publicA, subnets.publicB].sort(),
    );
  });

  it("puts an internal load balancer in the private subnets", async () => {
    expect(await discoverSubnets(ec2, vpc, "internal", "application")).toEqual(
      [subnets.privateA, subnets.privateB].sort(),
    );
  });

  it("finds no subnet for an internet-facing load balancer in a VPC without an internet gateway", async () => {
    await expect(discoverSubnets(ec2, bare, "internet-facing", "network")).rejects.toMatchObject({
      reason: "NoQualifyingSubnets",
      message: expect.stringContaining("routing 0.0.0.0/0 to an internet gateway"),
    });
  });
});

describe("subnet discovery with tags", () => {
  it("prefers subnets with the scheme's role tag, one per Availability Zone", async () => {
    await tag(subnets.publicB, "kubernetes.io/role/internal-elb", "1");
    expect(await discoverSubnets(ec2, vpc, "internal", "network")).toEqual([subnets.publicB]);
  });

  it("takes only subnets matching loadBalancerSubnetsSelector when one is given", async () => {
    await tag(subnets.privateA, "tier", "data");
    expect(await discoverSubnets(ec2, vpc, "internal", "network", { selector: { tier: ["data", "db"] } })).toEqual([
      subnets.privateA,
    ]);
  });

  it("leaves out subnets tagged for another cluster, and says so when too few are left", async () => {
    await tag(subnets.privateB, "tier", "data");
    await tag(subnets.privateB, "kubernetes.io/cluster/other", "shared");
    await tag(subnets.privateA, "kubernetes.io/cluster/mine", "owned");
    const options = { selector: { tier: ["data"] }, eksClusterName: "mine" };
    expect(await discoverSubnets(ec2, vpc, "internal", "network", options)).toEqual([subnets.privateA]);
    await expect(discoverSubnets(ec2, vpc, "internal", "application", options)).rejects.toMatchObject({
      message: expect.stringContaining(`${subnets.privateB} is tagged for another cluster`),
    });
  });
});

describe("a load balancer no subnet qualifies for", () => {
  it("fails its creation with NoQualifyingSubnets, a terminal refusal naming what is missing", async () => {
    const elb = new AwsElb(factory, target, { clusterId: "net", gatewayKey: "apps/edge" }, { vpc: { id: bare } });
    const op = {
      op: "CreateLoadBalancer" as const,
      name: "sy-apps-edge-0000000000",
      type: "application" as const,
      scheme: "internet-facing" as const,
      ipAddressType: "ipv4",
      subnets: [],
      securityGroups: [],
      tags: {},
    };
    await expect(elb.execute(op, emptyObserved(), new Map())).rejects.toMatchObject({
      kind: "terminal",
      code: "NoQualifyingSubnets",
      message: expect.stringContaining(`VPC ${bare} has qualifying subnets in 0 Availability Zones`),
    });
  });
});
