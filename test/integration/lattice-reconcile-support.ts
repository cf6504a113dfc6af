// Set-up shared by the Lattice reconcile suites: the engine over the Lattice plane, through the real
// AwsLattice adapter and client factory (the SDK over HTTP to the Lattice emulator), with its records
// in DynamoDB Local; and the emulator's call log, counted per reconcile.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsLattice } from "../../shared/aws/lattice/port.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { LatticeModel } from "../../shared/lattice/model.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { type EngineDeps, reconcileDataPlane } from "../../shared/reconcile/engine.ts";
import { LATTICE_DATA_PLANE, type LatticeOutcome } from "../../shared/reconcile/lattice-plane.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import {
  type CallRecord,
  countCalls,
  DUMMY_CREDENTIALS,
  latticeControl,
  latticeSettings,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { LATTICE_GATEWAY, LATTICE_NAMESPACE } from "../fixtures/lattice-gateway.ts";

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
  port: AwsLattice;
  deps: EngineDeps<ObservedLattice>;
  /** The engine's clock (epoch ms); tests move it. */
  clock: { now: number };
  reconcile(desired: LatticeModel | undefined): Promise<LatticeOutcome>;
}

export async function latticeHarness(dynamo: DynamoDBClient, factory: AwsClientFactory): Promise<LatticeHarness> {
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const { leases } = createDynamoDbStores(dynamo, table);
  const states = createDynamoDbLatticeStates(dynamo, table);
  const port = new AwsLattice(
    factory,
    TARGET,
    { clusterId: CLUSTER, gatewayKey: `${LATTICE_NAMESPACE}/${LATTICE_GATEWAY}` },
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
  return {
    port,
    deps,
    clock,
    reconcile: (desired) =>
      reconcileDataPlane(
        LATTICE_DATA_PLANE,
        port,
        { gatewayKey: KEY, dataPlane: "lattice", account: ACCOUNT, region: TEST_REGION, desired },
        deps,
      ),
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
