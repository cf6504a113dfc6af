/**
 * `cluster register --apply`: the forwarder's manifests sent to the cluster with server-side
 * apply (PATCH `application/apply-patch+yaml`, field manager `switchyard`), through the
 * Kubernetes API with the kubeconfig's identity — no kubectl. The release namespace is applied
 * first. A field another manager owns is a conflict, reported, not forced.
 */
import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import type { Manifest } from "./forwarder-manifests.ts";

export const FIELD_MANAGER = "switchyard";

export interface AppliedObject {
  kind: string;
  name: string;
  namespace?: string;
}

/** Each object applied in order; `progress` hears of each one. Throws on the first refusal. */
export async function applyManifests(
  kubeConfig: KubeConfig,
  namespace: string,
  manifests: readonly Manifest[],
  progress: (object: AppliedObject) => void,
): Promise<AppliedObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const objects: Manifest[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, ...manifests];
  const applied: AppliedObject[] = [];
  for (const object of objects) {
    await api.patch(object, undefined, undefined, FIELD_MANAGER, false, PatchStrategy.ServerSideApply);
    const done = {
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    };
    applied.push(done);
    progress(done);
  }
  return applied;
}
