/**
 * EC2 security groups of a load balancer, the way the AWS Load Balancer Controller manages them:
 *
 * - a **frontend** group per load balancer, owned by its Gateway, admitting the listener ports from
 *   `sourceRanges` (default 0.0.0.0/0, and ::/0 when the load balancer is dual-stack) and from the
 *   managed prefix lists of `securityGroupPrefixes`, plus ICMP "fragmentation needed" (path MTU
 *   discovery) from each range with `enableICMP`;
 * - a **backend** group shared by every load balancer of the cluster in its VPC, attached next to
 *   the frontend group, which the targets' security groups admit on exactly the target and
 *   health-check ports (rules switchyard adds and tags, and removes when no target needs them).
 *
 * When the configuration names its own `securityGroups`, switchyard manages no frontend group, and
 * adds the backend group and its rules only with `manageBackendSecurityGroupRules: true`. A Network
 * Load Balancer with `disableSecurityGroup` gets no group at all. Pure: names, tags and rules are
 * computed here; shared/aws/ec2/ makes the calls.
 */
import type { LoadBalancerConfigurationSpec } from "../extensions/aws-lbc.ts";
import { type Cidr, parseCidr } from "./cidr.ts";
import type { ListenerModel, LoadBalancerModel, LoadBalancerType } from "./model.ts";
import { MANAGED_BY, ownershipTags, shortHash, slug, TAG, tagValue } from "./naming.ts";

/** EC2 protocol names as DescribeSecurityGroupRules reports them. */
export type IpProtocol = "tcp" | "udp" | "icmp" | "icmpv6";

/**
 * One inbound rule: a protocol, a port range (ICMP: type and code) and exactly one source.
 */
export interface IngressPermission {
  protocol: IpProtocol;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
}

export interface ManagedSecurityGroupModel {
  /** Unique within the VPC; deterministic. */
  name: string;
  description: string;
  tags: Record<string, string>;
  /**
   * Tags of the rules switchyard adds for this Gateway: in the frontend group, ownership tags; on
   * the targets' groups (for the backend group), the Gateway's claim.
   */
  ruleTags: Record<string, string>;
}

export interface FrontendSecurityGroupModel extends ManagedSecurityGroupModel {
  ingress: IngressPermission[];
}

/** What switchyard manages in EC2 for one load balancer. */
export interface SecurityGroupsModel {
  /** The load balancer's own group; absent when the configuration names groups or disables them. */
  frontend?: FrontendSecurityGroupModel;
  /** The cluster's shared backend group; absent: no rules on the targets' groups either. */
  backend?: ManagedSecurityGroupModel;
  /** Network Load Balancer: `EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`; absent = AWS default (on). */
  enforceInboundRulesOnPrivateLinkTraffic?: "on" | "off";
}

/** The backend group may reach `port` over `protocol` on the target at `ip`. */
export interface TargetAccess {
  ip: string;
  protocol: "tcp" | "udp";
  port: number;
}

export const FRONTEND_ROLE = "frontend-security-group";
export const BACKEND_ROLE = "backend-security-group";
export const BACKEND_RULE_ROLE = "backend-ingress";
/** ICMPv4 type 3 code 4 and ICMPv6 type 2 code 0: "fragmentation needed" / "packet too big". */
export const PATH_MTU = { icmp: { type: 3, code: 4 }, icmpv6: { type: 2, code: 0 } } as const;

/** `sy-<ns>-<name>-<hash>`: one frontend group per Gateway, whatever its scheme or type. */
export function frontendSecurityGroupName(clusterId: string, gatewayKey: string): string {
  const [ns = "", name = ""] = gatewayKey.split("/");
  return `sy-${slug(ns, 16)}-${slug(name, 24)}-${shortHash(clusterId, gatewayKey, FRONTEND_ROLE)}`;
}

/** `sy-backend-<cluster>-<hash>`: one backend group per cluster (and so per VPC). */
export function backendSecurityGroupName(clusterId: string): string {
  return `sy-backend-${slug(clusterId, 32)}-${shortHash(clusterId, BACKEND_ROLE)}`;
}

