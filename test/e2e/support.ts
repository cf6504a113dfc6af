// What the end-to-end suites share: the status writer's cluster identity (token webhook + RBAC),
// Kubernetes objects created through the API, and the views of moto and of object status they
// assert on; the suites' set-up (moto and the cluster made ready, the pipeline started, other
// clusters registered). Every wait is a polled condition with a deadline (waitFor), never a sleep.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  ListServiceNetworksCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
  type ServiceNetworkSummary,
  type ServiceSummary,
  type TargetGroupSummary,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from "@kubernetes/client-node";
import type { HttpRequest } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";
import { type PipelineOptions, type RunningPipeline, startPipeline } from "../../cli/dev/pipeline.ts";
import { systemClock } from "../../forwarder/clock.ts";
import { Forwarder } from "../../forwarder/forwarder.ts";
import type { KubeApi } from "../../forwarder/kube-api.ts";
import { TAG, tagValue } from "../../shared/elb/naming.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { DynamoDbClusterRegistry } from "../../shared/registry/dynamodb.ts";
import { requestOperation } from "../../shared/testing/index.ts";
import {
  type AwsCredentials,
  configureTokenWebhook,
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  kubeConfig,
  latticeControl,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  STATUS_WRITERS_GROUP,
  TEST_REGION,
  uniqueName,
  waitFor,
} from "../env/clients.ts";

export const GROUP = "gateway.networking.k8s.io";
export const CONVERGE = { timeoutMs: 90_000, intervalMs: 250 };
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  addresses?: { type: string; value: string }[];
  parents?: { parentRef: { name: string }; controllerName: string; conditions: Condition[] }[];
}
export interface Live {
  metadata: { generation: number; resourceVersion: string; uid: string };
  spec: Record<string, unknown>;
  status?: Status;
}

export const isTrue = (conditions: Condition[] | undefined, type: string) =>
  conditions?.some((c) => c.type === type && c.status === "True") ?? false;

/** Every condition written for `generation`. */
export const allFor = (conditions: Condition[] | undefined, generation: number) =>
  (conditions ?? []).every((c) => (c as { observedGeneration?: number }).observedGeneration === generation);

export const pathsOf = (rules: Rule[]) =>
  rules.flatMap((r) => r.Conditions ?? []).flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []);

/**
 * As an EKS access entry plus RBAC would: `roleArn`'s IAM tokens for `eksName` authenticate, and
 * their group may read the Gateway API kinds and write their status only.
 */
export async function authorizeStatusWriter(
  kc: KubeConfig,
  identity: { eksName: string; roleArn: string; rbacName: string },
): Promise<void> {
  await configureTokenWebhook({ clusterName: identity.eksName, mappings: [{ arn: identity.roleArn }] });
  const kinds = ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes", "udproutes"];
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({
    body: {
      metadata: { name: identity.rbacName },
      rules: [
        { apiGroups: [GROUP], resources: kinds, verbs: ["get"] },
        { apiGroups: [GROUP], resources: kinds.map((k) => `${k}/status`), verbs: ["get", "patch"] },
      ],
    },
  });
  await bindStatusWriters(kc, identity.rbacName);
}

/** Binds the status writers' group to ClusterRole `name` (a binding of the same name). */
export async function bindStatusWriters(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: STATUS_WRITERS_GROUP }],
    },
  });
}

export async function createGatewayClass(kc: KubeConfig, name: string, controllerName: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: GROUP,
    version: "v1",
    plural: "gatewayclasses",
    body: { apiVersion: `${GROUP}/v1`, kind: "GatewayClass", metadata: { name }, spec: { controllerName } },
  });
}

export interface ClusterFixtureOptions {
  kc: KubeConfig;
  elbv2: ElasticLoadBalancingV2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  clusterId: string;
  /** Where Gateways and routes are created unless a call names another namespace. */
  namespace: string;
  /** The GatewayClass of Gateways created here. */
  className: string;
}

/** One suite's cluster objects, made through the API, and what switchyard made of them in moto. */
export class ClusterFixture {
  readonly objects: CustomObjectsApi;
  readonly #o: ClusterFixtureOptions;

  constructor(options: ClusterFixtureOptions) {
    this.#o = options;
    this.objects = options.kc.makeApiClient(CustomObjectsApi);
  }

  resource(plural: string, namespace = this.#o.namespace) {
    return { group: GROUP, version: "v1", namespace, plural };
  }

  async get(plural: string, name: string, namespace = this.#o.namespace): Promise<Live> {
    return (await this.objects.getNamespacedCustomObject({ ...this.resource(plural, namespace), name })) as Live;
  }

