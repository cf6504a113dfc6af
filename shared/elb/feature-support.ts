/**
 * What AWS cannot do with a LoadBalancerConfiguration setting on this Gateway's load balancer: a
 * Web ACL on a Network Load Balancer, Elastic IPs on an Application Load Balancer, QUIC beside a
 * UDP listener, an IPAM pool on an internal load balancer. Each is named by configuration and field
 * path, with the reason, and refuses the Gateway (Accepted=False, UnsupportedValue) instead of
 * being applied half or left for AWS to reject one call at a time.
 *
 * A field is judged where it is in effect: in each merged configuration whose value the merge kept.
 */
import type { ListenerConfiguration, LoadBalancerConfigurationSpec } from "../extensions/aws-lbc.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import type { ConfigSource } from "./load-balancer-config.ts";
import type { ListenerModel, LoadBalancerModel } from "./model.ts";

export interface FeatureSupportInput {
  type: LoadBalancerModel["type"];
  scheme: LoadBalancerModel["scheme"];
  ipAddressType: LoadBalancerModel["ipAddressType"];
  securityGroups: readonly string[];
  /** The listeners as built (QUIC already applied). */
  listeners: readonly ListenerModel[];
  merged: LoadBalancerConfigurationSpec;
  sources: readonly ConfigSource[];
  /** The cluster's registered VPC, when known: `vpcId` must name it. */
  clusterVpcId?: string;
}

