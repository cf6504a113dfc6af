/**
 * Which fields of the AWS Load Balancer Controller's configuration kinds switchyard applies. A
 * manifest that sets a field switchyard would ignore is refused with the field named, rather than
 * accepted and silently not honoured.
 */
import { parseCidr } from "../elb/cidr.ts";
import type { LoadBalancerConfigurationSpec, TargetGroupConfiguration, TargetGroupProps } from "./aws-lbc.ts";

/**
 * The LoadBalancerConfiguration fields switchyard applies: every field of the AWS Load Balancer
 * Controller's kind as switchyard knows it (the record's type makes the list complete). A field
 * outside it (a newer CRD installed in the cluster forwards fields switchyard has never seen) is
 * refused, never silently ignored.
 */
const APPLIED_LOAD_BALANCER_FIELDS: Readonly<Record<keyof LoadBalancerConfigurationSpec, true>> = {
  mergingMode: true,
  loadBalancerName: true,
  scheme: true,
  ipAddressType: true,
  enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: true,
  customerOwnedIpv4Pool: true,
  ipv4IPAMPoolId: true,
  loadBalancerSubnets: true,
  loadBalancerSubnetsSelector: true,
  listenerConfigurations: true,
  securityGroups: true,
  securityGroupPrefixes: true,
  sourceRanges: true,
  disableSecurityGroup: true,
  manageBackendSecurityGroupRules: true,
  enableICMP: true,
  loadBalancerAttributes: true,
  tags: true,
  minimumLoadBalancerCapacity: true,
  wafV2: true,
  shieldConfiguration: true,
  defaultTargetGroupConfiguration: true,
  vpcId: true,
};

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Field paths of a LoadBalancerConfiguration spec that switchyard does not apply (fields it does not know). */
export function unsupportedLoadBalancerFields(spec: LoadBalancerConfigurationSpec | undefined): string[] {
  if (!spec) return [];
  // What a load balancer type cannot take is refused per field when the load balancer is built
  // (shared/elb/feature-support.ts).
  return Object.entries(spec)
    .filter(([f, value]) => !Object.hasOwn(APPLIED_LOAD_BALANCER_FIELDS, f) && isSet(value))
    .map(([f]) => `spec.${f}`)
    .sort();
}

/**
 * The TargetGroupProps fields switchyard applies: all it knows, instance targets with their node
 * selector, the target control port and multi-cluster target groups included. What a given load
 * balancer type or Service cannot take is refused per route (shared/elb/target-groups.ts).
 */
const APPLIED_TARGET_GROUP_FIELDS: Readonly<Record<keyof TargetGroupProps, true>> = {
  targetGroupName: true,
  ipAddressType: true,
  healthCheckConfig: true,
  nodeSelector: true,
  targetGroupAttributes: true,
  targetType: true,
  protocol: true,
  protocolVersion: true,
  targetControlPort: true,
  enableMultiCluster: true,
  tags: true,
};

/** Field paths of TargetGroupConfiguration props that switchyard does not apply (fields it does not know). */
export function unsupportedTargetGroupFields(props: TargetGroupProps | undefined, at: string): string[] {
  if (!props) return [];
  return Object.entries(props)
    .filter(([f, value]) => !Object.hasOwn(APPLIED_TARGET_GROUP_FIELDS, f) && isSet(value))
    .map(([f]) => `${at}.${f}`)
    .sort();
}

/**
 * Why a LoadBalancerConfiguration's `defaultTargetGroupConfiguration` (a TargetGroupConfiguration
 * in its own namespace) cannot serve as the Gateway's target group defaults, if so: it must exist
 * and must not target anything (one with a targetReference configures that target only).
 */
export function defaultTargetGroupProblem(
  spec: LoadBalancerConfigurationSpec | undefined,
  namespace: string,
  configs: ReadonlyMap<string, TargetGroupConfiguration>,
): string | undefined {
  const name = spec?.defaultTargetGroupConfiguration?.name;
  if (name === undefined) return undefined;
  const config = configs.get(`${namespace}/${name}`);
  if (!config) return `spec.defaultTargetGroupConfiguration: TargetGroupConfiguration ${namespace}/${name} not found`;
  if (config.spec?.targetReference) {
    return `spec.defaultTargetGroupConfiguration: TargetGroupConfiguration ${namespace}/${name} has a targetReference, so it configures ${config.spec.targetReference.kind ?? "Service"} ${config.spec.targetReference.name} only and cannot be a Gateway's defaults`;
  }
  return undefined;
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
