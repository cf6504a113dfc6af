// The whole pipeline with the cluster registered in via-forwarder status mode: the status λ puts
// every intent on the cluster's own queue and the forwarder writes it, with the ServiceAccount token
// and RBAC of the Helm chart (statusMode=via-forwarder). The status λ's direct path holds an IAM
// identity the cluster does not map, so any status it tried to write itself would be refused.
// Also checks who writes the shared statuses: the GatewayClass's Accepted, as `kubectl` shows it,
// and a BackendTLSPolicy's ancestor entry, written by its Gateway's reconcile.
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube
import { execFileSync } from "node:child_process";
import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent, RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import { MOTO_DEFAULT_ACCOUNT_ID, requireEnv, TEST_REGION, uniqueName, waitFor } from "../env/clients.ts";
import { type InstalledForwarderRbac, installForwarderRbac } from "../fixtures/forwarder-identity.ts";
import { type ClusterFixture, CONVERGE, GROUP, isTrue, setUpE2eCluster, startE2ePipeline } from "./support.ts";

// Local runs have no CloudWatch to read EMF from.
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const CLUSTER_ID = uniqueName("e2e-via");

interface Live {
  metadata: { generation: number };
  status?: {
    conditions?: (Condition & { observedGeneration?: number })[];
    addresses?: { type: string; value: string }[];
    parents?: { controllerName: string; conditions: Condition[] }[];
    ancestors?: { ancestorRef: { name: string }; controllerName: string; conditions: Condition[] }[];
  };
}

