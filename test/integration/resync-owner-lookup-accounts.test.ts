// The resync function's owner lookup by tags across accounts, on moto and DynamoDB Local: a load
// balancer lives in a target account, reached by AssumeRole with the ExternalId the cluster
// registry holds; the control plane's own credentials see nothing there. The lookup asks the
// tagging API in the account and Region the ARN names, through each registered target there.
// MOTO_ACCOUNT_ID must stay unset (it would override the account of every request).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OWNER_LOOKUP_SESSION_POLICY,
  registryTaggingReach,
  taggingOwnerLookup,
} from "../../functions/resync/owner-lookup.ts";
import { TaggingClients } from "../../functions/resync/tagging-clients.ts";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { startExecution } from "../../shared/aws/elbv2/execute.ts";
import { loadBalancerName, ownershipTags } from "../../shared/elb/naming.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { executeEach } from "./aws-elbv2-fixture.ts";

const ACCOUNT_B = "222233334444";
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/switchyard-reconciler`;
const accountA: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const accountB: AwsTarget = { account: ACCOUNT_B, region: TEST_REGION, roleArn: ROLE_B, externalId: "registry-b-91c2" };

function cluster(clusterId: string, target: AwsTarget): RegisteredCluster {
  return {
    clusterId,
    account: target.account,
    region: target.region,
    vpcId: "vpc-0a1b2c3d",
    eks: { clusterName: clusterId },
    ...(target.roleArn ? { reconcileRoleArn: target.roleArn } : {}),
    ...(target.externalId ? { externalId: target.externalId } : {}),
    senderPrincipal: `arn:aws:iam::${target.account}:role/switchyard-forwarder-${clusterId}`,
    statusMode: "direct",
  };
}

describe("owner lookup by tags across target accounts, on moto", () => {
  let factory: AwsClientFactory;
  /** What the resync function reads tags through: read-only sessions, the tagging client alone. */
  let tagging: TaggingClients;
  let dynamo: DynamoDBClient;
  let registry: DynamoDbClusterRegistry;
  const arns: Record<"a" | "b", string> = { a: "", b: "" };

  /** A load balancer tagged as `gateway`'s of `clusterId`, created in `target`'s account. */
  async function taggedLoadBalancer(target: AwsTarget, clusterId: string, gateway: string): Promise<string> {
    const ctx = await executeEach(
      factory.elbv2(target),
      [
        {
          op: "CreateLoadBalancer",
          name: loadBalancerName(clusterId, gateway, "application", "internal"),
          type: "application",
          scheme: "internal",
          ipAddressType: "ipv4",
          subnets: [],
          securityGroups: [],
          tags: ownershipTags(clusterId, gateway, "load-balancer"),
        },
      ],
      startExecution({ clusterId, gatewayKey: gateway }, emptyObserved()),
      { ec2: factory.ec2(target) },
    );
    return ctx.loadBalancerArn ?? "";
  }

  beforeAll(async () => {
    expect(process.env.MOTO_ACCOUNT_ID, "MOTO_ACCOUNT_ID overrides AssumeRole accounts").toBeUndefined();
    await resetMoto();
    factory = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      account: MOTO_DEFAULT_ACCOUNT_ID,
    });
    tagging = new TaggingClients({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      account: MOTO_DEFAULT_ACCOUNT_ID,
      sessionName: "switchyard-resync",
      // As the resync function assumes target roles: its sessions may only read tags.
      sessionPolicy: OWNER_LOOKUP_SESSION_POLICY,
    });
    dynamo = new DynamoDBClient(dynamoDbSettings());
    const table = uniqueName("registry");
    await createTable(dynamo, table);
    registry = new DynamoDbClusterRegistry(dynamo, table, MOTO_DEFAULT_ACCOUNT_ID);
    await registry.put(cluster("home", accountA), "create");
    await registry.put(cluster("tenant-b", accountB), "create");
    arns.a = await taggedLoadBalancer(accountA, "home", "apps/web");
    arns.b = await taggedLoadBalancer(accountB, "tenant-b", "apps/tenant");
    expect(arns.b).toContain(`:${ACCOUNT_B}:loadbalancer/app/`);
  });

  afterAll(() => {
    factory?.destroy();
    tagging?.destroy();
    dynamo?.destroy();
  });

  it("finds the owner of a load balancer in a target account through that account's registered role", async () => {
    const lookup = taggingOwnerLookup(registryTaggingReach(registry, tagging));
    expect(await lookup.gatewaysOwning(arns.b)).toEqual(["tenant-b/apps/tenant"]);
    expect(tagging.counter.calls("STS", "AssumeRole")).toBeGreaterThanOrEqual(1);
  });

  it("finds a listener's owner in the target account through the load balancer the listener ARN names", async () => {
    const lookup = taggingOwnerLookup(registryTaggingReach(registry, tagging));
    const listener = `${arns.b.replace(":loadbalancer/", ":listener/")}/0123456789abcdef`;
    expect(await lookup.gatewaysOwning(listener)).toEqual(["tenant-b/apps/tenant"]);
  });

  it("still finds owners in the control plane's own account, with its own credentials", async () => {
    const lookup = taggingOwnerLookup(registryTaggingReach(registry, tagging));
    expect(await lookup.gatewaysOwning(arns.a)).toEqual(["home/apps/web"]);
  });

  it("asks only the account and Region the ARN names: an unregistered account costs no call", async () => {
    const lookup = taggingOwnerLookup(registryTaggingReach(registry, tagging));
    const before = tagging.counter.calls("ResourceGroupsTaggingAPI", "GetResources");
    expect(await lookup.gatewaysOwning(arns.b.replace(`:${ACCOUNT_B}:`, ":999988887777:"))).toEqual([]);
    expect(await lookup.gatewaysOwning(arns.b.replace(`:${TEST_REGION}:`, ":eu-central-1:"))).toEqual([]);
    expect(tagging.counter.calls("ResourceGroupsTaggingAPI", "GetResources")).toBe(before);
    // A registered account: one GetResources for the load balancer itself.
    await lookup.gatewaysOwning(arns.b);
    expect(tagging.counter.calls("ResourceGroupsTaggingAPI", "GetResources") - before).toBe(1);
  });

  it("reads the registry once per lookup object, however many ARNs an event names", async () => {
    let lists = 0;
    const counted = {
      list: () => {
        lists += 1;
        return registry.list();
      },
    };
    const lookup = taggingOwnerLookup(registryTaggingReach(counted, tagging));
    await lookup.gatewaysOwning(arns.a);
    await lookup.gatewaysOwning(arns.b);
    expect(lists).toBe(1);
  });
});
