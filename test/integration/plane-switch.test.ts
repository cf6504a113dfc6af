// A Gateway whose class moves it from an ALB to VPC Lattice and back, through the reconcile
// pipeline (reconcileGatewayRequest) with real clients: ELBv2 on moto, Lattice on its emulator,
// the one state record per Gateway in DynamoDB Local. The old plane's resources are deleted before
// the new plane builds; a crash after AWS accepted DeleteLoadBalancer converges.
// SWITCHYARD_COMPONENTS=moto,dynamodb,lattice
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListServicesCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { elbPortsThrough, latticePortsThrough } from "../../functions/reconcile/environment.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { controllerConfig } from "../../shared/config.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import {
  type GatewayReconcilerDeps,
  MemorySnapshotSource,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FaultInjectingHandler } from "../../shared/testing/index.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import { PIPELINE_MANIFESTS, pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { manifestObjects } from "./lattice-reconcile-support.ts";

const CLUSTER = "moto-cluster";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");
const CALL_DEADLINE_MS = 20_000;

/**
 * The pipeline cluster with its Gateway on the Lattice class (a service network it creates), one
 * service for its route: no Gateway service, so the switch back meets that one service still being
 * created (each emulator call is a tick; a second service's calls would let the first settle).
 */
const LATTICE_CLUSTER = `${PIPELINE_MANIFESTS.replace("gatewayClassName: alb", "gatewayClassName: lattice").replace(
  "metadata: {name: gw, namespace: apps, generation: 3}",
  `metadata:
  name: gw
  namespace: apps
  generation: 4
  annotations:
    switchyard.dev/service-network: net
    switchyard.dev/create-service-network: "true"
    switchyard.dev/lattice-gateway-service: "false"`,
)}---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
`;
const ALB_CLUSTER = `${PIPELINE_MANIFESTS}---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
`;

let dynamo: DynamoDBClient;
let elbv2: ElasticLoadBalancingV2Client;
let lattice: VPCLatticeClient;
let factory: AwsClientFactory;
let faults: FaultInjectingHandler;
let snapshots: MemorySnapshotSource;
let deps: GatewayReconcilerDeps;
let sent: StatusIntent[];
const clock = { now: 1_000_000 };

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
});

afterAll(() => {
  dynamo?.destroy();
  elbv2?.destroy();
  lattice?.destroy();
});