describe("switchyard dev pipeline, status via the forwarder", () => {
  const namespace = uniqueName("e2e-via");
  const className = uniqueName("alb");
  const progress: ProgressEvent[] = [];
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let rbac: InstalledForwarderRbac;
  let elbv2: ElasticLoadBalancingV2Client;
  let tagging: ResourceGroupsTaggingAPIClient;
  let cluster: ClusterFixture;
  let pipeline: RunningPipeline;

  const resource = (plural: string) => ({ group: GROUP, version: "v1", namespace, plural });
  const get = async (plural: string, name: string) =>
    (await objects.getNamespacedCustomObject({ ...resource(plural), name })) as Live;

  beforeAll(async () => {
    ({ kc, elbv2, tagging, cluster } = await setUpE2eCluster({
      clusterId: CLUSTER_ID,
      namespaces: [namespace],
      className,
      controllerName: "switchyard.dev/alb",
    }));
    objects = kc.makeApiClient(CustomObjectsApi);
    rbac = await installForwarderRbac(kc, namespace, uniqueName("r"), {
      clusterId: CLUSTER_ID,
      statusMode: "via-forwarder",
      statusQueueUrl: `https://sqs.${TEST_REGION}.amazonaws.com/${MOTO_DEFAULT_ACCOUNT_ID}/switchyard-status`,
    });

    pipeline = await startE2ePipeline({
      // The forwarder's identity, for watching and for writing status: the chart's ServiceAccount.
      kubeConfig: rbac.kubeConfig,
      clusterId: CLUSTER_ID,
      statusMode: "via-forwarder",
      // The status λ's direct writer would present an IAM token for this name, which the test
      // environment's authenticator maps to no one: it could not write status if it tried.
      eksClusterName: uniqueName("unmapped"),
      queuePrefix: uniqueName("e2e-via"),
      namespaces: [namespace],
      maxReceiveCount: 3,
      retryAfterSeconds: 2,
      resyncIntervalMs: 5_000,
      progress: (event) => progress.push(event),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await rbac?.uninstall();
    elbv2?.destroy();
    tagging?.destroy();
  });

  it("registers the cluster via-forwarder with its own status queue", () => {
    expect(pipeline.cluster.statusMode).toBe("via-forwarder");
    expect(pipeline.forwarderStatusQueue).toContain(`-status-${CLUSTER_ID}`);
  });

  it("the forwarder, not the status λ, writes Gateway Programmed with the load balancer's address", async () => {
    await cluster.createBackend("web");
    await objects.createNamespacedCustomObject({
      ...resource("gateways"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "Gateway",
        metadata: { name: "web" },
        spec: { gatewayClassName: className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
      },
    });
    await objects.createNamespacedCustomObject({
      ...resource("httproutes"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "HTTPRoute",
        metadata: { name: "web" },
        spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "web", port: 8080 }] }] },
      },
    });

    const gateway = await waitFor(
      "Gateway web Programmed with an address",
      async () => {
        const live = await get("gateways", "web");
        return isTrue(live.status?.conditions, "Programmed") && (live.status?.addresses?.length ?? 0) > 0
          ? live
          : undefined;
      },
      CONVERGE,
    );
    const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({}));
    const dnsNames = LoadBalancers.map((lb) => lb.DNSName?.toLowerCase());
    expect(dnsNames).toContain(gateway.status?.addresses?.[0]?.value);
    expect(gateway.status?.conditions?.every((c) => c.observedGeneration === gateway.metadata.generation)).toBe(true);
    const route = await waitFor(
      "HTTPRoute web Accepted",
      async () => {
        const live = await get("httproutes", "web");
        return live.status?.parents?.some((p) => isTrue(p.conditions, "Accepted")) ? live : undefined;
      },
      CONVERGE,
    );
    expect(route.status?.parents?.map((p) => p.controllerName)).toEqual(["switchyard.dev/alb"]);

    const statusWrites = progress.filter((e) => e.stage === "status");
    expect(statusWrites.some((e) => e.via === "forwarder" && e.outcome === "written")).toBe(true);
    // Not one status went through the status λ's direct writer.
    expect(statusWrites.filter((e) => e.via !== "forwarder")).toEqual([]);
  });

  it("kubectl shows the switchyard GatewayClass Accepted=True", async () => {
    const accepted = await waitFor(
      `kubectl: GatewayClass ${className} Accepted`,
      async () => {
        const out = execFileSync(
          "kubectl",
          [
            "--kubeconfig",
            requireEnv("SWITCHYARD_KUBECONFIG"),
            "get",
            "gatewayclass",
            className,
            "-o",
            'jsonpath={.status.conditions[?(@.type=="Accepted")].status}',
          ],
          { encoding: "utf8" },
        );
        return out.trim() === "True" ? out.trim() : undefined;
      },
      CONVERGE,
    );
    expect(accepted).toBe("True");
    expect(
      progress.some((e) => e.stage === "status" && e.object === `GatewayClass ${className}` && e.via === "forwarder"),
    ).toBe(true);
  });

  it("a BackendTLSPolicy on the route's Service gets its Gateway's ancestor entry", async () => {
    await objects.createNamespacedCustomObject({
      ...resource("backendtlspolicies"),
      body: {
        apiVersion: `${GROUP}/v1`,
        kind: "BackendTLSPolicy",
        metadata: { name: "web-tls" },
        spec: {
          targetRefs: [{ group: "", kind: "Service", name: "web" }],
          validation: { hostname: "web.example.com", wellKnownCACertificates: "System" },
        },
      },
    });
    const policy = await waitFor(
      "BackendTLSPolicy web-tls with an ancestor entry for Gateway web",
      async () => {
        const live = await get("backendtlspolicies", "web-tls");
        return live.status?.ancestors?.some((a) => a.ancestorRef.name === "web") ? live : undefined;
      },
      CONVERGE,
    );
    const [entry] = policy.status?.ancestors ?? [];
    expect(entry?.controllerName).toBe("switchyard.dev/alb");
    // ELB does not verify target certificates: the policy cannot be honoured, and says why.
    expect(entry?.conditions.find((c) => c.type === "Accepted")).toMatchObject({ status: "False", reason: "Invalid" });
  });
});
