/**
 * The security group operations in the ELB simulator: applied to the ObservedElb's
 * `securityGroups` the way EC2 would (ids assigned, duplicates refused, a group in use not
 * deleted). Every target address sits behind one simulated group; the real lookup of network
 * interfaces is exercised against moto in integration tests.
 */
import { createHash } from "node:crypto";
import type { ObservedElb } from "../elb/observed.ts";
import type { ManagedGroupRole, SecurityGroupOperation } from "../elb/security-group-state.ts";
import { permissionKey } from "../elb/security-groups.ts";
import { SimulatedElbError } from "./elb-simulator.ts";

/** The one security group every simulated target's network interface has. */
export const SIMULATED_TARGET_GROUP = "sg-0000000000simtarget";

/** Rule ids from what the rule is, so recorded goldens do not depend on what ran before. */
function ruleId(...parts: readonly (string | number)[]): string {
  return `sgr-${createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 17)}`;
}

/** The ids of groups a CreateLoadBalancer or SetSecurityGroups names by role. */
export function simulatedGroupIds(state: ObservedElb, roles: readonly ManagedGroupRole[] | undefined): string[] {
  return (roles ?? []).map((role) => {
    const group = state.securityGroups?.[role];
    if (!group) throw new SimulatedElbError("InvalidSecurityGroup", `no ${role} security group was created`);
    return group.id;
  });
}

/** Mutates `state` (the simulator's own copy). */
export function simulateSecurityGroups(state: ObservedElb, op: SecurityGroupOperation): ObservedElb {
  const groups = state.securityGroups ?? { targetRules: [] };
  state.securityGroups = groups;
  switch (op.op) {
    case "CreateSecurityGroup":
      if (op.role === "frontend") {
        if (groups.frontend) throw new SimulatedElbError("InvalidGroup.Duplicate", op.name);
        groups.frontend = { id: `sg-sim-${op.name}`, name: op.name, ingress: [] };
      } else {
        groups.backend ??= { id: `sg-sim-${op.name}`, name: op.name };
      }
      return state;
    case "AuthorizeSecurityGroupIngress": {
      const frontend = groups.frontend;
      if (!frontend) throw new SimulatedElbError("InvalidGroup.NotFound", "no frontend security group");
      const have = new Set(frontend.ingress.map(permissionKey));
      if (op.ingress.some((p) => have.has(permissionKey(p)))) {
        throw new SimulatedElbError("InvalidPermission.Duplicate", "the rule exists");
      }
      frontend.ingress.push(
        ...op.ingress.map((p) => ({ ...p, ruleId: ruleId(frontend.id, permissionKey(p)), owned: true })),
      );
      return state;
    }
    case "RevokeSecurityGroupIngress": {
      const frontend = groups.frontend;
      if (!frontend) throw new SimulatedElbError("InvalidGroup.NotFound", "no frontend security group");
      const gone = new Set(op.rules.map((r) => r.ruleId));
      frontend.ingress = frontend.ingress.filter((r) => !gone.has(r.ruleId));
      return state;
    }
    case "AuthorizeTargetIngress": {
      if (!groups.backend) throw new SimulatedElbError("InvalidGroup.NotFound", "no backend security group");
      for (const a of op.access) {
        const rule = groups.targetRules.find(
          (r) => r.groupId === SIMULATED_TARGET_GROUP && r.protocol === a.protocol && r.port === a.port,
        );
        if (rule) {
          if (!rule.targets.includes(a.ip)) rule.targets.push(a.ip);
        } else {
          groups.targetRules.push({
            groupId: SIMULATED_TARGET_GROUP,
            ruleId: ruleId(SIMULATED_TARGET_GROUP, groups.backend.id, a.protocol, a.port),
            protocol: a.protocol,
            port: a.port,
            targets: [a.ip],
            claimed: true,
          });
        }
      }
      return state;
    }
    case "RevokeTargetIngress":
      if (op.forget && groups.unresolvedTargets) {
        const forget = new Set(op.forget);
        groups.unresolvedTargets = groups.unresolvedTargets.filter((ip) => !forget.has(ip));
        if (groups.unresolvedTargets.length === 0) delete groups.unresolvedTargets;
      }
      for (const release of op.rules) {
        const rule = groups.targetRules.find((r) => r.ruleId === release.ruleId);
        if (!rule) continue;
        rule.targets = rule.targets.filter((ip) => !release.staleTargets.includes(ip));
        if (rule.targets.length === 0) groups.targetRules = groups.targetRules.filter((r) => r !== rule);
      }
      return state;
    case "DeleteSecurityGroup":
      if (state.loadBalancer?.securityGroups.includes(op.groupId)) {
        throw new SimulatedElbError("DependencyViolation", `${op.groupId} is used by the load balancer`);
      }
      if (groups.frontend?.id === op.groupId) delete groups.frontend;
      return state;
    case "ReleaseBackendSecurityGroup":
      if (state.loadBalancer?.securityGroups.includes(op.groupId)) {
        throw new SimulatedElbError("DependencyViolation", `${op.groupId} is used by the load balancer`);
      }
      if (groups.backend?.id === op.groupId) delete groups.backend;
      return state;
  }
}
