/**
 * Where each kind switchyard writes status for lives in the API: group/version/plural and whether
 * it is namespaced (Gateway API v1.6 serves every one of them at v1).
 */
import { GATEWAY_GROUP, type RouteKind } from "../../gateway-api/types.ts";

export type StatusKind = "GatewayClass" | "Gateway" | "ListenerSet" | RouteKind | "BackendTLSPolicy";

const PLURALS: Record<StatusKind, string> = {
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

/** `<plural>/status` of every kind switchyard writes status for: what a status writer's RBAC grants. */
export const STATUS_SUBRESOURCES: readonly string[] = Object.values(PLURALS).map((plural) => `${plural}/status`);

export interface ObjectRef {
  kind: StatusKind;
  /** Absent for the cluster-scoped GatewayClass. */
  namespace?: string;
  name: string;
}

/** The object's path, e.g. `/apis/gateway.networking.k8s.io/v1/namespaces/apps/gateways/web`. */
export function objectPath(ref: ObjectRef): string {
  const base = `/apis/${GATEWAY_GROUP}/v1`;
  const name = encodeURIComponent(ref.name);
  if (ref.kind === "GatewayClass") return `${base}/${PLURALS[ref.kind]}/${name}`;
  if (ref.namespace === undefined) throw new Error(`${ref.kind} ${ref.name}: a namespace is required`);
  return `${base}/namespaces/${encodeURIComponent(ref.namespace)}/${PLURALS[ref.kind]}/${name}`;
}

export function statusPath(ref: ObjectRef): string {
  return `${objectPath(ref)}/status`;
}
