// What a reconcile costs in DynamoDB requests, counted on the DynamoDB client by middleware against
// DynamoDB Local (ELBv2 on moto): a reconcile that applies makes two (the claim, which takes the
// lease and reads the record; the record write, which releases it), one with nothing to do makes
// one (a claim refused by its own condition), and of two reconcilers of one Gateway only one applies.

import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { InitializeHandler, InitializeHandlerArguments, MetadataBearer } from "@smithy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { type ReconcileDeps, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
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
import { gatewayModel, type RouteShape } from "../fixtures/gateway-model.ts";

const CLUSTER = "test";
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const ROUTES: RouteShape[] = [{ path: "/a" }, { path: "/b", backends: { api: 1 } }];

/** One DynamoDB request as sent: its operation and input, and how it ended. */
interface Sent {
  operation: string;
  input: Record<string, unknown>;
  outcome: string;
}

let dynamo: DynamoDBClient;
let sent: Sent[] = [];
let factory: AwsClientFactory;
let clock = 1_000_000;

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  dynamo.middlewareStack.add(
    (next: InitializeHandler<object, MetadataBearer>, context) => async (args: InitializeHandlerArguments<object>) => {
      const entry: Sent = {
        operation: (context.commandName ?? "").replace(/Command$/, ""),
        input: structuredClone(args.input) as Record<string, unknown>,
        outcome: "ok",
      };
      sent.push(entry);
      try {
        return await next(args);
      } catch (error) {
        entry.outcome = error instanceof Error ? error.name : "error";
        throw error;
      }
    },
    { step: "initialize", name: "recordDynamoDbRequests" },
  );
});

afterAll(() => {
  dynamo?.destroy();
  factory?.destroy();
});

beforeEach(async () => {
  await resetMoto();
  factory?.destroy();
  factory = new AwsClientFactory({ endpoint: motoSettings().endpoint, credentials: DUMMY_CREDENTIALS });
  clock += 1_000_000;
});

async function setup() {
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const stores = createDynamoDbStores(dynamo, table);
  const elb = new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: "apps/gw" });
  const deps = (owner = "reconciler-a"): ReconcileDeps => ({
    ...stores,
    elb,
    now: () => clock,
    owner,
    driftIntervalMs: 600_000,
  });
  sent = [];
  return { stores, deps };
}

const request = (desired: LoadBalancerModel | undefined) => ({
  gatewayKey: KEY,
  dataPlane: "alb" as const,
  account: target.account,
  region: target.region,
  desired,
});

/** The lease attributes an UpdateItem removes: the release, when the write carries it. */
function removed(input: Record<string, unknown>): string[] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const clause = /REMOVE (.*)$/.exec(String(input.UpdateExpression))?.[1] ?? "";
  return clause
    .split(",")
    .map((p) => names[p.trim()] ?? "")
    .filter((n) => n === "owner" || n === "leaseExpiresAt");
}

function elbv2Calls(): number {
  return factory.counter.calls("ElasticLoadBalancingV2");
}

describe("DynamoDB requests per reconcile, on DynamoDB Local", () => {
  it("a reconcile that applies makes two: the claim, then the record write that releases the lease", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    expect(sent.map((s) => [s.operation, s.outcome])).toEqual([
      ["UpdateItem", "ok"],
      ["UpdateItem", "ok"],
    ]);
    const [claim, write] = sent;
    expect(claim?.input).toMatchObject({ ReturnValues: "ALL_OLD", ReturnValuesOnConditionCheckFailure: "ALL_OLD" });
    expect(removed(claim?.input ?? {})).toEqual([]);
    expect(removed(write?.input ?? {}).sort()).toEqual(["leaseExpiresAt", "owner"]);
    // The outcome rides in the record write: no request of its own.
    expect(await stores.states.get(KEY)).toMatchObject({ lastReconcile: { at: clock, outcome: "applied" } });
    expect(Object.values((write?.input.ExpressionAttributeNames ?? {}) as Record<string, string>)).toEqual(
      expect.arrayContaining(["lastReconcileAt", "lastOutcome"]),
    );

    // An endpoint change: the same two, next to ELBv2's register and deregister (and the security
    // group rules for the new and the departed target addresses, which are EC2's, not ELBv2's).
    sent = [];
    clock += 1_000;
    const elbBefore = elbv2Calls();
    const moved = gatewayModel(ROUTES, { clusterId: CLUSTER, endpoints: { web: ["10.0.0.10", "10.0.0.99"] } });
    expect(await reconcileGateway(request(moved), deps())).toMatchObject({
      kind: "applied",
      operations: ["AuthorizeTargetIngress", "RegisterTargets", "DeregisterTargets", "RevokeTargetIngress"],
    });
    expect(elbv2Calls() - elbBefore).toBe(2);
    expect(sent.map((s) => s.operation)).toEqual(["UpdateItem", "UpdateItem"]);
  });

  it("a reconcile with nothing to do makes one: a claim refused by its own condition, which returns the record", async () => {
    const { deps } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    await reconcileGateway(request(desired), deps());
    // The next one re-reads the load balancer while it provisions (two claims and a write).
    clock += 1_000;
    await reconcileGateway(request(desired), deps());
    sent = [];
    clock += 1_000;
    const elbBefore = elbv2Calls();
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(sent.map((s) => [s.operation, s.outcome])).toEqual([["UpdateItem", ConditionalCheckFailedException.name]]);
    expect(elbv2Calls()).toBe(elbBefore);
  });

  it("of two reconcilers of one Gateway started together, one applies and the other is busy after one request", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const outcomes = await Promise.all([
      reconcileGateway(request(desired), deps("a")),
      reconcileGateway(request(desired), deps("b")),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["applied", "busy"]);
    expect(sent.map((s) => s.outcome).sort()).toEqual([ConditionalCheckFailedException.name, "ok", "ok"]);
    expect(factory.counter.calls("ElasticLoadBalancingV2", "CreateLoadBalancer")).toBe(1);
    // The loser's refused claim took no token; the winner released in its write.
    expect(await stores.states.get(KEY)).toMatchObject({
      fencingToken: 1,
      applied: { listeners: [{ id: "HTTP:80" }] },
    });
    expect(await stores.leases.acquire(KEY, "next", clock, 60_000)).toMatchObject({ token: 2 });
  });
});
