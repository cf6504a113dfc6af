/**
 * An in-memory Elastic Load Balancing for one Gateway: applies ElbOperations to an ObservedElb the
 * way the ELBv2 API would (ARNs assigned, priorities checked, references resolved), so plans can be
 * executed step by step in pure tests and in `plan --diff` dry runs. It checks what the API
 * checks and nothing more; the real behaviour is exercised against moto in integration tests.
 */
import type { ObservedElb, ObservedListener, ObservedTargetGroup } from "../elb/observed.ts";
import type { ElbOperation, RuleRef } from "../elb/operations.ts";
import type { RuleAction } from "../elb/rules.ts";
import { simulatedGroupIds, simulateSecurityGroups } from "./security-group-simulator.ts";

export class SimulatedElbError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = "SimulatedElbError";
    this.code = code;
  }
}

export interface SimulatorOptions {
  /**
   * Rules per load balancer, across its listeners and not counting default rules, before
   * CreateRule answers TooManyRules (ALB's quota).
   * @default 100
   */
  maxRulesPerLoadBalancer?: number;
}

/** Created-rule keys → ARNs, carried across the steps of one plan. */
export type CreatedRules = Map<string, string>;

const ARN_PREFIX = "arn:aws:elasticloadbalancing:sim:000000000000";

function clone(state: ObservedElb): ObservedElb {
  return structuredClone(state);
}

function listenerById(state: ObservedElb, id: string): ObservedListener {
  const l = state.listeners.find((x) => x.id === id);
  if (!l) throw new SimulatedElbError("ListenerNotFound", `listener ${id}`);
  return l;
}

function targetGroup(state: ObservedElb, id: string): ObservedTargetGroup {
  const tg = state.targetGroups.find((x) => x.id === id);
  if (!tg) throw new SimulatedElbError("TargetGroupNotFound", `target group ${id}`);
  return tg;
}

function ruleArn(ref: RuleRef, created: CreatedRules): string {
  if ("arn" in ref) return ref.arn;
  const found = created.get(ref.created);
  if (!found) throw new SimulatedElbError("RuleNotFound", `rule ${ref.created} was not created`);
  return found;
}

function checkTargetGroups(state: ObservedElb, actions: readonly RuleAction[]): void {
  for (const a of actions) {
    if (a.type === "forward") for (const t of a.targetGroups) targetGroup(state, t.targetGroupId);
  }
}

type AddOnOperation = Extract<
  ElbOperation,
  {
    op:
      | "ModifyIpPools"
      | "ModifyCapacityReservation"
      | "AssociateWebACL"
      | "DisassociateWebACL"
      | "CreateProtection"
      | "DeleteProtection";
  }
>;

/** Load balancer add-ons (IPAM pool, capacity reservation, Web ACL, Shield protection). */
function simulateAddOn(state: ObservedElb, op: AddOnOperation): ObservedElb {
  const lb = state.loadBalancer;
  if (!lb) throw new SimulatedElbError("LoadBalancerNotFound", "no load balancer");
  switch (op.op) {
    case "ModifyIpPools":
      if (op.ipv4IpamPool) lb.ipv4IpamPool = op.ipv4IpamPool;
      else delete lb.ipv4IpamPool;
      break;
    case "ModifyCapacityReservation":
      if (op.minimumCapacityUnits !== undefined) lb.minimumCapacityUnits = op.minimumCapacityUnits;
      else delete lb.minimumCapacityUnits;
      break;
    case "AssociateWebACL":
      lb.webAcl = op.webAclArn;
      break;
    case "DisassociateWebACL":
      delete lb.webAcl;
      break;
    case "CreateProtection":
      if (lb.shieldProtection) throw new SimulatedElbError("ResourceAlreadyExistsException", `protection of ${lb.arn}`);
      lb.shieldProtection = { id: `protection-${lb.name}`, managed: true };
      break;
    case "DeleteProtection":
      if (lb.shieldProtection?.id !== op.protectionId)
        throw new SimulatedElbError("ResourceNotFoundException", `protection ${op.protectionId}`);
      delete lb.shieldProtection;
      break;
  }
  return state;
}

