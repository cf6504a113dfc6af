/**
 * The desired Elastic Load Balancing state of one Gateway: a load balancer, its listeners and
 * rules, and its target groups with their targets. Everything is keyed by stable model ids so the
 * planner can diff desired against observed without looking at names or ARNs.
 */
import type { LoadBalancerFeatures } from "./load-balancer-features.ts";
import type { ListenerProtocol, ListenerRule, RuleAction } from "./rules.ts";
import type { SecurityGroupsModel } from "./security-groups.ts";

export type LoadBalancerType = "application" | "network";

export interface LoadBalancerModel extends LoadBalancerFeatures {
  gatewayKey: string;
  type: LoadBalancerType;
  /** Deterministic, ≤32 characters; changes only with the immutable fields (type, scheme). */
  name: string;
  scheme: "internet-facing" | "internal";
  ipAddressType: "ipv4" | "dualstack" | "dualstack-without-public-ipv4";
  /** Subnet ids when given explicitly; otherwise discovered at apply time from the VPC's tags. */
  subnets: string[];
  /** LoadBalancerConfiguration `loadBalancerSubnetsSelector`: discovery takes only subnets whose tags match. */
  subnetSelector?: Record<string, string[]>;
  /** Security group ids the configuration names (`securityGroups`). */
  securityGroups: string[];
  /**
   * The groups switchyard manages for it (shared/elb/security-groups.ts); absent in models built
   * before switchyard managed security groups, which keep whatever the load balancer has.
   */
  managedSecurityGroups?: SecurityGroupsModel;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  listeners: ListenerModel[];
  targetGroups: TargetGroupModel[];
}

export interface ListenerCertificates {
  /** ACM ARNs; the first is the listener's default certificate. */
  arns: string[];
  /** Listener certificateRefs whose Secret has not been imported into ACM yet (`ns/name`). */
  pendingSecrets: string[];
}

/** Where a listener rule came from, for status, `explain` and golden review. */
export interface RuleSource {
  route: string;
  rule: number;
  match: number;
  hostname?: string;
  /** The route's creationTimestamp: the newest routes give way first when a quota is exceeded. */
  created?: string;
  /** Listener isolation guard: answers 404 for a more specific listener's hostname. */
  isolation?: string;
}

export interface ListenerRuleModel extends ListenerRule {
  source: RuleSource;
}

/** Mutual TLS of an HTTPS listener, in ELBv2's terms (`off`, `passthrough`, `verify`). */
export interface MutualAuthentication {
  mode: string;
  trustStoreArn?: string;
  /**
   * A trust store named by name, as the AWS Load Balancer Controller allows: resolved to its ARN
   * (DescribeTrustStores) when the listener is created or modified. Observed state has the ARN.
   */
  trustStoreName?: string;
  ignoreClientCertificateExpiry?: boolean;
  /** `on`: the listener advertises the trust store's CA subject names (verify mode); absent is off. */
  advertiseTrustStoreCaNames?: "on";
}

/**
 * A listener's TLS settings beyond port, protocol and certificates. One shape for the model, the
 * observed state and the operations, so a new setting is added once and every diff sees it.
 */
export interface ListenerSettings {
  sslPolicy?: string;
  alpnPolicy?: string;
  mutualAuthentication?: MutualAuthentication;
}

export interface ListenerModel extends ListenerSettings {
  /** `PROTOCOL:port`, e.g. `HTTPS:443`; the identity of the listener within its load balancer. */
  id: string;
  port: number;
  protocol: ListenerProtocol;
  certificates?: ListenerCertificates;
  defaultActions: RuleAction[];
  rules: ListenerRuleModel[];
  /** Gateway listener names merged into this load balancer listener. */
  gatewayListeners: string[];
  tags: Record<string, string>;
  /** Listener attributes (ModifyListenerAttributes), as the LoadBalancerConfiguration lists them. */
  attributes?: Record<string, string>;
}

export interface HealthCheckModel {
  enabled: boolean;
  protocol: "HTTP" | "HTTPS" | "TCP";
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher?: { httpCode?: string; grpcCode?: string };
}

export interface TargetModel {
  id: string;
  port: number;
  availabilityZone?: string;
  /** QUIC and TCP_QUIC target groups only: `0x` and 16 lowercase hex digits, unique per listener. */
  quicServerId?: string;
}

export interface TargetGroupModel {
  /** Stable role id within the load balancer, e.g. `apps/web:8080/HTTP1`. */
  id: string;
  /** Deterministic, ≤32 characters, from the cluster, Gateway and id. */
  name: string;
  protocol: "HTTP" | "HTTPS" | "TCP" | "UDP" | "TCP_UDP" | "TLS" | "QUIC" | "TCP_QUIC";
  protocolVersion?: "HTTP1" | "HTTP2" | "GRPC";
  port: number;
  /** `instance`: the targets are EC2 instances (the nodes) receiving on the Service's node port. */
  targetType: "ip" | "instance";
  ipAddressType: "ipv4" | "ipv6";
  /**
   * TargetGroupProps `targetControlPort`: the port on which an Application Load Balancer's target
   * optimizer talks to the agent on each target. Set at creation only (a change is a new group).
   */
  targetControlPort?: number;
  /**
   * TargetGroupProps `enableMultiCluster`: other clusters (or tools) register targets in this
   * group too, so switchyard registers and deregisters only the targets it registered.
   */
  multiCluster?: boolean;
  healthCheck: HealthCheckModel;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  targets: TargetModel[];
  /** The Service (or ServiceImport) behind it, `Kind ns/name:port`; empty for a sink group. */
  backend: string;
}
