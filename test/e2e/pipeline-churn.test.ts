// Endpoint churn and a route shared by two Gateways, end to end through `startPipeline`
// (forwarder → events.fifo → ingest → reconcile.fifo → reconcile → moto → status → kube-apiserver).
// - A GatewayClass that no Gateway uses (none exists yet) is Accepted.
// - A burst of EndpointSlice updates, each forwarded (the forwarder's window shortened to 100 ms)
//   and ingested as a batch of its own, is coalesced into a few reconciles, and the target group
//   ends up holding exactly the last endpoints.
// - Two Gateways share one HTTPRoute: both parent entries are present and stay put while each
//   Gateway reconciles again.
// - A route status write, echoed back by the forwarder, does not reconcile the Gateway again.
// Every check polls a condition with a deadline; nothing waits on a sleep.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { DiscoveryV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent, RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { DynamoDbDirtyGenerations } from "../../shared/pipeline/dirty-generation.ts";
import { dynamoDbSettings, uniqueName, waitFor } from "../env/clients.ts";
import {
  type ClusterFixture,
  CONVERGE,
  createGatewayClass,
  GROUP,
  isTrue,
  mergePatch,
  prefixRule,
  setUpE2eCluster,
  startE2ePipeline,
} from "./support.ts";

// Local runs have no CloudWatch to read EMF from.
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const CLUSTER_ID = uniqueName("churn");
/** Slice updates in the burst; the forwarder's 100 ms window passes most of them on. */
const UPDATES = 20;
const ip = (n: number) => `10.0.3.${n}`;
/** The endpoints after update `i`: four pods, one replaced per update. */
const endpointsAfter = (i: number) => [i + 1, i + 2, i + 3, i + 4].map(ip);

