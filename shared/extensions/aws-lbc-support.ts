/**
 * Which fields of the AWS Load Balancer Controller's configuration kinds switchyard applies. A
 * manifest that sets a field switchyard would ignore is refused with the field named, rather than
 * accepted and silently not honoured.
 */
import type { LoadBalancerConfigurationSpec, TargetGroupProps } from "./aws-lbc.ts";

const UNSUPPORTED_LOAD_BALANCER_FIELDS: readonly (keyof LoadBalancerConfigurationSpec)[] = [
  "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
  "loadBalancerSubnetsSelector",
  "securityGroupPrefixes",
  "sourceRanges",
  "disableSecurityGroup",
  "manageBackendSecurityGroupRules",
  "enableICMP",
  "defaultTargetGroupConfiguration",
];

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Field paths of a LoadBalancerConfiguration spec that switchyard does not apply yet. */
export function unsupportedLoadBalancerFields(spec: LoadBalancerConfigurationSpec | undefined): string[] {
  if (!spec) return [];
  // Subnet and listener settings are all applied; what a load balancer type cannot take is
  // refused per field when the load balancer is built (shared/elb/feature-support.ts).
  return UNSUPPORTED_LOAD_BALANCER_FIELDS.filter((f) => isSet(spec[f])).map((f) => `spec.${f}`);
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
