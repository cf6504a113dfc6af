/**
 * Planning the security groups of one load balancer: desired (SecurityGroupsModel, the targets)
 * against observed (ObservedSecurityGroups) → EC2 operations, split around the ELBv2 plan:
 *
 * - `prepare` runs first: the groups the load balancer will name, the frontend group's new rules,
 *   and the rules admitting the backend group to new targets (before they are registered, so
 *   their first health checks already pass);
 * - the load balancer names its groups at creation (or SetSecurityGroups changes them);
 * - `cleanup` runs last: rules no listener or target needs any more (after the rules replacing
 *   them exist and deregistered targets were told to drain), then groups no longer used, after
 *   the load balancer is gone or stopped naming them.
 *
 * A Network Load Balancer gets security groups only at creation: one created without them keeps
 * none (nothing is created for it), and one created with them keeps at least those; the status
 * says so (`securityGroupNotes`).
 */
import type { LoadBalancerModel } from "./model.ts";
import { TAG } from "./naming.ts";
import type { ObservedElb, ObservedLoadBalancer } from "./observed.ts";
import type { ElbOperation } from "./operations.ts";
import type {
  ManagedGroupRole,
  ObservedSecurityGroups,
  SecurityGroupOperation,
  TargetRuleRelease,
} from "./security-group-state.ts";
import {
  accessKey,
  backendRuleTags,
  permissionKey,
  type SecurityGroupsModel,
  targetAccess,
} from "./security-groups.ts";

/** The security groups a load balancer names: ids that exist and roles this plan creates. */
export interface LoadBalancerGroups {
  ids: string[];
  created: ManagedGroupRole[];
}

export interface SecurityGroupPlan {
  prepare: SecurityGroupOperation[];
  cleanup: SecurityGroupOperation[];
  /** What CreateLoadBalancer names. */
  groups: LoadBalancerGroups;
  /** SetSecurityGroups on the existing load balancer, when its groups or settings must change. */
  update?: ElbOperation;
  /** SetSecurityGroups right after CreateLoadBalancer, for what creation cannot set. */
  afterCreate?: ElbOperation;
}

/** Why the groups of an existing Network Load Balancer cannot become what the model says, if so. */
type NlbLimit = "created-without-groups" | "cannot-drop-groups";

function wantsGroups(model: LoadBalancerModel): boolean {
  const sg = model.managedSecurityGroups;
  return model.securityGroups.length > 0 || !!sg?.frontend || !!sg?.backend;
}

function nlbLimit(desired: LoadBalancerModel, lb: ObservedLoadBalancer | undefined): NlbLimit | undefined {
  if (desired.type !== "network" || !lb || lb.type !== "network") return undefined;
  if (lb.securityGroups.length === 0 && wantsGroups(desired)) return "created-without-groups";
  if (lb.securityGroups.length > 0 && !wantsGroups(desired)) return "cannot-drop-groups";
  return undefined;
}

/**
 * The security groups that can actually be had: the model's, except for a Network Load Balancer
 * that cannot change between having groups and having none.
 */
function effectiveGroups(desired: LoadBalancerModel, observed: ObservedElb): SecurityGroupsModel | "keep" {
  const limit = nlbLimit(desired, observed.loadBalancer);
  if (limit === "created-without-groups") return {};
  if (limit === "cannot-drop-groups") return "keep";
  return desired.managedSecurityGroups ?? {};
}

function releaseAll(state: ObservedSecurityGroups): TargetRuleRelease[] {
  return state.targetRules.map((r) => ({
    groupId: r.groupId,
    ruleId: r.ruleId,
    protocol: r.protocol,
    port: r.port,
    staleTargets: [...r.targets],
  }));
}

