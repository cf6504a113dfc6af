/**
 * Gateway API v1.6 object shapes (gateway.networking.k8s.io), as they arrive from the API server
 * or a manifest. Optional fields stay optional here; `defaults.ts` fills what the API server would.
 * Field names follow the published CRDs so manifests round-trip unchanged.
 */
import type { Condition, KubeObject, LabelSelector } from "../k8s/meta.ts";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

export type ProtocolType = "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP" | (string & {});
export type TLSModeType = "Terminate" | "Passthrough";
export type FromNamespaces = "All" | "Same" | "Selector" | "None";
export type PathMatchType = "Exact" | "PathPrefix" | "RegularExpression";
export type HeaderMatchType = "Exact" | "RegularExpression";
export type HTTPMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "CONNECT" | "OPTIONS" | "TRACE" | "PATCH";

// ---------- references ----------
export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface BackendRef extends BackendObjectReference {
  weight?: number;
}

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface LocalObjectReference {
  group: string;
  kind: string;
  name: string;
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

// ---------- GatewayClass ----------
export interface ParametersReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface GatewayClassSpec {
  controllerName: string;
  parametersRef?: ParametersReference;
  description?: string;
}

export interface GatewayClassStatus {
  conditions?: Condition[];
  supportedFeatures?: { name: string }[];
}

export type GatewayClass = KubeObject<"GatewayClass", GatewayClassSpec, GatewayClassStatus>;

// ---------- Gateway ----------
export interface ListenerTLSConfig {
  mode?: TLSModeType;
  certificateRefs?: SecretObjectReference[];
  options?: Record<string, string>;
}

export interface RouteNamespaces {
  from?: FromNamespaces;
  selector?: LabelSelector;
}

export interface AllowedRoutes {
  namespaces?: RouteNamespaces;
  kinds?: RouteGroupKind[];
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: ProtocolType;
  tls?: ListenerTLSConfig;
  allowedRoutes?: AllowedRoutes;
}

export interface GatewaySpecAddress {
  type?: string;
  value?: string;
}

export interface AllowedListeners {
  namespaces?: { from?: FromNamespaces; selector?: LabelSelector };
}

export interface GatewayInfrastructure {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  parametersRef?: { group: string; kind: string; name: string };
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  addresses?: GatewaySpecAddress[];
  infrastructure?: GatewayInfrastructure;
  allowedListeners?: AllowedListeners;
  tls?: unknown;
  defaultScope?: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: RouteGroupKind[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface GatewayStatusAddress {
  type?: string;
  value: string;
}

export interface GatewayStatus {
  addresses?: GatewayStatusAddress[];
  conditions?: Condition[];
  listeners?: ListenerStatus[];
  attachedListenerSets?: number;
}

export type Gateway = KubeObject<"Gateway", GatewaySpec, GatewayStatus>;

// ---------- ListenerSet ----------
export interface ListenerEntry {
  name: string;
  hostname?: string;
  port: number;
  protocol: ProtocolType;
  tls?: ListenerTLSConfig;
  allowedRoutes?: AllowedRoutes;
}

export interface ListenerSetSpec {
  parentRef: { group?: string; kind?: string; name: string; namespace?: string };
  listeners: ListenerEntry[];
}

export interface ListenerSetStatus {
  conditions?: Condition[];
  listeners?: ListenerStatus[];
}

export type ListenerSet = KubeObject<"ListenerSet", ListenerSetSpec, ListenerSetStatus>;

// ---------- shared route parts ----------
export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface RouteStatus {
  parents: RouteParentStatus[];
}

export interface CommonRouteSpec {
  parentRefs?: ParentReference[];
  useDefaultGateways?: string;
}

export interface Fraction {
  numerator: number;
  denominator?: number;
}

// ---------- HTTPRoute ----------
export interface HTTPPathMatch {
  type?: PathMatchType;
  value?: string;
}

export interface HTTPHeaderMatch {
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export interface HTTPQueryParamMatch {
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPQueryParamMatch[];
  method?: HTTPMethod | (string & {});
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPHeaderFilter {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export interface HTTPPathModifier {
  type: "ReplaceFullPath" | "ReplacePrefixMatch" | (string & {});
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  scheme?: string;
  hostname?: string;
  path?: HTTPPathModifier;
  port?: number;
  statusCode?: number;
}

export interface HTTPURLRewriteFilter {
  hostname?: string;
  path?: HTTPPathModifier;
}

export interface HTTPRequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: Fraction;
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export type HTTPRouteFilterType =
  | "RequestHeaderModifier"
  | "ResponseHeaderModifier"
  | "RequestMirror"
  | "RequestRedirect"
  | "URLRewrite"
  | "CORS"
  | "ExternalAuth"
  | "ExtensionRef";

export interface HTTPRouteFilter {
  type: HTTPRouteFilterType | (string & {});
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  requestRedirect?: HTTPRequestRedirectFilter;
  urlRewrite?: HTTPURLRewriteFilter;
  cors?: HTTPCORSFilter;
  externalAuth?: Record<string, unknown>;
  extensionRef?: LocalObjectReference;
}

export interface HTTPBackendRef extends BackendRef {
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteTimeouts {
  request?: string;
  backendRequest?: string;
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: HTTPRouteTimeouts;
  retry?: { codes?: number[]; attempts?: number; backoff?: string };
  sessionPersistence?: Record<string, unknown>;
}

export interface HTTPRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: HTTPRouteRule[];
}

export type HTTPRoute = KubeObject<"HTTPRoute", HTTPRouteSpec, RouteStatus>;

// ---------- GRPCRoute ----------
export interface GRPCMethodMatch {
  type?: "Exact" | "RegularExpression";
  service?: string;
  method?: string;
}

export interface GRPCHeaderMatch {
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: GRPCHeaderMatch[];
}

export interface GRPCRouteFilter {
  type: "RequestHeaderModifier" | "ResponseHeaderModifier" | "RequestMirror" | "ExtensionRef" | (string & {});
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  extensionRef?: LocalObjectReference;
}

export interface GRPCBackendRef extends BackendRef {
  filters?: GRPCRouteFilter[];
}

export interface GRPCRouteRule {
  name?: string;
  matches?: GRPCRouteMatch[];
  filters?: GRPCRouteFilter[];
  backendRefs?: GRPCBackendRef[];
  sessionPersistence?: Record<string, unknown>;
}

export interface GRPCRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: GRPCRouteRule[];
}

export type GRPCRoute = KubeObject<"GRPCRoute", GRPCRouteSpec, RouteStatus>;

// ---------- L4 routes ----------
export interface L4RouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}

export interface TCPRouteSpec extends CommonRouteSpec {
  rules?: L4RouteRule[];
}

export interface TLSRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: L4RouteRule[];
}

export type TCPRoute = KubeObject<"TCPRoute", TCPRouteSpec, RouteStatus>;
export type UDPRoute = KubeObject<"UDPRoute", TCPRouteSpec, RouteStatus>;
export type TLSRoute = KubeObject<"TLSRoute", TLSRouteSpec, RouteStatus>;

export type Route = HTTPRoute | GRPCRoute | TCPRoute | UDPRoute | TLSRoute;
export type RouteKind = Route["kind"];
export const ROUTE_KINDS: readonly RouteKind[] = ["HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute"];

// ---------- ReferenceGrant ----------
export interface ReferenceGrantSpec {
  from: { group: string; kind: string; namespace: string }[];
  to: { group: string; kind: string; name?: string }[];
}

export type ReferenceGrant = KubeObject<"ReferenceGrant", ReferenceGrantSpec, never>;

// ---------- policies ----------
export interface LocalPolicyTargetReference {
  group: string;
  kind: string;
  name: string;
  sectionName?: string;
}

export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface PolicyStatus {
  ancestors: PolicyAncestorStatus[];
}

export interface BackendTLSPolicySpec {
  targetRefs: LocalPolicyTargetReference[];
  validation: {
    caCertificateRefs?: LocalObjectReference[];
    wellKnownCACertificates?: string;
    hostname: string;
    subjectAltNames?: { type: string; hostname?: string; uri?: string }[];
  };
  options?: Record<string, string>;
}

export type BackendTLSPolicy = KubeObject<"BackendTLSPolicy", BackendTLSPolicySpec, PolicyStatus>;
