// The state record of a large Lattice Gateway on DynamoDB Local: its size as DynamoDB counts it,
// for a large Gateway as people write them and for one at every limit the planner lets through,
// filled with text gzip cannot shrink. The record keeps rule matches and auth policies as digests
// (shared/lattice/digest.ts); the worst case fits with room to spare and round-trips exactly.
// Figures: shared/store/README.md, "Lattice record size".
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { itemSize, MAX_ITEM_BYTES } from "../../shared/store/dynamodb/item-size.ts";
import { CLAIM_HEADROOM_BYTES, encodeApplied, encodeState } from "../../shared/store/dynamodb/state-item.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { type GatewayState, StateTooLarge } from "../../shared/store/state.ts";
import { dynamoDbSettings, uniqueName } from "../env/clients.ts";
import { appliedLattice, atLimits, largeLatticeModel } from "../fixtures/lattice-large.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "net");

let dynamo: DynamoDBClient;
const table = uniqueName("switchyard");

beforeAll(async () => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  await createTable(dynamo, table);
});

afterAll(() => dynamo?.destroy());

function recordOf(applied: ObservedLattice): GatewayState<ObservedLattice> {
  return {
    gatewayKey: GATEWAY,
    dataPlane: "lattice",
    account: "111122223333",
    region: "us-east-1",
    appliedHash: "h".repeat(64),
    applied,
    lastDriftCheck: 1_750_000_000_000,
    fencingToken: 1,
  };
}

/** Writes the record under a lease, reads it back, and returns its item's size with the claim's headroom. */
async function stored(applied: ObservedLattice): Promise<number> {
  const { leases } = createDynamoDbStores(dynamo, table);
  const states = createDynamoDbLatticeStates(dynamo, table);
  const lease = await leases.acquire(GATEWAY, "sizer", Date.now(), 60_000);
  if (!lease) throw new Error("the lease is free");
  await states.put(recordOf(applied), lease, { release: true });
  const read = await states.get(GATEWAY);
  expect(read?.applied).toEqual(applied);
  return itemSize(encodeState(recordOf(applied), GATEWAY, lease.token)) + CLAIM_HEADROOM_BYTES;
}

const counts = (applied: ObservedLattice) => ({
  services: applied.services.length,
  listeners: applied.services.flatMap((s) => s.listeners).length,
  rules: applied.services.flatMap((s) => s.listeners.flatMap((l) => l.rules)).length,
  targetGroups: applied.targetGroups.length,
  targets: applied.targetGroups.flatMap((g) => g.targets).length,
  authPolicies: applied.services.filter((s) => s.authPolicy !== undefined).length,
  accessLogs: applied.services.flatMap((s) => s.accessLogs ?? []).length,
  taggedResources: [
    applied.serviceNetwork,
    ...applied.services,
    ...applied.services.flatMap((s) => s.listeners),
    ...applied.targetGroups,
  ].filter((r) => Object.keys(r?.tags ?? {}).length > 0).length,
});

describe("the state record of a large Lattice Gateway on DynamoDB Local", () => {
  it("100 routes of 5 rules, 100 groups of 20 targets, auth and access logs and tags everywhere: about a ninth of the item limit", async () => {
    const applied = appliedLattice(largeLatticeModel(100, 5, 20));
    expect(counts(applied)).toEqual({
      services: 100,
      listeners: 100,
      rules: 500,
      targetGroups: 100,
      targets: 2_000,
      authPolicies: 100,
      accessLogs: 100,
      taggedResources: 301,
    });
    const bytes = await stored(applied);
    console.info(
      `large Lattice record: ${bytes} bytes with headroom; applied JSON ${encodeApplied(applied).json} bytes`,
    );
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES / 4);
  });

  it("at every limit the planner lets through, with incompressible matches and 10 KB auth policies, it still fits", async () => {
    const desired = atLimits(largeLatticeModel(100, 5, 20));
    const applied = appliedLattice(desired);
    expect(counts(applied)).toMatchObject({ services: 100, listeners: 200, rules: 2_000, authPolicies: 100 });
    // The same record with the matches and documents themselves, as it was kept before digests:
    // over the limit even gzip-compressed, so the write would be refused after AWS took every call.
    const verbatim = {
      ...applied,
      services: applied.services.map((s) => {
        const model = desired.services.find((m) => m.id === s.id);
        return {
          ...s,
          ...(model?.auth ? { authPolicy: model.auth.policy } : {}),
          listeners: s.listeners.map((l) => ({
            ...l,
            rules: l.rules.map(({ matchDigest: _digest, ...r }) => ({
              ...r,
              match: model?.listeners.find((ml) => ml.id === l.id)?.rules.find((mr) => mr.id === r.id)?.match,
            })),
          })),
        };
      }),
    };
    const refused = (() => {
      try {
        encodeState(recordOf(verbatim as unknown as ObservedLattice), GATEWAY, 1);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(StateTooLarge);
    if (refused instanceof StateTooLarge) {
      console.info(`the same record with matches and documents verbatim: ${refused.bytes} bytes`);
    }
    const { json } = encodeApplied(applied);
    const bytes = await stored(applied);
    console.info(`Lattice record at the planner's limits: ${bytes} bytes with headroom; applied JSON ${json} bytes`);
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES / 2);
  });
});
