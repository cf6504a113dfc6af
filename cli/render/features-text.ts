/** The LoadBalancerConfiguration features of a load balancer model, for the text plan. */
import type { ListenerModel, LoadBalancerModel } from "../../shared/elb/model.ts";

/** One line per feature the model sets, indented under the load balancer's line. */
export function featureLines(m: LoadBalancerModel): string[] {
  const lines: string[] = [];
  for (const s of m.subnetMappings ?? []) {
    const pinned = [
      s.allocationId && `Elastic IP ${s.allocationId}`,
      s.privateIPv4Address && `private IPv4 ${s.privateIPv4Address}`,
      s.ipv6Address && `IPv6 ${s.ipv6Address}`,
      s.sourceNatIpv6Prefix && `source NAT ${s.sourceNatIpv6Prefix}`,
    ].filter((p): p is string => !!p);
    lines.push(`    subnet ${s.subnetId}: ${pinned.join(", ")}`);
  }
  if (m.customerOwnedIpv4Pool) lines.push(`    customer-owned IPv4 pool ${m.customerOwnedIpv4Pool}`);
  if (m.ipv4IpamPool) lines.push(`    IPv4 IPAM pool ${m.ipv4IpamPool}`);
  if (m.minimumCapacityUnits !== undefined) lines.push(`    capacity reservation ${m.minimumCapacityUnits} units`);
  if (m.webAcl) lines.push(`    WAFv2 Web ACL ${m.webAcl}`);
  if (m.shieldProtection !== undefined) {
    lines.push(
      `    Shield Advanced protection ${m.shieldProtection ? "on" : "off (only switchyard's own is removed)"}`,
    );
  }
  return lines;
}

/** ` attributes k=v, …` for a listener that sets any, else nothing. */
export function listenerAttributesText(l: ListenerModel): string {
  const entries = Object.entries(l.attributes ?? {});
  return entries.length > 0 ? ` attributes ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}` : "";
}
