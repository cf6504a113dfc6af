/**
 * Which fields of the AWS Load Balancer Controller's configuration kinds switchyard applies. A
 * manifest that sets a field switchyard would ignore is refused with the field named, rather than
 * accepted and silently not honoured.
 */
import type { LoadBalancerConfigurationSpec, TargetGroupProps } from "./aws-lbc.ts";

const UNSUPPORTED_LOAD_BALANCER_FIELDS: readonly (keyof LoadBalancerConfigurationSpec)[] = [
  "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
  "customerOwnedIpv4Pool",
  "ipv4IPAMPoolId",
  "loadBalancerSubnetsSelector",
  "securityGroupPrefixes",
  "sourceRanges",
  "disableSecurityGroup",
  "manageBackendSecurityGroupRules",
  "enableICMP",
  "minimumLoadBalancerCapacity",
  "wafV2",
  "shieldConfiguration",
  "defaultTargetGroupConfiguration",
];

const UNSUPPORTED_SUBNET_FIELDS = [
  "eipAllocation",
  "privateIPv4Allocation",
  "ipv6Allocation",
  "sourceNatIPv6Prefix",
] as const;
const UNSUPPORTED_LISTENER_FIELDS = ["targetGroupStickiness", "listenerAttributes", "quicEnabled"] as const;

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Field paths of a LoadBalancerConfiguration spec that switchyard does not apply yet. */
export function unsupportedLoadBalancerFields(spec: LoadBalancerConfigurationSpec | undefined): string[] {
  if (!spec) return [];
  const fields = UNSUPPORTED_LOAD_BALANCER_FIELDS.filter((f) => isSet(spec[f])).map((f) => `spec.${f}`);
  (spec.loadBalancerSubnets ?? []).forEach((subnet, i) => {
    for (const f of UNSUPPORTED_SUBNET_FIELDS) if (isSet(subnet[f])) fields.push(`spec.loadBalancerSubnets[${i}].${f}`);
  });
  (spec.listenerConfigurations ?? []).forEach((listener, i) => {
    for (const f of UNSUPPORTED_LISTENER_FIELDS)
      if (isSet(listener[f])) fields.push(`spec.listenerConfigurations[${i}].${f}`);
  });
  return fields;
}

/** Field paths of TargetGroupConfiguration props that switchyard does not apply (it registers IP targets only). */
export function unsupportedTargetGroupFields(props: TargetGroupProps | undefined, at: string): string[] {
  if (!props) return [];
  const fields: string[] = [];
  if (props.targetType === "instance") fields.push(`${at}.targetType (instance targets; switchyard registers pod IPs)`);
  if (isSet(props.nodeSelector)) fields.push(`${at}.nodeSelector`);
  if (isSet(props.targetControlPort)) fields.push(`${at}.targetControlPort`);
  if (props.enableMultiCluster) fields.push(`${at}.enableMultiCluster`);
  return fields;
}
