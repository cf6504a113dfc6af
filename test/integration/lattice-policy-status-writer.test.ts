// The status writer and the VPC Lattice policy CRDs shaped as the VPC Lattice controller publishes
// them (aws-application-networking-k8s helm/crds/application-networking.k8s.aws_iamauthpolicies.yaml
// and its siblings: a closed schema whose conditions are metav1.Condition — type, status, reason,
// message, lastTransitionTime (required) and observedGeneration — at most 8, a map keyed by type,
// defaulted to Accepted/Programmed "Waiting for controller"; recent releases serve the status
// subresource, older ones of TargetGroupPolicy and VpcAssociationPolicy did not), on kube-apiserver:
// what switchyard writes survives pruning, so the next identical write is no write.
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

const PENDING = (type: string) => ({
  type,
  status: "Unknown",
  reason: "Pending",
  message: "Waiting for controller",
  lastTransitionTime: "1970-01-01T00:00:00Z",
});

/** A policy CRD with the published status schema; `plural` names it. */
function publishedCrd(kind: string, plural: string, withStatusSubresource: boolean): V1CustomResourceDefinition {
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
          subresources: withStatusSubresource ? { status: {} } : {},
          schema: {
            openAPIV3Schema: {
              type: "object",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: {
                  type: "object",
                  required: ["targetRef"],
                  properties: {
                    policy: { type: "string" },
                    targetRef: {
                      type: "object",
                      required: ["group", "kind", "name"],
                      properties: {
                        group: { type: "string" },
                        kind: { type: "string" },
                        name: { type: "string" },
                        namespace: { type: "string" },
                      },
                    },
                  },
                },
                status: {
                  type: "object",
                  properties: {
                    conditions: {
                      type: "array",
                      maxItems: 8,
                      _default: [PENDING("Accepted"), PENDING("Programmed")],
                      x_kubernetes_list_type: "map",
                      x_kubernetes_list_map_keys: ["type"],
                      items: {
                        type: "object",
                        required: ["lastTransitionTime", "message", "reason", "status", "type"],
                        properties: {
                          lastTransitionTime: { type: "string", format: "date-time" },
                          message: { type: "string", maxLength: 32768 },
                          observedGeneration: { type: "integer", format: "int64", minimum: 0 },
                          reason: {
                            type: "string",
                            minLength: 1,
                            maxLength: 1024,
                            pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
                          },
                          status: { type: "string", _enum: ["True", "False", "Unknown"] },
                          type: { type: "string", maxLength: 316 },
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

async function install(kc: KubeConfig, body: V1CustomResourceDefinition, plural: string): Promise<void> {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const name = body.metadata?.name ?? "";
  try {
    await crds.createCustomResourceDefinition({ body });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const current = await crds.readCustomResourceDefinition({ name });
    await crds.replaceCustomResourceDefinition({
      name,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? "" } },
    });
  }
  const objects = kc.makeApiClient(CustomObjectsApi);
  await waitFor(
    `CRD ${name} established`,
    async () => {
      try {
        await objects.listClusterCustomObject({ group: LATTICE_GROUP, version: "v1alpha1", plural });
        const crd = await crds.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

describe("a Lattice policy's status against the VPC Lattice controller's CRDs", () => {
  const namespace = uniqueName("lpolicies");
  let kc: KubeConfig;
  let objects: CustomObjectsApi;
  let now = "2026-12-01T00:00:00Z";
  let writer: StatusWriter;

  const create = async (kind: string, plural: string) =>
    (await objects.createNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural,
      body: {
        apiVersion: `${LATTICE_GROUP}/v1alpha1`,
        kind,
        metadata: { name: "p" },
        spec: { targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "net" } },
      },
    })) as { metadata: { generation: number; uid: string } };

  const read = async (plural: string) =>
    (await objects.getNamespacedCustomObject({
      group: LATTICE_GROUP,
      version: "v1alpha1",
      namespace,
      plural,
      name: "p",
    })) as { metadata: { generation: number }; status?: { conditions?: Condition[] } };

  const accepted = (
    kind: "IAMAuthPolicy" | "VpcAssociationPolicy",
    created: { metadata: { generation: number; uid: string } },
    status: "True" | "False",
    reason: string,
    message: string,
  ): StatusIntent => ({
    kind,
    namespace,
    name: "p",
    conditions: [{ type: "Accepted", status, reason, message, observedGeneration: created.metadata.generation }],
    observedGeneration: created.metadata.generation,
    uid: created.metadata.uid,
  });

  beforeAll(async () => {
    kc = kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await install(kc, publishedCrd("IAMAuthPolicy", "iamauthpolicies", true), "iamauthpolicies");
    await install(kc, publishedCrd("VpcAssociationPolicy", "vpcassociationpolicies", false), "vpcassociationpolicies");
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const endpoint = { server: requireEnv(ENV.kubeServer), caPem: await readFile(requireEnv(ENV.kubeCaFile), "utf8") };
    const token = requireEnv(ENV.kubeToken);
    writer = new StatusWriter(new HttpsKubeApi(endpoint, { token: async () => token }), { now: () => now });
  });

  afterAll(async () => {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    const crds = kc.makeApiClient(ApiextensionsV1Api);
    await crds.deleteCustomResourceDefinition({ name: `iamauthpolicies.${LATTICE_GROUP}` });
    await crds.deleteCustomResourceDefinition({ name: `vpcassociationpolicies.${LATTICE_GROUP}` });
  });

  it("written whole (observedGeneration kept by the schema), so the same verdict again is no write; AWS's refusal flips it", async () => {
    const created = await create("IAMAuthPolicy", "iamauthpolicies");
    now = "2026-12-01T00:00:00Z";
    expect(await writer.write(accepted("IAMAuthPolicy", created, "True", "Accepted", "accepted"))).toMatchObject({
      outcome: "written",
    });
    const stored = await read("iamauthpolicies");
    const [first, ...others] = stored.status?.conditions ?? [];
    expect(first).toEqual({
      type: "Accepted",
      status: "True",
      reason: "Accepted",
      message: "accepted",
      observedGeneration: created.metadata.generation,
      lastTransitionTime: "2026-12-01T00:00:00Z",
    });
    // Only Accepted is switchyard's: the CRD's defaulted Programmed (if the server defaulted it) stays.
    for (const other of others) expect(other.type).toBe("Programmed");
    // A status write moves no generation: no reconcile follows.
    expect(stored.metadata.generation).toBe(created.metadata.generation);

    now = "2026-12-02T00:00:00Z";
    expect(await writer.write(accepted("IAMAuthPolicy", created, "True", "Accepted", "accepted"))).toMatchObject({
      outcome: "unchanged",
    });

    const refusal = "VPC Lattice refused PutAuthPolicy on service svc-1: AccessDeniedException: not allowed";
    expect(await writer.write(accepted("IAMAuthPolicy", created, "False", "Invalid", refusal))).toMatchObject({
      outcome: "written",
    });
    expect((await read("iamauthpolicies")).status?.conditions?.[0]).toEqual({
      type: "Accepted",
      status: "False",
      reason: "Invalid",
      message: refusal,
      observedGeneration: created.metadata.generation,
      lastTransitionTime: "2026-12-02T00:00:00Z",
    });
  });

  it("refused for a policy since replaced by another of the same name (uid)", async () => {
    const old = await read("iamauthpolicies");
    const intent = accepted(
      "IAMAuthPolicy",
      { metadata: { generation: old.metadata.generation, uid: "not-this-object" } },
      "True",
      "Accepted",
      "accepted",
    );
    expect(await writer.write(intent)).toMatchObject({ outcome: "stale" });
  });

  it("a CRD without the status subresource (older published VpcAssociationPolicy): 404, dropped as not-found", async () => {
    const created = await create("VpcAssociationPolicy", "vpcassociationpolicies");
    expect(await writer.write(accepted("VpcAssociationPolicy", created, "True", "Accepted", "accepted"))).toMatchObject(
      { outcome: "not-found" },
    );
    const stored = await read("vpcassociationpolicies");
    expect((stored.status?.conditions ?? []).some((c) => c.reason === "Accepted")).toBe(false);
  });
});