  /** ARNs of every AWS resource tagged as this cluster's (optionally one Gateway's). */
  async ownedArns(gateway?: string, namespace = this.#o.namespace): Promise<string[]> {
    return (await this.ownedResources(gateway, namespace)).map((r) => r.arn);
  }

  /** This cluster's tagged resources (optionally one Gateway's), each with its role tag. */
  async ownedResources(gateway?: string, namespace = this.#o.namespace): Promise<{ arn: string; role: string }[]> {
    const cluster = this.#o.clusterId;
    const { ResourceTagMappingList = [] } = await this.#o.tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: TAG.cluster, Values: [tagValue(cluster)] }] }),
    );
    // The gateway tag holds the model's Gateway key; accept it with or without the cluster prefix.
    const keys = gateway
      ? new Set([`${namespace}/${gateway}`, `${cluster}/${namespace}/${gateway}`].map(tagValue))
      : undefined;
    return ResourceTagMappingList.filter(
      (r) => keys === undefined || r.Tags?.some((t) => t.Key === TAG.gateway && keys.has(t.Value ?? "")),
    ).map((r) => ({ arn: r.ResourceARN ?? "", role: r.Tags?.find((t) => t.Key === TAG.role)?.Value ?? "" }));
  }

  async loadBalancerOf(gateway: string): Promise<LoadBalancer | undefined> {
    const arns = new Set(await this.ownedArns(gateway));
    const { LoadBalancers = [] } = await this.#o.elbv2.send(new DescribeLoadBalancersCommand({}));
    return LoadBalancers.find((lb) => arns.has(lb.LoadBalancerArn ?? ""));
  }

  async listenersOf(gateway: string): Promise<Listener[]> {
    const lb = await this.loadBalancerOf(gateway);
    if (!lb) return [];
    const { Listeners = [] } = await this.#o.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    return Listeners;
  }

  /** The non-default rules of the Gateway's first listener, or undefined before it has one. */
  async rulesOf(gateway: string): Promise<Rule[] | undefined> {
    const listener = (await this.listenersOf(gateway))[0];
    if (!listener) return undefined;
    const { Rules = [] } = await this.#o.elbv2.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }));
    return Rules.filter((r) => !r.IsDefault);
  }

  /** A Service with one ready endpoint, port 8080. */
  async createBackend(name: string, namespace = this.#o.namespace): Promise<void> {
    await this.#o.kc.makeApiClient(CoreV1Api).createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { ports: [{ name: "http", port: 8080, protocol: "TCP" }] } },
    });
    await this.#o.kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: `${name}-1`, labels: { "kubernetes.io/service-name": name } },
        addressType: "IPv4",
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        endpoints: [{ addresses: ["10.0.1.10"], conditions: { ready: true } }],
      },
    });
  }

  /** A Gateway of the fixture's class; one HTTP listener on 80 unless `listeners` are given. */
  async createGateway(
    name: string,
    listeners: Record<string, unknown>[] = [{ name: "http", port: 80, protocol: "HTTP" }],
  ) {
    await this.objects.createNamespacedCustomObject({
      ...this.resource("gateways"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: { name },
        spec: { gatewayClassName: this.#o.className, listeners },
      },
    });
  }

  /** An HTTPRoute on `gateway` with one PathPrefix rule per `path → backend` pair. */
  async createRoute(name: string, gateway: string, path: string, backend: string): Promise<void> {
    await this.objects.createNamespacedCustomObject({
      ...this.resource("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name },
        spec: { parentRefs: [{ name: gateway }], rules: [prefixRule(path, backend)] },
      },
    });
  }

  /** The Gateway Accepted and Programmed with an address, for its current generation. */
  async programmed(name: string): Promise<Live> {
    return waitFor(
      `Gateway ${name} Programmed with an address`,
      async () => {
        const gw = await this.get("gateways", name);
        const s = gw.status;
        return s &&
          isTrue(s.conditions, "Accepted") &&
          isTrue(s.conditions, "Programmed") &&
          (s.addresses?.length ?? 0) > 0 &&
          allFor(s.conditions, gw.metadata.generation)
          ? gw
          : undefined;
      },
      CONVERGE,
    );
  }

  /** The route's status for `gateway`, once written for the route's current generation (and `until` holds). */
  async routeParent(
    name: string,
    gateway: string,
    until: (conditions: Condition[]) => boolean = () => true,
  ): Promise<{ route: Live; parent: NonNullable<Status["parents"]>[number] }> {
    return waitFor(
      `HTTPRoute ${name} status for its current generation`,
      async () => {
        const route = await this.get("httproutes", name);
        const parent = route.status?.parents?.find((p) => p.parentRef.name === gateway);
        return parent && allFor(parent.conditions, route.metadata.generation) && until(parent.conditions)
          ? { route, parent }
          : undefined;
      },
      CONVERGE,
    );
  }
}

