/**
 * A snapshot is everything translation reads, grouped by kind. It is built from plain objects
 * (manifests, the DynamoDB mirror, a cluster list) and never changes once built.
 */
import type {
  ListenerRuleConfiguration,
  LoadBalancerConfiguration,
  TargetGroupConfiguration,
} from "./extensions/aws-lbc.ts";
import type { LatticePolicy, ServiceExport, ServiceImport } from "./extensions/lattice.ts";
import type {
  BackendTLSPolicy,
  Gateway,
  GatewayClass,
  ListenerSet,
  ReferenceGrant,
  Route,
} from "./gateway-api/types.ts";
import type { EndpointSlice, Namespace, Node, Secret, Service } from "./k8s/core.ts";
import type { KubeObject } from "./k8s/meta.ts";

export interface Snapshot {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  listenerSets: ListenerSet[];
  routes: Route[];
  referenceGrants: ReferenceGrant[];
  backendTLSPolicies: BackendTLSPolicy[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  namespaces: Namespace[];
  /** Cluster nodes: the targets of instance target groups. */
  nodes: Node[];
  secrets: Secret[];
  serviceExports: ServiceExport[];
  serviceImports: ServiceImport[];
  loadBalancerConfigurations: LoadBalancerConfiguration[];
  targetGroupConfigurations: TargetGroupConfiguration[];
  listenerRuleConfigurations: ListenerRuleConfiguration[];
  latticePolicies: LatticePolicy[];
}

export function emptySnapshot(): Snapshot {
  return {
    gatewayClasses: [],
    gateways: [],
    listenerSets: [],
    routes: [],
    referenceGrants: [],
    backendTLSPolicies: [],
    services: [],
    endpointSlices: [],
    namespaces: [],
    nodes: [],
    secrets: [],
    serviceExports: [],
    serviceImports: [],
    loadBalancerConfigurations: [],
    targetGroupConfigurations: [],
    listenerRuleConfigurations: [],
    latticePolicies: [],
  };
}

const BUCKET: Record<string, keyof Snapshot> = {
  GatewayClass: "gatewayClasses",
  Gateway: "gateways",
  ListenerSet: "listenerSets",
  HTTPRoute: "routes",
  GRPCRoute: "routes",
  TCPRoute: "routes",
  UDPRoute: "routes",
  TLSRoute: "routes",
  ReferenceGrant: "referenceGrants",
  BackendTLSPolicy: "backendTLSPolicies",
  Service: "services",
  EndpointSlice: "endpointSlices",
  Namespace: "namespaces",
  Node: "nodes",
  Secret: "secrets",
  ServiceExport: "serviceExports",
  ServiceImport: "serviceImports",
  LoadBalancerConfiguration: "loadBalancerConfigurations",
  TargetGroupConfiguration: "targetGroupConfigurations",
  ListenerRuleConfiguration: "listenerRuleConfigurations",
  TargetGroupPolicy: "latticePolicies",
  VpcAssociationPolicy: "latticePolicies",
  AccessLogPolicy: "latticePolicies",
  IAMAuthPolicy: "latticePolicies",
};

/** Groups objects by kind; objects of other kinds are left out. */
export function snapshotOf(objects: Iterable<KubeObject>): Snapshot {
  const snapshot = emptySnapshot();
  for (const object of objects) {
    const bucket = BUCKET[object.kind];
    if (bucket) (snapshot[bucket] as KubeObject[]).push(object);
  }
  return snapshot;
}
