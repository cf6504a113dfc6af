/**
 * The load balancer's creation settings (shared/elb/load-balancer-features.ts) ↔ ELBv2 SDK shapes.
 * Pure. CreateLoadBalancer takes either `Subnets` or `SubnetMappings`, never both; mappings are
 * sent only when the model pins an address, and a source NAT prefix on any subnet turns
 * `EnablePrefixForIpv6SourceNat` on, as the API requires.
 */
import type {
  CreateLoadBalancerInput,
  LoadBalancer,
  SubnetMapping as SdkSubnetMapping,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  canonicalIpv6,
  canonicalPrefix,
  type ObservedLoadBalancerFeatures,
  type SubnetMapping,
} from "../../elb/load-balancer-features.ts";
import type { ElbOperation } from "../../elb/operations.ts";

type CreateLoadBalancer = Extract<ElbOperation, { op: "CreateLoadBalancer" }>;

function toSdkMapping(m: SubnetMapping): SdkSubnetMapping {
  return {
    SubnetId: m.subnetId,
    ...(m.allocationId ? { AllocationId: m.allocationId } : {}),
    ...(m.privateIPv4Address ? { PrivateIPv4Address: m.privateIPv4Address } : {}),
    ...(m.ipv6Address ? { IPv6Address: m.ipv6Address } : {}),
    ...(m.sourceNatIpv6Prefix ? { SourceNatIpv6Prefix: m.sourceNatIpv6Prefix } : {}),
  };
}

/** The subnets and creation-only members of CreateLoadBalancer for `op`, with `subnets` resolved. */
export function toSdkCreationSettings(
  op: CreateLoadBalancer,
  subnets: readonly string[],
): Pick<
  CreateLoadBalancerInput,
  "Subnets" | "SubnetMappings" | "CustomerOwnedIpv4Pool" | "IpamPools" | "EnablePrefixForIpv6SourceNat"
> {
  const mappings = op.subnetMappings;
  return {
    ...(mappings ? { SubnetMappings: mappings.map(toSdkMapping) } : { Subnets: [...subnets] }),
    ...(op.customerOwnedIpv4Pool ? { CustomerOwnedIpv4Pool: op.customerOwnedIpv4Pool } : {}),
    ...(op.ipv4IpamPool ? { IpamPools: { Ipv4IpamPoolId: op.ipv4IpamPool } } : {}),
    ...(mappings?.some((m) => m.sourceNatIpv6Prefix) ? { EnablePrefixForIpv6SourceNat: "on" as const } : {}),
  };
}

/** Subnets for which the load balancer reports a pinned address or a source NAT prefix. */
function subnetMappingsFrom(lb: LoadBalancer): SubnetMapping[] {
  const out: SubnetMapping[] = [];
  for (const zone of lb.AvailabilityZones ?? []) {
    if (!zone.SubnetId) continue;
    const address = (key: "AllocationId" | "PrivateIPv4Address" | "IPv6Address") =>
      (zone.LoadBalancerAddresses ?? []).map((a) => a[key]).find((v): v is string => !!v);
    const allocationId = address("AllocationId");
    const privateIPv4Address = address("PrivateIPv4Address");
    const ipv6Address = address("IPv6Address");
    const prefix = zone.SourceNatIpv6Prefixes?.[0];
    if (!allocationId && !privateIPv4Address && !ipv6Address && !prefix) continue;
    out.push({
      subnetId: zone.SubnetId,
      ...(allocationId ? { allocationId } : {}),
      ...(privateIPv4Address ? { privateIPv4Address } : {}),
      ...(ipv6Address ? { ipv6Address: canonicalIpv6(ipv6Address) } : {}),
      ...(prefix ? { sourceNatIpv6Prefix: canonicalPrefix(prefix) } : {}),
    });
  }
  return out;
}

/** The creation settings and IPAM pool a described load balancer reports. */
export function creationSettingsFrom(
  lb: LoadBalancer,
): Pick<ObservedLoadBalancerFeatures, "customerOwnedIpv4Pool" | "subnetMappings" | "ipv4IpamPool"> {
  const mappings = subnetMappingsFrom(lb);
  return {
    ...(lb.CustomerOwnedIpv4Pool ? { customerOwnedIpv4Pool: lb.CustomerOwnedIpv4Pool } : {}),
    ...(mappings.length > 0 ? { subnetMappings: mappings } : {}),
    ...(lb.IpamPools?.Ipv4IpamPoolId ? { ipv4IpamPool: lb.IpamPools.Ipv4IpamPoolId } : {}),
  };
}

/** The add-ons an observed load balancer carries, for a re-read that does not fetch them again. */
export function addOnsOf(
  lb: ObservedLoadBalancerFeatures | undefined,
): Pick<ObservedLoadBalancerFeatures, "minimumCapacityUnits" | "webAcl" | "shieldProtection"> {
  return {
    ...(lb?.minimumCapacityUnits !== undefined ? { minimumCapacityUnits: lb.minimumCapacityUnits } : {}),
    ...(lb?.webAcl ? { webAcl: lb.webAcl } : {}),
    ...(lb?.shieldProtection ? { shieldProtection: { ...lb.shieldProtection } } : {}),
  };
}
