/**
 * Planning of the load balancer features in load-balancer-features.ts and of listener attributes:
 * the pieces planElb (plan.ts) calls, pure like it.
 *
 * - Creation settings go into CreateLoadBalancer (creationSettings); a desired one the existing load balancer does
 *   not have is a reason to replace it (planElb's replacement, reported in status and `plan`). A
 *   setting the configuration leaves out asks for nothing: an AWS-assigned address satisfies it.
 * - Add-ons are compared with what the record (or a drift check) says exists and changed with
 *   their own call; one switchyard set and the configuration no longer names is undone.
 * - Listener attributes: keys whose value differs are set; a key no longer listed keeps its value,
 *   as load balancer and target group attributes do.
 */
import { canonicalIpv6, canonicalPrefix, type SubnetMapping } from "./load-balancer-features.ts";
import type { ListenerModel, LoadBalancerModel } from "./model.ts";
import type { ObservedListener, ObservedLoadBalancer } from "./observed.ts";
import type { ElbOperation } from "./operations.ts";

function mappingChange(want: SubnetMapping, have: SubnetMapping | undefined): string | undefined {
  const subnet = want.subnetId;
  if (want.allocationId && want.allocationId !== have?.allocationId) {
    return `the Elastic IP of ${subnet} changes from ${have?.allocationId ?? "an AWS-assigned address"} to ${want.allocationId}`;
  }
  if (want.privateIPv4Address && want.privateIPv4Address !== have?.privateIPv4Address) {
    return `the private IPv4 address of ${subnet} changes from ${have?.privateIPv4Address ?? "an AWS-assigned address"} to ${want.privateIPv4Address}`;
  }
  const ipv6 = have?.ipv6Address ? canonicalIpv6(have.ipv6Address) : undefined;
  if (want.ipv6Address && canonicalIpv6(want.ipv6Address) !== ipv6) {
    return `the IPv6 address of ${subnet} changes from ${ipv6 ?? "an AWS-assigned address"} to ${want.ipv6Address}`;
  }
  const prefix = want.sourceNatIpv6Prefix;
  const havePrefix = have?.sourceNatIpv6Prefix && canonicalPrefix(have.sourceNatIpv6Prefix);
  if (prefix && (prefix === "auto_assigned" ? !havePrefix : canonicalPrefix(prefix) !== havePrefix)) {
    return `the source NAT IPv6 prefix of ${subnet} changes from ${have?.sourceNatIpv6Prefix ?? "none"} to ${prefix}`;
  }
  return undefined;
}

/**
 * Why `have` cannot become `desired` without a new load balancer, judged on the creation-only
 * settings; undefined when it can. Subnets the load balancer does not use are left to subnet
 * planning.
 */
export function creationChange(desired: LoadBalancerModel, have: ObservedLoadBalancer): string | undefined {
  if (desired.customerOwnedIpv4Pool && desired.customerOwnedIpv4Pool !== have.customerOwnedIpv4Pool) {
    return `customer-owned IPv4 pool changes from ${have.customerOwnedIpv4Pool ?? "none"} to ${desired.customerOwnedIpv4Pool}`;
  }
  for (const want of desired.subnetMappings ?? []) {
    if (!have.subnets.includes(want.subnetId)) continue;
    const change = mappingChange(
      want,
      have.subnetMappings?.find((m) => m.subnetId === want.subnetId),
    );
    if (change) return change;
  }
  return undefined;
}

/**
 * Add-on changes on the load balancer `have` (undefined: the one this plan creates, which gets
 * its IPAM pool in CreateLoadBalancer already).
 */
export function planLoadBalancerAddOns(
  desired: LoadBalancerModel,
  have: ObservedLoadBalancer | undefined,
): ElbOperation[] {
  const ops: ElbOperation[] = [];
  if (have && desired.ipv4IpamPool !== have.ipv4IpamPool) {
    ops.push(
      desired.ipv4IpamPool ? { op: "ModifyIpPools", ipv4IpamPool: desired.ipv4IpamPool } : { op: "ModifyIpPools" },
    );
  }
  const units = desired.minimumCapacityUnits;
  if (units !== have?.minimumCapacityUnits) {
    if (units !== undefined) ops.push({ op: "ModifyCapacityReservation", minimumCapacityUnits: units });
    else ops.push({ op: "ModifyCapacityReservation" });
  }
  if (desired.webAcl && desired.webAcl !== have?.webAcl) ops.push({ op: "AssociateWebACL", webAclArn: desired.webAcl });
  if (!desired.webAcl && have?.webAcl) ops.push({ op: "DisassociateWebACL", webAclArn: have.webAcl });
  const protection = have?.shieldProtection;
  if (desired.shieldProtection === true && !protection) ops.push({ op: "CreateProtection" });
  if (desired.shieldProtection !== true && protection?.managed) {
    ops.push({ op: "DeleteProtection", protectionId: protection.id });
  }
  return ops;
}

/** What goes before a load balancer is deleted: a Shield protection would outlive it. */
export function retireLoadBalancer(have: ObservedLoadBalancer): ElbOperation[] {
  const protection = have.shieldProtection;
  return protection?.managed ? [{ op: "DeleteProtection", protectionId: protection.id }] : [];
}

/** ModifyListenerAttributes for the listener `want` (new when `have` is undefined). */
export function planListenerAttributes(want: ListenerModel, have: ObservedListener | undefined): ElbOperation[] {
  const changed = Object.fromEntries(
    Object.entries(want.attributes ?? {}).filter(([k, v]) => have?.attributes?.[k] !== v),
  );
  return Object.keys(changed).length > 0
    ? [{ op: "ModifyListenerAttributes", listenerId: want.id, attributes: changed }]
    : [];
}
