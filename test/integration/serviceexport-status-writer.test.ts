// The status writer and a ServiceExport CRD shaped as the VPC Lattice controller publishes it
// (aws-application-networking-k8s helm/crds/application-networking.k8s.aws_serviceexports.yaml: a
// closed schema whose conditions have type, status, reason, message and lastTransitionTime, and no
// status subresource), on kube-apiserver: why shared/lattice/README.md › "ServiceExport status"
// asks for the subresource, and what the closed condition schema costs.
// SWITCHYARD_COMPONENTS=kube
import { readFile } from "node:fs/promises";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Condition } from "../../shared/k8s/meta.ts";
import type { StatusIntent } from "../../shared/status/writer/decision.ts";
import { HttpsKubeApi } from "../../shared/status/writer/kube-api.ts";
import { StatusWriter } from "../../shared/status/writer/writer.ts";
import { kubeConfig, requireEnv, uniqueName, waitFor } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";

const LATTICE_GROUP = "application-networking.k8s.aws";
const NAME = `serviceexports.${LATTICE_GROUP}`;

/** The published CRD's shape: spec.exportedPorts, status.conditions without observedGeneration. */
function publishedCrd(withStatusSubresource: boolean): V1CustomResourceDefinition {
  return {
    metadata: { name: NAME },
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
          ...(withStatusSubresource ? { subresources: { status: {} } } : {}),
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: {
                  type: "object",
                  properties: {
                    exportedPorts: {
                      type: "array",
                      items: {
                        type: "object",
                        required: ["port", "routeType"],
                        properties: {
                          port: { type: "integer", format: "int32" },
                          routeType: { type: "string", _enum: ["HTTP", "GRPC", "TLS"] },
                        },
                      },
                    },
                  },
                },
                status: {
                  type: "object",
                  properties: {
                    conditions: {
                      type: "array",
                      x_kubernetes_list_type: "map",
                      x_kubernetes_list_map_keys: ["type"],
                      items: {
                        type: "object",
                        required: ["status", "type"],
                        properties: {
                          lastTransitionTime: { type: "string", format: "date-time" },
                          message: { type: "string" },
                          reason: { type: "string" },
                          status: { type: "string", _enum: ["True", "False", "Unknown"] },
                          type: { type: "string" },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

async function install(kc: KubeConfig, withStatusSubresource: boolean): Promise<void> {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const body = publishedCrd(withStatusSubresource);
  try {
    await crds.createCustomResourceDefinition({ body });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const current = await crds.readCustomResourceDefinition({ name: NAME });
    await crds.replaceCustomResourceDefinition({
      name: NAME,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? "" } },
    });
  }
  const objects = kc.makeApiClient(CustomObjectsApi);
  await waitFor(
    `CRD ${NAME} served ${withStatusSubresource ? "with" : "without"} its status subresource`,
    async () => {
      try {
        await objects.listClusterCustomObject({ group: LATTICE_GROUP, version: "v1alpha1", plural: "serviceexports" });
        const crd = await crds.readCustomResourceDefinition({ name: NAME });
        const established = crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
        const has = crd.spec.versions.some((v) => v.subresources?.status !== undefined);
        return established && has === withStatusSubresource ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

describe("a ServiceExport's status against the VPC Lattice controller's CRD", () => {
  const namespace = uniqueName("exports");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let writer: StatusWriter;
  let intent: StatusIntent;

  beforeAll(async () => {
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await install(kc, false);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const created = (await objects.createNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural: "serviceexports",
      body: {
        apiVersion: `${LATTICE_GROUP}/v1alpha1`,
        kind: "ServiceExport",
        metadata: { name: "web" },
        spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
      },
    })) as { metadata: { generation: number; uid: string } };
    const endpoint = {
      server: requireEnv(ENV.kubeServer),
      caPem: await readFile(requireEnv(ENV.kubeCaFile), "utf8"),
    };
    const token = requireEnv(ENV.kubeToken);
    writer = new StatusWriter(new HttpsKubeApi(endpoint, { token: async () => token }), {
      now: () => "2026-12-01T00:00:00Z",
    });
    intent = {
      kind: "ServiceExport",
      namespace,
      name: "web",
      conditions: [{ type: "Valid", status: "True", reason: "Valid", message: "ok" }],
      observedGeneration: created.metadata.generation,
      uid: created.metadata.uid,
    };
  });

  afterAll(async () => {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    await kc.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: NAME });
  });

  it("as published (no status subresource): serviceexports/status answers 404, so the intent is dropped as not-found", async () => {
    expect(await writer.write(intent)).toMatchObject({ outcome: "not-found" });
    const stored = (await objects.getNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural: "serviceexports",
      name: "web",
    })) as { status?: unknown };
    expect(stored.status).toBeUndefined();
  });

  it("with the status subresource added: written, observedGeneration pruned by the closed schema, so written again each time", async () => {
    await install(kc, true);
    const first = await waitFor(
      "the status written once the subresource serves",
      async () => {
        const outcome = await writer.write(intent);
        return outcome.outcome === "written" ? outcome : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(first.outcome).toBe("written");
    const stored = (await objects.getNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural: "serviceexports",
      name: "web",
    })) as { metadata: { generation: number }; status: { conditions: Condition[] } };
    expect(stored.status.conditions).toEqual([
      { type: "Valid", status: "True", reason: "Valid", message: "ok", lastTransitionTime: "2026-12-01T00:00:00Z" },
    ]);
    // A status write does not move the generation (the subresource), so no reconcile loop follows.
    expect(stored.metadata.generation).toBe(intent.observedGeneration);
    expect(await writer.write(intent)).toMatchObject({ outcome: "written" });
  });
});
