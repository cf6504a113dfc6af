// VPC Lattice multi-cluster through the whole pipeline (issue #12): clusters "east" and "west" each
// export apps/web (a federated ServiceExport over a Service with its EndpointSlice), and cluster
// "consumer" routes to ServiceImport apps/web through a Lattice Gateway. Each cluster has its own
// forwarder; every change goes kube-apiserver → forwarder → SQS → ingest → objects mirror →
// reconcile (east's and west's `lattice-export` units, the consumer's Gateway) → the Lattice
// emulator → status → kube-apiserver. The spec is test/integration/lattice-export-reconcile.test.ts,
// which drives the same units through reconcileGatewayRequest.
//
// The machine has one kube-apiserver, and a ServiceImport imports the exports of the same
// namespace and name: so each exporting cluster's namespace `apps` is a namespace of its own on
// the apiserver (`<apps>-east`, `<apps>-west`), which that cluster's forwarder sees as `apps`
// (ClusterView below), and of the cluster-scoped objects sees only that namespace (the consumer's
// GatewayClass is not theirs). The consumer's forwarder and status writer use the apiserver as is.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube,lattice

import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  GetRuleCommand,
  type GetRuleCommandOutput,
  ListListenersCommand,
  ListRulesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
  type TargetGroupSummary,
  VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { Forwarder } from "../../forwarder/forwarder.ts";
