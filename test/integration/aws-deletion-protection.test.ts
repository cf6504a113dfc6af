// A deleted Gateway whose load balancer has deletion protection on, against moto and DynamoDB
// Local. moto does not enforce the attribute (QUIRKS.md), so ELBv2's refusal, OperationNotPermitted,
// is injected below the SDK for DeleteLoadBalancer while "protection is on"; everything else is
// moto's real answer.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { type ReconcileDeps, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FaultInjectingHandler } from "../../shared/testing/index.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { gatewayModel } from "../fixtures/gateway-model.ts";

const CLUSTER = "protected";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const PROTECTION_ON = {
  status: 400,
  code: "OperationNotPermitted",
  message: "Load balancer cannot be deleted because deletion protection is enabled",
};

let dynamo: DynamoDBClient;
let sdk: ElasticLoadBalancingV2Client;
let faults: FaultInjectingHandler;
let factory: AwsClientFactory;
let clock = 5_000_000;

beforeAll(async () => {
  await resetMoto();
  dynamo = new DynamoDBClient(dynamoDbSettings());
  sdk = new ElasticLoadBalancingV2Client(motoSettings());
  faults = new FaultInjectingHandler();
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    requestHandler: faults,
  });
});

afterAll(() => {
  dynamo?.destroy();
  sdk?.destroy();
  factory?.destroy();
});

const request = (desired: LoadBalancerModel | undefined) => ({
  gatewayKey: KEY,
  dataPlane: "alb" as const,
  account: target.account,
  region: target.region,
  desired,
});

async function loadBalancerArns(): Promise<string[]> {
  return ((await sdk.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map(
    (lb) => lb.LoadBalancerArn ?? "",
  );
}

async function targetGroupCount(): Promise<number> {
  return ((await sdk.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length;
}

function callsOf(operation: string): number {
  return Object.entries(factory.counter.snapshot())
    .filter(([op]) => op.endsWith(`:${operation}`))
    .reduce((n, [, c]) => n + c.calls, 0);
}

describe("deleting a Gateway whose load balancer has deletion protection on", () => {
  it("keeps the load balancer and everything it uses, says why, and finishes once protection is off", async () => {
    const table = uniqueName("switchyard");
    await createTable(dynamo, table);
    const stores = createDynamoDbStores(dynamo, table);
    const deps: ReconcileDeps = {
      ...stores,
      elb: new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: "apps/gw" }),
      now: () => clock,
      owner: "reconciler",
      driftIntervalMs: 600_000,
    };
    const desired = {
      ...gatewayModel([{ path: "/a" }], { clusterId: CLUSTER }),
      attributes: { "deletion_protection.enabled": "true" },
    };
    expect((await reconcileGateway(request(desired), deps)).kind).toBe("applied");
    const [arn] = await loadBalancerArns();
    const attributes = await sdk.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    expect(attributes.Attributes).toContainEqual({ Key: "deletion_protection.enabled", Value: "true" });
    const groups = await targetGroupCount();
    expect(groups).toBeGreaterThan(0);

    // The Gateway is deleted; ELBv2 refuses while protection is on.
    faults.inject("DeleteLoadBalancer", PROTECTION_ON, 1);
    clock += 1_000;
    const blocked = await reconcileGateway(request(undefined), deps);
    expect(blocked).toMatchObject({
      kind: "failed",
      retryable: false,
      error: {
        code: "DeletionProtectionEnabled",
        message: expect.stringContaining(`load balancer ${arn} has deletion protection on`),
      },
    });
    expect(faults.injected.map((f) => f.operation)).toEqual(["DeleteLoadBalancer"]);
    // Nothing else was attempted: the target groups and security groups the load balancer uses stay.
    expect(callsOf("DeleteTargetGroup")).toBe(0);
    expect(callsOf("DeleteSecurityGroup")).toBe(0);
    expect(await loadBalancerArns()).toEqual([arn]);
    expect(await targetGroupCount()).toBe(groups);
    // The record keeps them, so that the next reconcile (a resync) tries again.
    const kept = await stores.states.get(KEY);
    expect(kept?.applied.loadBalancer?.arn).toBe(arn);
    expect(kept?.applied.targetGroups).toHaveLength(groups);
    expect(kept?.applying).toBeUndefined();

    // Protection turned off: the next reconcile deletes everything and drops the record.
    clock += 60_000;
    expect((await reconcileGateway(request(undefined), deps)).kind).toBe("deleted");
    expect(await loadBalancerArns()).toEqual([]);
    expect(await targetGroupCount()).toBe(0);
    expect(await stores.states.get(KEY)).toBeUndefined();
  });
});

describe("deleting a Gateway whose protected load balancer the user then deletes by hand", () => {
  it("the next reconcile finds the load balancer gone and deletes what is left", async () => {
    const table = uniqueName("switchyard");
    await createTable(dynamo, table);
    const stores = createDynamoDbStores(dynamo, table);
    const deps: ReconcileDeps = {
      ...stores,
      elb: new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: "apps/gw" }),
      now: () => clock,
      owner: "reconciler",
      driftIntervalMs: 600_000,
    };
    const desired = {
      ...gatewayModel([{ path: "/b" }], { clusterId: CLUSTER }),
      attributes: { "deletion_protection.enabled": "true" },
    };
    clock += 1_000_000;
    expect((await reconcileGateway(request(desired), deps)).kind).toBe("applied");
    faults.inject("DeleteLoadBalancer", PROTECTION_ON, 1);
    clock += 1_000;
    expect(await reconcileGateway(request(undefined), deps)).toMatchObject({
      kind: "failed",
      error: { code: "DeletionProtectionEnabled" },
    });
    // The user deletes it (moto lets the call through despite the attribute: LB7).
    const [arn] = await loadBalancerArns();
    await sdk.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    clock += 60_000;
    expect((await reconcileGateway(request(undefined), deps)).kind).toBe("deleted");
    expect(await targetGroupCount()).toBe(0);
    expect(await stores.states.get(KEY)).toBeUndefined();
  });
});

describe("where moto differs from AWS", () => {
  it("LB7: moto deletes a load balancer whose deletion protection is on", async () => {
    const created = await sdk.send(
      new CreateLoadBalancerCommand({
        Name: uniqueName("sy-lb7"),
        Type: "application",
        Scheme: "internal",
        Subnets: await defaultSubnets(),
      }),
    );
    const arn = created.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    await sdk.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [{ Key: "deletion_protection.enabled", Value: "true" }],
      }),
    );
    await sdk.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    expect(await loadBalancerArns()).not.toContain(arn);
  });
});

async function defaultSubnets(): Promise<string[]> {
  const ec2 = new EC2Client(motoSettings());
  try {
    const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? [];
    return subnets.map((s) => s.SubnetId ?? "").slice(0, 2);
  } finally {
    ec2.destroy();
  }
}