/** Tags of the cluster's backend group: no Gateway tag, it outlives any one Gateway. */
export function backendSecurityGroupTags(clusterId: string): Record<string, string> {
  return { [TAG.managedBy]: MANAGED_BY, [TAG.cluster]: tagValue(clusterId), [TAG.role]: BACKEND_ROLE };
}

/**
 * The tag a Gateway puts on a rule of a target's security group it needs. The rule is shared by
 * every Gateway of the cluster whose targets sit behind that group on that port (EC2 refuses a
 * duplicate rule), so each one claims it with its own tag, and the last to let go revokes it.
 */
export function claimTagKey(clusterId: string, gatewayKey: string): string {
  return `switchyard.dev/claim/${shortHash(clusterId, gatewayKey)}`;
}

export const CLAIM_TAG_PREFIX = "switchyard.dev/claim/";

/** Tags of a rule switchyard adds to a target's group, with this Gateway's claim. */
export function backendRuleTags(clusterId: string, gatewayKey: string): Record<string, string> {
  return {
    [TAG.managedBy]: MANAGED_BY,
    [TAG.cluster]: tagValue(clusterId),
    [TAG.role]: BACKEND_RULE_ROLE,
    [claimTagKey(clusterId, gatewayKey)]: tagValue(gatewayKey),
  };
}

/** Tags of a rule switchyard adds to a frontend group. */
export function frontendRuleTags(clusterId: string, gatewayKey: string): Record<string, string> {
  return ownershipTags(clusterId, gatewayKey, `${FRONTEND_ROLE}-rule`);
}

function listenerProtocols(protocol: ListenerModel["protocol"]): ("tcp" | "udp")[] {
  if (protocol === "UDP") return ["udp"];
  if (protocol === "TCP_UDP") return ["tcp", "udp"];
  return ["tcp"];
}

/** Text order independent of the machine's locale: recorded goldens must not depend on it. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function permissionKey(p: IngressPermission): string {
  const source = p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId ?? "";
  return `${p.protocol}:${p.fromPort}-${p.toPort}:${source}`;
}

function uniqueSorted(permissions: readonly IngressPermission[]): IngressPermission[] {
  const byKey = new Map(permissions.map((p) => [permissionKey(p), p]));
  return [...byKey.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, p]) => p);
}

function source(cidr: Cidr): Pick<IngressPermission, "cidrIpv4" | "cidrIpv6"> {
  return cidr.version === 4 ? { cidrIpv4: cidr.canonical } : { cidrIpv6: cidr.canonical };
}

/**
 * The frontend group's inbound rules: every listener port (per protocol) from every source range
 * and prefix list; ICMP path MTU discovery per source range with `enableICMP`. Without
 * `sourceRanges` and `securityGroupPrefixes`, the ranges are 0.0.0.0/0 and, dual-stack, ::/0.
 * Invalid ranges never get here: LoadBalancerConfiguration validation refuses them.
 */
export function frontendIngress(
  spec: LoadBalancerConfigurationSpec,
  ipAddressType: LoadBalancerModel["ipAddressType"],
  listeners: readonly Pick<ListenerModel, "port" | "protocol">[],
): IngressPermission[] {
  const dualStack = ipAddressType !== "ipv4";
  const prefixes = spec.securityGroupPrefixes ?? [];
  const ranges =
    spec.sourceRanges && spec.sourceRanges.length > 0
      ? spec.sourceRanges
      : prefixes.length > 0
        ? []
        : ["0.0.0.0/0", ...(dualStack ? ["::/0"] : [])];
  const cidrs = ranges.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const permissions: IngressPermission[] = [];
  for (const listener of listeners) {
    for (const protocol of listenerProtocols(listener.protocol)) {
      const port = { protocol, fromPort: listener.port, toPort: listener.port };
      for (const cidr of cidrs) permissions.push({ ...port, ...source(cidr) });
      for (const prefixListId of prefixes) permissions.push({ ...port, prefixListId });
    }
  }
  if (spec.enableICMP) {
    for (const cidr of cidrs) {
      const icmp = cidr.version === 4 ? PATH_MTU.icmp : PATH_MTU.icmpv6;
      permissions.push({
        protocol: cidr.version === 4 ? "icmp" : "icmpv6",
        fromPort: icmp.type,
        toPort: icmp.code,
        ...source(cidr),
      });
    }
  }
  return uniqueSorted(permissions);
}