beforeEach(async () => {
  await resetMoto();
  await latticeControl().reset();
  faults = new FaultInjectingHandler();
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    latticeEndpoint: latticeSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    requestHandler: faults,
    maxAttempts: 1,
  });
  const ec2 = new EC2Client(motoSettings());
  const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
    .Vpcs?.[0]?.VpcId;
  ec2.destroy();
  if (!vpcId) throw new Error("moto has no default VPC");
  const registry = new MemoryClusterRegistry(MOTO_DEFAULT_ACCOUNT_ID);
  await registry.put(
    {
      clusterId: CLUSTER,
      account: MOTO_DEFAULT_ACCOUNT_ID,
      region: TEST_REGION,
      vpcId,
      eks: { clusterName: CLUSTER },
      senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/forwarder`,
      statusMode: "direct",
    },
    "create",
  );
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const { leases, states } = createDynamoDbStores(dynamo, table);
  snapshots = new MemorySnapshotSource({ [CLUSTER]: pipelineObjects() });
  sent = [];
  clock.now = 1_000_000;
  deps = {
    registry,
    snapshots,
    elbFor: elbPortsThrough(factory),
    lattice: { portFor: latticePortsThrough(factory), states: createDynamoDbLatticeStates(dynamo, table) },
    engine: {
      leases,
      states,
      now: () => clock.now,
      owner: "reconciler",
      callDeadlineMs: CALL_DEADLINE_MS,
      driftIntervalMs: 600_000,
    },
    dirty: new MemoryDirtyGenerations(),
    pacing: NO_PACING,
    requeue: { send: async () => {} },
    statuses: {
      send: async (_cluster, intents) => {
        sent.push(...intents);
        return { messages: 1, oversized: [] };
      },
    },
    config: controllerConfig(),
  };
});

afterEach(() => {
  factory?.destroy();
});

const reconcile = () => reconcileGatewayRequest({ version: 1, gatewayKey: KEY, reason: "change", generation: 0 }, deps);

async function loadBalancers() {
  return (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
}
async function targetGroups() {
  return (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
}
async function services() {
  return (await lattice.send(new ListServicesCommand({}))).items ?? [];
}
const recordPlane = async () => (await deps.engine.states.get(KEY))?.dataPlane;

function programmed(): { status: string; reason: string; message: string } | undefined {
  const gateway = sent.filter((i) => i.kind === "Gateway" && "conditions" in i).at(-1);
  const condition =
    gateway && "conditions" in gateway ? gateway.conditions.find((c) => c.type === "Programmed") : undefined;
  return condition && { status: condition.status, reason: condition.reason, message: condition.message };
}

async function programAlb() {
  snapshots.set(CLUSTER, manifestObjects(ALB_CLUSTER));
  const report = await reconcile();
  expect(report).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
  expect(await loadBalancers()).toHaveLength(1);
  expect((await targetGroups()).length).toBeGreaterThan(0);
  expect(await recordPlane()).toBe("alb");
}

describe("a Gateway whose class moves it between ALB and VPC Lattice", () => {
  it("ALB → Lattice deletes the ALB and all it owned before the Lattice service is built; and back", async () => {
    await programAlb();

    snapshots.set(CLUSTER, manifestObjects(LATTICE_CLUSTER));
    sent = [];
    const toLattice = await reconcile();
    expect(toLattice).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await loadBalancers()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    expect(await services()).toHaveLength(1);
    expect(await recordPlane()).toBe("lattice");
    // Status is the Lattice plane's now (its service still being created in the emulator).
    expect(programmed()?.message).toContain("service network net, 1 service(s)");

    // Back while the service is still being created: Lattice refuses to delete it yet, so the
    // switch waits (the message comes back) and nothing is built on the ALB side meanwhile.
    snapshots.set(CLUSTER, manifestObjects(ALB_CLUSTER));
    const blocked = await reconcile();
    expect(blocked).toMatchObject({ disposition: "retry", outcome: { kind: "failed", retryable: true } });
    expect(programmed()).toMatchObject({ status: "False", reason: "Pending" });
    expect(programmed()?.message).toContain("moving from lattice to alb: the lattice resources are deleted first;");
    expect(await loadBalancers()).toEqual([]);
    expect(await recordPlane()).toBe("lattice");

    await latticeControl().settle();
    const toAlb = await waitFor(
      "the switch back to the ALB",
      async () => {
        clock.now += CALL_DEADLINE_MS + 1;
        const report = await reconcile();
        return report.disposition === "retry" ? undefined : report;
      },
      { timeoutMs: 30_000 },
    );
    expect(toAlb).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await services()).toEqual([]);
    expect(await loadBalancers()).toHaveLength(1);
    expect(await recordPlane()).toBe("alb");
  });

  it("a crash after AWS accepted DeleteLoadBalancer says Pending, then converges with no orphan and no duplicate", async () => {
    await programAlb();
    snapshots.set(CLUSTER, manifestObjects(LATTICE_CLUSTER));
    sent = [];
    const held = faults.holdResponse("DeleteLoadBalancer");
    const switching = reconcile().then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    // Whichever comes first: a reconcile that never reaches DeleteLoadBalancer fails below.
    await Promise.race([held.accepted, switching]);
    held.release(new Error("socket hang up"));
    const first = await switching;
    // The load balancer is gone in AWS; the reconcile never learnt it.
    expect(await loadBalancers()).toEqual([]);
    expect(await services()).toEqual([]);
    const record = await deps.engine.states.get(KEY);
    expect(record?.dataPlane).toBe("alb");
    // The adapter reports the lost answer as a failed DeleteLoadBalancer (not retryable: the record
    // still names the load balancer, so the next delivery plans its deletion again and AWS's
    // not-found counts as done). Status says the switch is under way, with no address.
    expect(first).toMatchObject({
      report: { disposition: "done", outcome: { kind: "failed", error: { operation: "DeleteLoadBalancer" } } },
    });
    expect(record?.lastReconcile?.outcome).toBe("failed");
    expect(programmed()).toMatchObject({ status: "False", reason: "Pending" });
    expect(programmed()?.message).toContain(
      "moving from alb to lattice: the alb resources are deleted first; DeleteLoadBalancer failed",
    );
    const gateway = sent.filter((i) => i.kind === "Gateway").at(-1);
    expect(gateway && "addresses" in gateway ? gateway.addresses : []).toEqual([]);

    // Once the lost call can no longer land, the next delivery finishes the deletion, then builds.
    clock.now += CALL_DEADLINE_MS + 1;
    const second = await reconcile();
    expect(second).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await loadBalancers()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    expect(await services()).toHaveLength(1);
    expect(await recordPlane()).toBe("lattice");
    expect(programmed()?.message).toContain("service network net, 1 service(s)");
  });
});
