// A Gateway whose class moves it from an ALB to VPC Lattice and back, or between ALB and NLB,
// through the reconcile pipeline (reconcileGatewayRequest) with real clients: ELBv2 and EC2 on
// moto, Lattice on its emulator, the one state record per Gateway in DynamoDB Local. The old
// plane's resources are deleted before the new plane builds (ALB ↔ NLB: one plan replaces the load
// balancer); a crash after AWS accepted DeleteLoadBalancer converges.
// SWITCHYARD_COMPONENTS=moto,dynamodb,lattice

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { ListServicesCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { elbPortsThrough, latticePortsThrough } from "../../functions/reconcile/environment.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { controllerConfig } from "../../shared/config.ts";
import { TAG } from "../../shared/elb/naming.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import {
  type GatewayReconcilerDeps,
  MemorySnapshotSource,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { FaultInjectingHandler } from "../../shared/testing/index.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  waitFor,
} from "../env/clients.ts";
import { PIPELINE_MANIFESTS, pipelineObjects } from "../fixtures/pipeline-cluster.ts";
import { manifestObjects } from "./lattice-reconcile-support.ts";
import { registeredInDefaultVpc } from "./reconcile-handler-support.ts";

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
/**
 * The same Gateway on the NLB class: its listener on the same port becomes TCP, and its route a
 * TCPRoute to the same Service (an NLB serves no HTTPRoute).
 */
const NLB_CLUSTER = `${PIPELINE_MANIFESTS.replace("gatewayClassName: alb", "gatewayClassName: nlb")
  .replace("{name: gw, namespace: apps, generation: 3}", "{name: gw, namespace: apps, generation: 5}")
  .replace("- {name: http, port: 80, protocol: HTTP}", "- {name: tcp, port: 80, protocol: TCP}")
  .replace(
    `kind: HTTPRoute
metadata: {name: web, namespace: apps, generation: 2}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /web}}]
    backendRefs: [{name: web, port: 8080}]`,
    `kind: TCPRoute
