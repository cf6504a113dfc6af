// The slow chaos tier: the whole local pipeline (cli/dev/pipeline.ts: the real forwarder watching
// kube-apiserver, SQS on moto, the handlers, status written back through the API) under seeded
// schedules of object changes, throttling storms, 5xx bursts, crashes after AWS accepted a call,
// and forwarder restarts across an etcd compaction (the watch resumes with 410 Gone and relists).
// CHAOS_KUBE_RUNS runs (default 3) of CHAOS_KUBE_STEPS steps (default 12) from CHAOS_SEED.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { ElbPort } from "../../shared/reconcile/ports.ts";
import {
  type ClusterFixture,
  CONVERGE,
  mergePatch,
  prefixRule,
  setUpE2eCluster,
  startE2ePipeline,
} from "../e2e/support.ts";
import { compactEtcd, motoSettings, uniqueName, waitFor } from "../env/clients.ts";
import { ChaosWire, createForeign, type ForeignIds, foreignState, InjectedCrash } from "./harness.ts";
import { random } from "./schedule.ts";

const RUNS = Number(process.env.CHAOS_KUBE_RUNS ?? 3);
const STEPS = Number(process.env.CHAOS_KUBE_STEPS ?? 12);
const FIRST_SEED = Number(process.env.CHAOS_SEED ?? 1);
const CLUSTER_ID = "chaos-kube";
const ENGINE = { leaseTtlMs: 6_000, callDeadlineMs: 4_000, leaseSafetyMarginMs: 1_000 };

type KubeStep =
  | { op: "gateway"; name: string; ports: number[] }
  | { op: "delete-gateway"; name: string }
  | { op: "route"; name: string; gateway: string; path: string }
  | { op: "delete-route"; name: string }
  | { op: "throttle"; on: boolean }
  | { op: "burst5xx"; count: number }
  | { op: "crash"; after: number }
  | { op: "restart-forwarder" }
  /** Waits until every live Gateway is Programmed: the next changes hit built resources. */
  | { op: "settle" };

function kubeSchedule(seed: number, length: number): KubeStep[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const gateways = [`k${seed}a`, `k${seed}b`];
  const routes = [`k${seed}r1`, `k${seed}r2`];
  const steps: KubeStep[] = [{ op: "gateway", name: gateways[0] as string, ports: [80] }];
  while (steps.length < length) {
    const roll = rnd();
    if (roll < 0.2) steps.push({ op: "gateway", name: pick(gateways), ports: rnd() < 0.7 ? [80] : [80, 8080] });
    else if (roll < 0.3) steps.push({ op: "delete-gateway", name: pick(gateways) });
    else if (roll < 0.48)
      steps.push({ op: "route", name: pick(routes), gateway: pick(gateways), path: pick(["/a", "/b"]) });
    else if (roll < 0.54) steps.push({ op: "delete-route", name: pick(routes) });
    else if (roll < 0.61) steps.push({ op: "throttle", on: rnd() < 0.6 });
    else if (roll < 0.67) steps.push({ op: "burst5xx", count: 1 + Math.floor(rnd() * 5) });
    else if (roll < 0.76) steps.push({ op: "crash", after: 1 + Math.floor(rnd() * 3) });
    else if (roll < 0.84) steps.push({ op: "restart-forwarder" });
    else steps.push({ op: "settle" });
  }
  return steps;
}

