// The emulator's records: one per VPC Lattice resource, in the API's own words. Values that the
// API echoes back (matches, actions, target group config) keep the API's JSON shapes.

export const AUTH_TYPES = ["NONE", "AWS_IAM"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const LISTENER_PROTOCOLS = ["HTTP", "HTTPS", "TLS_PASSTHROUGH"] as const;
export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number];

export const TARGET_GROUP_TYPES = ["IP", "LAMBDA", "INSTANCE", "ALB"] as const;
export type TargetGroupType = (typeof TARGET_GROUP_TYPES)[number];

export const TARGET_GROUP_PROTOCOLS = ["HTTP", "HTTPS", "TCP"] as const;
export type TargetGroupProtocol = (typeof TARGET_GROUP_PROTOCOLS)[number];

export const TARGET_GROUP_PROTOCOL_VERSIONS = ["HTTP1", "HTTP2", "GRPC"] as const;
export const HEALTH_CHECK_PROTOCOL_VERSIONS = ["HTTP1", "HTTP2"] as const;
export const IP_ADDRESS_TYPES = ["IPV4", "IPV6"] as const;
export const LAMBDA_EVENT_STRUCTURE_VERSIONS = ["V1", "V2"] as const;
export const SERVICE_NETWORK_LOG_TYPES = ["SERVICE", "RESOURCE"] as const;
export const PRIVATE_DNS_PREFERENCES = [
  "VERIFIED_DOMAINS_ONLY",
  "ALL_DOMAINS",
  "VERIFIED_DOMAINS_AND_SPECIFIED_DOMAINS",
  "SPECIFIED_DOMAINS_ONLY",
] as const;

/** The status enums share these values; VPC associations add the UPDATE_* pair. */
export type ResourceStatus =
  | "CREATE_IN_PROGRESS"
  | "ACTIVE"
  | "UPDATE_IN_PROGRESS"
  | "DELETE_IN_PROGRESS"
  | "CREATE_FAILED"
  | "UPDATE_FAILED"
  | "DELETE_FAILED";

export type TargetStatus = "DRAINING" | "UNAVAILABLE" | "HEALTHY" | "UNHEALTHY" | "INITIAL" | "UNUSED";
export const TARGET_STATUSES: readonly TargetStatus[] = [
  "DRAINING",
  "UNAVAILABLE",
  "HEALTHY",
  "UNHEALTHY",
  "INITIAL",
  "UNUSED",
];

export interface WeightedTargetGroup {
  targetGroupIdentifier: string;
  weight: number;
}

export type RuleAction =
  | { forward: { targetGroups: WeightedTargetGroup[] } }
  | { fixedResponse: { statusCode: number } };

export type PathMatchType = { exact: string } | { prefix: string };
export type HeaderMatchType = { exact: string } | { prefix: string } | { contains: string };

export interface PathMatch {
  match: PathMatchType;
  caseSensitive?: boolean;
}

export interface HeaderMatch {
  name: string;
  match: HeaderMatchType;
  caseSensitive?: boolean;
}

export interface HttpMatch {
  method?: string;
  pathMatch?: PathMatch;
  headerMatches?: HeaderMatch[];
}

export interface RuleMatch {
  httpMatch: HttpMatch;
}

export interface HealthCheckConfig {
  enabled?: boolean;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  path?: string;
  healthCheckIntervalSeconds?: number;
  healthCheckTimeoutSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  matcher?: { httpCode: string };
}

export interface TargetGroupConfig {
  port?: number;
  protocol?: string;
  protocolVersion?: string;
  ipAddressType?: string;
  vpcIdentifier?: string;
  healthCheck?: HealthCheckConfig;
  lambdaEventStructureVersion?: string;
}

export interface DnsEntry {
  domainName: string;
  hostedZoneId: string;
}

export interface DnsOptions {
  privateDnsPreference?: string;
  privateDnsSpecifiedDomains?: string[];
}

/** A pending asynchronous transition: at clock tick `at` the status becomes `then` (or the record goes). */
export interface Transition {
  at: number;
  then: "ACTIVE" | "DELETED";
}

interface Owned {
  id: string;
  arn: string;
  /** The owner account (for associations: the account whose call created it). */
  account: string;
  region: string;
  /** Creation order, for listing and pagination. */
  seq: number;
  createdAt: Date;
  lastUpdatedAt: Date;
  tags: Record<string, string>;
}

interface Asynchronous {
  status: ResourceStatus;
  transition?: Transition;
}

export interface ServiceNetwork extends Owned {
  kind: "serviceNetwork";
  name: string;
  authType: AuthType;
  sharingEnabled: boolean;
}

export interface Service extends Owned, Asynchronous {
  kind: "service";
  name: string;
  customDomainName?: string;
  certificateArn?: string;
  authType: AuthType;
  idleTimeoutSeconds?: number;
  dnsEntry: DnsEntry;
}

export interface Listener extends Owned {
  kind: "listener";
  serviceArn: string;
  serviceId: string;
  name: string;
  protocol: ListenerProtocol;
  port: number;
  defaultAction: RuleAction;
  /** The listener's default rule: listed and readable as a rule, changed only through UpdateListener. */
  defaultRule: { id: string; arn: string };
}

export interface Rule extends Owned {
  kind: "rule";
  listenerArn: string;
  serviceArn: string;
  name: string;
  priority: number;
  match: RuleMatch;
  action: RuleAction;
}

export interface RegisteredTarget {
  id: string;
  seq: number;
  port?: number;
  /** Clock tick of the registration; health checks settle `asyncSteps` ticks later. */
  registeredAt: number;
  /** Set by DeregisterTargets: DRAINING until this tick, then gone. */
  drainsAt?: number;
  /** Set through the control API to simulate failing health checks. */
  health?: TargetStatus;
}

export interface TargetGroup extends Owned, Asynchronous {
  kind: "targetGroup";
  name: string;
  type: TargetGroupType;
  config: TargetGroupConfig;
  targets: Map<string, RegisteredTarget>;
}

export interface ServiceNetworkServiceAssociation extends Owned, Asynchronous {
  kind: "serviceNetworkServiceAssociation";
  serviceArn: string;
  serviceNetworkArn: string;
}

export interface ServiceNetworkVpcAssociation extends Owned, Asynchronous {
  kind: "serviceNetworkVpcAssociation";
  serviceNetworkArn: string;
  vpcId: string;
  securityGroupIds: string[];
  privateDnsEnabled?: boolean;
  dnsOptions?: DnsOptions;
}

export interface AccessLogSubscription extends Owned {
  kind: "accessLogSubscription";
  resourceArn: string;
  destinationArn: string;
  serviceNetworkLogType?: string;
}

export type LatticeResource =
  | ServiceNetwork
  | Service
  | Listener
  | Rule
  | TargetGroup
  | ServiceNetworkServiceAssociation
  | ServiceNetworkVpcAssociation
  | AccessLogSubscription;

export type ResourceKind = LatticeResource["kind"];
export type ResourceOf<K extends ResourceKind> = Extract<LatticeResource, { kind: K }>;

/** An auth policy or resource policy, keyed by the ARN of its service network or service. */
export interface Policy {
  policy: string;
  createdAt: Date;
  lastUpdatedAt: Date;
}