/** An HTTPRoute rule: PathPrefix `path` to `backend` port 8080 (in `namespace` if given). */
export function prefixRule(path: string, backend: string, namespace?: string): Record<string, unknown> {
  return {
    matches: [{ path: { type: "PathPrefix", value: path } }],
    backendRefs: [{ name: backend, port: 8080, ...(namespace ? { namespace } : {}) }],
  };
}

/** One AWS request as it went on the wire. */
export interface SentRequest {
  /** `AmazonSQS`, `CertificateManager`, `DynamoDB_20120810`, … (JSON protocols), or the host. */
  service: string;
  operation: string;
  /** The serialized body; `""` for a streamed one (S3 uploads). */
  body: string;
}

/**
 * The SDK's own HTTP handler, recording every request it sends: what the queues, the mirror and
 * ACM were actually given, read from the wire rather than from the code that built it.
 */
export class RecordingHandler extends NodeHttpHandler {
  readonly sent: SentRequest[] = [];

  override handle(request: HttpRequest, options?: HttpHandlerOptions) {
    const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === "x-amz-target")?.[1];
    const body = request.body;
    this.sent.push({
      service: target?.split(".")[0] ?? request.hostname,
      operation: requestOperation(request) ?? "",
      // Not Buffer.from(body): the JSON protocols' body answers valueOf() with a warning.
      body:
        typeof body === "string"
          ? body
          : body instanceof Uint8Array
            ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")
            : "",
    });
    return super.handle(request, options);
  }
}

/**
 * Credentials moto's STS issues for `roleArn` (the ExternalId is passed as the reconciler passes
 * it): they act in the role's account, in moto and in the Lattice emulator alike.
 */
export async function assumeRole(
  roleArn: string,
  options: { externalId?: string; sessionName?: string } = {},
): Promise<AwsCredentials> {
  const sts = new STSClient(motoSettings());
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: options.sessionName ?? "e2e",
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken ?? "" };
  } finally {
    sts.destroy();
  }
}

/** What the Lattice emulator lists for `client`'s account: its own resources, and networks shared with it. */
export interface LatticeInventory {
  services: ServiceSummary[];
  targetGroups: TargetGroupSummary[];
  networks: ServiceNetworkSummary[];
}

export async function latticeInventory(client: VPCLatticeClient): Promise<LatticeInventory> {
  const all = async <T>(page: (token: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>) => {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const got = await page(token);
      items.push(...(got.items ?? []));
      token = got.nextToken;
    } while (token);
    return items;
  };
  return {
    services: await all((nextToken) => client.send(new ListServicesCommand({ nextToken }))),
    targetGroups: await all((nextToken) => client.send(new ListTargetGroupsCommand({ nextToken }))),
    networks: await all((nextToken) => client.send(new ListServiceNetworksCommand({ nextToken }))),
  };
}

/** A suite's cluster: the admin kubeconfig, moto's ELBv2 and tagging clients, and its fixture. */
export interface E2eCluster {
  kc: KubeConfig;
  elbv2: ElasticLoadBalancingV2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  cluster: ClusterFixture;
}

export interface E2eClusterOptions {
  clusterId: string;
  /** Namespaces created on the apiserver; the first is the fixture's. */
  namespaces: [string, ...string[]];
  /** The GatewayClass created for the suite, and the controller it names. */
  className: string;
  controllerName: string;
  /** The status writer's identity to authorize (authorizeStatusWriter); @default none */
  statusWriter?: { eksName: string; roleArn: string; rbacName: string };
  /** Also empty the Lattice emulator; @default false */
  lattice?: boolean;
}

/**
 * A suite's starting point: moto (and the Lattice emulator) emptied, the status writer authorized,
 * the suite's namespaces and GatewayClass created, and the clients its fixture reads moto with.
 * The caller destroys `elbv2` and `tagging`.
 */
export async function setUpE2eCluster(options: E2eClusterOptions): Promise<E2eCluster> {
  await resetMoto();
  if (options.lattice) await latticeControl().reset();
  const kc = kubeConfig();
  if (options.statusWriter) await authorizeStatusWriter(kc, options.statusWriter);
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of options.namespaces) await core.createNamespace({ body: { metadata: { name } } });
  await createGatewayClass(kc, options.className, options.controllerName);
  const elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  const tagging = new ResourceGroupsTaggingAPIClient(motoSettings());
  const { clusterId, className } = options;
  const cluster = new ClusterFixture({ kc, elbv2, tagging, clusterId, namespace: options.namespaces[0], className });
  return { kc, elbv2, tagging, cluster };
}

