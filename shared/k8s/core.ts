/**
 * Core Kubernetes kinds switchyard reads: only the fields translation needs. Secrets are carried as
 * metadata (and a type) only — key material never enters the control plane.
 */
import type { KubeObject } from "./meta.ts";

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
  /** The port every node opens for a NodePort or LoadBalancer Service: where instance targets receive. */
  nodePort?: number;
}

export interface ServiceSpec {
  type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  ipFamilies?: ("IPv4" | "IPv6")[];
  externalName?: string;
}

export type Service = KubeObject<"Service", ServiceSpec, unknown>;

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  nodeName?: string;
  zone?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

/** discovery.k8s.io/v1 EndpointSlice: fields sit at the top level, not under spec. */
export interface EndpointSlice extends KubeObject<"EndpointSlice", never, never> {
  addressType: "IPv4" | "IPv6" | "FQDN";
  endpoints?: Endpoint[];
  ports?: EndpointPort[];
}

export type Namespace = KubeObject<"Namespace", unknown, unknown>;

export interface NodeAddress {
  type: string;
  address: string;
}

export interface NodeStatus {
  /** Only `Ready` is read (and forwarded). */
  conditions?: { type: string; status: string }[];
  addresses?: NodeAddress[];
}

/**
 * A cluster node, reduced to what instance targets need: its labels (for a TargetGroupProps
 * `nodeSelector`), its EC2 instance (from `spec.providerID`), readiness and addresses.
 */
export type Node = KubeObject<"Node", { providerID?: string; unschedulable?: boolean }, NodeStatus>;

/** Nodes carrying this label are never load balancer targets (as kube-proxy and the AWS Load Balancer Controller treat it). */
export const EXCLUDE_FROM_LOAD_BALANCERS_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

/** `aws:///us-east-1a/i-0123456789abcdef0` → `i-0123456789abcdef0`; undefined for anything else. */
export function instanceIdOf(node: Node): string | undefined {
  const providerId: unknown = node.spec?.providerID;
  if (typeof providerId !== "string" || !providerId.startsWith("aws://")) return undefined;
  const last = providerId.split("/").pop() ?? "";
  return /^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(last) ? last : undefined;
}

export function nodeIsReady(node: Node): boolean {
  const conditions: unknown = node.status?.conditions;
  // A node's status comes from a manifest or the forwarder; anything but a list is not Ready.
  return Array.isArray(conditions) && conditions.some((c) => c?.type === "Ready" && c?.status === "True");
}

/**
 * A Secret as the forwarder reports it: type and metadata, never `data`. Manifests are held to the
 * same shape: the parser drops `data`, `stringData` and kubectl's last-applied copy of them.
 */
export interface Secret extends KubeObject<"Secret", never, never> {
  type?: string;
  /** Set by the forwarder once it has imported a TLS Secret into ACM in the cluster's account. */
  acmCertificateArn?: string;
  /** Set by the forwarder when the Secret cannot be imported (not a certificate and key, expired…). */
  acmImportError?: string;
}

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
