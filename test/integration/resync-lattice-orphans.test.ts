// The resync tick's orphan check on the VPC Lattice plane, over real parts: Lattice Gateways
// programmed through the reconcile pipeline on the Lattice emulator, state records in DynamoDB
// Local, the tags read with the Resource Groups Tagging API (moto's for load balancers, the
// emulator's for its own Lattice resources, which moto's does not know). A Gateway that is gone and
// lost its record has a reconcile enqueued that names the Lattice plane; that reconcile deletes its
// services and target groups, and its service network only if switchyard created it. A Gateway
// whose record remains is left alone.
// SWITCHYARD_COMPONENTS=moto,dynamodb,lattice

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import {
  CreateServiceNetworkCommand,
  CreateTargetGroupCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { elbPortsThrough, latticePortsThrough } from "../../functions/reconcile/environment.ts";
import { taggingGatewayScan } from "../../functions/resync/orphan-scan.ts";
import { registeredTargets } from "../../functions/resync/owner-lookup.ts";
import type { OccasionedRequest } from "../../functions/resync/reconcile-queue.ts";
import { type ResyncDependencies, resyncTick } from "../../functions/resync/resync.ts";
import { AwsClientFactory } from "../../shared/aws/clients.ts";
import { controllerConfig } from "../../shared/config.ts";
import { ownershipTags, TAG } from "../../shared/elb/naming.ts";
import { type ClusterGatewayKey, clusterGatewayKey } from "../../shared/keys.ts";
import { serviceExportOwner } from "../../shared/lattice/exports.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import {
  type GatewayReconcilerDeps,
  MemorySnapshotSource,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import type { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import {
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
} from "../env/clients.ts";
import { manifestObjects } from "./lattice-reconcile-support.ts";
import { registeredInDefaultVpc } from "./reconcile-handler-support.ts";

const CLUSTER = "moto-cluster";
/** Keeps its record throughout. */
const KEPT = clusterGatewayKey(CLUSTER, "apps", "kept");
/** Gone with its record lost; its service network is one switchyard created for it. */
const GONE = clusterGatewayKey(CLUSTER, "apps", "gone");
/** Gone with its record lost; its service network `shared` was made by hand and is not switchyard's. */
const BORROWER = clusterGatewayKey(CLUSTER, "apps", "borrower");

/** A Lattice Gateway `apps/<name>` in `network` (created by switchyard when `create`), with one route. */
const latticeGateway = (name: string, network: string, create: boolean) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: apps
  annotations:
    switchyard.dev/service-network: ${network}
    switchyard.dev/create-service-network: "${create}"
    switchyard.dev/lattice-gateway-service: "false"
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}-web, namespace: apps}
spec:
  parentRefs: [{name: ${name}}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`;

const BASE = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 8080, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- addresses: [10.0.1.10]
  conditions: {ready: true}
`;
const ALL = BASE + latticeGateway("kept", "kept-net", true) + latticeGateway("gone", "gone-net", true);
const WITH_BORROWER = ALL + latticeGateway("borrower", "shared", false);
const ONLY_KEPT = BASE + latticeGateway("kept", "kept-net", true);

let dynamo: DynamoDBClient;
let lattice: VPCLatticeClient;
let latticeTagging: ResourceGroupsTaggingAPIClient;
let factory: AwsClientFactory;
let registry: MemoryClusterRegistry;
let snapshots: MemorySnapshotSource;
let deps: GatewayReconcilerDeps;
let sent: OccasionedRequest[];
let resync: ResyncDependencies;
const clock = { now: 1_000_000 };

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
  // The emulator's tagging API: the Lattice resource types' client, for tests only.
  latticeTagging = new ResourceGroupsTaggingAPIClient({ ...latticeSettings(), maxAttempts: 1 });
});

afterAll(() => {
  dynamo?.destroy();
  lattice?.destroy();
  latticeTagging?.destroy();
});

