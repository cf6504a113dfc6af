/**
 * Where each kind switchyard writes status for lives in the API: group/version/plural and whether
 * it is namespaced (Gateway API v1.6 serves every one of its kinds at v1; the VPC Lattice
 * controller's ServiceExport and policies are `application-networking.k8s.aws/v1alpha1`).
 */
import { GATEWAY_GROUP, type RouteKind } from "../../gateway-api/types.ts";

/**
 * The VPC Lattice controller's API group (shared/extensions/lattice.ts has it too; not imported, so
 * the forwarder's image, which carries this file, needs nothing of the Lattice extensions).
 */
const LATTICE_GROUP = "application-networking.k8s.aws";

/** The VPC Lattice controller's kinds switchyard writes `status.conditions` of. */
type LatticeStatusKind =
  | "ServiceExport"
  | "TargetGroupPolicy"
  | "VpcAssociationPolicy"
  | "AccessLogPolicy"
  | "IAMAuthPolicy";

export type StatusKind =
  | "GatewayClass"
  | "Gateway"
  | "ListenerSet"
  | RouteKind
  | "BackendTLSPolicy"
  | LatticeStatusKind;

type GatewayStatusKind = Exclude<StatusKind, LatticeStatusKind>;

const LATTICE_PLURALS: Record<LatticeStatusKind, string> = {
  ServiceExport: "serviceexports",
  TargetGroupPolicy: "targetgrouppolicies",
  VpcAssociationPolicy: "vpcassociationpolicies",
  AccessLogPolicy: "accesslogpolicies",
  IAMAuthPolicy: "iamauthpolicies",
};

function isLatticeKind(kind: StatusKind): kind is LatticeStatusKind {
  return kind in LATTICE_PLURALS;
}

const PLURALS: Record<GatewayStatusKind, string> = {
  GatewayClass: "gatewayclasses",
  Gateway: "gateways",
  ListenerSet: "listenersets",
  HTTPRoute: "httproutes",
  GRPCRoute: "grpcroutes",
  TLSRoute: "tlsroutes",
  TCPRoute: "tcproutes",
  UDPRoute: "udproutes",
  BackendTLSPolicy: "backendtlspolicies",
};

/** `<plural>/status` of every Gateway API kind switchyard writes status for (group gateway.networking.k8s.io). */
export const STATUS_SUBRESOURCES: readonly string[] = Object.values(PLURALS).map((plural) => `${plural}/status`);

/**
 * `<plural>/status` of the VPC Lattice controller's kinds switchyard writes status for (group
 * application-networking.k8s.aws): a federated ServiceExport's, on the exporting cluster, and the
 * Lattice policies' whose target is switchyard's (shared/lattice/policy-status.ts).
 */
export const LATTICE_STATUS_SUBRESOURCES: readonly string[] = Object.values(LATTICE_PLURALS).map(
  (plural) => `${plural}/status`,
);

/** What a status writer's RBAC grants (get and patch), one rule per API group. */
export const STATUS_RBAC_RULES: readonly { apiGroup: string; resources: readonly string[] }[] = [
  { apiGroup: GATEWAY_GROUP, resources: STATUS_SUBRESOURCES },
  { apiGroup: LATTICE_GROUP, resources: LATTICE_STATUS_SUBRESOURCES },
];

export interface ObjectRef {
  kind: StatusKind;
  /** Absent for the cluster-scoped GatewayClass. */
  namespace?: string;
  name: string;
}

/** The object's path, e.g. `/apis/gateway.networking.k8s.io/v1/namespaces/apps/gateways/web`. */
export function objectPath(ref: ObjectRef): string {
  const name = encodeURIComponent(ref.name);
  if (isLatticeKind(ref.kind)) {
    if (ref.namespace === undefined) throw new Error(`${ref.kind} ${ref.name}: a namespace is required`);
    return `/apis/${LATTICE_GROUP}/v1alpha1/namespaces/${encodeURIComponent(ref.namespace)}/${LATTICE_PLURALS[ref.kind]}/${name}`;
  }
  const base = `/apis/${GATEWAY_GROUP}/v1`;
  if (ref.kind === "GatewayClass") return `${base}/${PLURALS[ref.kind]}/${name}`;
  if (ref.namespace === undefined) throw new Error(`${ref.kind} ${ref.name}: a namespace is required`);
  return `${base}/namespaces/${encodeURIComponent(ref.namespace)}/${PLURALS[ref.kind]}/${name}`;
}

export function statusPath(ref: ObjectRef): string {
  return `${objectPath(ref)}/status`;
}