/** The state after one operation. Throws SimulatedElbError where the API would refuse. */
export function simulate(
  before: ObservedElb,
  op: ElbOperation,
  created: CreatedRules,
  options: SimulatorOptions = {},
): ObservedElb {
  const state = clone(before);
  switch (op.op) {
    case "CreateTargetGroup": {
      if (state.targetGroups.some((tg) => tg.name === op.targetGroup.name)) {
        throw new SimulatedElbError("DuplicateTargetGroupName", op.targetGroup.name);
      }
      const { id, name, protocol, port, healthCheck, attributes } = op.targetGroup;
      state.targetGroups = state.targetGroups.filter((tg) => tg.id !== id);
      state.targetGroups.push({
        id,
        arn: `${ARN_PREFIX}:targetgroup/${name}`,
        name,
        protocol,
        ...(op.targetGroup.protocolVersion ? { protocolVersion: op.targetGroup.protocolVersion } : {}),
        port,
        targetType: op.targetGroup.targetType,
        ...(op.targetGroup.targetControlPort !== undefined
          ? { targetControlPort: op.targetGroup.targetControlPort }
          : {}),
        ...(op.targetGroup.multiCluster ? { multiCluster: true } : {}),
        healthCheck,
        attributes,
        targets: [],
      });
      return state;
    }
    case "ModifyTargetGroup":
      targetGroup(state, op.targetGroupId).healthCheck = op.healthCheck;
      return state;
    case "ModifyTargetGroupAttributes": {
      const tg = targetGroup(state, op.targetGroupId);
      tg.attributes = { ...tg.attributes, ...op.attributes };
      return state;
    }
    case "RegisterTargets": {
      const tg = targetGroup(state, op.targetGroupId);
      for (const t of op.targets) {
        if (!tg.targets.some((x) => x.id === t.id && x.port === t.port)) tg.targets.push(t);
      }
      return state;
    }
    case "DeregisterTargets": {
      const tg = targetGroup(state, op.targetGroupId);
      tg.targets = tg.targets.filter((x) => !op.targets.some((t) => t.id === x.id && t.port === x.port));
      return state;
    }
    case "DeleteTargetGroup": {
      const inUse = state.listeners.some((l) =>
        [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)].some(
          (a) => a.type === "forward" && a.targetGroups.some((t) => t.targetGroupId === op.targetGroupId),
        ),
      );
      const tg = state.targetGroups.find((x) => x.arn === op.arn);
      if (tg && inUse && state.targetGroups.filter((x) => x.id === op.targetGroupId).length === 1) {
        throw new SimulatedElbError("ResourceInUse", `target group ${op.targetGroupId} is in use`);
      }
      state.targetGroups = state.targetGroups.filter((x) => x.arn !== op.arn);
      return state;
    }
    case "CreateLoadBalancer": {
      const securityGroups = [...op.securityGroups, ...simulatedGroupIds(state, op.managedSecurityGroups)];
      state.loadBalancer = {
        arn: `${ARN_PREFIX}:loadbalancer/${op.type === "application" ? "app" : "net"}/${op.name}`,
        name: op.name,
        type: op.type,
        scheme: op.scheme,
        ipAddressType: op.ipAddressType as "ipv4",
        dnsName: `${op.name}.elb.example`,
        state: "active",
        subnets: op.subnetMappings ? op.subnetMappings.map((m) => m.subnetId) : op.subnets,
        securityGroups,
        attributes: {},
        ...(op.customerOwnedIpv4Pool ? { customerOwnedIpv4Pool: op.customerOwnedIpv4Pool } : {}),
        ...(op.subnetMappings ? { subnetMappings: op.subnetMappings } : {}),
        ...(op.ipv4IpamPool ? { ipv4IpamPool: op.ipv4IpamPool } : {}),
      };
      return state;
    }
    case "ModifyIpPools":
    case "ModifyCapacityReservation":
    case "AssociateWebACL":
    case "DisassociateWebACL":
    case "CreateProtection":
    case "DeleteProtection":
      return simulateAddOn(state, op);
    case "ModifyLoadBalancerAttributes":
      if (!state.loadBalancer) throw new SimulatedElbError("LoadBalancerNotFound", "no load balancer");
      state.loadBalancer.attributes = { ...state.loadBalancer.attributes, ...op.attributes };
      return state;
    case "SetSecurityGroups": {
      const lb = state.loadBalancer;
      if (!lb) throw new SimulatedElbError("LoadBalancerNotFound", "no load balancer");
      const groups = [...op.securityGroups, ...simulatedGroupIds(state, op.managedSecurityGroups)];
      // Documented: a Network Load Balancer gets security groups at creation or never.
      if (lb.type === "network" && lb.securityGroups.length === 0) {
        throw new SimulatedElbError(
          "InvalidConfigurationRequest",
          "the load balancer was created without security groups",
        );
      }
      lb.securityGroups = groups;
      if (op.enforceInboundRulesOnPrivateLinkTraffic) {
        lb.enforceInboundRulesOnPrivateLinkTraffic = op.enforceInboundRulesOnPrivateLinkTraffic;
      }
      return state;
    }
    case "DeleteLoadBalancer":
      if (state.loadBalancer?.arn === op.arn) {
        state.loadBalancer = undefined;
        state.listeners = [];
      }
      state.strayLoadBalancers = state.strayLoadBalancers.filter((a) => a !== op.arn);
      return state;
    case "CreateListener":
      if (!state.loadBalancer) throw new SimulatedElbError("LoadBalancerNotFound", "no load balancer");
      if (state.listeners.some((l) => l.port === op.port))
        throw new SimulatedElbError("DuplicateListener", `port ${op.port}`);
      checkTargetGroups(state, op.defaultActions);
      state.listeners.push({
        id: op.listenerId,
        arn: `${state.loadBalancer.arn}/listener/${op.port}`,
        port: op.port,
        protocol: op.protocol,
        ...(op.certificates ? { certificates: op.certificates } : {}),
        ...(op.sslPolicy ? { sslPolicy: op.sslPolicy } : {}),
        ...(op.alpnPolicy ? { alpnPolicy: op.alpnPolicy } : {}),
        ...(op.mutualAuthentication ? { mutualAuthentication: op.mutualAuthentication } : {}),
        defaultActions: op.defaultActions,
        rules: [],
      });
      return state;
    case "ModifyListener": {
      const l = state.listeners.find((x) => x.arn === op.arn);
      if (!l) throw new SimulatedElbError("ListenerNotFound", op.arn);
      l.id = op.listenerId;
      if (op.protocol) l.protocol = op.protocol;
      if (op.sslPolicy) l.sslPolicy = op.sslPolicy;
      if (op.alpnPolicy) l.alpnPolicy = op.alpnPolicy;
      if (op.mutualAuthentication) {
        if (op.mutualAuthentication.mode === "off") delete l.mutualAuthentication;
        else l.mutualAuthentication = op.mutualAuthentication;
      }
      if (op.defaultCertificate) {
        const rest = (l.certificates?.arns ?? []).slice(1);
        l.certificates = { arns: [op.defaultCertificate, ...rest], pendingSecrets: [] };
      }
      if (op.defaultActions) {
        checkTargetGroups(state, op.defaultActions);
        l.defaultActions = op.defaultActions;
      }
      return state;
    }
    case "ModifyListenerAttributes": {
      const l = listenerById(state, op.listenerId);
      l.attributes = { ...l.attributes, ...op.attributes };
      return state;
    }
    case "AddListenerCertificates": {
      const l = listenerById(state, op.listenerId);
      const arns = l.certificates?.arns ?? [];
      l.certificates = { arns: [...arns, ...op.arns.filter((a) => !arns.includes(a))], pendingSecrets: [] };
      return state;
    }
    case "RemoveListenerCertificates": {
      const l = listenerById(state, op.listenerId);
      l.certificates = { arns: (l.certificates?.arns ?? []).filter((a) => !op.arns.includes(a)), pendingSecrets: [] };
      return state;
    }
    case "DeleteListener":
      state.listeners = state.listeners.filter((l) => l.arn !== op.arn);
      return state;
    case "CreateRule": {
      const l = listenerById(state, op.listenerId);
      const rules = state.listeners.reduce((n, listener) => n + listener.rules.length, 0);
      if (rules >= (options.maxRulesPerLoadBalancer ?? 100)) {
        throw new SimulatedElbError("TooManyRules", `the load balancer has ${rules} rules`);
      }
      if (op.priority < 1 || op.priority > 50_000)
        throw new SimulatedElbError("ValidationError", `priority ${op.priority}`);
      if (l.rules.some((r) => r.priority === op.priority))
        throw new SimulatedElbError("PriorityInUse", `${op.priority}`);
      checkTargetGroups(state, op.actions);
      // Numbered after the highest live rule, so no two live rules ever share an ARN.
      const next = 1 + Math.max(0, ...l.rules.map((r) => Number(r.arn.slice(r.arn.lastIndexOf("/") + 1)) || 0));
      const ruleArnValue = `${l.arn}/rule/${next}`;
      created.set(op.key, ruleArnValue);
      l.rules.push({
        arn: ruleArnValue,
        priority: op.priority,
        conditions: op.conditions,
        actions: op.actions,
        ...(op.transforms ? { transforms: op.transforms } : {}),
      });
      return state;
    }
    case "ModifyRule": {
      const l = listenerById(state, op.listenerId);
      const target = ruleArn(op.rule, created);
      const rule = l.rules.find((r) => r.arn === target);
      if (!rule) throw new SimulatedElbError("RuleNotFound", target);
      checkTargetGroups(state, op.actions);
      rule.conditions = op.conditions;
      rule.actions = op.actions;
      if (op.transforms) rule.transforms = op.transforms;
      else delete rule.transforms;
      return state;
    }
    case "SetRulePriorities": {
      const l = listenerById(state, op.listenerId);
      const moves = op.priorities.map((p) => ({ arn: ruleArn(p.rule, created), priority: p.priority }));
      // Documented AWS behaviour: the resulting priorities must be unique on the listener.
      const after = new Map(l.rules.map((r) => [r.arn, r.priority]));
      for (const m of moves) after.set(m.arn, m.priority);
      if (new Set(after.values()).size !== after.size)
        throw new SimulatedElbError("PriorityInUse", "duplicate priorities");
      for (const r of l.rules) r.priority = after.get(r.arn) ?? r.priority;
      return state;
    }
    case "DeleteRule": {
      const l = listenerById(state, op.listenerId);
      const target = ruleArn(op.rule, created);
      l.rules = l.rules.filter((r) => r.arn !== target);
      return state;
    }
    default:
      return simulateSecurityGroups(state, op);
  }
}
