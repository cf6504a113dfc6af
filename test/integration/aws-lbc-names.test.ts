// Names where ELBv2 needs ids, resolved at apply time as the AWS Load Balancer Controller resolves
// them: LoadBalancerConfiguration subnets named by their Name tag (DescribeSubnets in the cluster's
// VPC, on moto) and mutual TLS trust stores named by name (DescribeTrustStores, which moto lacks:
// answered by a RequestRecorder, every request recorded as the SDK serialized it).

import { CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeTrustStoresCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { queryResponse, RequestRecorder } from "../../shared/testing/index.ts";
import {
  DUMMY_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { requestCertificate } from "./aws-elbv2-fixture.ts";

const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const TRUST_STORE = `arn:aws:elasticloadbalancing:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:truststore/shop-ca/0123456789abcdef`;

let ec2: EC2Client;
let vpc: string;
const ids: Record<string, string> = {};
const factories: AwsClientFactory[] = [];

function recorded(): { recorder: RequestRecorder; factory: AwsClientFactory } {
  const recorder = new RequestRecorder();
  const factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    requestHandler: recorder,
  });
  factories.push(factory);
  return { recorder, factory };
}

function port(factory: AwsClientFactory, gatewayKey: string): AwsElb {
  return new AwsElb(factory, target, { clusterId: "names", gatewayKey }, { vpc: { id: vpc } });
}

function createLoadBalancer(subnets: string[]): ElbOperation {
  return {
    op: "CreateLoadBalancer",
    name: uniqueName("sy-names"),
    type: "application",
    scheme: "internal",
    ipAddressType: "ipv4",
    subnets,
    securityGroups: [],
    tags: {},
  };
}

async function subnet(cidr: string, zone: string, name: string): Promise<string> {
  const id = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet
    ?.SubnetId;
  if (!id) throw new Error("no subnet id");
  await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: name }] }));
  return id;
}

beforeAll(async () => {
  await resetMoto();
  ec2 = new EC2Client(motoSettings());
  vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.70.0.0/16" }))).Vpc?.VpcId ?? "";
  ids.edgeA = await subnet("10.70.0.0/24", "us-east-1a", "edge-a");
  ids.edgeB = await subnet("10.70.1.0/24", "us-east-1b", "edge-b");
  ids.dup1 = await subnet("10.70.2.0/24", "us-east-1a", "shared");
  ids.dup2 = await subnet("10.70.3.0/24", "us-east-1b", "shared");
  // A subnet of the same name in another VPC is not the cluster's.
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.80.0.0/16" }))).Vpc?.VpcId ?? "";
  const elsewhere = (
    await ec2.send(new CreateSubnetCommand({ VpcId: other, CidrBlock: "10.80.0.0/24", AvailabilityZone: "us-east-1c" }))
  ).Subnet?.SubnetId;
  await ec2.send(new CreateTagsCommand({ Resources: [elsewhere ?? ""], Tags: [{ Key: "Name", Value: "edge-a" }] }));
});

afterAll(() => {
  ec2?.destroy();
  for (const f of factories) f.destroy();
});

