/**
 * The kinds the forwarder lists and watches: what the core reads (shared/snapshot.ts). Versions are
 * in order of preference; the first one the API server serves is watched. The forwarder imports
 * only the event schema from shared/, so the list is its own.
 */

export interface WatchedKind {
  kind: string;
  group: string;
  versions: readonly string[];
  plural: string;
  namespaced: boolean;
}

const GATEWAY = "gateway.networking.k8s.io";
const GATEWAY_EXPERIMENTAL = "gateway.networking.x-k8s.io";
const AWS_LBC = "gateway.k8s.aws";
const LATTICE = "application-networking.k8s.aws";
const MCS = "multicluster.x-k8s.io";

function kind(
  name: string,
  group: string,
  versions: readonly string[],
  plural: string,
  namespaced = true,
): WatchedKind {
  return { kind: name, group, versions, plural, namespaced };
}

export const WATCHED_KINDS: readonly WatchedKind[] = [
  kind("GatewayClass", GATEWAY, ["v1", "v1beta1"], "gatewayclasses", false),
  kind("Gateway", GATEWAY, ["v1", "v1beta1"], "gateways"),
  kind("ListenerSet", GATEWAY, ["v1"], "listenersets"),
  kind("XListenerSet", GATEWAY_EXPERIMENTAL, ["v1alpha1"], "xlistenersets"),
  kind("HTTPRoute", GATEWAY, ["v1", "v1beta1"], "httproutes"),
  kind("GRPCRoute", GATEWAY, ["v1"], "grpcroutes"),
  kind("TLSRoute", GATEWAY, ["v1", "v1alpha3", "v1alpha2"], "tlsroutes"),
  kind("TCPRoute", GATEWAY, ["v1", "v1alpha2"], "tcproutes"),
  kind("UDPRoute", GATEWAY, ["v1", "v1alpha2"], "udproutes"),
  kind("ReferenceGrant", GATEWAY, ["v1", "v1beta1"], "referencegrants"),
  kind("BackendTLSPolicy", GATEWAY, ["v1", "v1alpha3"], "backendtlspolicies"),
  kind("Service", "", ["v1"], "services"),
  kind("EndpointSlice", "discovery.k8s.io", ["v1"], "endpointslices"),
  kind("Namespace", "", ["v1"], "namespaces", false),
  // The targets of instance target groups: forwarded reduced (shared/events/strip.ts).
  kind("Node", "", ["v1"], "nodes", false),
  kind("Secret", "", ["v1"], "secrets"),
  kind("LoadBalancerConfiguration", AWS_LBC, ["v1beta1", "v1"], "loadbalancerconfigurations"),
  kind("TargetGroupConfiguration", AWS_LBC, ["v1beta1", "v1"], "targetgroupconfigurations"),
  kind("ListenerRuleConfiguration", AWS_LBC, ["v1beta1", "v1"], "listenerruleconfigurations"),
  kind("TargetGroupPolicy", LATTICE, ["v1alpha1"], "targetgrouppolicies"),
  kind("VpcAssociationPolicy", LATTICE, ["v1alpha1"], "vpcassociationpolicies"),
  kind("AccessLogPolicy", LATTICE, ["v1alpha1"], "accesslogpolicies"),
  kind("IAMAuthPolicy", LATTICE, ["v1alpha1"], "iamauthpolicies"),
  kind("ServiceExport", LATTICE, ["v1alpha1"], "serviceexports"),
  kind("ServiceImport", LATTICE, ["v1alpha1"], "serviceimports"),
  kind("ServiceExport", MCS, ["v1alpha1"], "serviceexports"),
  kind("ServiceImport", MCS, ["v1alpha1"], "serviceimports"),
];

/** Kinds whose objects name the Secrets to forward (listener certificateRefs, CA refs). */
export const SECRET_REFERRING_KINDS: ReadonlySet<string> = new Set([
  "Gateway",
  "ListenerSet",
  "XListenerSet",
  "BackendTLSPolicy",
]);

/** `group/kind`, unique across WATCHED_KINDS (ServiceExport exists in two groups). */
export function kindId(kind: Pick<WatchedKind, "group" | "kind">): string {
  return `${kind.group}/${kind.kind}`;
}

/** The API path of a kind's collection, cluster-wide or in one namespace. */
export function collectionPath(kind: WatchedKind, version: string, namespace?: string): string {
  const base = kind.group === "" ? `/api/${version}` : `/apis/${kind.group}/${version}`;
  return kind.namespaced && namespace !== undefined
    ? `${base}/namespaces/${namespace}/${kind.plural}`
    : `${base}/${kind.plural}`;
}
