// The whole pipeline, as `switchyard dev` runs it: kube-apiserver → forwarder → events.fifo →
// ingest → objects mirror (DynamoDB Local) → reconcile.fifo → reconcile → moto ELBv2 → status
// queue → status writer → kube-apiserver, authenticated with an EKS IAM token through the test
// environment's token webhook and RBAC that allows status subresources only. Every check polls for
// a condition with a deadline; nothing waits on a sleep.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent, RunningPipeline } from "../../cli/dev/pipeline.ts";
import { TAG, tagValue } from "../../shared/elb/naming.ts";
import { encodeEvent } from "../../shared/events/codec.ts";
import type { ObjectEvent } from "../../shared/events/event.ts";
import { messageGroupId } from "../../shared/events/sqs-attributes.ts";
import { DynamoDbObjectMirror } from "../../shared/mirror/dynamodb/object-mirror.ts";
import { dynamoDbSettings, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, uniqueName, waitFor } from "../env/clients.ts";
import {
  type ClusterFixture,
  CONVERGE,
  createGatewayClass,
  GROUP,
  isTrue,
  mergePatch,
  pathsOf,
  registerCluster,
  setUpE2eCluster,
  startE2ePipeline,
  untagged,
} from "./support.ts";

// Local runs have no CloudWatch to read EMF from.
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const CLUSTER_ID = uniqueName("e2e");
const EKS_NAME = uniqueName("e2e-eks");
const RECONCILE_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${uniqueName("switchyard-reconcile")}`;

describe("switchyard dev pipeline end to end", () => {
  const namespace = uniqueName("e2e");
  const className = uniqueName("alb");
  const rbacName = uniqueName("switchyard-status-writer");
  const progress: ProgressEvent[] = [];
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let sqs: SQSClient;
  let dynamo: DynamoDBClient;
  let pipeline: RunningPipeline;
  let cluster: ClusterFixture;

  const resource = (plural: string) => cluster.resource(plural);
  const get = (plural: string, name: string) => cluster.get(plural, name);
  const ownedArns = (gateway?: string) => cluster.ownedArns(gateway);
  const loadBalancerOf = (gateway: string) => cluster.loadBalancerOf(gateway);
  const rulesOf = (gateway: string) => cluster.rulesOf(gateway);
  const createBackend = (name: string) => cluster.createBackend(name);
  const createGateway = (name: string) => cluster.createGateway(name);
  const createRoute = (name: string, gateway: string, path: string, backend: string) =>
    cluster.createRoute(name, gateway, path, backend);
  const programmed = (name: string) => cluster.programmed(name);
  const routeParent = (name: string, gateway: string) => cluster.routeParent(name, gateway);

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      clusterId: CLUSTER_ID,
      namespaces: [namespace],
      className,
      controllerName: "switchyard.dev/alb",
      // As an EKS access entry plus RBAC would: read the Gateway API kinds, write their status only.
      statusWriter: { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName },
    }));
    objects = kc.makeApiClient(CustomObjectsApi);
    sqs = new SQSClient(motoSettings());
    dynamo = new DynamoDBClient(dynamoDbSettings());

    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      eksClusterName: EKS_NAME,
      reconcileRoleArn: RECONCILE_ROLE,
      queuePrefix: uniqueName("e2e"),
      namespaces: [namespace],
      maxReceiveCount: 3,
      retryAfterSeconds: 2,
      resyncIntervalMs: 2_000,
      progress: (event) => progress.push(event),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    for (const client of [elbv2, tagging, sqs, dynamo]) client?.destroy();
  });

  it("builds the ALB, listener, rule and target group, and writes Accepted, Programmed, an address and route status", async () => {
    await createBackend("web");
    await createGateway("web");
    await createRoute("web", "web", "/web", "web");

    const rules = await waitFor(
      "the route's rule in moto",
      async () => {
        const found = await rulesOf("web");
        return found && found.length > 0 ? found : undefined;
      },
      CONVERGE,
    );
    expect(pathsOf(rules).some((p) => p.startsWith("/web"))).toBe(true);
    const lb = await loadBalancerOf("web");
    expect(lb?.Type).toBe("application");
    const { TargetGroups = [] } = await elbv2.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: lb?.LoadBalancerArn }),
    );
    expect(TargetGroups).toHaveLength(1);

    const gateway = await programmed("web");
    expect(gateway.status?.addresses).toEqual([{ type: "Hostname", value: lb?.DNSName?.toLowerCase() }]);
    const { parent } = await routeParent("web", "web");
    expect(parent.controllerName).toBe("switchyard.dev/alb");
    expect(isTrue(parent.conditions, "Accepted")).toBe(true);
    expect(isTrue(parent.conditions, "ResolvedRefs")).toBe(true);
    // Status went through the IAM identity (the admin token is never used by the pipeline).
    expect(progress.some((e) => e.stage === "status" && e.outcome === "written")).toBe(true);
  });

  it("a changed route changes its listener rule and bumps the route's observedGeneration", async () => {
    const before = await get("httproutes", "web");
    await objects.patchNamespacedCustomObject(
      {
        ...resource("httproutes"),
        name: "web",
        body: {
          spec: {
            rules: [
              {
                matches: [{ path: { type: "PathPrefix", value: "/changed" } }],
                backendRefs: [{ name: "web", port: 8080 }],
              },
            ],
          },
        },
      },
      mergePatch,
    );
    const rules = await waitFor(
      "the changed rule in moto",
      async () => {
        const found = await rulesOf("web");
        const paths = found ? pathsOf(found) : [];
        return paths.some((p) => p.startsWith("/changed")) ? paths : undefined;
      },
      CONVERGE,
    );
    expect(rules.some((p) => p.startsWith("/web"))).toBe(false);
    const { route } = await routeParent("web", "web");
    expect(route.metadata.generation).toBe(before.metadata.generation + 1);
  });

  it("a replayed old event of the route does not bring its old rule back", async () => {
    // What a DLQ redrive or a resend of an earlier message delivers: the route at its first
    // resourceVersion, under a new deduplication id so SQS does not drop it before ingest sees it.
    const live = await get("httproutes", "web");
    const stale: ObjectEvent = {
      schemaVersion: 1,
      clusterId: CLUSTER_ID,
      kind: { group: GROUP, version: "v1", kind: "HTTPRoute" },
      namespace,
      name: "web",
      uid: live.metadata.uid,
      resourceVersion: String(Number(live.metadata.resourceVersion) - 1),
      op: "upsert",
      object: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "web", namespace, uid: live.metadata.uid, generation: 1, resourceVersion: "1" },
        spec: {
          parentRefs: [{ name: "web" }],
          rules: [
            { matches: [{ path: { type: "PathPrefix", value: "/web" } }], backendRefs: [{ name: "web", port: 8080 }] },
          ],
        },
      },
    };
    stale.resourceVersion = "1";
    const ingestedBefore = progress.filter((e) => e.stage === "ingest").length;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: pipeline.queues.events,
        MessageBody: encodeEvent(stale),
        MessageGroupId: messageGroupId(stale),
        MessageDeduplicationId: uniqueName("replay"),
      }),
    );
    await waitFor(
      "ingest to take the replayed event",
      async () => (progress.filter((e) => e.stage === "ingest").length > ingestedBefore ? true : undefined),
      CONVERGE,
    );
    const mirror = new DynamoDbObjectMirror(dynamo, pipeline.tableName);
    const mirrored = await mirror.get({ cluster: CLUSTER_ID, kind: "HTTPRoute", namespace, name: "web" });
    expect(String(mirrored?.resourceVersion)).toBe(live.metadata.resourceVersion);
    // A resync tick reconciles from the mirror again: the rule stays the changed one.
    const resyncsBefore = progress.filter((e) => e.stage === "reconcile" && e.reason === "resync").length;
    await waitFor(
      "a resync reconcile after the replay",
      async () =>
        progress.filter((e) => e.stage === "reconcile" && e.reason === "resync").length > resyncsBefore
          ? true
          : undefined,
      CONVERGE,
    );
    const paths = pathsOf((await rulesOf("web")) ?? []);
    expect(paths.some((p) => p.startsWith("/changed"))).toBe(true);
    expect(paths.some((p) => p.startsWith("/web"))).toBe(false);
  });

  it("a deleted route's rules go", async () => {
    await objects.deleteNamespacedCustomObject({ ...resource("httproutes"), name: "web" });
    await waitFor(
      "no route rules on the listener",
      async () => ((await rulesOf("web"))?.length === 0 ? true : undefined),
      CONVERGE,
    );
    expect(await loadBalancerOf("web")).toBeDefined();
  });

  it("a deleted Gateway leaves no resource tagged as its own", async () => {
    expect((await ownedArns("web")).length).toBeGreaterThan(0);
    await objects.deleteNamespacedCustomObject({ ...resource("gateways"), name: "web" });
    await untagged(cluster, "web");
    expect(await loadBalancerOf("web")).toBeUndefined();
  });

  it("an event claiming another cluster is dead-lettered with its reason and changes nothing", async () => {
    const victim = uniqueName("victim");
    await registerCluster(pipeline, {
      clusterId: victim,
      senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/victim-forwarder`,
      senderId: "AROAVICTIMFORWARDER12",
    });
    const spoofed: ObjectEvent = {
      schemaVersion: 1,
      clusterId: victim,
      kind: { group: GROUP, version: "v1", kind: "Gateway" },
      namespace,
      name: "spoofed",
      uid: "00000000-0000-0000-0000-000000000001",
      resourceVersion: "1",
      op: "upsert",
      object: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: {
          name: "spoofed",
          namespace,
          uid: "00000000-0000-0000-0000-000000000001",
          resourceVersion: "1",
          generation: 1,
        },
        spec: { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
      },
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: pipeline.queues.events,
        MessageBody: encodeEvent(spoofed),
        MessageGroupId: messageGroupId(spoofed),
        MessageDeduplicationId: uniqueName("spoof"),
      }),
    );
    const reason = await waitFor(
      "the spoofed event on the events DLQ",
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: pipeline.queues.eventsDeadLetter,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ["All"],
          }),
        );
        const found = Messages.find((m) => m.Body?.includes('"spoofed"'));
        return found?.MessageAttributes?.reason?.StringValue;
      },
      CONVERGE,
    );
    expect(reason).toBe("sender-mismatch");
    const mirror = new DynamoDbObjectMirror(dynamo, pipeline.tableName);
    expect(await mirror.get({ cluster: victim, kind: "Gateway", namespace, name: "spoofed" })).toBeUndefined();
    const { ResourceTagMappingList = [] } = await tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: TAG.cluster, Values: [tagValue(victim)] }] }),
    );
    expect(ResourceTagMappingList).toEqual([]);
  });

  it("a Gateway deleted while the forwarder was down is removed from AWS once it restarts", async () => {
    await createGateway("doomed");
    await programmed("doomed");
    await pipeline.stopForwarder();
    await objects.deleteNamespacedCustomObject({ ...resource("gateways"), name: "doomed" });
    await pipeline.startForwarder();
    await pipeline.forwarderSynced(60_000);
    await untagged(cluster, "doomed");
    expect(await loadBalancerOf("doomed")).toBeUndefined();
  });

  it("an NLB Gateway with a TCPRoute becomes a network load balancer and is Programmed", async () => {
    const nlbClass = uniqueName("nlb");
    await createGatewayClass(kc, nlbClass, "switchyard.dev/nlb");
    await createBackend("db");
    await objects.createNamespacedCustomObject({
      ...resource("gateways"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: { name: "tcp" },
        spec: { gatewayClassName: nlbClass, listeners: [{ name: "pg", port: 5432, protocol: "TCP" }] },
      },
    });
    await objects.createNamespacedCustomObject({
      group: GROUP,
      version: "v1alpha2",
      namespace,
      plural: "tcproutes",
      body: {
        apiVersion: `${GROUP}/v1alpha2`,
        kind: "TCPRoute",
        metadata: { name: "db" },
        spec: { parentRefs: [{ name: "tcp" }], rules: [{ backendRefs: [{ name: "db", port: 8080 }] }] },
      },
    });
    const gateway = await programmed("tcp");
    const lb = await loadBalancerOf("tcp");
    expect(lb?.Type).toBe("network");
    expect(gateway.status?.addresses?.[0]?.value).toBe(lb?.DNSName?.toLowerCase());
    const { Listeners = [] } = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    expect(Listeners.map((l) => [l.Port, l.Protocol])).toEqual([[5432, "TCP"]]);
  });
});