describe("loadBalancerSubnets named by their Name tag", () => {
  it("are resolved to the ids of the subnets of that name in the cluster's VPC before CreateLoadBalancer", async () => {
    const { recorder, factory } = recorded();
    const state = await port(factory, "apps/named").execute(
      createLoadBalancer(["edge-a", "edge-b"]),
      emptyObserved(),
      new Map(),
    );
    expect([...(state.loadBalancer?.subnets ?? [])].sort()).toEqual([ids.edgeA, ids.edgeB].sort());
    const [create] = recorder.of("CreateLoadBalancer");
    expect([create?.params["Subnets.member.1"], create?.params["Subnets.member.2"]]).toEqual([ids.edgeA, ids.edgeB]);
    const [lookup] = recorder.of("DescribeSubnets");
    expect(lookup?.params).toMatchObject({ "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpc });
  });

  it("a subnet id is sent as it is, without a lookup", async () => {
    const { recorder, factory } = recorded();
    await port(factory, "apps/by-id").execute(
      createLoadBalancer([ids.edgeA ?? "", ids.edgeB ?? ""]),
      emptyObserved(),
      new Map(),
    );
    expect(recorder.of("DescribeSubnets")).toEqual([]);
    expect(recorder.of("CreateLoadBalancer")).toHaveLength(1);
  });

  it("a name no subnet of the VPC carries is a terminal SubnetNotFound naming it, and nothing is created", async () => {
    const { recorder, factory } = recorded();
    await expect(
      port(factory, "apps/missing").execute(createLoadBalancer(["edge-a", "edge-z"]), emptyObserved(), new Map()),
    ).rejects.toMatchObject({
      kind: "terminal",
      code: "SubnetNotFound",
      message: expect.stringContaining(`no subnet in VPC ${vpc} is named "edge-z"`),
    });
    expect(recorder.of("CreateLoadBalancer")).toEqual([]);
  });

  it("a name two subnets carry is a terminal AmbiguousSubnetName listing them", async () => {
    const { recorder, factory } = recorded();
    await expect(
      port(factory, "apps/ambiguous").execute(createLoadBalancer(["shared"]), emptyObserved(), new Map()),
    ).rejects.toMatchObject({
      kind: "terminal",
      code: "AmbiguousSubnetName",
      message: expect.stringMatching(new RegExp(`2 subnets in VPC ${vpc} are named "shared" \\(.*${ids.dup1}`)),
    });
    expect(recorder.of("CreateLoadBalancer")).toEqual([]);
  });
});

describe("a mutual TLS trust store named by name", () => {
  let certificate: string;
  let base: ObservedElb;
  let baseFactory: AwsClientFactory;

  beforeAll(async () => {
    certificate = await requestCertificate(motoSettings().endpoint, "mtls.example.com");
    baseFactory = recorded().factory;
    base = await port(baseFactory, "apps/mtls").execute(
      createLoadBalancer([ids.edgeA ?? "", ids.edgeB ?? ""]),
      emptyObserved(),
      new Map(),
    );
  });

  function createListener(trustStore: { trustStoreName: string } | { trustStoreArn: string }): ElbOperation {
    return {
      op: "CreateListener",
      listenerId: "HTTPS:443",
      port: 443,
      protocol: "HTTPS",
      certificates: { arns: [certificate], pendingSecrets: [] },
      mutualAuthentication: { mode: "verify", ...trustStore, advertiseTrustStoreCaNames: "on" },
      defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
      tags: {},
    };
  }

  it("is resolved by DescribeTrustStores, and CreateListener gets its ARN and the CA names setting", async () => {
    const { recorder, factory } = recorded();
    recorder.answer(
      "DescribeTrustStores",
      queryResponse(
        "DescribeTrustStores",
        `<TrustStores><member><Name>shop-ca</Name><TrustStoreArn>${TRUST_STORE}</TrustStoreArn><Status>ACTIVE</Status></member></TrustStores>`,
      ),
    );
    const state = await port(factory, "apps/mtls").execute(
      createListener({ trustStoreName: "shop-ca" }),
      base,
      new Map(),
    );
    expect(recorder.of("DescribeTrustStores").map((r) => r.params["Names.member.1"])).toEqual(["shop-ca"]);
    expect(recorder.of("CreateListener")[0]?.params).toMatchObject({
      "MutualAuthentication.Mode": "verify",
      "MutualAuthentication.TrustStoreArn": TRUST_STORE,
      "MutualAuthentication.AdvertiseTrustStoreCaNames": "on",
    });
    // What exists is recorded with the ARN, as a later observation reads it.
    expect(state.listeners.find((l) => l.id === "HTTPS:443")?.mutualAuthentication).toEqual({
      mode: "verify",
      trustStoreArn: TRUST_STORE,
      advertiseTrustStoreCaNames: "on",
    });
  });

  it("a trust store named by ARN is sent as it is, without a lookup", async () => {
    const { recorder, factory } = recorded();
    await port(factory, "apps/mtls").execute(createListener({ trustStoreArn: TRUST_STORE }), base, new Map());
    expect(recorder.of("DescribeTrustStores")).toEqual([]);
    expect(recorder.of("CreateListener")[0]?.params).toMatchObject({
      "MutualAuthentication.TrustStoreArn": TRUST_STORE,
    });
  });

  it("a name no trust store has is a terminal TrustStoreNotFound naming it, and no listener is created", async () => {
    const { recorder, factory } = recorded();
    recorder.answer(
      "DescribeTrustStores",
      `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>TrustStoreNotFound</Code><Message>One or more trust stores not found</Message></Error><RequestId>recorded</RequestId></ErrorResponse>`,
      400,
    );
    await expect(
      port(factory, "apps/mtls").execute(createListener({ trustStoreName: "nope" }), base, new Map()),
    ).rejects.toMatchObject({
      kind: "terminal",
      code: "TrustStoreNotFound",
      message: expect.stringContaining('trust store "nope"'),
    });
    expect(recorder.of("CreateListener")).toEqual([]);
  });
});

describe("where moto differs from AWS", () => {
  it("LB6: moto does not implement DescribeTrustStores", async () => {
    const { factory } = recorded();
    await expect(factory.elbv2(target).send(new DescribeTrustStoresCommand({ Names: ["shop-ca"] }))).rejects.toThrow();
  });
});
