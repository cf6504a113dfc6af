/**
 * The AWS Load Balancer Controller's Gateway extension kinds (group gateway.k8s.aws), accepted
 * unchanged so manifests written for that controller work with switchyard.
 */
import type { KubeObject, LabelSelector } from "../k8s/meta.ts";

export const AWS_LBC_GROUP = "gateway.k8s.aws";

export interface ListenerConfiguration {
  protocolPort: string;
  defaultCertificate?: string;
  certificates?: string[];
  sslPolicy?: string;
  alpnPolicy?: string;
  targetGroupStickiness?: boolean;
  mutualAuthentication?: {
    mode?: "off" | "passthrough" | "verify";
    trustStore?: string;
    ignoreClientCertificateExpiry?: boolean;
    advertiseTrustStoreCaNames?: "on" | "off";
  };
  listenerAttributes?: { key: string; value: string }[];
  quicEnabled?: boolean;
}

export interface LoadBalancerConfigurationSpec {
  mergingMode?: "prefer-gateway-class" | "prefer-gateway";
  loadBalancerName?: string;
  scheme?: "internal" | "internet-facing";
  ipAddressType?: "ipv4" | "dualstack" | "dualstack-without-public-ipv4";
  enforceSecurityGroupInboundRulesOnPrivateLinkTraffic?: string;
  customerOwnedIpv4Pool?: string;
  ipv4IPAMPoolId?: string;
  loadBalancerSubnets?: {
    identifier?: string;
    eipAllocation?: string;
    privateIPv4Allocation?: string;
    ipv6Allocation?: string;
    sourceNatIPv6Prefix?: string;
  }[];
  loadBalancerSubnetsSelector?: Record<string, string[]>;
  listenerConfigurations?: ListenerConfiguration[];
  securityGroups?: string[];
  securityGroupPrefixes?: string[];
  sourceRanges?: string[];
  disableSecurityGroup?: boolean;
  manageBackendSecurityGroupRules?: boolean;
  enableICMP?: boolean;
  loadBalancerAttributes?: { key: string; value: string }[];
  tags?: Record<string, string>;
  minimumLoadBalancerCapacity?: { capacityUnits: number };
  wafV2?: { webACL: string };
  shieldConfiguration?: { enabled: boolean };
  defaultTargetGroupConfiguration?: { name: string };
  /** The load balancer's VPC; switchyard builds in the cluster's registered VPC only. */
  vpcId?: string;
}

export type LoadBalancerConfiguration = KubeObject<"LoadBalancerConfiguration", LoadBalancerConfigurationSpec, unknown>;

export interface HealthCheckConfig {
  healthCheckPath?: string;
  healthCheckPort?: string;
  healthCheckProtocol?: "HTTP" | "HTTPS" | "TCP";
  healthCheckInterval?: number;
  healthCheckTimeout?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  matcher?: { httpCode?: string; grpcCode?: string };
}

export interface TargetGroupProps {
  targetGroupName?: string;
  ipAddressType?: "ipv4" | "ipv6";
  healthCheckConfig?: HealthCheckConfig;
  nodeSelector?: LabelSelector;
  targetGroupAttributes?: { key: string; value: string }[];
  targetType?: "instance" | "ip";
  protocol?: string;
  protocolVersion?: "HTTP1" | "HTTP2" | "GRPC";
  targetControlPort?: number;
  enableMultiCluster?: boolean;
  tags?: Record<string, string>;
}

export interface TargetGroupConfigurationSpec {
  targetReference?: { group?: string; kind?: "Service" | "Gateway"; name: string };
  defaultConfiguration?: TargetGroupProps;
  routeConfigurations?: {
    routeIdentifier: { kind: string; namespace?: string; name?: string };
    targetGroupProps: TargetGroupProps;
  }[];
}

export type TargetGroupConfiguration = KubeObject<"TargetGroupConfiguration", TargetGroupConfigurationSpec, unknown>;

export interface ListenerRuleAction {
  type: "forward" | "redirect" | "fixed-response" | "authenticate-oidc" | "authenticate-cognito" | "jwt-validation";
  forwardConfig?: { targetGroupStickinessConfig?: { durationSeconds?: number; enabled?: boolean } };
  redirectConfig?: { query?: string };
  fixedResponseConfig?: { statusCode: number; contentType?: string; messageBody?: string };
  authenticateOIDCConfig?: Record<string, unknown>;
  authenticateCognitoConfig?: Record<string, unknown>;
  jwtValidationConfig?: Record<string, unknown>;
}

export interface ListenerRuleConfigurationSpec {
  conditions?: { field: "source-ip"; sourceIPConfig: { values: string[] }; matchIndexes?: number[] }[];
  actions?: ListenerRuleAction[];
  tags?: Record<string, string>;
}

export type ListenerRuleConfiguration = KubeObject<"ListenerRuleConfiguration", ListenerRuleConfigurationSpec, unknown>;
