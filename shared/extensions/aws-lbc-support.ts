/**
 * Which fields of the AWS Load Balancer Controller's configuration kinds switchyard applies. A
 * manifest that sets a field switchyard would ignore is refused with the field named, rather than
 * accepted and silently not honoured.
 */
import { parseCidr } from "../elb/cidr.ts";
import type { LoadBalancerConfigurationSpec, TargetGroupProps } from "./aws-lbc.ts";

const UNSUPPORTED_LOAD_BALANCER_FIELDS: readonly (keyof LoadBalancerConfigurationSpec)[] = [
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

const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;
const PREFIX_LIST_ID = /^pl-[0-9a-f]{8}([0-9a-f]{9})?$/;

/**
 * What a LoadBalancerConfiguration sets that cannot be applied as written (security group and
 * source settings), one message per field; `dataPlane` is the load balancer type it configures.
 */
export function invalidLoadBalancerFields(
  spec: LoadBalancerConfigurationSpec | undefined,
  dataPlane: "alb" | "nlb",
): string[] {
  if (!spec) return [];
  const problems: string[] = [];
  (spec.sourceRanges ?? []).forEach((range, i) => {
    if (!parseCidr(range))
      problems.push(`spec.sourceRanges[${i}] ${JSON.stringify(range)} is not an IPv4 or IPv6 CIDR block`);
  });
  (spec.securityGroupPrefixes ?? []).forEach((id, i) => {
    if (!PREFIX_LIST_ID.test(id)) {
      problems.push(`spec.securityGroupPrefixes[${i}] ${JSON.stringify(id)} is not a managed prefix list id (pl-…)`);
    }
  });
  (spec.securityGroups ?? []).forEach((id, i) => {
    if (!SECURITY_GROUP_ID.test(id)) {
      problems.push(
        `spec.securityGroups[${i}] ${JSON.stringify(id)} is not a security group id (sg-…); switchyard does not look groups up by name`,
      );
    }
  });
  const enforce = spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic;
  if (enforce !== undefined && enforce !== "on" && enforce !== "off") {
    problems.push(
      `spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic must be "on" or "off", not ${JSON.stringify(enforce)}`,
    );
  }
  if (dataPlane === "alb") {
    if (spec.disableSecurityGroup) problems.push("spec.disableSecurityGroup applies to Network Load Balancers only");
    if (enforce !== undefined) {
      problems.push("spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic applies to Network Load Balancers only");
    }
  }
  if (spec.disableSecurityGroup) {
    const conflicting = (
      [
        "securityGroups",
        "sourceRanges",
        "securityGroupPrefixes",
        "enableICMP",
        "manageBackendSecurityGroupRules",
      ] as const
    ).filter((f) => isSet(spec[f]) && spec[f] !== false);
    if (conflicting.length > 0) {
      problems.push(
        `spec.disableSecurityGroup leaves the load balancer without security groups, so ${conflicting.map((f) => `spec.${f}`).join(", ")} cannot apply`,
      );
    }
    if (enforce !== undefined && dataPlane === "nlb") {
      problems.push(
        "spec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic needs security groups, which spec.disableSecurityGroup removes",
      );
    }
  }
  return problems;
}