metadata: {name: web, namespace: apps, generation: 1}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: web, port: 8080}]`,
  )}---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
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
  const { registry, table } = await registeredInDefaultVpc(dynamo, CLUSTER);
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
async function listeners(loadBalancerArn: string | undefined) {
  return (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? [];
}
/** Security groups switchyard tagged for the Gateway. */
async function securityGroups() {
  const ec2 = new EC2Client(motoSettings());
  try {
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag-key", Values: [TAG.gateway] }] }),
    );
    return out.SecurityGroups ?? [];
  } finally {
    ec2.destroy();
  }
}
/** Every ELBv2 resource tagged for the Gateway (load balancers, target groups, listeners, rules). */
async function taggedForGateway() {
  const tagging = new ResourceGroupsTaggingAPIClient(motoSettings());
  try {
    const out = await tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: TAG.gateway }],
        ResourceTypeFilters: ["elasticloadbalancing"],
      }),
    );
    return (out.ResourceTagMappingList ?? []).map((m) => m.ResourceARN ?? "");
  } finally {
    tagging.destroy();
  }
}
/** ELBv2 calls that change something: every operation but the Describe* reads. */
function elbWrites(): number {
  return Object.entries(factory.counter.snapshot())
    .filter(([key]) => key.startsWith("ElasticLoadBalancingV2:") && !key.includes(":Describe"))
    .reduce((n, [, count]) => n + count.calls, 0);
}
/** EC2 calls that change something (security groups and their rules). */
function ec2Writes(): number {
  return Object.entries(factory.counter.snapshot())
    .filter(([key]) => key.startsWith("EC2:") && !key.includes(":Describe"))
    .reduce((n, [, count]) => n + count.calls, 0);
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

/** The last Gateway status intent's addresses. */
function addresses(): string[] {
  const gateway = sent.filter((i) => i.kind === "Gateway" && "addresses" in i).at(-1);
  return gateway && "addresses" in gateway ? gateway.addresses.map((a) => a.value) : [];
}

/** The target groups the listeners forward to: default actions, and (ALB) their rules'. */
async function forwardedTo(listenersOf: readonly Listener[]): Promise<string[]> {
  const actions: Action[] = [];
  for (const listener of listenersOf) {
    actions.push(...(listener.DefaultActions ?? []));
    if (listener.Protocol === "HTTP") {
      const rules = (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
      actions.push(...rules.flatMap((r) => r.Actions ?? []));
    }
  }
  return actions.flatMap((a) =>
    a.Type !== "forward"
      ? []
      : (a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn ?? "") ?? [a.TargetGroupArn ?? ""]),
  );
}

/** Everything switchyard made in AWS for the Gateway, by id. */
async function owned() {
  const lbs = await loadBalancers();
  return {
    loadBalancers: lbs.map((lb) => ({ arn: lb.LoadBalancerArn, type: lb.Type, securityGroups: lb.SecurityGroups })),
    listeners: (await Promise.all(lbs.map((lb) => listeners(lb.LoadBalancerArn)))).flat(),
    targetGroups: await targetGroups(),
    securityGroups: (await securityGroups()).map((g) => g.GroupId),
    tagged: await taggedForGateway(),
  };
}

const SIDES = {
  alb: { manifests: ALB_CLUSTER, type: "application", listener: "HTTP", targetGroup: "HTTP" },
  nlb: { manifests: NLB_CLUSTER, type: "network", listener: "TCP", targetGroup: "TCP" },
} as const;

/** The Gateway programmed on `plane`: its one load balancer serving, the record naming the plane. */
async function programOn(plane: keyof typeof SIDES) {
  snapshots.set(CLUSTER, manifestObjects(SIDES[plane].manifests));
  expect(await reconcile()).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
  const before = await owned();
  expect(before.loadBalancers.map((lb) => lb.type)).toEqual([SIDES[plane].type]);
  expect(await recordPlane()).toBe(plane);
  return before;
}

/**
 * The Gateway is on `plane` and on nothing else: one load balancer of its type, one listener on
 * port 80 of its protocol forwarding to its one target group; every ELBv2 resource tagged for the
 * Gateway is one of these and every security group tagged for it is one the load balancer names;
 * none of `old` is left. Then a recheck (the load balancer was provisioning) says Programmed with
 * its address, and it and the next reconcile write nothing to ELBv2 or EC2.
 */
async function expectOnlyOn(plane: keyof typeof SIDES, old: Awaited<ReturnType<typeof owned>>) {
  const side = SIDES[plane];
  const now = await owned();
  expect(now.loadBalancers.map((lb) => lb.type)).toEqual([side.type]);
  const [lb] = now.loadBalancers;
  expect(now.listeners.map((l) => [l.Protocol, l.Port])).toEqual([[side.listener, 80]]);
  expect(now.targetGroups.map((g) => [g.Protocol, g.Port])).toEqual([[side.targetGroup, 8080]]);
  expect(await forwardedTo(now.listeners)).toEqual([now.targetGroups[0]?.TargetGroupArn]);
  // What the tagging API lists for the Gateway is the new load balancer's (moto lists load
  // balancers and target groups); every group tagged for it is one the load balancer names.
  const current = [lb?.arn, ...now.listeners.map((l) => l.ListenerArn), now.targetGroups[0]?.TargetGroupArn];
  expect(now.tagged).toContain(lb?.arn);
  for (const arn of now.tagged) expect(current).toContain(arn);
  expect(now.securityGroups.length).toBeGreaterThan(0);
  for (const group of now.securityGroups) expect(lb?.securityGroups).toContain(group);
  const gone = [
    ...old.loadBalancers.map((l) => l.arn),
    ...old.listeners.map((l) => l.ListenerArn),
    ...old.targetGroups.map((g) => g.TargetGroupArn),
  ];
  for (const arn of gone) expect(current).not.toContain(arn);
  expect(await recordPlane()).toBe(plane);

  const writes = { elb: elbWrites(), ec2: ec2Writes() };
  clock.now += 60_000;
  const recheck = await reconcile();
  expect(recheck).toMatchObject({ disposition: "done", outcome: { kind: "unchanged" } });
  expect(programmed()).toMatchObject({ status: "True", reason: "Programmed" });
  const dnsName = (await loadBalancers())[0]?.DNSName;
  expect(addresses()).toEqual([dnsName]);
  expect(await reconcile()).toMatchObject({ disposition: "done", outcome: { kind: "unchanged" } });
  expect({ elb: elbWrites(), ec2: ec2Writes() }).toEqual(writes);
  expect(await owned()).toEqual(now);
}

describe("a Gateway whose class moves it between ALB and NLB", () => {
  it.each([
    ["alb", "nlb"],
    ["nlb", "alb"],
  ] as const)(
    "%s → %s replaces the load balancer: the old one and all it owned go, the new one serves",
    async (from, to) => {
      const before = await programOn(from);

      snapshots.set(CLUSTER, manifestObjects(SIDES[to].manifests));
      sent = [];
      const switched = await reconcile();
      expect(switched).toMatchObject({
        disposition: "done",
        outcome: {
          kind: "applied",
          replacement: `load balancer type changes from ${SIDES[from].type} to ${SIDES[to].type}`,
        },
      });
      await expectOnlyOn(to, before);
    },
  );

  it("a crash after AWS accepted the old ALB's DeleteLoadBalancer converges on the NLB: no orphan, no duplicate", async () => {
    const before = await programOn("alb");
    snapshots.set(CLUSTER, manifestObjects(NLB_CLUSTER));
    sent = [];
    const held = faults.holdResponse("DeleteLoadBalancer");
    const switching = reconcile().then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    // Whichever comes first: a reconcile that never reaches DeleteLoadBalancer fails below.
    await Promise.race([held.accepted, switching]);
    // The connection drops after AWS accepted the call: the answer is lost, the outcome unknown.
    held.release(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const first = await switching;
    // The ALB is gone in AWS; the reconcile never learnt it, and built nothing after it.
    expect(await loadBalancers()).toEqual([]);
    expect(first).toMatchObject({
      report: {
        disposition: "retry",
        outcome: { kind: "failed", retryable: true, error: { operation: "DeleteLoadBalancer" } },
      },
    });
    expect(programmed()).toMatchObject({ status: "False" });
    expect(programmed()?.message).toContain("DeleteLoadBalancer failed");
    // The record is the ELB plane's, interrupted: it says nlb already and still names the ALB it
    // was deleting.
    const record = await deps.engine.states.get(KEY);
    expect(record?.dataPlane).toBe("nlb");
    expect(record?.applying).toBeDefined();
    expect(record?.applied.loadBalancer?.type).toBe("application");
    // Until the lost call can no longer land, the Gateway is left alone.
    expect(await reconcile()).toMatchObject({ disposition: "retry", outcome: { kind: "busy" } });
    expect(await loadBalancers()).toEqual([]);

    // Then the next delivery re-discovers by tags, finds the ALB gone, and builds the NLB.
    clock.now += CALL_DEADLINE_MS + 1;
    expect(await reconcile()).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    await expectOnlyOn("nlb", before);
  });
});

describe("discovery after a crash in an ALB → NLB switch, with the tagging API still listing the deleted ALB", () => {
  it("keeps the NLB created before the crash: the deleted ALB is no reason to replace or delete it", async () => {
    const before = await programOn("alb");
    const alb = before.loadBalancers[0]?.arn ?? "";
    // The ALB's entry as the tagging API lists it now: AWS keeps listing a deleted resource for a
    // while ("all the tagged or previously tagged resources", GetResources); moto never does.
    const tagging = new ResourceGroupsTaggingAPIClient(motoSettings());
    const [listed] =
      (await tagging.send(new GetResourcesCommand({ ResourceARNList: [alb] })).finally(() => tagging.destroy()))
        .ResourceTagMappingList ?? [];
    if (!listed) throw new Error("the tagging API does not list the ALB");
    expect(listed.ResourceARN).toBe(alb);

    snapshots.set(CLUSTER, manifestObjects(NLB_CLUSTER));
    const held = faults.holdResponse("CreateListener");
    const switching = reconcile().then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    await Promise.race([held.accepted, switching]);
    // The connection drops after AWS created the NLB's listener: the ALB is gone, the NLB exists.
    held.release(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    expect(await switching).toMatchObject({ report: { disposition: "retry", outcome: { kind: "failed" } } });
    const [nlb, ...others] = await loadBalancers();
    expect(others).toEqual([]);
    expect(nlb?.Type).toBe("network");

    faults.amend("GetResources", (body) => {
      const answer = JSON.parse(body) as { ResourceTagMappingList?: { ResourceARN?: string }[] };
      const list = answer.ResourceTagMappingList ?? [];
      // First: moto fails DescribeLoadBalancers for a missing ARN, as AWS does, only when no
      // ARN before it was found (QUIRKS.md E7).
      if (!list.some((m) => m.ResourceARN === alb)) list.unshift(listed);
      return JSON.stringify({ ...answer, ResourceTagMappingList: list });
    });
    const created = factory.counter.calls("ElasticLoadBalancingV2", "CreateLoadBalancer");
    const deleted = factory.counter.calls("ElasticLoadBalancingV2", "DeleteLoadBalancer");
    clock.now += CALL_DEADLINE_MS + 1;
    expect(await reconcile()).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    // The NLB that was created stays: no second one, and no deletion of the one serving.
    expect(factory.counter.calls("ElasticLoadBalancingV2", "CreateLoadBalancer")).toBe(created);
    expect(factory.counter.calls("ElasticLoadBalancingV2", "DeleteLoadBalancer")).toBe(deleted);
    expect((await loadBalancers()).map((lb) => lb.LoadBalancerArn)).toEqual([nlb?.LoadBalancerArn]);
    await expectOnlyOn("nlb", before);
  });
});
