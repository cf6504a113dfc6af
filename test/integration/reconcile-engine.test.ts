// The reconcile engine end to end against real parts: moto for ELBv2 (through the AWS SDK and the
// adapter), DynamoDB Local for state and leases. AWS calls are counted by the client factory's
// middleware; the load balancer is read back with plain SDK calls, not through switchyard.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import { evaluateListener } from "../../shared/elb/evaluate.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { modelHash, type ReconcileDeps, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { FAULTS, FaultInjectingHandler } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
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
const GATEWAY = "apps/gw";
/** The Gateway's key in the stores and the engine. */
const KEY = clusterGatewayKey(CLUSTER, "apps", "gw");
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const ROUTES: RouteShape[] = [
  { path: "/a" },
  { path: "/b", backends: { api: 1 } },
  { path: "/c", backends: { web: 3, ui: 1 } },
];

let dynamo: DynamoDBClient;
let faults: FaultInjectingHandler;
let factory: AwsClientFactory;
let sdk: ElasticLoadBalancingV2Client;
let clock = 1_000_000;

function writes(): number {
  return Object.entries(factory.counter.snapshot())
    .filter(([op]) => !/:(Describe|Get)/.test(op))
    .reduce((n, [, c]) => n + c.calls, 0);
}

function calls(): number {
  return Object.values(factory.counter.snapshot()).reduce((n, c) => n + c.calls, 0);
}

async function setup(owner = "reconciler-a") {
  const table = uniqueName("switchyard");
  await createTable(dynamo, table);
  const stores = createDynamoDbStores(dynamo, table);
  const elb = new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: GATEWAY });
  const deps = (who = owner): ReconcileDeps => ({
    ...stores,
    elb,
    now: () => clock,
    owner: who,
    driftIntervalMs: 600_000,
  });
  return { stores, elb, deps };
}

const request = (desired: LoadBalancerModel | undefined) => ({
  gatewayKey: KEY,
  dataPlane: "alb" as const,
  account: target.account,
  region: target.region,
  desired,
});

async function ruleConditions(listenerArn: string): Promise<string[]> {
  const out = await sdk.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return (out.Rules ?? [])
    .filter((r) => !r.IsDefault)
    .map((r) => JSON.stringify(r.Conditions?.map((c) => c.Values ?? c.PathPatternConfig?.Values)))
    .sort();
}

async function loadBalancers(): Promise<string[]> {
  const out = await sdk.send(new DescribeLoadBalancersCommand({}));
  return (out.LoadBalancers ?? []).map((lb) => lb.LoadBalancerName ?? "");
}

async function targetGroups(): Promise<string[]> {
  const out = await sdk.send(new DescribeTargetGroupsCommand({}));
  return (out.TargetGroups ?? []).map((tg) => tg.TargetGroupName ?? "").sort();
}

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  sdk = new ElasticLoadBalancingV2Client(motoSettings());
});

afterAll(() => {
  dynamo?.destroy();
  sdk?.destroy();
});

beforeEach(async () => {
  await resetMoto();
  factory?.destroy();
  faults = new FaultInjectingHandler();
  factory = new AwsClientFactory({
    endpoint: motoSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    requestHandler: faults,
  });
  clock += 1_000_000;
});

