// A federated ServiceExport's status on the exporting cluster, through the whole pipeline as
// `switchyard dev` runs it: kube-apiserver → forwarder → ingest → objects mirror → the cluster's
// `lattice-export` unit → the Lattice emulator → status λ (an EKS IAM token whose group may patch
// `serviceexports/status` and nothing more of the kind) → kube-apiserver, read back with kubectl.
// The ServiceExport CRD here declares the status subresource, which the VPC Lattice controller's
// own CRD does not (shared/lattice/README.md, "ServiceExport status").
// SWITCHYARD_COMPONENTS=moto,dynamodb,kube,lattice
import { execFileSync } from "node:child_process";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunningPipeline } from "../../cli/dev/pipeline.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import {
  kubeConfig,
  latticeControl,
  latticeSettings,
  MOTO_DEFAULT_ACCOUNT_ID,
  requireEnv,
  resetMoto,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import { authorizeStatusWriter, bindStatusWriters, CONVERGE, mergePatch, startE2ePipeline } from "./support.ts";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

const LATTICE_GROUP = "application-networking.k8s.aws";
const CLUSTER_ID = uniqueName("e2e");
const EKS_NAME = uniqueName("e2e-eks");
const RECONCILE_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/${uniqueName("switchyard-reconcile")}`;

const SERVICE_EXPORTS: V1CustomResourceDefinition = {
  metadata: { name: `serviceexports.${LATTICE_GROUP}` },
  spec: {
    group: LATTICE_GROUP,
    scope: "Namespaced",
    names: {
      kind: "ServiceExport",
      plural: "serviceexports",
      singular: "serviceexport",
      listKind: "ServiceExportList",
    },
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } },
        subresources: { status: {} },
      },
    ],
  },
};

/**
 * Installs the ServiceExport CRD with its status subresource; another suite on the same apiserver
 * may have installed it without one, and is then given it (its objects are unaffected).
 */
async function installServiceExportCrd(kc: KubeConfig): Promise<void> {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  try {
    await crds.createCustomResourceDefinition({ body: SERVICE_EXPORTS });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const current = await crds.readCustomResourceDefinition({ name: SERVICE_EXPORTS.metadata?.name ?? "" });
    const version = current.spec.versions.find((v) => v.name === "v1alpha1");
    if (version && !version.subresources?.status) {
      version.subresources = { ...version.subresources, status: {} };
      await crds.replaceCustomResourceDefinition({ name: current.metadata?.name ?? "", body: current });
    }
  }
  const objects = kc.makeApiClient(CustomObjectsApi);
  await waitFor(
    `CRD serviceexports.${LATTICE_GROUP} served with its status subresource`,
    async () => {
      try {
        await objects.listClusterCustomObject({ group: LATTICE_GROUP, version: "v1alpha1", plural: "serviceexports" });
        const crd = await crds.readCustomResourceDefinition({ name: SERVICE_EXPORTS.metadata?.name ?? "" });
        return crd.spec.versions.some((v) => v.subresources?.status) ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

interface ServiceExportView {
  metadata: { generation: number };
  status?: { conditions?: Condition[] };
}

/** `kubectl get serviceexport -o yaml`, parsed. */
function kubectlGet(namespace: string, name: string): ServiceExportView {
  const out = execFileSync(
    "kubectl",
    [
      "--kubeconfig",
      requireEnv("SWITCHYARD_KUBECONFIG"),
      "get",
      `serviceexports.${LATTICE_GROUP}`,
      name,
      "-n",
      namespace,
      "-o",
      "yaml",
    ],
    { encoding: "utf8" },
  );
  return parse(out) as ServiceExportView;
}

const conditionOf = (view: ServiceExportView, type: string) => view.status?.conditions?.find((c) => c.type === type);

describe("a federated ServiceExport's status through the dev pipeline", () => {
  const namespace = uniqueName("e2e");
  const rbacName = uniqueName("switchyard-status-writer");
  const exportRbacName = uniqueName("switchyard-serviceexport-status");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    await resetMoto();
    await latticeControl().reset();
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await installServiceExportCrd(kc);
    await authorizeStatusWriter(kc, { eksName: EKS_NAME, roleArn: RECONCILE_ROLE, rbacName });
    // The status writers' one more right: get and patch of serviceexports/status (as the chart grants).
    await kc.makeApiClient(RbacAuthorizationV1Api).createClusterRole({
      body: {
        metadata: { name: exportRbacName },
        rules: [{ apiGroups: [LATTICE_GROUP], resources: ["serviceexports/status"], verbs: ["get", "patch"] }],
      },
    });
    await bindStatusWriters(kc, exportRbacName);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });

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
      resyncIntervalMs: 600_000,
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it("kubectl shows Valid, Ready (Exported) and Conflict on the ServiceExport, for its generation; a port the Service lacks turns Valid False", async () => {
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
        endpoints: [{ addresses: ["10.9.0.1"], conditions: { ready: true } }],
      },
    });
    const resource = { group: LATTICE_GROUP, version: "v1alpha1", namespace, plural: "serviceexports" };
    await objects.createNamespacedCustomObject({
      ...resource,
      body: {
        apiVersion: `${LATTICE_GROUP}/v1alpha1`,
        kind: "ServiceExport",
        metadata: { name: "web", annotations: { [`${LATTICE_GROUP}/federation`]: "amazon-vpc-lattice" } },
        spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
      },
    });

    const exported = await waitFor(
      "kubectl: ServiceExport Ready=True",
      async () => {
        const view = kubectlGet(namespace, "web");
        return conditionOf(view, "Ready")?.status === "True" ? view : undefined;
      },
      CONVERGE,
    );
    const generation = exported.metadata.generation;
    expect(conditionOf(exported, "Valid")).toMatchObject({
      status: "True",
      reason: "Valid",
      message: `Service ${namespace}/web exports port(s) 8080/HTTP`,
      observedGeneration: generation,
    });
    expect(conditionOf(exported, "Ready")).toMatchObject({ reason: "Exported", observedGeneration: generation });
    expect(conditionOf(exported, "Conflict")).toMatchObject({
      status: "False",
      reason: "NoConflicts",
      message: "no other registered cluster exports this Service",
    });
    for (const c of exported.status?.conditions ?? []) expect(c.lastTransitionTime).toMatch(/Z$/);

    // A second exported port the Service does not have: Valid turns False for the new generation.
    await objects.patchNamespacedCustomObject(
      {
        ...resource,
        name: "web",
        body: {
          spec: {
            exportedPorts: [
              { port: 8080, routeType: "HTTP" },
              { port: 9090, routeType: "GRPC" },
            ],
          },
        },
      },
      mergePatch,
    );
    const invalid = await waitFor(
      "kubectl: ServiceExport Valid=False (PortNotFound)",
      async () => {
        const view = kubectlGet(namespace, "web");
        return conditionOf(view, "Valid")?.reason === "PortNotFound" ? view : undefined;
      },
      CONVERGE,
    );
    expect(invalid.metadata.generation).toBeGreaterThan(generation);
    expect(conditionOf(invalid, "Valid")).toMatchObject({
      status: "False",
      message: `spec.exportedPorts[1]: port 9090 is not a port of Service ${namespace}/web (its ports: 8080)`,
      observedGeneration: invalid.metadata.generation,
    });
  });
});