beforeEach(async () => {
  await resetMoto();
  await latticeControl().reset();
  // Every Lattice resource ACTIVE (or gone) at once: waiting on Lattice is lattice-recheck's subject.
  await latticeControl().configure({ asyncSteps: 0 });
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    latticeEndpoint: latticeSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    maxAttempts: 1,
  });
  const registered = await registeredInDefaultVpc(dynamo, CLUSTER);
  registry = registered.registry;
  const table = registered.table;
  const { leases, states } = createDynamoDbStores(dynamo, table);
  snapshots = new MemorySnapshotSource({ [CLUSTER]: manifestObjects(ALL) });
  clock.now = 1_000_000;
  deps = {
    registry,
    snapshots,
    elbFor: elbPortsThrough(factory),
    lattice: { portFor: latticePortsThrough(factory), states: createDynamoDbLatticeStates(dynamo, table) },
    engine: { leases, states, now: () => clock.now, owner: "reconciler", driftIntervalMs: 600_000 },
    dirty: new MemoryDirtyGenerations(),
    pacing: NO_PACING,
    requeue: { send: async () => {} },
    statuses: { send: async () => ({ messages: 1, oversized: [] }) },
    config: controllerConfig(),
  };
  sent = [];
  resync = {
    states,
    queue: { send: async (requests) => void sent.push(...requests) },
    owners: { gatewaysOwning: async () => [] },
    continuation: { continueFrom: async () => {} },
    // Nothing due on any tick: only the orphan check enqueues here.
    schedule: { tickMs: 60_000, periodTicks: 1_000_000, seed: "orphans" },
    ownRoleArns: new Set(),
    maxGatewaysPerInvocation: 500,
    orphans: {
      targets: () => registeredTargets(registry),
      // Load balancers through moto's tagging API, Lattice resources through the emulator's.
      scan: taggingGatewayScan({ elb: (t) => factory.tagging(t), lattice: () => latticeTagging }),
    },
  };
});

afterEach(() => {
  factory?.destroy();
});

const reconcile = (gatewayKey: ClusterGatewayKey) =>
  reconcileGatewayRequest({ version: 1, gatewayKey, reason: "change", generation: 0 }, deps);

/** The record is lost (written by hand, a restored table, a bug): nothing would reconcile it again. */
async function loseRecord(key: ClusterGatewayKey): Promise<void> {
  const lease = await deps.engine.leases.acquire(key, "operator", clock.now, 60_000);
  if (!lease) throw new Error(`the lease of ${key} is held`);
  await deps.engine.states.delete(key, lease, { release: true });
}

/** The Gateway (`ns/name`) each Lattice resource of a kind is tagged as, or `-` when untagged. */
async function owners(kind: "services" | "targetGroups" | "networks"): Promise<string[]> {
  const items =
    kind === "services"
      ? (await lattice.send(new ListServicesCommand({}))).items
      : kind === "targetGroups"
        ? (await lattice.send(new ListTargetGroupsCommand({}))).items
        : (await lattice.send(new ListServiceNetworksCommand({}))).items;
  const found: string[] = [];
  for (const item of items ?? []) {
    const tags = (await lattice.send(new ListTagsForResourceCommand({ resourceArn: item.arn }))).tags ?? {};
    found.push(`${item.name}:${tags[TAG.gateway] ?? "-"}`);
  }
  return found.sort();
}