describe("reconciling a Gateway against moto and DynamoDB Local", () => {
  it("creates the load balancer, listener, rules and target groups and records them", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind).toBe("applied");
    expect(await loadBalancers()).toEqual([desired.name]);
    expect(await targetGroups()).toEqual(desired.targetGroups.map((tg) => tg.name).sort());
    const state = await stores.states.get(KEY);
    expect(state?.applied.listeners[0]?.rules).toHaveLength(3);
  });

  it("a reconcile with nothing changed makes zero AWS calls", async () => {
    const { deps } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    await reconcileGateway(request(desired), deps());
    // The next reconcile re-reads the load balancer while it is provisioning; after that, nothing.
    await reconcileGateway(request(desired), deps());
    const before = calls();
    clock += 60_000;
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("unchanged");
    expect(calls() - before).toBe(0);
  });

  it("one changed route costs one write per changed rule and no reads", async () => {
    const { deps } = await setup();
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    const before = { writes: writes(), calls: calls() };
    const changed = ROUTES.map((r) => (r.path === "/c" ? { ...r, backends: { web: 1, ui: 1 } } : r));
    const outcome = await reconcileGateway(request(gatewayModel(changed, { clusterId: CLUSTER })), deps());
    expect(outcome).toMatchObject({ kind: "applied", operations: ["ModifyRule"] });
    expect(writes() - before.writes).toBe(1);
    expect(calls() - before.calls).toBe(1);
  });

  it("a changed path that keeps its rule's place is one ModifyRule, and AWS then holds the new path", async () => {
    const { deps, stores } = await setup();
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    const before = { writes: writes(), calls: calls() };
    // /d sorts where /c did: same length, same creation time.
    const changed = ROUTES.map((r) => (r.path === "/c" ? { ...r, path: "/d" } : r));
    const outcome = await reconcileGateway(request(gatewayModel(changed, { clusterId: CLUSTER })), deps());
    expect(outcome).toMatchObject({ kind: "applied", operations: ["ModifyRule"] });
    expect([writes() - before.writes, calls() - before.calls]).toEqual([1, 1]);
    const listenerArn = (await stores.states.get(KEY))?.applied.listeners[0]?.arn ?? "";
    expect(await ruleConditions(listenerArn)).toEqual([
      JSON.stringify([["/a", "/a/*"]]),
      JSON.stringify([["/b", "/b/*"]]),
      JSON.stringify([["/d", "/d/*"]]),
    ]);
  });

  it("a drift check restores a rule modified behind switchyard's back", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    await reconcileGateway(request(desired), deps());
    const state = await stores.states.get(KEY);
    const rule = state?.applied.listeners[0]?.rules[0];
    if (!rule) throw new Error("no rule recorded");
    await sdk.send(
      new ModifyRuleCommand({
        RuleArn: rule.arn,
        Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "503" } }],
      }),
    );
    clock += 600_001;
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toMatchObject({ kind: "applied", drift: true, operations: ["ModifyRule"] });
    const listenerArn = state?.applied.listeners[0]?.arn ?? "";
    const rules = await sdk.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const restored = rules.Rules?.find((r) => r.RuleArn === rule.arn);
    expect(restored?.Actions?.[0]?.Type).toBe("forward");
  });

  it("throttled CreateRule calls are retried by the SDK and the reconcile converges", async () => {
    const { deps, stores } = await setup();
    faults.inject("CreateRule", FAULTS.throttling, 3);
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind).toBe("applied");
    const state = await stores.states.get(KEY);
    expect(state?.applying).toBeUndefined();
    expect(state?.appliedHash).toBe(modelHash(desired));
    expect(faults.pending()).toBe(0);
    expect(factory.counter.snapshot()["ElasticLoadBalancingV2:CreateRule"]?.attempts).toBe(6);
  });

  it("a crash mid-apply is finished by the next reconcile with no orphan and no duplicate", async () => {
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const { deps, elb } = await setup();
    const original = elb.execute.bind(elb);
    let n = 0;
    elb.execute = async (op, current, created) => {
      n += 1;
      const after = await original(op, current, created);
      // AWS accepted the sixth call; the Lambda died before recording it.
      if (n === 6) throw new Error("Lambda timed out");
      return after;
    };
    await expect(reconcileGateway(request(desired), deps())).rejects.toThrow("Lambda timed out");
    elb.execute = original;
    clock += 60_000 + 20_000 + 1;
    const outcome = await reconcileGateway(request(desired), deps("reconciler-b"));
    expect(outcome.kind).toBe("applied");
    expect(await loadBalancers()).toEqual([desired.name]);
    expect(await targetGroups()).toEqual(desired.targetGroups.map((tg) => tg.name).sort());
    const observed = await elb.discover();
    expect(planElb(desired, observed).operations).toEqual([]);
  });

  it("two reconcilers racing on one Gateway never both apply", async () => {
    const { deps } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const [a, b] = await Promise.all([
      reconcileGateway(request(desired), deps("a")),
      reconcileGateway(request(desired), deps("b")),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(["applied", "busy"]);
    expect(await loadBalancers()).toEqual([desired.name]);
  });

  it("no request served before and after a change meets a 404 between the steps of the change", async () => {
    const { deps, stores, elb } = await setup();
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    const state = await stores.states.get(KEY);
    if (!state) throw new Error("no state");
    // Move /b, insert /ab before it, drop /c, and change /a's backends: every kind of rule change.
    const next = gatewayModel(
      [{ path: "/a", backends: { ui: 1 } }, { path: "/ab" }, { path: "/bee", backends: { api: 1 } }],
      {
        clusterId: CLUSTER,
      },
    );
    const probes = ["/a", "/a/1", "/ab", "/b", "/bee", "/c", "/"];
    const served = (observed: typeof state.applied, path: string) => {
      const l = observed.listeners[0];
      if (!l) return "no listener";
      const o = evaluateListener(l.rules, l.defaultActions, {
        method: "GET",
        scheme: "http",
        host: "gw.example",
        port: 80,
        path,
      });
      return o.kind === "fixed-response" ? String(o.statusCode) : o.kind;
    };
    const plan = planElb(next, state.applied);
    const created = new Map<string, string>();
    let observed = state.applied;
    const before = probes.map((p) => served(observed, p));
    const gaps: string[] = [];
    for (const op of plan.operations) {
      observed = await elb.execute(op, observed, created);
      // Read the listener back from AWS, not from what the executor believes.
      const actual = await elb.observe(observed);
      probes.forEach((p, i) => {
        if (before[i] !== "404" && served(actual, p) === "404") gaps.push(`${p} after ${op.op}`);
      });
    }
    const final = await elb.observe(observed);
    const after = probes.map((p) => served(final, p));
    expect(gaps.filter((g) => after[probes.indexOf(g.split(" ")[0] ?? "")] !== "404")).toEqual([]);
  });

  it("deleting the Gateway removes every resource it owned", async () => {
    const { deps, stores } = await setup();
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    expect((await reconcileGateway(request(undefined), deps())).kind).toBe("deleted");
    expect(await loadBalancers()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    expect(await stores.states.get(KEY)).toBeUndefined();
  });

  it("a crash after AWS accepted a rule is re-discovered by the next reconciler: no duplicate rule", async () => {
    const { deps, stores } = await setup();
    await reconcileGateway(request(gatewayModel(ROUTES, { clusterId: CLUSTER })), deps());
    const changed = gatewayModel([...ROUTES, { path: "/d" }], { clusterId: CLUSTER });
    const held = faults.holdResponse("CreateRule");
    // Reconciler A dies while AWS creates the rule: its answer never comes back.
    const runA = reconcileGateway(request(changed), deps("reconciler-a"));
    const settledA = runA.then(
      (outcome) => outcome.kind,
      (error: unknown) => (error instanceof Error ? error.name : "thrown"),
    );
    await held.accepted;
    // Every call A starts lands before its lease expires (no call starts with less than a call
    // deadline plus margin left on the lease), so the marker says: by the lease's expiry.
    const landBy = (await stores.states.get(KEY))?.applying?.callsLandBy ?? 0;
    expect(landBy).toBe(clock + 60_000);

    clock += 59_999;
    const before = calls();
    expect((await reconcileGateway(request(changed), deps("reconciler-b"))).kind).toBe("busy");
    expect(calls() - before).toBe(0);
    // A died holding its lease (its call still unanswered here; on AWS, aborted at its deadline):
    // B takes over the moment the lease expires.
    clock = landBy + 1;
    const outcome = await reconcileGateway(request(changed), deps("reconciler-b"));
    expect(outcome.kind === "applied" || outcome.kind === "unchanged").toBe(true);
    const state = await stores.states.get(KEY);
    const listenerArn = state?.applied.listeners[0]?.arn ?? "";
    const rules = await ruleConditions(listenerArn);
    expect(rules).toHaveLength(4);
    expect(new Set(rules).size).toBe(4);
    expect(
      planElb(changed, await new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: GATEWAY }).discover())
        .operations,
    ).toEqual([]);

    // A's answer arrives late (lost): A can write nothing further, to AWS or the record.
    const writesBefore = writes();
    held.release(new Error("Lambda timed out"));
    expect(await settledA).toBe("FencedOut");
    expect(writes() - writesBefore).toBe(0);
    expect((await stores.states.get(KEY))?.fencingToken).toBe(state?.fencingToken);
  });

  it("a rule AWS refuses as invalid is reported with its route; the other rules are created", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    faults.inject("CreateRule", { status: 400, code: "ValidationError", message: "Condition value is invalid" }, 1);
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome).toMatchObject({
      kind: "applied",
      failedRules: [
        { operation: "CreateRule", code: "ValidationError", route: desired.listeners[0]?.rules[0]?.source.route },
      ],
    });
    const state = await stores.states.get(KEY);
    expect(state?.appliedHash).toBeUndefined();
    expect(await ruleConditions(state?.applied.listeners[0]?.arn ?? "")).toHaveLength(2);
    expect(await loadBalancers()).toEqual([desired.name]);
    // Accepted the next time: only the missing rule is created.
    const before = writes();
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    expect(writes() - before).toBe(1);
    expect(await ruleConditions(state?.applied.listeners[0]?.arn ?? "")).toHaveLength(3);
  });

  it("a transient refusal the SDK does not retry fails retryably, marks the record, and the retry converges without duplicates", async () => {
    const { deps, stores } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    // Switchyard's own judgement, not the SDK's retry loop: IncorrectState is not retried by the
    // SDK (a 400), but switchyard classifies it as worth another attempt.
    faults.inject("CreateRule", { status: 400, code: "IncorrectState", message: "still provisioning" }, 1);
    const failed = await reconcileGateway(request(desired), deps());
    expect(failed).toMatchObject({
      kind: "failed",
      retryable: true,
      error: { kind: "retryable", code: "IncorrectState" },
    });
    const marked = await stores.states.get(KEY);
    expect(marked?.applying?.callsLandBy).toBe(clock + 20_000);
    expect(marked?.appliedHash).toBeUndefined();
    faults.clear();
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("busy");
    clock += 20_001;
    expect((await reconcileGateway(request(desired), deps())).kind).toBe("applied");
    const state = await stores.states.get(KEY);
    expect(state?.applying).toBeUndefined();
    expect(await ruleConditions(state?.applied.listeners[0]?.arn ?? "")).toHaveLength(3);
    expect(await loadBalancers()).toEqual([desired.name]);
  });

  it("a name collision with a foreign target group is reported, and the foreign group is left alone", async () => {
    const { deps } = await setup();
    const desired = gatewayModel(ROUTES, { clusterId: CLUSTER });
    const taken = desired.targetGroups[0];
    if (!taken) throw new Error("no target group in the model");
    const ec2 = new EC2Client(motoSettings());
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
      .Vpcs?.[0]?.VpcId;
    ec2.destroy();
    const foreign = await sdk.send(
      new CreateTargetGroupCommand({
        Name: taken.name,
        Protocol: "HTTP",
        Port: taken.port,
        VpcId: vpc,
        TargetType: "ip",
        Tags: [{ Key: "team", Value: "someone-else" }],
      }),
    );
    const outcome = await reconcileGateway(request(desired), deps());
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.error.kind).toBe("conflict");
    expect(outcome.error.message).toContain(taken.name);
    const still = await sdk.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [foreign.TargetGroups?.[0]?.TargetGroupArn ?? ""] }),
    );
    expect(still.TargetGroups?.[0]?.TargetGroupName).toBe(taken.name);
    expect(await loadBalancers()).toEqual([]);
  });

  it("an NLB Gateway (TCP and UDP on one port, and a TCP port) is created, left alone and deleted", async () => {
    const { deps } = await setup();
    const loaded = loadManifests(
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners:
  - {name: dns-tcp, port: 53, protocol: TCP}
  - {name: dns-udp, port: 53, protocol: UDP}
  - {name: pg, port: 5432, protocol: TCP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: dns-tcp, namespace: apps}
spec: {parentRefs: [{name: gw, sectionName: dns-tcp}], rules: [{backendRefs: [{name: dns, port: 53}]}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {name: dns-udp, namespace: apps}
spec: {parentRefs: [{name: gw, sectionName: dns-udp}], rules: [{backendRefs: [{name: dns, port: 53}]}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: pg, namespace: apps}
spec: {parentRefs: [{name: gw, sectionName: pg}], rules: [{backendRefs: [{name: db, port: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: apps}
spec: {ports: [{name: tcp, port: 53, protocol: TCP}, {name: udp, port: 53, protocol: UDP}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: apps}
spec: {ports: [{name: pg, port: 5432}]}
`,
      "nlb.yaml",
    );
    const desired = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: CLUSTER }).loadBalancers[0]
      ?.model;
    if (!desired) throw new Error("no NLB model");
    expect(desired.listeners.map((l) => l.id)).toEqual(["TCP_UDP:53", "TCP:5432"]);
    const nlbRequest = { ...request(desired), dataPlane: "nlb" as const };
    expect((await reconcileGateway(nlbRequest, deps())).kind).toBe("applied");
    const lbs = await sdk.send(new DescribeLoadBalancersCommand({}));
    expect(lbs.LoadBalancers?.map((lb) => [lb.LoadBalancerName, lb.Type])).toEqual([[desired.name, "network"]]);
    await reconcileGateway(nlbRequest, deps());
    const before = calls();
    clock += 60_000;
    expect((await reconcileGateway(nlbRequest, deps())).kind).toBe("unchanged");
    expect(calls() - before).toBe(0);
    expect((await reconcileGateway({ ...nlbRequest, desired: undefined }, deps())).kind).toBe("deleted");
    expect(await loadBalancers()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
  });
});
