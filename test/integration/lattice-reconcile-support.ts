// Set-up shared by the Lattice reconcile suites: the suite's clients and hooks (a fresh emulator
// for each test); the engine over the Lattice plane, through the real AwsLattice adapter and client
// factory (the SDK over HTTP to the Lattice emulator), with its records in DynamoDB Local; the
// Gateway reconciler's dependencies for the multi-cluster suites; and the emulator's call log,
// counted per reconcile.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsLattice } from "../../shared/aws/lattice/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { KubeObject } from "../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { MemoryDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import type { GatewayReconcilerDeps, SnapshotSource } from "../../shared/pipeline/reconcile-gateway.ts";
import { type EngineDeps, reconcileDataPlane } from "../../shared/reconcile/engine.ts";
import { LATTICE_DATA_PLANE, type LatticeOutcome } from "../../shared/reconcile/lattice-plane.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import {
  type CallRecord,
  countCalls,
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  latticeControl,
  latticeSettings,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { LATTICE_GATEWAY, LATTICE_NAMESPACE } from "../fixtures/lattice-gateway.ts";
import { sameAccountCluster } from "../unit/registry/fixtures.ts";

/** The account the emulator acts in for keys it does not know (DUMMY_CREDENTIALS). */
export const ACCOUNT = "123456789012";
export const CLUSTER = "test";
export const VPC = "vpc-0a1b2c3d4e5f60718";
export const KEY = clusterGatewayKey(CLUSTER, LATTICE_NAMESPACE, LATTICE_GATEWAY);
export const TARGET: AwsTarget = { account: ACCOUNT, region: TEST_REGION };
export const DRIFT_INTERVAL_MS = 600_000;

