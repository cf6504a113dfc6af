// A VPC Lattice Gateway through the whole pipeline, as `switchyard dev` runs it: kube-apiserver →
// forwarder → ingest → objects mirror (DynamoDB Local) → reconcile → the Lattice emulator over the
// SDK (STS AssumeRole on moto) → status writer → kube-apiserver. Every check polls a condition
// with a deadline.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube,lattice

import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { ListServicesCommand, ListTargetGroupsCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPipeline } from "../../cli/dev/pipeline.ts";
import { latticeControl, latticeSettings, MOTO_DEFAULT_ACCOUNT_ID, uniqueName, waitFor } from "../env/clients.ts";
import {
  type ClusterFixture,
  CONVERGE,
  createLatticeGateway,
  isTrue,
  setUpE2eCluster,
  startE2ePipeline,
} from "./support.ts";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

const CLUSTER_ID = uniqueName("e2e");
const EKS_NAME = uniqueName("e2e-eks");
const RECONCILE_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${uniqueName("switchyard-reconcile")}`;
const DNS_NAME = /^[a-z0-9-]+-[0-9a-f]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/;

describe("a VPC Lattice Gateway through the dev pipeline", () => {
  const namespace = uniqueName("e2e");
  const className = uniqueName("lattice");
  const rbacName = uniqueName("switchyard-status-writer");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let lattice: VPCLatticeClient;
  let pipeline: RunningPipeline;
  let cluster: ClusterFixture;

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      clusterId: CLUSTER_ID,
      namespaces: [namespace],
      className,
      controllerName: "switchyard.dev/lattice",
      statusWriter: { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName },
      lattice: true,
    }));
    objects = kc.makeApiClient(CustomObjectsApi);
    lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });

    pipeline = await startE2ePipeline({
      kubeConfig: kc,
      clusterId: CLUSTER_ID,
      eksClusterName: EKS_NAME,
      reconcileRoleArn: RECONCILE_ROLE,
      latticeEndpoint: latticeSettings().endpoint,
      queuePrefix: uniqueName("e2e"),
      namespaces: [namespace],
      maxReceiveCount: 3,
      retryAfterSeconds: 2,
      resyncIntervalMs: 2_000,
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    for (const client of [elbv2, tagging, lattice]) client?.destroy();
  });

  it("a Gateway and HTTPRoute end Programmed with the Gateway service's DNS name as address, and the route Accepted", async () => {
    await cluster.createBackend("web");
    await createLatticeGateway(cluster, { name: "mesh", className, network: `net-${namespace}` });
    await cluster.createRoute("web", "mesh", "/web", "web");

    const gateway = await cluster.programmed("mesh");
    const address = gateway.status?.addresses?.[0]?.value ?? "";
    expect(address).toMatch(DNS_NAME);
    // The address is the Gateway service merging the Gateway's hostname-less routes; the route
    // keeps its own service too, as Lattice names it.
    const services = (await lattice.send(new ListServicesCommand({}))).items ?? [];
    const merged = services.find((s) => s.name?.startsWith("gw-mesh-"));
    expect(merged?.dnsEntry?.domainName).toBe(address);
    expect(merged?.status).toBe("ACTIVE");
    const web = services.find((s) => s.name === `web-${namespace}`.slice(0, 40).replace(/-+$/, ""));
    expect(web?.status).toBe("ACTIVE");
    expect(web?.dnsEntry?.domainName).not.toBe(address);

    const { parent } = await cluster.routeParent("web", "mesh");
    expect(parent.controllerName).toBe("switchyard.dev/lattice");
    expect(isTrue(parent.conditions, "Accepted")).toBe(true);
    expect(isTrue(parent.conditions, "ResolvedRefs")).toBe(true);
  });

  it("the Gateway deleted takes its services and target groups with it", async () => {
    await objects.deleteNamespacedCustomObject({ ...cluster.resource("gateways"), name: "mesh" });
    await waitFor(
      "the Gateway's Lattice services and target groups gone",
      async () => {
        await latticeControl().settle();
        const services = (await lattice.send(new ListServicesCommand({}))).items ?? [];
        const groups = (await lattice.send(new ListTargetGroupsCommand({}))).items ?? [];
        return services.length === 0 && groups.length === 0 ? true : undefined;
      },
      CONVERGE,
    );
  });
});
