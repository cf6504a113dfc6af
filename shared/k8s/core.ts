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