/** Everything a deleted Gateway leaves behind in EC2, after its load balancer is gone. */
export function securityGroupTeardown(observed: ObservedElb): SecurityGroupOperation[] {
  const state = observed.securityGroups;
  if (!state) return [];
  const ops: SecurityGroupOperation[] = [];
  const rules = releaseAll(state);
  const forget = state.unresolvedTargets ?? [];
  if (rules.length > 0 || forget.length > 0) {
    ops.push({ op: "RevokeTargetIngress", rules, ...(forget.length > 0 ? { forget: [...forget] } : {}) });
  }
  if (state.frontend) ops.push({ op: "DeleteSecurityGroup", role: "frontend", groupId: state.frontend.id });
  if (state.backend) ops.push({ op: "ReleaseBackendSecurityGroup", groupId: state.backend.id });
  return ops;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

/**
 * The plan for the security groups of `desired` given what exists; `observed` is the state after
 * any replacement of the load balancer was decided (a replaced one counts as gone).
 */
export function planSecurityGroups(desired: LoadBalancerModel, observed: ObservedElb): SecurityGroupPlan {
  const state = observed.securityGroups;
  const effective = effectiveGroups(desired, observed);
  const prepare: SecurityGroupOperation[] = [];
  const cleanup: SecurityGroupOperation[] = [];
  const lb = observed.loadBalancer;

  if (effective === "keep") {
    // A Network Load Balancer cannot shed all its groups: what it has stays, rules included, and
    // the targets stay reachable through the backend group it still names.
    // The model has no backend group (it disables groups), so the claim tags come from the
    // ownership tags (a registered cluster id is short enough to be its own tag value).
    const clusterId = desired.tags[TAG.cluster] ?? "";
    const keep = state?.backend
      ? planTargetRules(desired, state, backendRuleTags(clusterId, desired.gatewayKey), cleanup)
      : [];
    return { prepare: keep, cleanup, groups: { ids: lb?.securityGroups ?? [], created: [] } };
  }

  const created: ManagedGroupRole[] = [];
  const ids: string[] = [...desired.securityGroups];

  // Frontend group: created with its rules, or its rules brought to what the listeners need.
  const frontend = effective.frontend;
  if (frontend) {
    const have = state?.frontend;
    if (!have) {
      prepare.push({
        op: "CreateSecurityGroup",
        role: "frontend",
        name: frontend.name,
        description: frontend.description,
        tags: frontend.tags,
      });
      created.push("frontend");
    } else {
      ids.push(have.id);
    }
    const haveKeys = new Set((have?.ingress ?? []).map(permissionKey));
    const wantKeys = new Set(frontend.ingress.map(permissionKey));
    const missing = frontend.ingress.filter((p) => !haveKeys.has(permissionKey(p)));
    if (missing.length > 0) {
      prepare.push({ op: "AuthorizeSecurityGroupIngress", ingress: missing, tags: frontend.ruleTags });
    }
    const stale = (have?.ingress ?? []).filter((r) => r.owned && !wantKeys.has(permissionKey(r)));
    if (stale.length > 0) cleanup.push({ op: "RevokeSecurityGroupIngress", rules: stale });
  }

  // Backend group: found or created, and the rules admitting it to the targets.
  if (effective.backend) {
    if (!state?.backend) {
      prepare.push({
        op: "CreateSecurityGroup",
        role: "backend",
        name: effective.backend.name,
        description: effective.backend.description,
        tags: effective.backend.tags,
      });
      created.push("backend");
    } else {
      ids.push(state.backend.id);
    }
    prepare.push(...planTargetRules(desired, state ?? { targetRules: [] }, effective.backend.ruleTags, cleanup));
  } else if (state) {
    const rules = releaseAll(state);
    const forget = state.unresolvedTargets ?? [];
    if (rules.length > 0 || forget.length > 0) {
      cleanup.push({ op: "RevokeTargetIngress", rules, ...(forget.length > 0 ? { forget: [...forget] } : {}) });
    }
  }

  // Groups no longer named go once the load balancer stopped naming them (SetSecurityGroups runs
  // before cleanup) or is gone.
  if (!frontend && state?.frontend) {
    cleanup.push({ op: "DeleteSecurityGroup", role: "frontend", groupId: state.frontend.id });
  }
  if (!effective.backend && state?.backend) {
    cleanup.push({ op: "ReleaseBackendSecurityGroup", groupId: state.backend.id });
  }

  const groups = { ids, created };
  const enforce = effective.enforceInboundRulesOnPrivateLinkTraffic;
  const setGroups = (): Extract<ElbOperation, { op: "SetSecurityGroups" }> => ({
    op: "SetSecurityGroups",
    securityGroups: ids,
    ...(created.length > 0 ? { managedSecurityGroups: created } : {}),
    ...(enforce ? { enforceInboundRulesOnPrivateLinkTraffic: enforce } : {}),
  });
  const plan: SecurityGroupPlan = { prepare, cleanup, groups };
  const named = ids.length + created.length > 0;
  if (!lb) {
    // CreateLoadBalancer cannot set the PrivateLink setting: a SetSecurityGroups follows it.
    if (desired.type === "network" && enforce && named) plan.afterCreate = setGroups();
    return plan;
  }
  if (!named) return plan;
  // An NLB created without groups was handled above (no groups wanted from it).
  const groupsChange = created.length > 0 || !sameSet(ids, lb.securityGroups);
  const enforceChanges =
    desired.type === "network" && !!enforce && enforce !== lb.enforceInboundRulesOnPrivateLinkTraffic;
  if (groupsChange || enforceChanges) plan.update = setGroups();
  return plan;
}

/**
 * Rules on the targets' groups: new targets (and ports) get the backend group admitted; rules
 * whose targets left are released (pushed to `cleanup`). Which group a target sits behind is
 * known only once its network interface is looked up, so the executor resolves it; a rule still
 * needed by a target authorized earlier in the same plan is kept by the executor.
 */
function planTargetRules(
  desired: LoadBalancerModel,
  state: ObservedSecurityGroups,
  tags: Record<string, string>,
  cleanup: SecurityGroupOperation[],
): SecurityGroupOperation[] {
  const want = targetAccess(desired);
  const wantKeys = new Set(want.map(accessKey));
  const covered = new Set(
    state.targetRules.flatMap((r) => r.targets.map((ip) => accessKey({ ip, protocol: r.protocol, port: r.port }))),
  );
  // Looked up and not found: retried by the drift check, not by every plan.
  const unresolved = new Set(state.unresolvedTargets ?? []);
  const wantIps = new Set(want.map((a) => a.ip));
  const forget = [...unresolved].filter((ip) => !wantIps.has(ip));
  const releases: TargetRuleRelease[] = [];
  for (const r of state.targetRules) {
    const staleTargets = r.targets.filter((ip) => !wantKeys.has(accessKey({ ip, protocol: r.protocol, port: r.port })));
    if (staleTargets.length > 0 || r.targets.length === 0) {
      releases.push({ groupId: r.groupId, ruleId: r.ruleId, protocol: r.protocol, port: r.port, staleTargets });
    }
  }
  if (releases.length > 0 || forget.length > 0) {
    cleanup.push({ op: "RevokeTargetIngress", rules: releases, ...(forget.length > 0 ? { forget } : {}) });
  }
  const missing = want.filter((a) => !covered.has(accessKey(a)) && !unresolved.has(a.ip));
  if (missing.length === 0) return [];
  return [{ op: "AuthorizeTargetIngress", access: missing, tags }];
}

/**
 * What status must say about security groups the data plane cannot have as configured, or about
 * targets no rule could be added for; undefined when nothing.
 */
export function securityGroupNotes(desired: LoadBalancerModel | undefined, observed: ObservedElb): string | undefined {
  const notes: string[] = [];
  const lb = observed.loadBalancer;
  const limit = desired ? nlbLimit(desired, lb) : undefined;
  if (limit === "created-without-groups") {
    notes.push(
      `network load balancer ${lb?.name} was created without security groups and a Network Load Balancer cannot gain them later: ` +
        "its source ranges are not enforced and no rule is added to the targets' security groups; " +
        "delete and re-create the Gateway to get security groups",
    );
  }
  if (limit === "cannot-drop-groups") {
    notes.push(
      `network load balancer ${lb?.name} was created with security groups and a Network Load Balancer cannot drop all of them: ` +
        "it keeps them; disableSecurityGroup applies to a load balancer when it is created",
    );
  }
  const targets = new Set(desired?.targetGroups.flatMap((tg) => tg.targets.map((t) => t.id)) ?? []);
  const unresolved = (observed.securityGroups?.unresolvedTargets ?? []).filter((ip) => targets.has(ip));
  // Instance targets (nodes) are EC2 instance ids; the others are addresses.
  const instances = unresolved.filter((t) => /^i-[0-9a-f]+$/.test(t));
  const addresses = unresolved.filter((t) => !instances.includes(t));
  const listed = (items: readonly string[]) =>
    `${items.slice(0, 5).join(", ")}${items.length > 5 ? ` and ${items.length - 5} more` : ""}`;
  if (desired && addresses.length > 0) {
    notes.push(
      `no network interface in the VPC has the target address ${listed(addresses)}: the load balancer's backend security group could not be admitted to it`,
    );
  }
  if (desired && instances.length > 0) {
    notes.push(
      `no instance in the VPC (terminated ones aside) is the node ${listed(instances)}: the load balancer's backend security group could not be admitted to it`,
    );
  }
  return notes.length > 0 ? notes.join("; ") : undefined;
}