import { KubeApi } from "../../forwarder/kube-api.ts";
import type { KubeObjectJson } from "../../shared/events/event.ts";
import { isRecord } from "../../shared/events/strip.ts";
import { exportTargetGroupName } from "../../shared/lattice/target-groups.ts";
import {
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import {
  type ClusterFixture,
  CONVERGE,
  createLatticeGateway,
  forwardersSynced,
  GROUP,
  isTrue,
  registerCluster,
  setUpE2eCluster,
  startClusterForwarder,
  startE2ePipeline,
} from "./support.ts";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

const LATTICE_GROUP = "application-networking.k8s.aws";
const FEDERATION = { "application-networking.k8s.aws/federation": "amazon-vpc-lattice" };
const CONSUMER = uniqueName("consumer");
const EXPORTERS = { east: "10.7.0.1", west: "10.8.0.1" } as const;
type Exporter = keyof typeof EXPORTERS;
const EKS_NAME = uniqueName("e2e-eks");
const RECONCILE_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${uniqueName("switchyard-reconcile")}`;

/**
 * The kinds of the ServiceExport side, as the aws-application-networking-k8s project installs them;
 * the schema is left open (the translation validates what it reads).
 */
function latticeCrd(kind: string, plural: string): V1CustomResourceDefinition {
  return {
    metadata: { name: `${plural}.${LATTICE_GROUP}` },
    spec: {
      group: LATTICE_GROUP,
      scope: "Namespaced",
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } },
        },
      ],
    },
  };
}

/** Installs the CRDs (once per apiserver: other suites may already have) and waits until they serve. */
async function installLatticeCrds(kc: KubeConfig): Promise<void> {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  for (const [kind, plural] of [
    ["ServiceExport", "serviceexports"],
    ["ServiceImport", "serviceimports"],
  ] as const) {
    try {
      await crds.createCustomResourceDefinition({ body: latticeCrd(kind, plural) });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
    await waitFor(
      `CRD ${plural}.${LATTICE_GROUP} served`,
      async () => {
        try {
          await objects.listClusterCustomObject({ group: LATTICE_GROUP, version: "v1alpha1", plural });
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
}

/**
 * One cluster's view of the shared apiserver: its namespace `presented` is the apiserver's
 * `actual`, in the paths the forwarder reads and in the objects it is given back; of the
 * cluster-scoped objects it holds only that Namespace (the GatewayClass is the consumer's).
 */
class ClusterView extends KubeApi {
  readonly #presented: string;
  readonly #actual: string;

  constructor(kc: KubeConfig, presented: string, actual: string) {
    super(kc);
    this.#presented = presented;
    this.#actual = actual;
  }

  #path(path: string): string {
    return path.replace(`/namespaces/${this.#presented}/`, `/namespaces/${this.#actual}/`);
  }

  /** The object as this cluster has it, or undefined when it is not this cluster's. */
  #object<T extends Record<string, unknown>>(path: string, object: T): T | undefined {
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    if (path.includes("/namespaces/")) {
      return metadata.namespace === this.#actual
        ? { ...object, metadata: { ...metadata, namespace: this.#presented } }
        : object;
    }
    if (path.endsWith("/namespaces") && metadata.name === this.#actual) {
      return { ...object, metadata: { ...metadata, name: this.#presented } };
    }
    return undefined;
  }

  override async get(path: string): Promise<KubeObjectJson | undefined> {
    const object = await super.get(this.#path(path));
    return object === undefined ? undefined : this.#object(path, object);
  }

  override async list(path: string): Promise<{ items: KubeObjectJson[]; resourceVersion: string }> {
    const { items, resourceVersion } = await super.list(this.#path(path));
    const own: KubeObjectJson[] = [];
    for (const item of items) {
      const object = this.#object(path, item);
      if (object !== undefined) own.push(object);
    }
    return { items: own, resourceVersion };
  }

  override async *watch(
    path: string,
    resourceVersion: string,
    timeoutSeconds: number,
    signal: AbortSignal,
  ): AsyncGenerator<{ type: string; object: Record<string, unknown> }> {
    for await (const event of super.watch(this.#path(path), resourceVersion, timeoutSeconds, signal)) {
      if (event.type === "BOOKMARK" || event.type === "ERROR") yield event;
      else {
        const object = this.#object(path, event.object);
        if (object !== undefined) yield { type: event.type, object };
      }
    }
  }
}

describe("VPC Lattice multi-cluster through the dev pipeline: two exporting clusters, one importing", () => {
  const apps = uniqueName("apps");
  const actual = (cluster: Exporter) => `${apps}-${cluster}`;
  const className = uniqueName("lattice");
  const rbacName = uniqueName("switchyard-status-writer");
  const queuePrefix = uniqueName("e2e");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let lattice: VPCLatticeClient;
  let sqs: SQSClient;
  let s3: S3Client;
  let pipeline: RunningPipeline;
  let consumer: ClusterFixture;
  const forwarders: Forwarder[] = [];

  beforeAll(async () => {
    ({
      kc,
      elbv2,
      tagging,
      cluster: consumer,
    } = await setUpE2eCluster({
      clusterId: CONSUMER,
      namespaces: [apps, actual("east"), actual("west")],
      className,
      controllerName: "switchyard.dev/lattice",
      statusWriter: { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName },
      lattice: true,
    }));
    objects = kc.makeApiClient(CustomObjectsApi);
    lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
    sqs = new SQSClient(motoSettings());
    s3 = new S3Client({ ...motoSettings(), forcePathStyle: true });
    await installLatticeCrds(kc);

    // The consumer's pipeline: its forwarder, and the handlers every cluster's events go through.
    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CONSUMER,
      eksClusterName: EKS_NAME,
      reconcileRoleArn: RECONCILE_ROLE,
      latticeEndpoint: latticeSettings().endpoint,
      queuePrefix,
      namespaces: [apps],
      maxReceiveCount: 5,
      retryAfterSeconds: 2,
      // No drift-check tick within the test: the consumer's Gateway reconciles only when an event
      // asks, so a change of the exporters' groups reaches it only by the exporter's request.
      resyncIntervalMs: 600_000,
    });

    // east and west: registered in the same account and VPC, each with its own forwarder on the
    // control plane's events queue (as their Helm releases would be).
    for (const cluster of Object.keys(EXPORTERS) as Exporter[]) {
      await registerCluster(pipeline, { clusterId: cluster, eks: { clusterName: `${EKS_NAME}-${cluster}` } });
    }
    for (const cluster of Object.keys(EXPORTERS) as Exporter[]) {
      forwarders.push(
        await startClusterForwarder(pipeline, {
          clusterId: cluster,
          queuePrefix,
          namespaces: [apps],
          api: new ClusterView(kc, apps, actual(cluster)),
          sqs,
          s3,
        }),
      );
    }
    await forwardersSynced(forwarders);
  });

  afterAll(async () => {
    await Promise.all(forwarders.map((f) => f.stop()));
    await pipeline?.stop();
    for (const client of [elbv2, tagging, lattice, sqs, s3]) client?.destroy();
  });

  /** apps/web of `cluster`: a Service, its EndpointSlice with one ready endpoint, a federated ServiceExport. */
  async function exportWeb(cluster: Exporter): Promise<void> {
    const namespace = actual(cluster);
    await kc.makeApiClient(CoreV1Api).createNamespacedService({
      namespace,
      body: { metadata: { name: "web" }, spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] } },
    });
    await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: "web-1", labels: { "kubernetes.io/service-name": "web" } },
        addressType: "IPv4",
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        endpoints: [{ addresses: [EXPORTERS[cluster]], conditions: { ready: true } }],
      },
    });
    await objects.createNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural: "serviceexports",
      body: {
        apiVersion: `${LATTICE_GROUP}/v1alpha1`,
        kind: "ServiceExport",
        metadata: { name: "web", annotations: FEDERATION },
        spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
      },
    });
  }

  const groupName = (cluster: Exporter) => exportTargetGroupName(cluster, apps, "web", 8080, "HTTP");

  async function groupOf(cluster: Exporter): Promise<TargetGroupSummary | undefined> {
    const groups = (await lattice.send(new ListTargetGroupsCommand({}))).items ?? [];
    return groups.find((g) => g.name === groupName(cluster));
  }

  async function targetsOf(arn: string): Promise<{ id: string; port: number; status: string }[]> {
    const items = (await lattice.send(new ListTargetsCommand({ targetGroupIdentifier: arn }))).items ?? [];
    return items.map((t) => ({ id: t.id ?? "", port: t.port ?? 0, status: t.status ?? "" }));
  }

  /** The target group ids the consumer's service rules forward to, one list per forwarding rule. */
  async function consumerForwards(): Promise<string[][]> {
    const services = (await lattice.send(new ListServicesCommand({}))).items ?? [];
    const forwards: string[][] = [];
    for (const service of services) {
      const listeners = (await lattice.send(new ListListenersCommand({ serviceIdentifier: service.id }))).items ?? [];
      for (const listener of listeners) {
        const rules =
          (await lattice.send(new ListRulesCommand({ serviceIdentifier: service.id, listenerIdentifier: listener.id })))
            .items ?? [];
        for (const rule of rules) {
          const got: GetRuleCommandOutput = await lattice.send(
            new GetRuleCommand({
              serviceIdentifier: service.id,
              listenerIdentifier: listener.id,
              ruleIdentifier: rule.id,
            }),
          );
          const groups = got.action?.forward?.targetGroups;
          if (groups && groups.length > 0) {
            forwards.push(groups.map((g) => (g.targetGroupIdentifier ?? "").split("/").at(-1) ?? "").sort());
          }
        }
      }
    }
    return forwards;
  }

  let ids: Record<Exporter, string>;
  let forwardingRules = 0;

  it("east's and west's ServiceExports become their own target groups, their endpoints as targets, tagged with their cluster", async () => {
    await exportWeb("east");
    await exportWeb("west");
    const found: Partial<Record<Exporter, string>> = {};
    for (const cluster of Object.keys(EXPORTERS) as Exporter[]) {
      const group = await waitFor(
        `${cluster}'s export group with its endpoint registered`,
        async () => {
          const g = await groupOf(cluster);
          if (!g?.arn) return undefined;
          const targets = await targetsOf(g.arn);
          return targets.some((t) => t.id === EXPORTERS[cluster]) ? g : undefined;
        },
        CONVERGE,
      );
      expect(group.status).toBe("ACTIVE");
      expect((await targetsOf(group.arn ?? "")).map((t) => `${t.id}:${t.port}`)).toEqual([
        `${EXPORTERS[cluster]}:8080`,
      ]);
      const tags = (await lattice.send(new ListTagsForResourceCommand({ resourceArn: group.arn }))).tags;
      expect(tags).toMatchObject({
        "switchyard.dev/managed-by": "switchyard",
        "switchyard.dev/cluster": cluster,
        "switchyard.dev/gateway": `ServiceExport/${apps}/web`,
      });
      found[cluster] = group.id ?? "";
    }
    ids = { east: found.east ?? "", west: found.west ?? "" };
    expect(ids.east).not.toBe(ids.west);
  });

  it("the consumer's Gateway is Programmed, its route Accepted, and its service rule forwards to both exporters' groups", async () => {
    await createLatticeGateway(consumer, { name: "net", className, network: `net-${apps}` });
    await objects.createNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace: apps,
      plural: "serviceimports",
      body: {
        apiVersion: `${LATTICE_GROUP}/v1alpha1`,
        kind: "ServiceImport",
        metadata: { name: "web" },
        spec: { type: "ClusterSetIP", ports: [{ port: 8080, protocol: "TCP" }] },
      },
    });
    await objects.createNamespacedCustomObject({
      ...consumer.resource("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "global" },
        spec: {
          parentRefs: [{ name: "net" }],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/web" } }],
              backendRefs: [{ group: LATTICE_GROUP, kind: "ServiceImport", name: "web", port: 8080 }],
            },
          ],
        },
      },
    });

    await consumer.programmed("net");
    const { parent } = await consumer.routeParent("global", "net", (c) => isTrue(c, "ResolvedRefs"));
    expect(parent.controllerName).toBe("switchyard.dev/lattice");
    expect(isTrue(parent.conditions, "Accepted")).toBe(true);
    expect(isTrue(parent.conditions, "ResolvedRefs")).toBe(true);

    // PathPrefix /web is more than one Lattice rule (the path itself, and below it): each forwards.
    const forwards = await waitFor(
      "the consumer's rules forwarding to both exporters' groups",
      async () => {
        const f = await consumerForwards();
        return f.length > 0 && f.every((groups) => groups.length === 2) ? f : undefined;
      },
      CONVERGE,
    );
    expect(forwards).toEqual(forwards.map(() => [ids.east, ids.west].sort()));
    forwardingRules = forwards.length;
    // The importer wrote into neither group: each still holds exactly its exporter's endpoint.
    for (const cluster of Object.keys(EXPORTERS) as Exporter[]) {
      const group = await groupOf(cluster);
      expect((await targetsOf(group?.arn ?? "")).map((t) => t.id)).toEqual([EXPORTERS[cluster]]);
    }
  });

  it("west's ServiceExport deleted: the consumer forwards to east alone, and west's group is drained, then deleted", async () => {
    const since = (await latticeControl().calls()).at(-1)?.seq ?? 0;
    await objects.deleteNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace: actual("west"),
      plural: "serviceexports",
      name: "web",
    });

    await waitFor(
      "the consumer forwarding to east's group alone",
      async () => {
        const f = await consumerForwards();
        return f.length > 0 && f.every((groups) => groups.length === 1) ? true : undefined;
      },
      CONVERGE,
    );
    expect(await consumerForwards()).toEqual(Array.from({ length: forwardingRules }, () => [ids.east]));
    await waitFor(
      "west's group deleted",
      async () => ((await groupOf("west")) === undefined ? true : undefined),
      CONVERGE,
    );

    // Drained before it was deleted: its target deregistered first (east's targets did not change).
    const calls = (await latticeControl().calls({ since })).filter((c) => c.status === 200);
    const deregistered = calls.find((c) => c.operation === "DeregisterTargets")?.seq;
    const deleted = calls.find((c) => c.operation === "DeleteTargetGroup")?.seq;
    expect(deregistered).toBeDefined();
    expect(deleted).toBeDefined();
    expect(deregistered ?? Number.POSITIVE_INFINITY).toBeLessThan(deleted ?? 0);
    expect(calls.filter((c) => c.operation === "DeleteTargetGroup")).toHaveLength(1);

    // east's group is untouched, its endpoint still its one target.
    const east = await groupOf("east");
    expect(east?.id).toBe(ids.east);
    expect((await targetsOf(east?.arn ?? "")).map((t) => t.id)).toEqual([EXPORTERS.east]);
  });
});