export interface SecurityGroupBuildInput {
  clusterId: string;
  gatewayKey: string;
  type: LoadBalancerType;
  ipAddressType: LoadBalancerModel["ipAddressType"];
  /** The merged LoadBalancerConfiguration. */
  spec: LoadBalancerConfigurationSpec;
  listeners: readonly Pick<ListenerModel, "port" | "protocol">[];
  /** LoadBalancerConfiguration tags: on every resource of the Gateway, so on its frontend group too. */
  tags: Readonly<Record<string, string>>;
}

/** The security groups switchyard manages for one load balancer. */
export function buildSecurityGroups(input: SecurityGroupBuildInput): SecurityGroupsModel {
  const { spec, clusterId, gatewayKey } = input;
  const enforce = spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic;
  const privateLink: Pick<SecurityGroupsModel, "enforceInboundRulesOnPrivateLinkTraffic"> =
    input.type === "network" && (enforce === "on" || enforce === "off")
      ? { enforceInboundRulesOnPrivateLinkTraffic: enforce }
      : {};
  if (input.type === "network" && spec.disableSecurityGroup) return {};
  const backend: ManagedSecurityGroupModel = {
    name: backendSecurityGroupName(clusterId),
    description: `[switchyard] backend of every load balancer of cluster ${clusterId}`,
    tags: backendSecurityGroupTags(clusterId),
    ruleTags: backendRuleTags(clusterId, gatewayKey),
  };
  if ((spec.securityGroups ?? []).length > 0) {
    return { ...(spec.manageBackendSecurityGroupRules ? { backend } : {}), ...privateLink };
  }
  return {
    frontend: {
      name: frontendSecurityGroupName(clusterId, gatewayKey),
      description: `[switchyard] load balancer of Gateway ${gatewayKey} in cluster ${clusterId}`,
      tags: { ...input.tags, ...ownershipTags(clusterId, gatewayKey, FRONTEND_ROLE) },
      ruleTags: frontendRuleTags(clusterId, gatewayKey),
      ingress: frontendIngress(spec, input.ipAddressType, input.listeners),
    },
    backend,
    ...privateLink,
  };
}

/** What `targetAccess` reads of a target group: the model's, or one observed in AWS. */
export interface TargetGroupShape {
  protocol: string;
  /** The ALB target optimizer's control port: the load balancer reaches the agent on the targets there. */
  targetControlPort?: number;
  healthCheck: { enabled: boolean; port: string };
  targets: readonly { id: string; port: number }[];
}

export function accessKey(a: TargetAccess): string {
  return `${a.ip}|${a.protocol}|${a.port}`;
}

/**
 * What the backend group must reach on the targets: each target's port over the target group's
 * transport (TCP_UDP: both), the health-check port over TCP (every ELB health check is TCP,
 * HTTP or HTTPS) and the target control port over TCP. A target is an address, or an instance id
 * for instance targets (the node then admits the backend group on the node port).
 */
export function targetAccess(model: { targetGroups: readonly TargetGroupShape[] }): TargetAccess[] {
  const all = new Map<string, TargetAccess>();
  const add = (a: TargetAccess) => all.set(accessKey(a), a);
  for (const tg of model.targetGroups) {
    const transports: ("tcp" | "udp")[] =
      tg.protocol === "UDP" ? ["udp"] : tg.protocol === "TCP_UDP" ? ["tcp", "udp"] : ["tcp"];
    const healthPort = tg.healthCheck.port === "traffic-port" ? undefined : Number(tg.healthCheck.port);
    for (const t of tg.targets) {
      for (const protocol of transports) add({ ip: t.id, protocol, port: t.port });
      if (tg.healthCheck.enabled) {
        const port = healthPort !== undefined && Number.isInteger(healthPort) ? healthPort : t.port;
        add({ ip: t.id, protocol: "tcp", port });
      }
      if (tg.targetControlPort !== undefined) add({ ip: t.id, protocol: "tcp", port: tg.targetControlPort });
    }
  }
  return [...all.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, a]) => a);
}
