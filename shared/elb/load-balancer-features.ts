/**
 * What a LoadBalancerConfiguration sets on a load balancer beyond name, scheme, subnets, security
 * groups and attributes, in the terms of the APIs that apply it. Two kinds, planned differently:
 *
 * - Creation settings: the customer-owned IPv4 pool (ALB on Outposts) and subnet mappings that pin
 *   addresses (NLB Elastic IPs, private IPv4 and IPv6 addresses, source NAT prefixes). ELBv2 takes
 *   them only in CreateLoadBalancer, so a change replaces the load balancer (planned and reported,
 *   like a scheme change).
 * - Add-ons, each set by its own call on an existing load balancer: the IPAM pool (ModifyIpPools),
 *   the capacity reservation (ModifyCapacityReservation), the WAFv2 Web ACL association and the
 *   Shield Advanced protection. An absent add-on is left as it is, unless switchyard itself set it:
 *   then removing it from the configuration undoes it (the state record says what switchyard set).
 */
import type { LoadBalancerConfigurationSpec } from "../extensions/aws-lbc.ts";

/** One subnet of a Network Load Balancer with the addresses it is created with. */
export interface SubnetMapping {
  subnetId: string;
  /** Elastic IP allocation (internet-facing). */
  allocationId?: string;
  /** Private IPv4 address from the subnet (internal). */
  privateIPv4Address?: string;
  /** IPv6 address from the subnet (dualstack), canonical form. */
  ipv6Address?: string;
  /** IPv6 /80 prefix from the subnet for source NAT of UDP traffic, or `auto_assigned`. */
  sourceNatIpv6Prefix?: string;
}

/** The settings of this module in the desired model; each absent one is not managed. */
export interface LoadBalancerFeatures {
  /** CreateLoadBalancer `CustomerOwnedIpv4Pool`: creation only. */
  customerOwnedIpv4Pool?: string;
  /** CreateLoadBalancer `SubnetMappings` (instead of `Subnets`): creation only. */
  subnetMappings?: SubnetMapping[];
  /** `IpamPools.Ipv4IpamPoolId`; absent removes a pool the load balancer uses. */
  ipv4IpamPool?: string;
  /** Reserved load balancer capacity units. */
  minimumCapacityUnits?: number;
  /** ARN of the regional WAFv2 Web ACL to associate. */
  webAcl?: string;
  /** true: a Shield Advanced protection; false: none (only a protection switchyard made is removed). */
  shieldProtection?: boolean;
}

/** A Shield Advanced protection of the load balancer; `managed` when switchyard created it. */
export interface ObservedShieldProtection {
  id: string;
  managed: boolean;
}

/** The same settings as they exist, beside the rest of ObservedLoadBalancer. */
export interface ObservedLoadBalancerFeatures {
  customerOwnedIpv4Pool?: string;
  /** Subnets for which AWS reports addresses or source NAT prefixes. */
  subnetMappings?: SubnetMapping[];
  ipv4IpamPool?: string;
  /** The reservation switchyard requested; re-read in a drift check only once it set one. */
  minimumCapacityUnits?: number;
  /** The Web ACL switchyard associated; re-read in a drift check only once it set one. */
  webAcl?: string;
  shieldProtection?: ObservedShieldProtection;
}

/** The name of every Shield protection switchyard creates: the mark it deletes only its own by. */
export const SHIELD_PROTECTION_NAME = "managed by switchyard";

/**
 * An IPv6 address in the canonical text form AWS reports (lowercase, zeros compressed), so a
 * configured `2001:DB8:0::1` equals the `2001:db8::1` read back; anything else is returned as is.
 */
export function canonicalIpv6(address: string): string {
  try {
    const host = new URL(`http://[${address}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return address;
  }
}

/** A source NAT prefix (`<IPv6>/80`) with its address canonical; `auto_assigned` as is. */
export function canonicalPrefix(prefix: string): string {
  const slash = prefix.lastIndexOf("/");
  return slash < 0 ? prefix : `${canonicalIpv6(prefix.slice(0, slash))}${prefix.slice(slash)}`;
}

const SUBNET_ADDRESS_FIELDS = [
  "eipAllocation",
  "privateIPv4Allocation",
  "ipv6Allocation",
  "sourceNatIPv6Prefix",
] as const;

/** Subnet mappings when any configured subnet pins an address; otherwise plain subnet ids do. */
function subnetMappings(subnets: NonNullable<LoadBalancerConfigurationSpec["loadBalancerSubnets"]>) {
  if (!subnets.some((s) => SUBNET_ADDRESS_FIELDS.some((f) => s[f]))) return undefined;
  return subnets
    .filter((s): s is typeof s & { identifier: string } => !!s.identifier)
    .map(
      (s): SubnetMapping => ({
        subnetId: s.identifier,
        ...(s.eipAllocation ? { allocationId: s.eipAllocation } : {}),
        ...(s.privateIPv4Allocation ? { privateIPv4Address: s.privateIPv4Allocation } : {}),
        ...(s.ipv6Allocation ? { ipv6Address: canonicalIpv6(s.ipv6Allocation) } : {}),
        ...(s.sourceNatIPv6Prefix ? { sourceNatIpv6Prefix: canonicalPrefix(s.sourceNatIPv6Prefix) } : {}),
      }),
    );
}

/**
 * The features a merged LoadBalancerConfiguration asks for. Zero capacity units and an empty Web
 * ACL mean what the AWS Load Balancer Controller makes of them: none (undone if switchyard set one).
 */
export function loadBalancerFeatures(spec: LoadBalancerConfigurationSpec): LoadBalancerFeatures {
  const mappings = subnetMappings(spec.loadBalancerSubnets ?? []);
  const units = spec.minimumLoadBalancerCapacity?.capacityUnits;
  const enabled = spec.shieldConfiguration?.enabled;
  return {
    ...(spec.customerOwnedIpv4Pool ? { customerOwnedIpv4Pool: spec.customerOwnedIpv4Pool } : {}),
    ...(mappings ? { subnetMappings: mappings } : {}),
    ...(spec.ipv4IPAMPoolId ? { ipv4IpamPool: spec.ipv4IPAMPoolId } : {}),
    ...(units !== undefined && units > 0 ? { minimumCapacityUnits: units } : {}),
    ...(spec.wafV2?.webACL ? { webAcl: spec.wafV2.webACL } : {}),
    ...(enabled !== undefined ? { shieldProtection: enabled } : {}),
  };
}

/** The fields CreateLoadBalancer takes from these settings. */
export type CreationFields = Pick<LoadBalancerFeatures, "customerOwnedIpv4Pool" | "subnetMappings" | "ipv4IpamPool">;

/** The settings CreateLoadBalancer sends for `desired` (a model, or such an operation). */
export function creationSettings(desired: CreationFields): CreationFields {
  return {
    ...(desired.customerOwnedIpv4Pool ? { customerOwnedIpv4Pool: desired.customerOwnedIpv4Pool } : {}),
    ...(desired.subnetMappings ? { subnetMappings: desired.subnetMappings } : {}),
    ...(desired.ipv4IpamPool ? { ipv4IpamPool: desired.ipv4IpamPool } : {}),
  };
}
