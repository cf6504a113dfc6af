// A VPC Lattice service network shared through RAM, used from another account through the whole
// pipeline (issue #12): the control plane's account (the network owner here) creates a service
// network and shares it with the cluster's account; the cluster is registered in that account with
// a reconcile role and an ExternalId, so every Lattice call the reconciler makes goes with the
// credentials moto's STS issues for that role, and the emulator attributes it to the role's account
// (test/integration/lattice-moto-accounts.test.ts). kube-apiserver → forwarder → SQS → ingest →
// objects mirror → reconcile → the Lattice emulator → status → kube-apiserver. The engine-level spec
// is test/integration/lattice-reconcile.test.ts › "a network another account shares through RAM…".
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube,lattice

import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import {
  CreateServiceNetworkCommand,
  GetServiceNetworkCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListTagsForResourceCommand,
  ListTargetsCommand,
  type ServiceNetworkServiceAssociationSummary,
  VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPipeline, startPipeline } from "../../cli/dev/pipeline.ts";
import {
  type AwsCredentials,
  DUMMY_CREDENTIALS,
  dynamoDbSettings,
  kubeConfig,
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import type { CallRecord } from "../env/lattice/control-api.ts";
import {
  assumeRole,
  authorizeStatusWriter,
  ClusterFixture,
  CONVERGE,
  createGatewayClass,
  GROUP,
  isTrue,
  latticeInventory,
  RecordingHandler,
  startE2ePipeline,
} from "./support.ts";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

/** The network's owner: the control plane's own account (the pipeline's caller). */
const OWNER = MOTO_DEFAULT_ACCOUNT_ID;
/** The cluster's account, reached only through its reconcile role. */
const CLUSTER_ACCOUNT = "444455556666";
const CLUSTER_ID = uniqueName("e2e");
const EKS_NAME = uniqueName("e2e-eks");
const RECONCILE_ROLE = `arn:aws:iam::${CLUSTER_ACCOUNT}:role/${uniqueName("switchyard-reconcile")}`;
const EXTERNAL_ID = uniqueName("xid");
const DNS_NAME = /^[a-z0-9-]+-[0-9a-f]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/;
const isWrite = (call: CallRecord) => !/^(Get|List)/.test(call.operation);

describe("a service network shared through RAM, used by a cluster in another account, through the dev pipeline", () => {
  const namespace = uniqueName("e2e");
  const className = uniqueName("lattice");
  const rbacName = uniqueName("switchyard-status-writer");
  const networkName = uniqueName("mesh");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  /** The owner's view: the control plane's own credentials. */
  let owner: VPCLatticeClient;
  /** The cluster account's view, through a session of its role of the test's own. */
  let inCluster: VPCLatticeClient;
  let clusterCredentials: AwsCredentials;
  let pipeline: RunningPipeline;
  let cluster: ClusterFixture;
  let network: { arn: string; id: string; tags: Record<string, string> };
  /** Every AWS request the pipeline sent. */
  const sent = new RecordingHandler();

  beforeAll(async () => {
    await resetMoto();
    await latticeControl().reset();
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
    tagging = new ResourceGroupsTaggingAPIClient(motoSettings());
    owner = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
    clusterCredentials = await assumeRole(RECONCILE_ROLE, { externalId: EXTERNAL_ID, sessionName: "e2e-observer" });
    inCluster = new VPCLatticeClient({ ...latticeSettings(clusterCredentials), maxAttempts: 1 });

    // Account A makes the network and shares it with the cluster's account (RAM, QUIRKS VL5).
    const created = await owner.send(new CreateServiceNetworkCommand({ name: networkName, tags: { team: "mesh" } }));
    network = { arn: created.arn ?? "", id: created.id ?? "", tags: { team: "mesh" } };
    expect(network.arn).toContain(`:${OWNER}:servicenetwork/`);
    await latticeControl().share(network.arn, [CLUSTER_ACCOUNT]);

    await authorizeStatusWriter(kc, { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName });
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await createGatewayClass(kc, className, "switchyard.dev/lattice");
    cluster = new ClusterFixture({ kc, elbv2, tagging, clusterId: CLUSTER_ID, namespace, className });

    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      account: CLUSTER_ACCOUNT,
      eksClusterName: EKS_NAME,
      reconcileRoleArn: RECONCILE_ROLE,
      externalId: EXTERNAL_ID,
      latticeEndpoint: latticeSettings().endpoint,
      queuePrefix: uniqueName("e2e"),
      namespaces: [namespace],
      maxReceiveCount: 3,
      retryAfterSeconds: 2,
      resyncIntervalMs: 2_000,
      requestHandler: sent,
    });
    await cluster.createBackend("web");
  });

  afterAll(async () => {
    await pipeline?.stop();
    for (const client of [elbv2, tagging, owner, inCluster]) client?.destroy();
  });

  /** The network's service associations, as the cluster's account sees them (it made them). */
  async function associations(): Promise<ServiceNetworkServiceAssociationSummary[]> {
    const { items = [] } = await inCluster.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: network.arn }),
    );
    return items;
  }

  async function lastSeq(): Promise<number> {
    return (await latticeControl().calls()).at(-1)?.seq ?? 0;
  }

  /** The owner's account holds its network, unchanged, and nothing else. */
  async function expectOwnerUntouched(): Promise<void> {
    const held = await latticeInventory(owner);
    expect(held.services).toEqual([]);
    expect(held.targetGroups).toEqual([]);
    expect(held.networks.map((n) => n.arn)).toEqual([network.arn]);
    const { tags } = await owner.send(new ListTagsForResourceCommand({ resourceArn: network.arn }));
    expect(tags).toEqual(network.tags);
  }

  /**
   * A Gateway naming the shared network by `reference`, with route `route` (PathPrefix /web):
   * everything it makes is in the cluster's account, associated with the owner's network, and the
   * Gateway is Programmed with the service's DNS name. Deleting it takes the cluster's resources and
   * the association, and leaves the network to its owner. Account A sees no call at all.
   */
  async function roundTrip(gateway: string, route: string, reference: string): Promise<void> {
    const since = await lastSeq();
    await objects.createNamespacedCustomObject({
      ...cluster.resource("gateways"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: { name: gateway, annotations: { "switchyard.dev/service-network": reference } },
        spec: { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
      },
    });
    await cluster.createRoute(route, gateway, "/web", "web");

    const programmed = await cluster.programmed(gateway);
    const { parent } = await cluster.routeParent(route, gateway, (c) => isTrue(c, "Accepted"));
    expect(isTrue(parent.conditions, "ResolvedRefs")).toBe(true);

    // The route's service and the Gateway service merging it, their listeners, rules and target
    // groups: the cluster account's.
    const made = await latticeInventory(inCluster);
    expect(made.services).toHaveLength(2);
    for (const s of made.services) expect(s.arn).toContain(`:${CLUSTER_ACCOUNT}:service/`);
    const service = made.services.find((s) => !s.name?.startsWith("gw-"));
    const gatewayService = made.services.find((s) => s.name?.startsWith(`gw-${gateway}-`));
    expect(service).toBeDefined();
    expect(gatewayService).toBeDefined();
    // The Gateway's address is the Gateway service's DNS name.
    const address = programmed.status?.addresses?.[0]?.value ?? "";
    expect(address).toMatch(DNS_NAME);
    expect(gatewayService?.dnsEntry?.domainName).toBe(address);
    for (const s of [service, gatewayService]) {
      const listeners = (await inCluster.send(new ListListenersCommand({ serviceIdentifier: s?.id }))).items ?? [];
      expect(listeners.map((l) => [l.protocol, l.port])).toEqual([["HTTP", 80]]);
      expect(listeners[0]?.arn).toContain(`:${CLUSTER_ACCOUNT}:service/`);
      const rules =
        (await inCluster.send(new ListRulesCommand({ serviceIdentifier: s?.id, listenerIdentifier: listeners[0]?.id })))
          .items ?? [];
      expect(rules.filter((r) => !r.isDefault).length).toBeGreaterThan(0);
    }
    // One group per service (a Lattice group serves one service), each with the Service's endpoint.
    expect(made.targetGroups).toHaveLength(2);
    for (const group of made.targetGroups) {
      expect(group?.arn).toContain(`:${CLUSTER_ACCOUNT}:targetgroup/`);
      const targets = (await inCluster.send(new ListTargetsCommand({ targetGroupIdentifier: group?.arn }))).items ?? [];
      expect(targets.map((t) => t.id)).toEqual(["10.0.1.10"]);
    }
    // The cluster's account made no network of its own: it lists only the one shared with it.
    expect(made.networks.map((n) => n.arn)).toEqual([network.arn]);

    // The associations join the cluster's services to the owner's network.
    const joined = await waitFor(
      "both services associated with the shared network",
      async () => {
        const found = await associations();
        return found.length === 2 && found.every((a) => a.status === "ACTIVE") ? found : undefined;
      },
      CONVERGE,
    );
    expect(joined.map((a) => a.serviceArn).sort()).toEqual([service?.arn, gatewayService?.arn].sort());
    for (const a of joined) {
      expect(a).toMatchObject({ serviceNetworkArn: network.arn });
      expect(a.arn).toContain(`:${CLUSTER_ACCOUNT}:`);
    }

    // Every call the pipeline made was the cluster account's; none acted in (or on behalf of) A.
    const calls = await latticeControl().calls({ since });
    expect(calls.filter((c) => c.account === OWNER)).toEqual([]);
    expect(calls.filter(isWrite).length).toBeGreaterThan(0);
    await expectOwnerUntouched();

    const beforeDelete = await lastSeq();
    await objects.deleteNamespacedCustomObject({ ...cluster.resource("gateways"), name: gateway });
    await waitFor(
      "the Gateway's service, target group and association gone",
      async () => {
        await latticeControl().settle();
        const left = await latticeInventory(inCluster);
        return left.services.length === 0 && left.targetGroups.length === 0 && (await associations()).length === 0
          ? true
          : undefined;
      },
      CONVERGE,
    );
    const deletions = (await latticeControl().calls({ since: beforeDelete })).filter((c) => c.status === 200);
    expect(deletions.filter((c) => c.account === OWNER)).toEqual([]);
    expect(deletions.filter((c) => c.operation === "DeleteServiceNetwork")).toEqual([]);
    // The network is its owner's still, and still shared with the cluster's account.
    await expectOwnerUntouched();
    const kept = await inCluster.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network.arn }));
    expect(kept.id).toBe(network.id);
    await objects.deleteNamespacedCustomObject({ ...cluster.resource("httproutes"), name: route });
  }

  it("the cluster is registered in its own account, with its role, its ExternalId and its account's default VPC", async () => {
    expect(pipeline.cluster).toMatchObject({
      account: CLUSTER_ACCOUNT,
      reconcileRoleArn: RECONCILE_ROLE,
      externalId: EXTERNAL_ID,
    });
    // moto checks no ExternalId (QUIRKS.md XA1): the role is assumed with it, as the wire shows.
    const assumed = sent.sent.filter((r) => r.operation === "AssumeRole").map((r) => new URLSearchParams(r.body));
    expect(assumed.length).toBeGreaterThan(0);
    for (const request of assumed) {
      expect([request.get("RoleArn"), request.get("ExternalId")]).toEqual([RECONCILE_ROLE, EXTERNAL_ID]);
    }
    const ec2 = new EC2Client(motoSettings(clusterCredentials));
    try {
      const { Vpcs = [] } = await ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
      );
      expect(Vpcs[0]?.OwnerId).toBe(CLUSTER_ACCOUNT);
      expect(pipeline.cluster.vpcId).toBe(Vpcs[0]?.VpcId);
    } finally {
      ec2.destroy();
    }
  });

  it("a Gateway naming the shared network by ARN: its service is made in the cluster's account and associated with it, and its deletion leaves the network to its owner", async () => {
    await roundTrip("mesh-arn", "web", network.arn);
  });

  it("a Gateway naming the shared network by name finds it among the networks shared with the account", async () => {
    await roundTrip("mesh-name", "api", networkName);
  });
});

describe("a cluster in another account without a role", () => {
  it("is refused before anything acts in that account with the control plane's own credentials", async () => {
    const namespace = uniqueName("e2e");
    const ec2 = new EC2Client(motoSettings());
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" })).finally(() => ec2.destroy());
    const started = startPipeline({
      kubeConfig: kubeConfig(),
      clusterId: uniqueName("e2e"),
      region: TEST_REGION,
      account: CLUSTER_ACCOUNT,
      vpcId: vpc.Vpc?.VpcId ?? "",
      awsEndpoint: motoSettings().endpoint,
      latticeEndpoint: latticeSettings().endpoint,
      dynamoDbEndpoint: dynamoDbSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      tableName: uniqueName("switchyard"),
      queuePrefix: uniqueName("e2e"),
      namespaces: [namespace],
      logLevel: "SILENT",
    });
    // Stopped again if it did start, so that a failure here does not leave a forwarder running.
    const outcome = await started.then(
      async (running) => {
        await running.stop();
        return "started";
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(outcome).toBe(
      `invalid cluster registration: reconcileRoleArn: required: account ${CLUSTER_ACCOUNT} is not the control plane's (${OWNER})`,
    );
  });
});