describe("the resync tick's orphan check on VPC Lattice", () => {
  it("a gone Lattice Gateway without a record gets a reconcile naming Lattice, which deletes its services and groups and the network switchyard created; a recorded one is left", async () => {
    // A service network made by hand: the borrower uses it and switchyard never created it.
    await lattice.send(new CreateServiceNetworkCommand({ name: "shared" }));
    snapshots.set(CLUSTER, manifestObjects(WITH_BORROWER));
    for (const key of [KEPT, GONE, BORROWER]) {
      expect(await reconcile(key)).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
      expect((await deps.engine.states.get(key))?.dataPlane).toBe("lattice");
    }
    const services = await owners("services");
    expect(services.map((s) => s.split(":")[1])).toEqual(["apps/borrower", "apps/gone", "apps/kept"]);
    const groups = await owners("targetGroups");
    expect(groups.map((g) => g.split(":")[1]).sort()).toEqual(["apps/borrower", "apps/gone", "apps/kept"]);
    expect(await owners("networks")).toEqual(["gone-net:apps/gone", "kept-net:apps/kept", "shared:-"]);

    // The two Gateways are deleted and their records lost.
    snapshots.set(CLUSTER, manifestObjects(ONLY_KEPT));
    await loseRecord(GONE);
    await loseRecord(BORROWER);

    // A ServiceExport's group names an export, not a Gateway (its own reconcile unit): not an orphan here.
    await lattice.send(
      new CreateTargetGroupCommand({
        name: "sy-export-web",
        type: "IP",
        config: { port: 8080, protocol: "HTTP", vpcIdentifier: "vpc-0a1b2c3d4e5f60718" },
        tags: ownershipTags(CLUSTER, serviceExportOwner("apps", "web"), "target-group:export"),
      }),
    );

    const outcome = await resyncTick({ tick: 7, done: 0 }, resync);
    expect(outcome).toMatchObject({
      kind: "scheduled",
      enqueued: [BORROWER, GONE],
      orphanCheck: {
        target: { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION },
        orphans: [
          { key: BORROWER, planes: ["lattice"] },
          { key: GONE, planes: ["lattice"] },
        ],
        shortened: [],
        // One page from moto's tagging API (no load balancers), one from the emulator's.
        calls: 2,
      },
    });
    expect(sent.map((s) => [s.request.gatewayKey, s.request.reason, s.request.orphanedOn, s.occasion])).toEqual([
      [BORROWER, "resync", "lattice", "orphans:7:lattice"],
      [GONE, "resync", "lattice", "orphans:7:lattice"],
    ]);

    // The reconcile λ takes each request: no Gateway, no record, Lattice named → Lattice's
    // discovery by tags finds what is the Gateway's, and the engine deletes it.
    for (const { request } of sent) {
      expect(await reconcileGatewayRequest(request, deps)).toMatchObject({
        disposition: "done",
        outcome: { kind: "deleted" },
      });
      expect(await deps.engine.states.get(request.gatewayKey)).toBeUndefined();
    }
    expect((await owners("services")).map((s) => s.split(":")[1])).toEqual(["apps/kept"]);
    expect((await owners("targetGroups")).map((g) => g.split(":")[1]).sort()).toEqual([
      "ServiceExport/apps/web",
      "apps/kept",
    ]);
    // The network switchyard created for the gone Gateway goes; the hand-made one stays.
    expect(await owners("networks")).toEqual(["kept-net:apps/kept", "shared:-"]);
    expect((await deps.engine.states.get(KEPT))?.dataPlane).toBe("lattice");

    // The next tick finds nothing to enqueue.
    sent = [];
    expect(await resyncTick({ tick: 8, done: 0 }, resync)).toMatchObject({
      enqueued: [],
      orphanCheck: { orphans: [] },
    });
    expect(sent).toEqual([]);
  });

  it("an ordinary deletion without a record stays on ELB: it reads and deletes nothing on Lattice", async () => {
    expect(await reconcile(GONE)).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    snapshots.set(CLUSTER, manifestObjects(ONLY_KEPT));
    await loseRecord(GONE);
    const control = latticeControl();
    const since = (await control.calls()).at(-1)?.seq ?? 0;
    // The same Gateway gone, without the orphan check's word: no Lattice call at all.
    await reconcile(GONE);
    expect(await control.calls({ since })).toEqual([]);
    expect((await owners("services")).map((s) => s.split(":")[1])).toEqual(["apps/gone"]);
  });
});