export function latticeFactory(options: { maxAttempts?: number } = {}): AwsClientFactory {
  return new AwsClientFactory({
    latticeEndpoint: latticeSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    account: ACCOUNT,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

export interface LatticeHarness {
  factory: AwsClientFactory;
  port: AwsLattice;
  deps: EngineDeps<ObservedLattice>;
  /** The engine's clock (epoch ms); tests move it. */
  clock: { now: number };
  reconcile(desired: LatticeModel | undefined): Promise<LatticeOutcome>;
  /**
   * What the next reconcile (the recheck) does once Lattice has finished everything in progress: it
   * re-reads what was still being created and registers the targets of the groups created before
   * (Lattice refuses them while it creates a group) — and nothing else, or this throws.
   */
  settle(desired: LatticeModel | undefined): Promise<LatticeOutcome & { kind: "applied" | "unchanged" }>;
}

/** The engine for one Gateway of `apps` (`net` unless `gateway` names another) over a fresh table. */
export async function latticeHarness(
  dynamo: DynamoDBClient,
  factory: AwsClientFactory,
  options: { gateway?: string } = {},
): Promise<LatticeHarness> {
  const gateway = options.gateway ?? LATTICE_GATEWAY;
  const key = clusterGatewayKey(CLUSTER, LATTICE_NAMESPACE, gateway);
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const { leases } = createDynamoDbStores(dynamo, table);
  const states = createDynamoDbLatticeStates(dynamo, table);
  const port = new AwsLattice(
    factory,
    TARGET,
    { clusterId: CLUSTER, gatewayKey: `${LATTICE_NAMESPACE}/${gateway}` },
    { vpcId: VPC },
  );
  const clock = { now: 1_000_000 };
  const deps: EngineDeps<ObservedLattice> = {
    leases,
    states,
    now: () => clock.now,
    owner: "reconciler",
    driftIntervalMs: DRIFT_INTERVAL_MS,
  };
  const reconcile = (desired: LatticeModel | undefined) =>
    reconcileDataPlane(
      LATTICE_DATA_PLANE,
      port,
      { gatewayKey: key, dataPlane: "lattice", account: ACCOUNT, region: TEST_REGION, desired },
      deps,
    );
  return {
    factory,
    port,
    deps,
    clock,
    reconcile,
    async settle(desired) {
      await latticeControl().settle();
      clock.now += 1_000;
      const outcome = await reconcile(desired);
      const onlyTargets = outcome.kind === "applied" && outcome.operations.every((op) => op === "RegisterTargets");
      if (outcome.kind !== "unchanged" && !onlyTargets) {
        throw new Error(`expected only targets registered once Lattice settled, got ${JSON.stringify(outcome)}`);
      }
      return outcome as LatticeOutcome & { kind: "applied" | "unchanged" };
    },
  };
}

/** A Lattice reconcile suite's clients, created before its tests and destroyed after them. */
export interface LatticeSuite {
  readonly dynamo: DynamoDBClient;
  /** A client of the emulator, in ACCOUNT, without the SDK's retries. */
  readonly lattice: VPCLatticeClient;
  /** A client factory over the emulator, destroyed after the test. */
  factory(options?: { maxAttempts?: number }): AwsClientFactory;
  /** `latticeHarness` over a new factory (`maxAttempts` as the SDK's), destroyed after the test. */
  harness(maxAttempts?: number): Promise<LatticeHarness>;
}

/**
 * Registers the hooks every Lattice reconcile suite needs: DynamoDB Local and emulator clients for
 * the file, an emptied emulator before each test, and the test's factories destroyed after it.
 * Call once, at the top of the test file.
 */
export function latticeSuite(): LatticeSuite {
  let dynamo: DynamoDBClient | undefined;
  let lattice: VPCLatticeClient | undefined;
  const factories: AwsClientFactory[] = [];
  beforeAll(() => {
    dynamo = new DynamoDBClient(dynamoDbSettings());
    lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
  });
  afterAll(() => {
    dynamo?.destroy();
    lattice?.destroy();
  });
  beforeEach(async () => {
    await latticeControl().reset();
  });
  afterEach(() => {
    for (const f of factories.splice(0)) f.destroy();
  });
  const suite: LatticeSuite = {
    get dynamo() {
      if (!dynamo) throw new Error("the DynamoDB client is made in beforeAll");
      return dynamo;
    },
    get lattice() {
      if (!lattice) throw new Error("the Lattice client is made in beforeAll");
      return lattice;
    },
    factory(options = {}) {
      const factory = latticeFactory(options);
      factories.push(factory);
      return factory;
    },
    harness(maxAttempts) {
      return latticeHarness(suite.dynamo, suite.factory(maxAttempts !== undefined ? { maxAttempts } : {}));
    },
  };
  return suite;
}

/** The objects of a manifest that must load without a problem. */
export function manifestObjects(yaml: string): KubeObject[] {
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.problems).toEqual([]);
  return loaded.objects;
}

/** Lattice class `lattice` and its Gateway `apps/net` (one HTTP listener, a network switchyard creates), ending with a separator. */
export const NET_GATEWAY_YAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: net
  namespace: apps
  annotations: {switchyard.dev/service-network: net, switchyard.dev/create-service-network: "true"}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
`;

/** The importing cluster's Lattice Gateway `apps/net` with an HTTPRoute to the ServiceImport apps/web. */
export const IMPORTER = `${NET_GATEWAY_YAML}
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: web, namespace: apps}
spec: {type: ClusterSetIP, ports: [{port: 8080, protocol: TCP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: global, namespace: apps}
spec:
  parentRefs: [{name: net}]
  rules:
  - backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: web, port: 8080}]
`;

/** A federated ServiceExport of apps/web (port 8080, HTTP), ending with a document separator. */
export const SERVICE_EXPORT = `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec:
  exportedPorts: [{port: 8080, routeType: HTTP}]
---`;

/** Service apps/web (port 8080) and its EndpointSlice with `ips` as ready endpoints. */
export const WEB_SERVICE = (ips: string[]) => `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [${ips.map((ip) => `{addresses: [${ip}]}`).join(", ")}]
`;

/** A registry holding `clusters`, each in ACCOUNT and TEST_REGION with VPC. */
export async function registeredClusters(clusters: string[]): Promise<MemoryClusterRegistry> {
  const registry = new MemoryClusterRegistry(ACCOUNT);
  for (const id of clusters) {
    await registry.put({ ...sameAccountCluster(id), account: ACCOUNT, region: TEST_REGION, vpcId: VPC }, "create");
  }
  return registry;
}

/**
 * The Gateway reconciler over the Lattice emulator (each cluster's port in its registered VPC) and
 * a fresh DynamoDB table; no ELB. Requeued requests and status intents go to the given sinks, or
 * nowhere.
 */
export async function latticeReconcilerDeps(
  dynamo: DynamoDBClient,
  factory: AwsClientFactory,
  options: {
    registry: GatewayReconcilerDeps["registry"];
    snapshots: SnapshotSource;
    now: () => number;
    requeue?: GatewayReconcilerDeps["requeue"];
    statuses?: GatewayReconcilerDeps["statuses"];
  },
): Promise<GatewayReconcilerDeps> {
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const { leases, states } = createDynamoDbStores(dynamo, table);
  return {
    registry: options.registry,
    snapshots: options.snapshots,
    elbFor: () => {
      throw new Error("no ELB Gateway here");
    },
    lattice: {
      portFor: (cluster, owner) =>
        new AwsLattice(
          factory,
          TARGET,
          { clusterId: owner.clusterId, gatewayKey: owner.gatewayKey },
          { vpcId: cluster.vpcId },
        ),
      states: createDynamoDbLatticeStates(dynamo, table),
    },
    engine: { leases, states, now: options.now, owner: "test", driftIntervalMs: 600_000 },
    dirty: new MemoryDirtyGenerations(),
    requeue: options.requeue ?? { send: async () => {} },
    statuses: options.statuses ?? { send: async () => ({ messages: 1, oversized: [] }) },
    config: controllerConfig(),
  };
}

/** The emulator's calls made while `run` ran, and its result. */
export async function counted<T>(
  run: () => Promise<T>,
): Promise<{ result: T; calls: CallRecord[]; counts: Record<string, number> }> {
  const control = latticeControl();
  const since = (await control.calls()).at(-1)?.seq ?? 0;
  const result = await run();
  const calls = await control.calls({ since });
  return { result, calls, counts: countCalls(calls) };
}

/** Calls that change something: every operation but Get* and List*. */
export function writes(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([op]) => !op.startsWith("Get") && !op.startsWith("List")));
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((n, c) => n + c, 0);
}
