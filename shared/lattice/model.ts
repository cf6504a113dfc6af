/**
 * The desired VPC Lattice state of one Gateway: the service network it stands for, one service per
 * route and the Gateway service merging the hostname-less ones, with their listeners and rules, the target groups those rules forward to, and the
 * associations that tie them together. Every resource carries a stable model id (never a name or
 * an ARN) so a planner can diff desired against observed, as shared/elb/model.ts does for ELB.
 */

/** How the Gateway names its service network. */
export type ServiceNetworkRef =
  | { kind: "name"; name: string }
  | { kind: "id"; id: string }
  /** An ARN: possibly another account's network, shared through AWS RAM. */
  | { kind: "arn"; arn: string };

export interface VpcAssociationModel {
  /** The VPC of the cluster the Gateway lives in; resolved from the cluster registry at apply time. */
  vpc: "cluster";
  securityGroupIds: string[];
  /** The VpcAssociationPolicy it comes from (`ns/name`). */
  policy: string;
}

export interface AccessLogSubscriptionModel {
  destinationArn: string;
  /** The AccessLogPolicy it comes from (`ns/name`). */
  policy: string;
}

export interface AuthModel {
  authType: "AWS_IAM";
  /** The IAM auth policy document (JSON text, as written in the IAMAuthPolicy). */
  policy: string;
  /** The IAMAuthPolicy it comes from (`ns/name`). */
  source: string;
}

export interface ServiceNetworkModel {
  id: "service-network";
  ref: ServiceNetworkRef;
  /**
   * `reference`: found by name, id or ARN and never created nor deleted (the Lattice controller's
   * rule); `create`: created when missing, still never deleted implicitly.
   */
  lifecycle: "reference" | "create";
  /** Set only when the VpcAssociationPolicy asks for it (`associateWithVpc: true`). */
  vpcAssociation?: VpcAssociationModel;
  auth?: AuthModel;
  accessLogs: AccessLogSubscriptionModel[];
  /** Tags for a network switchyard creates; empty for a referenced one (it is not ours to tag). */
  tags: Record<string, string>;
}

export type LatticeListenerProtocol = "HTTP" | "HTTPS" | "TLS_PASSTHROUGH";

/** A path match: `exact` or `prefix` (a plain string prefix: see evaluate.ts), case-sensitive or not. */
export interface LatticePathMatch {
  type: "exact" | "prefix";
  value: string;
  caseSensitive: boolean;
}

export interface LatticeHeaderMatch {
  /** Header names always compare without regard to case. */
  name: string;
  type: "exact" | "prefix" | "contains";
  value: string;
  caseSensitive: boolean;
}

/** One Lattice rule match (HttpMatch): every present part must hold. */
export interface LatticeMatch {
  method?: string;
  path?: LatticePathMatch;
  headers: LatticeHeaderMatch[];
}

export interface LatticeWeightedTargetGroup {
  /** Model id of the target group (see LatticeTargetGroupModel.id), or `arn:` for an external one. */
  targetGroupId: string;
  weight: number;
}

export type LatticeAction =
  | { type: "forward"; targetGroups: LatticeWeightedTargetGroup[] }
  /** Lattice fixed responses answer 404 or 500 only. */
  | { type: "fixed-response"; statusCode: 404 | 500 };

/** Where a rule came from, for status, `explain` and golden review. */
export interface LatticeRuleSource {
  route: string;
  rule: number;
  match: number;
  /** Which half of a segment-wise PathPrefix this rule is (`/p` exact, `/p/` prefix). */
  part?: "exact" | "prefix";
}

export interface LatticeRuleModel {
  /**
   * Stable within the listener, and the rule's Lattice name: `r<rule>-m<match>[-exact|-prefix]`.
   * Changes only when the route's rules or matches move, never with a priority.
   */
  id: string;
  /** 1..100, contiguous in Gateway API precedence order; lower is evaluated first. */
  priority: number;
  match: LatticeMatch;
  action: LatticeAction;
  source: LatticeRuleSource;
}

export interface LatticeListenerModel {
  /** `PROTOCOL:port`, e.g. `HTTPS:443`; the identity of the listener within its service. */
  id: string;
  /** The listener's Lattice name (`<protocol>-<port>`, lowercase). */
  name: string;
  protocol: LatticeListenerProtocol;
  port: number;
  defaultAction: LatticeAction;
  rules: LatticeRuleModel[];
  /** Gateway listener ids this Lattice listener serves. */
  gatewayListeners: string[];
  tags: Record<string, string>;
}

