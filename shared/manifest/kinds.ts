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
