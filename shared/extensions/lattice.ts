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

/**
 * The VPC Lattice controller's annotations that change what is built, honoured unchanged
 * (shared/design/reference/vpc-lattice-controller.md §1–§3). Annotations it reads that do not
 * change the desired model are listed in shared/lattice/README.md with what switchyard does instead.
 */
export const LatticeAnnotation = {
  /** Route: the Lattice service's name instead of `<route>-<namespace>`. */
  serviceNameOverride: `${LATTICE_GROUP}/service-name-override`,
  /** Route or Gateway: the route's service is built but associated with no service network. */
  standalone: `${LATTICE_GROUP}/standalone`,
  /** ServiceExport: must be `amazon-vpc-lattice` for the export to build a target group. */
  federation: `${LATTICE_GROUP}/federation`,
  /** ServiceImport: the exported name to import (default: the ServiceImport's own name). */
  exportName: `${LATTICE_GROUP}/export-name`,
  /** ServiceImport: import only from this cluster (its registry id or EKS cluster name). */
  eksClusterName: `${LATTICE_GROUP}/aws-eks-cluster-name`,
  /** ServiceImport: import only from clusters in this VPC. */
  vpc: `${LATTICE_GROUP}/aws-vpc`,
  /** ServiceImport: forward to this existing target group (reference only, never modified). */
  targetGroupArn: `${LATTICE_GROUP}/target-group-arn`,
} as const;

/** The value of the federation annotation that makes a ServiceExport export. */
export const LATTICE_FEDERATION = "amazon-vpc-lattice";

/**
 * switchyard's own Lattice annotations (on a Gateway, or on its GatewayClass as the default for
 * every Gateway of the class): which service network the Gateway is, whether switchyard may
 * create it, and whether the Gateway gets a Gateway service.
 */
export const SwitchyardLatticeAnnotation = {
  /** A service network name, id (`sn-…`) or ARN (a RAM-shared network). Default: the Gateway's name. */
  serviceNetwork: "switchyard.dev/service-network",
  /** `"true"`: create the named service network when it does not exist (never deleted implicitly). */
  createServiceNetwork: "switchyard.dev/create-service-network",
  /**
   * `"false"`: build no Gateway service (the one Lattice service merging the Gateway's
   * hostname-less routes, shared/lattice/gateway-service.ts); the Gateway's address is then the
   * oldest such route's service. Default `"true"`; a Gateway's value wins over its class's.
   */
  gatewayService: "switchyard.dev/lattice-gateway-service",
} as const;

/** A Service exported by another registered cluster, as the objects mirror will report it. */
export interface RemoteServiceExport {
  /** Registered cluster id of the exporter. */
  clusterId: string;
  /** The exporter's EKS cluster name, matched by the `aws-eks-cluster-name` import annotation. */
  eksClusterName?: string;
  /** The exporter's VPC, matched by the `aws-vpc` import annotation. */
  vpcId?: string;
  /**
   * The AWS account its target groups live in. A Lattice rule can forward only to target groups
   * of the service's own account, so an exporter in another account is not forwarded to.
   */
  accountId?: string;
  namespace: string;
  name: string;
  ports: { port: number; routeType: "HTTP" | "GRPC" | "TLS" }[];
}
