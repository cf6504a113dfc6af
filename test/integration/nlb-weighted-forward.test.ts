// A weighted TCPRoute on an NLB Gateway, end to end through the ELB port on moto: translate builds
// the weighted forward (NLB weighted target groups, 0–999), the plan creates it, AWS (moto) is
// sent both target groups with their weights, a second reconcile against what moto reports is a
// no-op, and a weight change is one ModifyListener. The NLB evaluator then reads the connection
// split off the same model.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { observeFromArns } from "../../shared/aws/elbv2/observe.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { evaluateNlbConnection } from "../../shared/elb/nlb-evaluate.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { RequestRecorder } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";

const CLUSTER = "prod-eu";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };

function manifests(v1: number, v2: number): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: db, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners: [{name: pg, port: 5432, protocol: TCP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: pg, namespace: apps}
spec:
  parentRefs: [{name: db}]
  rules: [{backendRefs: [{name: pg-blue, port: 5432, weight: ${v1}}, {name: pg-green, port: 5432, weight: ${v2}}]}]
${["blue", "green"]
  .map(
    (colour, i) => `---
apiVersion: v1
kind: Service
metadata: {name: pg-${colour}, namespace: apps}
spec: {ports: [{port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pg-${colour}-1, namespace: apps, labels: {kubernetes.io/service-name: pg-${colour}}}
addressType: IPv4
ports: [{port: 5432, protocol: TCP}]
endpoints: [{addresses: [10.0.${i + 1}.5], conditions: {ready: true}}]`,
  )
  .join("\n")}
`;
}

function model(v1: number, v2: number): LoadBalancerModel {
  const loaded = loadManifests(manifests(v1, v2), "weighted.yaml", { channel: "experimental" });
  expect(loaded.problems).toEqual([]);
  const built = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: CLUSTER }).loadBalancers;
  const nlb = built.find((b) => b.model.type === "network")?.model;
  if (!nlb) throw new Error("no NLB built");
  return nlb;
}

let recorder: RequestRecorder;
let factory: AwsClientFactory;

async function converge(desired: LoadBalancerModel, observed: ObservedElb) {
  const elb = new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: desired.gatewayKey });
  const operations = planElb(desired, observed).operations;
  const created = new Map<string, string>();
  let state = observed;
  for (const op of operations) state = await elb.execute(op, state, created);
  return { state, ops: operations.map((o) => o.op), observed: await elb.observe(state) };
}

describe("a weighted TCPRoute on an NLB, through the ELB port on moto", () => {
  beforeAll(async () => {
    await resetMoto();
    recorder = new RequestRecorder();
    factory = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      requestHandler: recorder,
    });
  });

  afterAll(() => factory?.destroy());

  it("creates one listener forwarding to both target groups by weight, then reconciles to no-op", async () => {
    const desired = model(70, 30);
    const evaluated = evaluateNlbConnection(desired, { protocol: "TCP", port: 5432 });
    expect(evaluated.kind === "forward" && evaluated.targetGroups.map((g) => g.share)).toEqual([0.7, 0.3]);

    const first = await converge(desired, emptyObserved());
    expect(first.ops).toContain("CreateListener");
    const sent = recorder.of("CreateListener").at(-1)?.params ?? {};
    expect(sent).toMatchObject({
      Protocol: "TCP",
      Port: "5432",
      "DefaultActions.member.1.Type": "forward",
      "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight": "7",
      "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight": "3",
    });

    const again = planElb(desired, first.observed).operations.map((o) => o.op);
    expect(again).toEqual([]);

    const shifted = await converge(model(50, 50), first.observed);
    expect(shifted.ops).toEqual(["ModifyListener"]);
    expect(recorder.of("ModifyListener").at(-1)?.params).toMatchObject({
      "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight": "1",
      "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight": "1",
    });
  });

  it("its drift check is 3 ELBv2 calls: an NLB listener has no rules to describe", async () => {
    await resetMoto();
    const desired = model(60, 40);
    const { state } = await converge(desired, emptyObserved());
    const before = factory.counter.snapshot();
    const read = await observeFromArns(factory.elbv2(target), state);
    const after = factory.counter.snapshot();
    const delta = (key: string) => (after[key]?.calls ?? 0) - (before[key]?.calls ?? 0);
    expect({
      DescribeLoadBalancers: delta("ElasticLoadBalancingV2:DescribeLoadBalancers"),
      DescribeListeners: delta("ElasticLoadBalancingV2:DescribeListeners"),
      DescribeRules: delta("ElasticLoadBalancingV2:DescribeRules"),
      DescribeTargetGroups: delta("ElasticLoadBalancingV2:DescribeTargetGroups"),
    }).toEqual({ DescribeLoadBalancers: 1, DescribeListeners: 1, DescribeRules: 0, DescribeTargetGroups: 1 });
    expect(Object.keys(after).reduce((n, key) => n + (after[key]?.calls ?? 0) - (before[key]?.calls ?? 0), 0)).toBe(3);
    // What it read still matches the model's listeners, rules and target groups: nothing to do there
    // (security groups are the EC2 side's, which the port reads separately).
    const ops = planElb(desired, read).operations.map((o) => o.op);
    expect(ops.filter((op) => /Listener|Rule|TargetGroup/.test(op))).toEqual([]);
  });
});