const NLB = "a Network Load Balancer";
const ALB = "an Application Load Balancer";

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(value: string): boolean {
  if (!value.includes(":")) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

/** A regional WAFv2 Web ACL ARN: `arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>`. */
const REGIONAL_WEB_ACL = /^arn:[a-z-]+:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[^/]+\/[^/]+$/;
const GLOBAL_WEB_ACL = /^arn:[a-z-]+:wafv2:[a-z0-9-]+:\d{12}:global\/webacl\//;

function loadBalancerProblems(spec: LoadBalancerConfigurationSpec, input: FeatureSupportInput): string[] {
  const { type, scheme, merged } = input;
  const out: string[] = [];
  const effective = <K extends keyof LoadBalancerConfigurationSpec>(k: K) =>
    spec[k] !== undefined && same(spec[k], merged[k]);
  const typeName = type === "application" ? ALB : NLB;

  if (effective("customerOwnedIpv4Pool") && spec.customerOwnedIpv4Pool && type !== "application") {
    out.push(
      `spec.customerOwnedIpv4Pool: a customer-owned IPv4 pool is for Application Load Balancers on Outposts; this Gateway's load balancer is ${typeName}`,
    );
  }
  if (effective("ipv4IPAMPoolId") && spec.ipv4IPAMPoolId) {
    if (type !== "application") {
      out.push(`spec.ipv4IPAMPoolId: IPAM pools are for Application Load Balancers; this one is ${typeName}`);
    } else if (scheme === "internal") {
      out.push("spec.ipv4IPAMPoolId: an IPAM pool supplies public IPv4 addresses, and this load balancer is internal");
    }
  }
  const units = spec.minimumLoadBalancerCapacity?.capacityUnits;
  if (effective("minimumLoadBalancerCapacity") && units !== undefined) {
    if (!Number.isInteger(units) || units < 0) {
      out.push(`spec.minimumLoadBalancerCapacity.capacityUnits: ${units} is not a whole number of capacity units`);
    } else if (units > 0 && type === "network") {
      const tls = input.listeners.filter((l) => l.protocol === "TLS").map((l) => l.id);
      if (tls.length > 0) {
        out.push(
          `spec.minimumLoadBalancerCapacity: a Network Load Balancer with TLS listeners (${tls.join(", ")}) cannot reserve capacity`,
        );
      }
    }
  }
  const acl = spec.wafV2?.webACL;
  if (effective("wafV2") && acl) {
    if (type !== "application") {
      out.push(`spec.wafV2: a WAFv2 Web ACL can protect an Application Load Balancer only; this one is ${typeName}`);
    } else if (GLOBAL_WEB_ACL.test(acl)) {
      out.push(`spec.wafV2.webACL: ${acl} is a CloudFront (global) Web ACL; a load balancer takes a regional one`);
    } else if (!REGIONAL_WEB_ACL.test(acl)) {
      out.push(
        `spec.wafV2.webACL: ${JSON.stringify(acl)} is not a regional WAFv2 Web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)`,
      );
    }
  }
  if (effective("shieldConfiguration") && spec.shieldConfiguration?.enabled && type !== "application") {
    out.push(
      "spec.shieldConfiguration: Shield Advanced protects a Network Load Balancer through its Elastic IP addresses, not the load balancer itself",
    );
  }
  if (effective("loadBalancerSubnets")) out.push(...subnetProblems(spec, input));
  if (effective("vpcId") && spec.vpcId !== undefined) {
    if (!/^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/.test(spec.vpcId)) {
      out.push(`spec.vpcId: ${JSON.stringify(spec.vpcId)} is not a VPC id (vpc-…)`);
    } else if (input.clusterVpcId !== undefined && spec.vpcId !== input.clusterVpcId) {
      // Target groups, security groups and subnet discovery all work in the cluster's VPC.
      out.push(
        `spec.vpcId: ${spec.vpcId} is not the VPC the cluster is registered with (${input.clusterVpcId}); switchyard builds load balancers in the cluster's VPC only`,
      );
    }
  }
  return out;
}

function subnetProblems(spec: LoadBalancerConfigurationSpec, input: FeatureSupportInput): string[] {
  const subnets = spec.loadBalancerSubnets ?? [];
  const out: string[] = [];
  const fields = [
    {
      field: "eipAllocation",
      what: "an Elastic IP",
      needs: input.scheme === "internet-facing" ? undefined : "an internet-facing load balancer",
      valid: (v: string) => /^eipalloc-[0-9a-f]+$/.test(v),
      shape: "an Elastic IP allocation id (eipalloc-…)",
    },
    {
      field: "privateIPv4Allocation",
      what: "a private IPv4 address",
      needs: input.scheme === "internal" ? undefined : "an internal load balancer",
      valid: isIpv4,
      shape: "an IPv4 address",
    },
    {
      field: "ipv6Allocation",
      what: "an IPv6 address",
      needs: input.ipAddressType === "dualstack" ? undefined : "a dualstack load balancer",
      valid: isIpv6,
      shape: "an IPv6 address",
    },
    {
      field: "sourceNatIPv6Prefix",
      what: "a source NAT IPv6 prefix",
      needs: input.ipAddressType === "dualstack" ? undefined : "a dualstack load balancer",
      valid: (v: string) => v === "auto_assigned" || (v.endsWith("/80") && isIpv6(v.slice(0, -3))),
      shape: "an IPv6 /80 prefix or auto_assigned",
    },
  ] as const;
  for (const { field, what, needs, valid, shape } of fields) {
    const set = subnets.map((s, i) => ({ i, value: s[field] })).filter((x) => x.value);
    if (set.length === 0) continue;
    const at = (i: number) => `spec.loadBalancerSubnets[${i}].${field}`;
    if (input.type !== "network") {
      out.push(`${at(set[0]?.i ?? 0)}: ${what} per subnet is for Network Load Balancers; this one is ${ALB}`);
      continue;
    }
    if (needs) {
      out.push(`${at(set[0]?.i ?? 0)}: ${what} per subnet needs ${needs}`);
      continue;
    }
    if (set.length !== subnets.length) {
      const missing = subnets.findIndex((s) => !s[field]);
      out.push(`${at(missing)}: ${what} is set for some subnets, so every subnet needs one`);
    }
    for (const { i, value } of set) {
      if (value && !valid(value)) out.push(`${at(i)}: ${JSON.stringify(value)} is not ${shape}`);
    }
  }
  if (out.length === 0 && subnets.some((s) => fields.some((f) => s[f.field]))) {
    const unnamed = subnets.findIndex((s) => !s.identifier);
    if (unnamed >= 0) {
      out.push(`spec.loadBalancerSubnets[${unnamed}].identifier: a subnet that pins addresses must be named by its id`);
    }
  }
  return out;
}

function listenerProblems(spec: LoadBalancerConfigurationSpec, input: FeatureSupportInput): string[] {
  const out: string[] = [];
  const mergedListeners = new Map((input.merged.listenerConfigurations ?? []).map((l) => [l.protocolPort, l]));
  (spec.listenerConfigurations ?? []).forEach((config, i) => {
    const winner = mergedListeners.get(config.protocolPort);
    const effective = <K extends keyof ListenerConfiguration>(k: K) =>
      config[k] !== undefined && same(config[k], winner?.[k]);
    const at = (field: string) => `spec.listenerConfigurations[${i}].${field}`;
    const protocol = config.protocolPort.split(":")[0] ?? "";
    if (effective("listenerAttributes")) {
      const prefix = input.type === "application" ? "routing.http." : "tcp.";
      for (const [j, attribute] of (config.listenerAttributes ?? []).entries()) {
        if (!attribute.key.startsWith(prefix)) {
          out.push(
            `${at(`listenerAttributes[${j}].key`)}: ${JSON.stringify(attribute.key)} is not a listener attribute of ${
              input.type === "application" ? ALB : NLB
            } (its keys start with ${prefix})`,
          );
        }
      }
    }
    if (effective("targetGroupStickiness") && config.targetGroupStickiness && input.type === "application") {
      out.push(
        `${at("targetGroupStickiness")}: on an Application Load Balancer, target group stickiness needs a duration; set it per rule with a ListenerRuleConfiguration forwardConfig.targetGroupStickinessConfig`,
      );
    }
    if (effective("quicEnabled") && config.quicEnabled) {
      if (input.type === "application") {
        out.push(`${at("quicEnabled")}: QUIC listeners are for Network Load Balancers; this one is ${ALB}`);
      } else if (protocol !== "UDP" && protocol !== "TCP_UDP") {
        out.push(`${at("quicEnabled")}: only UDP and TCP_UDP listeners can carry QUIC, not ${config.protocolPort}`);
      } else if (input.ipAddressType === "dualstack") {
        out.push(`${at("quicEnabled")}: a dualstack Network Load Balancer cannot have QUIC listeners`);
      } else if (input.securityGroups.length > 0) {
        out.push(
          `${at("quicEnabled")}: a Network Load Balancer with security groups (${input.securityGroups.join(", ")}) cannot have QUIC listeners; set disableSecurityGroup: true and no securityGroups`,
        );
      }
    }
  });
  return out;
}

/** Constraints between the built listeners that no single field shows. */
function quicListenerProblems(input: FeatureSupportInput): string[] {
  const quic = input.listeners.filter((l) => l.protocol === "QUIC" || l.protocol === "TCP_QUIC").map((l) => l.id);
  if (quic.length === 0) return [];
  const udp = input.listeners.filter((l) => l.protocol === "UDP" || l.protocol === "TCP_UDP").map((l) => l.id);
  const out: string[] = [];
  if (quic.length > 1) {
    out.push(`quicEnabled: a Network Load Balancer has at most one QUIC or TCP_QUIC listener, not ${quic.join(", ")}`);
  }
  if (udp.length > 0) {
    out.push(
      `quicEnabled: a Network Load Balancer with UDP or TCP_UDP listeners (${udp.join(", ")}) cannot have QUIC listeners (${quic.join(", ")})`,
    );
  }
  return out;
}

/** Everything the configurations set that AWS cannot do here, or undefined when all of it can be applied. */
export function unsupportedFeatures(input: FeatureSupportInput): StatusProblem | undefined {
  const messages: string[] = [];
  for (const source of input.sources) {
    const found = [...loadBalancerProblems(source.spec, input), ...listenerProblems(source.spec, input)];
    for (const m of found) messages.push(`LoadBalancerConfiguration ${source.key} ${m}`);
  }
  messages.push(...quicListenerProblems(input));
  const distinct = [...new Set(messages)];
  return distinct.length > 0 ? problem(Reason.UnsupportedValue, distinct.join("; ")) : undefined;
}