/** startPipeline's options, with the e2e defaults (see startE2ePipeline) optional. */
export type E2ePipelineOptions = Omit<PipelineOptions, "region"> & Partial<Pick<PipelineOptions, "region">>;

/**
 * `startPipeline` against moto and DynamoDB Local in moto's default account, with a table of its
 * own and handlers that log errors only, resolved once its forwarder has synced (stopped again if
 * it does not within a minute). `options` override each default.
 */
export async function startE2ePipeline(options: E2ePipelineOptions): Promise<RunningPipeline> {
  const pipeline = await startPipeline({
    region: TEST_REGION,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    awsEndpoint: motoSettings().endpoint,
    dynamoDbEndpoint: dynamoDbSettings().endpoint,
    credentials: DUMMY_CREDENTIALS,
    tableName: uniqueName("switchyard"),
    logLevel: "ERROR",
    ...options,
  });
  try {
    await pipeline.forwarderSynced(60_000);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  return pipeline;
}

/** Registers another cluster in the pipeline's registry, as the pipeline's own but for `overrides`. */
export async function registerCluster(
  pipeline: RunningPipeline,
  overrides: Partial<RegisteredCluster> & { clusterId: string },
): Promise<void> {
  const dynamo = new DynamoDBClient(dynamoDbSettings());
  try {
    const registry = new DynamoDbClusterRegistry(dynamo, pipeline.tableName, MOTO_DEFAULT_ACCOUNT_ID);
    await registry.put({ ...pipeline.cluster, ...overrides }, "create");
  } finally {
    dynamo.destroy();
  }
}

/** Waits until no AWS resource is tagged as the Gateway's own. */
export async function untagged(cluster: ClusterFixture, gateway: string): Promise<void> {
  await waitFor(
    `no AWS resource tagged for Gateway ${gateway}`,
    async () => ((await cluster.ownedArns(gateway)).length === 0 ? true : undefined),
    CONVERGE,
  );
}

export interface ClusterForwarderOptions {
  clusterId: string;
  /** The pipeline's queue prefix: the claim-check bucket is named after it. */
  queuePrefix: string;
  namespaces: string[];
  /** How the forwarder sees the cluster (e.g. a view of one namespace of the shared apiserver). */
  api: KubeApi;
  sqs: SQSClient;
  s3: S3Client;
}

/**
 * Another registered cluster's forwarder on the pipeline's events queue, as its Helm release would
 * run it, started; the caller stops it.
 */
export async function startClusterForwarder(
  pipeline: RunningPipeline,
  options: ClusterForwarderOptions,
): Promise<Forwarder> {
  const forwarder = new Forwarder({
    config: {
      clusterId: options.clusterId,
      queueUrl: pipeline.queues.events,
      region: TEST_REGION,
      claimCheckBucket: `${options.queuePrefix}-claim-checks-${MOTO_DEFAULT_ACCOUNT_ID}`,
      namespaces: options.namespaces,
      listenHost: "127.0.0.1",
      listenPort: 0,
      snapshotIntervalMs: 300_000,
      endpointSliceWindowMs: 1000,
      kindRecheckIntervalMs: 60_000,
      bufferCapacity: 1000,
      sqsEndpoint: undefined,
      s3Endpoint: undefined,
      acmImport: false,
      acmEndpoint: undefined,
    },
    api: options.api,
    sqs: options.sqs,
    s3: options.s3,
    clock: systemClock,
    random: Math.random,
    log: () => undefined,
  });
  await forwarder.start();
  return forwarder;
}

/** Waits until every one of `forwarders` has listed what it watches. */
export async function forwardersSynced(forwarders: Forwarder[]): Promise<void> {
  await waitFor(
    `${forwarders.length} forwarders synced`,
    async () => (forwarders.every((f) => f.readiness().ready) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/**
 * A Lattice Gateway of `className`: one HTTP listener on 80, in service network `network`, which
 * switchyard creates.
 */
export async function createLatticeGateway(
  cluster: ClusterFixture,
  options: { name: string; className: string; network: string },
): Promise<void> {
  await cluster.objects.createNamespacedCustomObject({
    ...cluster.resource("gateways"),
    body: {
      apiVersion: `${GROUP}/v1`,
      kind: "Gateway",
      metadata: {
        name: options.name,
        annotations: {
          "switchyard.dev/service-network": options.network,
          "switchyard.dev/create-service-network": "true",
        },
      },
      spec: { gatewayClassName: options.className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    },
  });
}