describe("switchyard dev pipeline under churn", () => {
  const namespace = uniqueName("churn");
  const className = uniqueName("alb");
  const progress: { at: number; event: ProgressEvent }[] = [];
  let kc: KubeConfig;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let pipeline: RunningPipeline;
  let cluster: ClusterFixture;

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      clusterId: CLUSTER_ID,
      namespaces: [namespace],
      className,
      controllerName: "switchyard.dev/alb",
    }));
    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      queuePrefix: uniqueName("churn"),
      namespaces: [namespace],
      maxReceiveCount: 12,
      retryAfterSeconds: 2,
      resyncIntervalMs: 3_600_000,
      endpointSliceWindowMs: 100,
      progress: (event) => progress.push({ at: Date.now(), event }),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    elbv2?.destroy();
    tagging?.destroy();
  });

  /** Registered target IPs of the Gateway's target group for Service `service`. */
  async function targetsOf(gateway: string, service: string): Promise<string[] | undefined> {
    const group = (await cluster.ownedResources(gateway)).find((r) =>
      r.role.startsWith(`target-group:${namespace}/${service}:`),
    );
    if (group === undefined) return undefined;
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }),
    );
    return TargetHealthDescriptions.map((t) => t.Target?.Id ?? "").sort();
  }

  it("a GatewayClass that no Gateway uses is Accepted all the same", async () => {
    const lonely = uniqueName("lonely");
    await createGatewayClass(kc, lonely, "switchyard.dev/alb");
    const accepted = await waitFor(
      `GatewayClass ${lonely} Accepted`,
      async () => {
        const gc = (await cluster.objects.getClusterCustomObject({
          group: GROUP,
          version: "v1",
          plural: "gatewayclasses",
          name: lonely,
        })) as { metadata: { generation: number }; status?: { conditions?: Condition[] } };
        return isTrue(gc.status?.conditions, "Accepted") ? gc : undefined;
      },
      CONVERGE,
    );
    const condition = accepted.status?.conditions?.find((c) => c.type === "Accepted");
    expect(condition?.observedGeneration).toBe(accepted.metadata.generation);
    expect(
      progress.some(
        (p) =>
          p.event.stage === "reconcile" &&
          p.event.reason === "class-status" &&
          p.event.gatewayKey.endsWith(`/${lonely}`),
      ),
    ).toBe(true);
  });

  it("a burst of endpoint updates costs a few reconciles, and the target group holds exactly the last endpoints", async () => {
    await cluster.createBackend("web");
    await cluster.createGateway("churn");
    await cluster.createRoute("churn", "churn", "/", "web");
    await cluster.programmed("churn");
    await waitFor(
      "the first endpoint registered",
      async () => ((await targetsOf("churn", "web"))?.length ? true : undefined),
      CONVERGE,
    );

    const key = `${CLUSTER_ID}/${namespace}/churn`;
    const start = Date.now();
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const ingestedRecords = () => progress.reduce((n, p) => n + (p.event.stage === "ingest" ? p.event.records : 0), 0);
    for (let i = 0; i < UPDATES; i++) {
      // One update at a time, each ingested before the next: every one is a batch of its own,
      // which used to be a reconcile of its own.
      const before = ingestedRecords();
      await discovery.patchNamespacedEndpointSlice(
        {
          namespace,
          name: "web-1",
          body: {
            endpoints: endpointsAfter(i).map((address) => ({ addresses: [address], conditions: { ready: true } })),
          },
        },
        mergePatch,
      );
      await waitFor(`update ${i} ingested`, async () => (ingestedRecords() > before ? true : undefined), CONVERGE);
    }
    const last = endpointsAfter(UPDATES - 1).sort();
    await waitFor(
      "the target group holding exactly the last endpoints",
      async () => ((await targetsOf("churn", "web"))?.join(" ") === last.join(" ") ? true : undefined),
      CONVERGE,
    );
    expect(await targetsOf("churn", "web")).toEqual(last);

    const since = progress.filter((p) => p.at >= start).map((p) => p.event);
    const ingested = since.reduce((n, e) => n + (e.stage === "ingest" ? e.records : 0), 0);
    const reconciles = since.filter(
      (e) => e.stage === "reconcile" && e.gatewayKey === key && e.deferredSeconds === undefined,
    );
    // The burst reached ingest as one batch per update (so there was something to coalesce) …
    expect(ingested).toBeGreaterThanOrEqual(UPDATES);
    // … and became a handful of reconciles: one at a time, endpoint-only ones paced.
    expect(reconciles.length).toBeGreaterThanOrEqual(1);
    expect(reconciles.length).toBeLessThanOrEqual(6);
  });

  it("two Gateways sharing one HTTPRoute: both parent entries present, and stable across their reconciles", async () => {
    await cluster.createGateway("left");
    await cluster.createGateway("right");
    await cluster.objects.createNamespacedCustomObject({
      ...cluster.resource("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "shared" },
        spec: { parentRefs: [{ name: "left" }, { name: "right" }], rules: [prefixRule("/", "web")] },
      },
    });
    await cluster.programmed("left");
    await cluster.programmed("right");
    const both = await waitFor(
      "the shared route's entries for both Gateways",
      async () => {
        const route = await cluster.get("httproutes", "shared");
        const parents = route.status?.parents ?? [];
        const accepted = ["left", "right"].every((g) =>
          parents.some((p) => p.parentRef.name === g && isTrue(p.conditions, "Accepted")),
        );
        return accepted ? route : undefined;
      },
      CONVERGE,
    );
    expect(both.status?.parents?.map((p) => p.parentRef.name).sort()).toEqual(["left", "right"]);

    // Each Gateway reconciles again (a change to each): the route's status stays as it was.
    const before = JSON.stringify(both.status?.parents);
    const reconcilesOf = (g: string) =>
      progress.filter((p) => p.event.stage === "reconcile" && p.event.gatewayKey.endsWith(`/${g}`)).length;
    const counts = { left: reconcilesOf("left"), right: reconcilesOf("right") };
    const statusesBefore = progress.length;
    for (const g of ["left", "right"]) {
      await cluster.objects.patchNamespacedCustomObject(
        { ...cluster.resource("gateways"), name: g, body: { metadata: { labels: { touched: "1" } } } },
        mergePatch,
      );
    }
    await waitFor(
      "both Gateways reconciled again",
      async () => (reconcilesOf("left") > counts.left && reconcilesOf("right") > counts.right ? true : undefined),
      CONVERGE,
    );
    // Both reconciles' intents for the route reached the writer (each Gateway's own entry).
    await waitFor(
      "both reconciles' route statuses handled by the writer",
      async () =>
        progress
          .slice(statusesBefore)
          .filter((p) => p.event.stage === "status" && p.event.object === `HTTPRoute ${namespace}/shared`).length >= 2
          ? true
          : undefined,
      CONVERGE,
    );
    const after = await cluster.get("httproutes", "shared");
    expect(JSON.stringify(after.status?.parents)).toBe(before);
    expect(after.metadata.resourceVersion).toBe(both.metadata.resourceVersion);
  });

  it("a route's status write, echoed back by the forwarder, bumps and reconciles the Gateway no more", async () => {
    await cluster.createBackend("echo-web");
    await cluster.createGateway("echo");
    await cluster.createRoute("echo", "echo", "/", "echo-web");
    await cluster.programmed("echo");
    await cluster.routeParent("echo", "echo", (c) => isTrue(c, "Accepted"));
    const dynamo = new DynamoDBClient(dynamoDbSettings());
    const mirror = new DynamoDbObjectMirror(dynamo, pipeline.tableName);
    const dirty = new DynamoDbDirtyGenerations(dynamo, pipeline.tableName);
    const key = clusterGatewayKey(CLUSTER_ID, namespace, "echo");
    const mirrored = async (kind: "HTTPRoute" | "Gateway", plural: string) => {
      const live = await cluster.get(plural, "echo");
      const held = await mirror.get({ cluster: CLUSTER_ID, kind, namespace, name: "echo" });
      return held?.resourceVersion === BigInt(live.metadata.resourceVersion);
    };
    /** Both objects' latest versions ingested and no reconcile of the Gateway queued or running. */
    const quiet = () =>
      waitFor(
        "the Gateway quiet, its route and itself mirrored as they are",
        async () => {
          if (!(await mirrored("HTTPRoute", "httproutes")) || !(await mirrored("Gateway", "gateways")))
            return undefined;
          const record = await dirty.read(key);
          return record.pendingSince === undefined ? record : undefined;
        },
        CONVERGE,
      );
    const { generation: start } = await quiet();

    // A spec change: one bump, one reconcile, which writes the route's status (observedGeneration).
    await cluster.objects.patchNamespacedCustomObject(
      {
        ...cluster.resource("httproutes"),
        name: "echo",
        body: { spec: { rules: [prefixRule("/echo", "echo-web")] } },
      },
      mergePatch,
    );
    const { route } = await cluster.routeParent("echo", "echo", (c) => isTrue(c, "Accepted"));
    // The status write's echo ingested (the mirror holds the version it made)...
    await waitFor(
      "the route's status write ingested",
      async () => {
        const held = await mirror.get({ cluster: CLUSTER_ID, kind: "HTTPRoute", namespace, name: "echo" });
        return (held?.resourceVersion ?? 0n) >= BigInt(route.metadata.resourceVersion) ? true : undefined;
      },
      CONVERGE,
    );
    // ...then a label change, which follows the echo in the route's FIFO group, so its own batch
    // is ingested only after the echo's bump (if any) was made: one more bump.
    await cluster.objects.patchNamespacedCustomObject(
      { ...cluster.resource("httproutes"), name: "echo", body: { metadata: { labels: { touched: "1" } } } },
      mergePatch,
    );
    const { generation: end } = await quiet();
    expect(end - start).toBe(2);
    dynamo.destroy();
  });
});