export interface LatticeServiceModel {
  /**
   * The route key (`HTTPRoute/ns/name`): one service per route; or `Gateway/ns/name` for the
   * Gateway service merging the Gateway's hostname-less routes (gateway-service.ts).
   */
  id: string;
  /** ≤40 characters, lowercase letters, digits and single hyphens (see naming.ts). */
  name: string;
  /** The route's hostname: immutable on a Lattice service, so a change recreates it (new DNS name). */
  customDomainName?: string;
  /** ACM certificate for the custom domain (HTTPS); Lattice takes one per service. */
  certificateArn?: string;
  auth?: AuthModel;
  accessLogs: AccessLogSubscriptionModel[];
  listeners: LatticeListenerModel[];
  /** False for a `standalone` route or Gateway: the service is built but joins no network. */
  associateWithServiceNetwork: boolean;
  tags: Record<string, string>;
}

export interface LatticeHealthCheckModel {
  enabled: boolean;
  protocol: "HTTP" | "HTTPS";
  protocolVersion: "HTTP1" | "HTTP2";
  port?: number;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** HTTP codes, e.g. `200` or `200-299`. */
  matcher: string;
}

export interface LatticeTargetModel {
  id: string;
  port: number;
}

export interface LatticeTargetGroupModel {
  /**
   * `<route key>|<cluster>/<ns>/<service>:<port>/<protocol>/<version>` (or `<route key>|sink/…`):
   * a Lattice group serves one service, so each route's service owns its groups; `export/…` for a
   * ServiceExport's.
   */
  id: string;
  /** ≤128 characters, deterministic (see naming.ts). */
  name: string;
  type: "IP";
  protocol: "HTTP" | "HTTPS" | "TCP";
  protocolVersion?: "HTTP1" | "HTTP2" | "GRPC";
  /** The Service's target port: targets carry their own, this is the group's default. */
  port: number;
  ipAddressType: "IPV4" | "IPV6";
  /** Lattice target groups live in a VPC: the cluster's, from the registry at apply time. */
  vpc: "cluster";
  healthCheck?: LatticeHealthCheckModel;
  targets: LatticeTargetModel[];
  tags: Record<string, string>;
  /** `Kind ns/name:port` of what it serves; empty for the sink of invalid backends. */
  backend: string;
  /** The TargetGroupPolicy applied (`ns/name`), if any. */
  policy?: string;
}

/**
 * A target group this Gateway forwards to but does not own: another cluster's ServiceExport (that
 * cluster's reconciler builds and registers it) or an existing group named by ARN.
 */
export interface LatticeTargetGroupReference {
  id: string;
  /** `ServiceImport ns/name` and the exporting cluster, or the annotation's ARN. */
  backend: string;
  clusterId?: string;
  /**
   * The exporting cluster's group name (deterministic: naming.ts targetGroupName), by which the
   * importing reconcile finds its ARN in the account before planning.
   */
  name?: string;
  arn?: string;
}

/**
 * A service another Gateway owns, as this one finds it: by the name its owner gives it, and the
 * custom domain name it must carry (another one is the service its owner is replacing).
 */
export interface SharedServiceRef {
  id: string;
  name: string;
  customDomainName?: string;
}

export interface LatticeModel {
  gatewayKey: string;
  serviceNetwork: ServiceNetworkModel;
  /** Services whose listeners and rules this Gateway owns, by route key. */
  services: LatticeServiceModel[];
  /**
   * Service ↔ service network associations this Gateway wants, by service id (route key),
   * including services another Gateway owns (a route with several Lattice parents).
   */
  serviceAssociations: string[];
  /**
   * The services in `serviceAssociations` another Gateway owns (its first Lattice parent builds
   * it), with the name that Gateway gives it: this one holds no ARN for them and finds them by name.
   * @default [] — absent when there are none
   */
  sharedServices?: SharedServiceRef[];
  targetGroups: LatticeTargetGroupModel[];
  targetGroupReferences: LatticeTargetGroupReference[];
  /**
   * The service whose DNS name the Gateway status publishes as its address (a service network has
   * no address of its own): the Gateway service, else the oldest route without a custom domain name.
   */
  addressService?: string;
}

/** A ServiceExport's target group, owned by the exporting cluster rather than by any Gateway. */
export interface LatticeExportModel {
  /** `ServiceExport/ns/name`. */
  export: string;
  targetGroups: LatticeTargetGroupModel[];
}
