/**
 * The Kubernetes object envelope switchyard reads: only the metadata fields translation needs.
 * Timestamps are RFC 3339 strings as the API server sends them; nothing here reads a clock.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject<K extends string = string, Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

/** A metav1.Condition. `lastTransitionTime` is filled in by the status writer, not the core. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export function objectKey(meta: Pick<ObjectMeta, "name" | "namespace">): string {
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

/** Group of an apiVersion: `gateway.networking.k8s.io/v1` → `gateway.networking.k8s.io`, `v1` → ``. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
