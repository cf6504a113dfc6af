/**
 * What exists in Elastic Load Balancing for one Gateway, in the model's own terms: the same fields
 * as the desired model plus the ARNs AWS assigned. It comes either from the state record (what the
 * last apply left, no AWS call) or from AWS itself during a drift check or after a crash. Target
 * group references inside actions are model ids here, translated from ARNs by the observer.
 */

import type { ObservedLoadBalancerFeatures } from "./load-balancer-features.ts";
import type {
  HealthCheckModel,
  ListenerCertificates,
  ListenerSettings,
  LoadBalancerModel,
  TargetModel,
} from "./model.ts";
import type { ListenerProtocol, ListenerRule, RuleAction } from "./rules.ts";
import type { ObservedSecurityGroups } from "./security-group-state.ts";

export interface ObservedRule extends ListenerRule {
  arn: string;
}

export interface ObservedListener extends ListenerSettings {
  /** `PROTOCOL:port`, as in the model. */
  id: string;
  arn: string;
  port: number;
  protocol: ListenerProtocol;
  certificates?: ListenerCertificates;
  defaultActions: RuleAction[];
  rules: ObservedRule[];
  /** Listener attributes switchyard set (re-read in a drift check only for listeners that have them). */
  attributes?: Record<string, string>;
}

export interface ObservedTargetGroup {
  id: string;
  arn: string;
  name: string;
  protocol: string;
  protocolVersion?: string;
  port: number;
  /** Absent in records written before instance targets: `ip`, the only type switchyard made then. */
  targetType?: "ip" | "instance" | "lambda" | "alb";
  /** The ALB target optimizer's control port, when the group has one. */
  targetControlPort?: number;
  /**
   * Other clusters register targets in this group too (TargetGroupProps `enableMultiCluster`):
   * `targets` are only those switchyard registered, and a drift check leaves every other one alone.
   */
  multiCluster?: boolean;
  healthCheck: HealthCheckModel;
  attributes: Record<string, string>;
  targets: TargetModel[];
}

export interface ObservedLoadBalancer extends ObservedLoadBalancerFeatures {
  arn: string;
  name: string;
  type: LoadBalancerModel["type"];
  scheme: LoadBalancerModel["scheme"];
  ipAddressType: LoadBalancerModel["ipAddressType"];
  dnsName?: string;
  /** provisioning | active | active_impaired | failed */
  state?: string;
  subnets: string[];
  securityGroups: string[];
  /** Network Load Balancer with security groups: whether they filter PrivateLink traffic. */
  enforceInboundRulesOnPrivateLinkTraffic?: "on" | "off";
  attributes: Record<string, string>;
}

export interface ObservedElb {
  loadBalancer?: ObservedLoadBalancer;
  listeners: ObservedListener[];
  targetGroups: ObservedTargetGroup[];
  /** Load balancers tagged as this Gateway's but not the current one (replaced or duplicated). */
  strayLoadBalancers: string[];
  /** Security groups and rules switchyard manages for the Gateway (absent: none known). */
  securityGroups?: ObservedSecurityGroups;
}

export function emptyObserved(): ObservedElb {
  return { listeners: [], targetGroups: [], strayLoadBalancers: [] };
}
