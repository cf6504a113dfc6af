/**
 * Every kind switchyard understands, with its API group, the versions the API server serves and
 * whether it is namespaced. Objects of any other kind are reported and left alone.
 */
import { AWS_LBC_GROUP } from "../extensions/aws-lbc.ts";
import { LATTICE_GROUP } from "../extensions/lattice.ts";
import { GATEWAY_GROUP } from "../gateway-api/types.ts";

export interface KindInfo {
  group: string;
  versions: readonly string[];
  namespaced: boolean;
}

const MCS_GROUP = "multicluster.x-k8s.io";

export const KINDS = {
  GatewayClass: { group: GATEWAY_GROUP, versions: ["v1", "v1beta1"], namespaced: false },
  Gateway: { group: GATEWAY_GROUP, versions: ["v1", "v1beta1"], namespaced: true },
  HTTPRoute: { group: GATEWAY_GROUP, versions: ["v1", "v1beta1"], namespaced: true },
  GRPCRoute: { group: GATEWAY_GROUP, versions: ["v1"], namespaced: true },
  TLSRoute: { group: GATEWAY_GROUP, versions: ["v1", "v1alpha3", "v1alpha2"], namespaced: true },
  TCPRoute: { group: GATEWAY_GROUP, versions: ["v1", "v1alpha2"], namespaced: true },
  UDPRoute: { group: GATEWAY_GROUP, versions: ["v1", "v1alpha2"], namespaced: true },
  ReferenceGrant: { group: GATEWAY_GROUP, versions: ["v1", "v1beta1"], namespaced: true },
  ListenerSet: { group: GATEWAY_GROUP, versions: ["v1"], namespaced: true },
  BackendTLSPolicy: { group: GATEWAY_GROUP, versions: ["v1", "v1alpha3"], namespaced: true },
  Service: { group: "", versions: ["v1"], namespaced: true },
  Namespace: { group: "", versions: ["v1"], namespaced: false },
  Node: { group: "", versions: ["v1"], namespaced: false },
  Secret: { group: "", versions: ["v1"], namespaced: true },
  EndpointSlice: { group: "discovery.k8s.io", versions: ["v1"], namespaced: true },
  LoadBalancerConfiguration: { group: AWS_LBC_GROUP, versions: ["v1beta1", "v1"], namespaced: true },
  TargetGroupConfiguration: { group: AWS_LBC_GROUP, versions: ["v1beta1", "v1"], namespaced: true },
  ListenerRuleConfiguration: { group: AWS_LBC_GROUP, versions: ["v1beta1", "v1"], namespaced: true },
  TargetGroupPolicy: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
  VpcAssociationPolicy: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
  AccessLogPolicy: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
  IAMAuthPolicy: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
  ServiceExport: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
  ServiceImport: { group: LATTICE_GROUP, versions: ["v1alpha1"], namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type KnownKind = keyof typeof KINDS;

export function isKnownKind(kind: string): kind is KnownKind {
  return Object.hasOwn(KINDS, kind);
}

/** The multicluster SIG's ServiceImport/ServiceExport are accepted too (same shapes). */
export const ALTERNATE_GROUPS: Partial<Record<KnownKind, readonly string[]>> = {
  ServiceExport: [MCS_GROUP],
  ServiceImport: [MCS_GROUP],
};

/**
 * The known kind a user probably meant: the same letters in another case (`HttpRoute`), or at
 * most two edits away for names long enough that two edits still leave them recognisable.
 */
export function suggestKind(kind: string): KnownKind | undefined {
  const lower = kind.toLowerCase();
  let best: { kind: KnownKind; distance: number } | undefined;
  for (const known of Object.keys(KINDS) as KnownKind[]) {
    const knownLower = known.toLowerCase();
    if (knownLower === lower) return known;
    const allowed = known.length >= 8 ? 2 : known.length >= 5 ? 1 : 0;
    const distance = editDistance(lower, knownLower, allowed);
    if (distance <= allowed && (!best || distance < best.distance)) best = { kind: known, distance };
  }
  return best?.kind;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}
