/**
 * The resolved graph: what the Kubernetes objects mean once classes, listeners, attachments,
 * references and backends are worked out. Data-plane builders (ALB, NLB, Lattice) read only this;
 * status computation reads only this.
 */
import type { DataPlane } from "../config.ts";
import type { ServiceImport } from "../extensions/lattice.ts";
import type {
  Gateway,
  GatewayClass,
  GRPCRouteFilter,
  GRPCRouteMatch,
  GRPCRouteRule,
  HTTPRouteFilter,
  HTTPRouteMatch,
  HTTPRouteRule,
  ListenerSet,
  ProtocolType,
  Route,
  RouteGroupKind,
  RouteKind,
} from "../gateway-api/types.ts";
import type { Service, ServicePort } from "../k8s/core.ts";
import type { StatusProblem } from "../status/conditions.ts";
import type { ResolvedPolicy } from "./policies.ts";

export interface ResolvedGatewayClass {
  object: GatewayClass;
  /** Set when this control plane owns the class's controllerName. */
  dataPlane: DataPlane;
  accepted: boolean;
  problem?: StatusProblem;
}

export interface ResolvedCertificate {
  /** Where the certificate came from: a listener certificateRef (Secret) or an ACM ARN. */
  source: "certificateRef" | "option";
  secretKey?: string;
  /** ACM ARN when known (an imported Secret's ARN, or an explicit option). */
  arn?: string;
}

export interface ListenerOrigin {
  kind: "Gateway" | "ListenerSet";
  namespace: string;
  name: string;
  generation: number | undefined;
}

export interface ResolvedListener {
  /** `Gateway`'s own listener name, or `<listenerset>/<name>` for a ListenerSet entry. */
  id: string;
  name: string;
  origin: ListenerOrigin;
  port: number;
  protocol: ProtocolType;
  hostname: string | undefined;
  tlsMode: "Terminate" | "Passthrough" | undefined;
  certificates: ResolvedCertificate[];
  allowedRoutes: {
    from: "All" | "Same" | "Selector" | "None";
    selector?: import("../k8s/meta.ts").LabelSelector;
  };
  supportedKinds: RouteGroupKind[];
  /** Problems by condition: Accepted, ResolvedRefs, Conflicted. Empty = True. */
  acceptedProblem?: StatusProblem;
  resolvedRefsProblem?: StatusProblem;
  conflict?: StatusProblem;
  /**
   * The conflict is TLS Terminate beside Passthrough on one port: that configuration supports no
   * route kind, so status lists none (conformance TLSRouteListenerMixedTerminationNotSupported).
   */
  mixedTermination?: boolean;
  /** Another Terminate listener on the port serves an overlapping hostname (OverlappingTLSConfig). */
  overlappingTls?: StatusProblem;
  /** Route attachments, filled in by attachment. */
  attachments: RouteAttachment[];
}

/**
 * A listener the data plane can serve: accepted, not conflicted, and with its references resolved
 * — except that asking for some route kinds it cannot carry (InvalidRouteKinds) still leaves the
 * kinds it can, which it serves.
 */
export function listenerIsUsable(l: ResolvedListener): boolean {
  const refsOk =
    !l.resolvedRefsProblem || (l.resolvedRefsProblem.reason === "InvalidRouteKinds" && l.supportedKinds.length > 0);
  return !l.acceptedProblem && !l.conflict && refsOk;
}

export interface ResolvedListenerSet {
  object: ListenerSet;
  gatewayKey: string | undefined;
  problem?: StatusProblem;
  listeners: ResolvedListener[];
}

/**
 * A ListenerSet is accepted (and counts in the Gateway's attachedListenerSets) when its Gateway
 * admits it and at least one of its listeners is valid; conformance ListenerSetReferenceGrant treats
 * a listener with unresolved certificate refs as not valid.
 */
export function listenerSetAccepted(set: ResolvedListenerSet): boolean {
  return !set.problem && set.listeners.some(listenerIsUsable);
}

export interface ResolvedGateway {
  key: string;
  object: Gateway;
  gatewayClass: ResolvedGatewayClass;
  dataPlane: DataPlane;
  listeners: ResolvedListener[];
  listenerSets: ResolvedListenerSet[];
  /** Gateway-level problem for Accepted (Invalid, UnsupportedAddress, InvalidParameters). */
  problem?: StatusProblem;
}

export function gatewayAccepted(g: ResolvedGateway): boolean {
  return !g.problem && g.listeners.some((l) => !l.acceptedProblem && !l.conflict);
}

export interface ResolvedEndpoint {
  ip: string;
  port: number;
  zone?: string;
}

export interface ResolvedBackend {
  /** Index of the backendRef within its rule. */
  index: number;
  namespace: string;
  name: string;
  kind: string;
  group: string;
  port: number | undefined;
  weight: number;
  /** Present when the reference is invalid: its share of traffic answers 500. */
  problem?: StatusProblem;
  service?: Service;
  servicePort?: ServicePort;
  serviceImport?: ServiceImport;
  /** Ready, non-terminating endpoints for the referenced port. */
  endpoints: ResolvedEndpoint[];
  appProtocol?: string;
}

export interface ResolvedRule {
  index: number;
  name: string | undefined;
  /** Defaulted matches (HTTPRoute/GRPCRoute); empty for L4 routes. */
  httpMatches: HTTPRouteMatch[];
  grpcMatches: GRPCRouteMatch[];
  filters: (HTTPRouteFilter | GRPCRouteFilter)[];
  backends: ResolvedBackend[];
  /** The original rule, for data-plane specific fields (timeouts, session persistence, …). */
  source: HTTPRouteRule | GRPCRouteRule | { name?: string };
}

/** A route's attachment to one listener through one of its parentRefs. */
export interface RouteAttachment {
  route: ResolvedRoute;
  parentRefIndex: number;
  listener: ResolvedListener;
  /** Effective hostnames on this listener; undefined = unconstrained. */
  hostnames: string[] | undefined;
}

export interface ResolvedParent {
  parentRefIndex: number;
  gatewayKey: string;
  /** The parentRef as written (defaults applied), echoed in status. */
  parentRef: import("../gateway-api/types.ts").ParentReference;
  dataPlane: DataPlane;
  /** Set when the route is not accepted by this parent. */
  acceptedProblem?: StatusProblem;
  attachments: RouteAttachment[];
}

export interface ResolvedRoute {
  key: string;
  kind: RouteKind;
  object: Route;
  rules: ResolvedRule[];
  hostnames: string[] | undefined;
  /** One entry per parentRef that names a Gateway (or ListenerSet) of this control plane. */
  parents: ResolvedParent[];
  /** The first invalid backend reference, for ResolvedRefs. */
  resolvedRefsProblem?: StatusProblem;
}

export interface ResolvedGraph {
  gatewayClasses: ResolvedGatewayClass[];
  gateways: ResolvedGateway[];
  routes: ResolvedRoute[];
  policies: ResolvedPolicy[];
}

/** The listeners a data plane builds: the Gateway's own and accepted ListenerSets', if usable. */
export function programmableListeners(gateway: ResolvedGateway): ResolvedListener[] {
  return gateway.listeners
    .concat(gateway.listenerSets.filter(listenerSetAccepted).flatMap((s) => s.listeners))
    .filter(listenerIsUsable);
}
