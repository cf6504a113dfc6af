/**
 * The VPC Lattice controller's kinds (group application-networking.k8s.aws), accepted unchanged so
 * manifests written for that controller work with switchyard.
 */
import type { LocalPolicyTargetReference } from "../gateway-api/types.ts";
import type { KubeObject } from "../k8s/meta.ts";

export const LATTICE_GROUP = "application-networking.k8s.aws";

export interface PolicyTargetRef extends LocalPolicyTargetReference {
  namespace?: string;
}

export interface TargetGroupPolicySpec {
  targetRef: PolicyTargetRef;
  protocol?: "HTTP" | "HTTPS" | "TCP";
  protocolVersion?: "HTTP1" | "HTTP2" | "GRPC";
  healthCheck?: {
    enabled?: boolean;
    intervalSeconds?: number;
    timeoutSeconds?: number;
    healthyThresholdCount?: number;
    unhealthyThresholdCount?: number;
    statusMatch?: string;
    path?: string;
    port?: number;
    protocol?: "HTTP" | "HTTPS";
    protocolVersion?: "HTTP1" | "HTTP2";
  };
}

export interface VpcAssociationPolicySpec {
  targetRef: PolicyTargetRef;
  securityGroupIds?: string[];
  associateWithVpc?: boolean;
}

export interface AccessLogPolicySpec {
  targetRef: PolicyTargetRef;
  destinationArn: string;
}

export interface IAMAuthPolicySpec {
  targetRef: PolicyTargetRef;
  policy: string;
}

export type TargetGroupPolicy = KubeObject<"TargetGroupPolicy", TargetGroupPolicySpec, unknown>;
export type VpcAssociationPolicy = KubeObject<"VpcAssociationPolicy", VpcAssociationPolicySpec, unknown>;
export type AccessLogPolicy = KubeObject<"AccessLogPolicy", AccessLogPolicySpec, unknown>;
export type IAMAuthPolicy = KubeObject<"IAMAuthPolicy", IAMAuthPolicySpec, unknown>;
export type LatticePolicy = TargetGroupPolicy | VpcAssociationPolicy | AccessLogPolicy | IAMAuthPolicy;

export interface ServiceExportSpec {
  exportedPorts?: { port: number; routeType: "HTTP" | "GRPC" | "TLS" }[];
}

export type ServiceExport = KubeObject<"ServiceExport", ServiceExportSpec, unknown>;

export interface ServiceImportSpec {
  ports?: { port: number; protocol?: string; name?: string; appProtocol?: string }[];
  type?: "ClusterSetIP" | "Headless";
}

export type ServiceImport = KubeObject<"ServiceImport", ServiceImportSpec, unknown>;