describe("seeded chaos through the local pipeline and kube-apiserver", () => {
  const namespace = uniqueName("chaos");
  const className = uniqueName("chaos-alb");
  const wire = new ChaosWire(random(FIRST_SEED));
  let crashAfter: number | undefined;
  let kc: KubeConfig;
  let elbv2: ElasticLoadBalancingV2Client;
  let ec2: EC2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let cluster: ClusterFixture;
  let pipeline: RunningPipeline;
  let foreign: ForeignIds;
  let foreignBefore: string;

  const chaotic = (port: ElbPort): ElbPort => {
    let applied = 0;
    return {
      observe: (a) => port.observe(a),
      refresh: (a) => port.refresh(a),
      discover: (key) => port.discover(key),
      async execute(op, current, created) {
        const after = await port.execute(op, current, created);
        applied += 1;
        if (crashAfter !== undefined && applied === crashAfter) {
          crashAfter = undefined;
          throw new InjectedCrash(`died after AWS accepted ${op.op}`);
        }
        return after;
      },
    };
  };

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      namespaces: [namespace],
      clusterId: CLUSTER_ID,
      className,
      controllerName: "switchyard.dev/alb",
    }));
    ec2 = new EC2Client(motoSettings());
    await cluster.createBackend("web");
    const vpcId =
      (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs?.[0]
        ?.VpcId ?? "";
    foreign = await createForeign(elbv2, ec2, vpcId, CLUSTER_ID);
    foreignBefore = await foreignState(elbv2, ec2, foreign);
    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      tableName: uniqueName("chaos"),
      queuePrefix: uniqueName("chaos"),
      namespaces: [namespace],
      maxReceiveCount: 12,
      retryAfterSeconds: 2,
      resyncIntervalMs: 3_600_000,
      engine: ENGINE,
      requestHandler: wire,
      reconcilePorts: (ports) => ({ ...ports, elbFor: (c, g) => chaotic(ports.elbFor(c, g)) }),
      logLevel: "SILENT",
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    for (const client of [elbv2, ec2, tagging]) client?.destroy();
  });

  const seeds = Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);
  it.each(seeds)(
    "seed %i converges: every Gateway Programmed at its generation, deleted ones leave nothing, foreign untouched",
    async (seed) => {
      const steps = kubeSchedule(seed, STEPS);
      const live = new Map<string, number[]>();
      const deleted = new Set<string>();
      const routes = new Map<string, string>();
      const apply = async (step: KubeStep) => {
        switch (step.op) {
          case "gateway": {
            const listeners = step.ports.map((port) => ({ name: `http-${port}`, port, protocol: "HTTP" }));
            if (live.has(step.name)) {
              await cluster.objects.patchNamespacedCustomObject(
                { ...cluster.resource("gateways"), name: step.name, body: { spec: { listeners } } },
                mergePatch,
              );
            } else {
              await cluster.createGateway(step.name, listeners);
            }
            live.set(step.name, step.ports);
            deleted.delete(step.name);
            return;
          }
          case "delete-gateway":
            if (!live.has(step.name)) return;
            await cluster.objects.deleteNamespacedCustomObject({ ...cluster.resource("gateways"), name: step.name });
            live.delete(step.name);
            deleted.add(step.name);
            return;
          case "route":
            if (routes.has(step.name)) {
              await cluster.objects.patchNamespacedCustomObject(
                {
                  ...cluster.resource("httproutes"),
                  name: step.name,
                  body: { spec: { parentRefs: [{ name: step.gateway }], rules: [prefixRule(step.path, "web")] } },
                },
                mergePatch,
              );
            } else {
              await cluster.createRoute(step.name, step.gateway, step.path, "web");
            }
            routes.set(step.name, step.gateway);
            return;
          case "delete-route":
            if (!routes.has(step.name)) return;
            await cluster.objects.deleteNamespacedCustomObject({ ...cluster.resource("httproutes"), name: step.name });
            routes.delete(step.name);
            return;
          case "throttle":
            wire.throttling = step.on;
            return;
          case "burst5xx":
            wire.serverErrors = step.count;
            return;
          case "crash":
            crashAfter = step.after;
            return;
          case "settle":
            for (const name of live.keys()) await cluster.programmed(name);
            return;
          case "restart-forwarder":
            // The forwarder dies, a route changes while nobody watches, and etcd compacts past every
            // resourceVersion it saw (410 Gone for any resumed watch): the new one must relist.
            await pipeline.stopForwarder();
            for (const [name, gateway] of routes) {
              await cluster.objects.patchNamespacedCustomObject(
                {
                  ...cluster.resource("httproutes"),
                  name,
                  body: { spec: { parentRefs: [{ name: gateway }], rules: [prefixRule("/while-down", "web")] } },
                },
                mergePatch,
              );
            }
            await compactEtcd();
            await pipeline.startForwarder();
            await pipeline.forwarderSynced(60_000);
            return;
        }
      };
      for (const step of steps) await apply(step);
      wire.throttling = false;
      wire.serverErrors = 0;
      crashAfter = undefined;

      const schedule = `seed ${seed}: ${JSON.stringify(steps)}`;
      for (const [name, ports] of live) {
        const gateway = await cluster.programmed(name);
        expect(gateway.metadata.generation, schedule).toBeGreaterThan(0);
        const listeners = await waitFor(
          `Gateway ${name} listeners on ${ports.join(",")}`,
          async () => {
            const got = (await cluster.listenersOf(name)).map((l) => l.Port).sort();
            return JSON.stringify(got) === JSON.stringify([...ports].sort()) ? got : undefined;
          },
          CONVERGE,
        );
        expect(listeners, schedule).toEqual([...ports].sort());
      }
      for (const name of deleted) {
        await waitFor(
          `nothing left of deleted Gateway ${name}`,
          async () => ((await cluster.ownedArns(name)).length === 0 ? true : undefined),
          CONVERGE,
        );
      }
      expect(await foreignState(elbv2, ec2, foreign), schedule).toBe(foreignBefore);
    },
  );
});
