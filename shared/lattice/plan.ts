/**
 * Planning for VPC Lattice: (desired model, what exists) → the ordered operations that turn one
 * into the other. Pure; the Lattice executors (shared/aws/lattice/) run the list.
 *
 * Order: the service network (found, or created when the Gateway asks for it) and its VPC
 * association; target groups and their targets before anything forwards to them; services,
 * listeners and rules; service ↔ network associations; deletions last, after nothing forwards to
 * what goes.
 *
 * New target groups: Lattice takes targets only once a group is ACTIVE, and a group just created is
 * usually still CREATE_IN_PROGRESS (RegisterTargets is refused with a ConflictException). So a plan
 * creates the group and leaves its targets `pending`; the reconcile that finds it ACTIVE registers
 * them. Make before break: an existing service whose rules would move to such a group keeps its
 * current rules (and the groups they forward to) until the group is ACTIVE and holds its targets,
 * so traffic never moves to an empty group. A new service has no traffic to keep.
 *
 * Rules: new rules are created at free priorities (their own when free), stale ones deleted, then
 * one BatchUpdateRule per listener moves every rule to its place and changes what changed, so a
 * change of one rule costs O(1) writes and a reordering of R rules O(R / 10), never O(R²).
 *
 * Ownership: a service network is deleted only when switchyard created it for this Gateway, and an
 * association (service ↔ network, network ↔ VPC) only when it carries this Gateway's tags.
 */
import { TAG } from "../elb/naming.ts";
import type { DataPlanePlan } from "../reconcile/ports.ts";
import { forwardedGroups } from "./actions.ts";
import { canonicalJson, matchDigest } from "./digest.ts";
import { MAX_RULE_PRIORITY, MAX_TARGETS_PER_REGISTER_CALL, MIN_RULE_PRIORITY } from "./limits.ts";
import type {
  LatticeAction,
  LatticeExportModel,
  LatticeListenerModel,
  LatticeModel,
  LatticeRuleModel,
  LatticeServiceModel,
  LatticeTargetGroupModel,
  LatticeTargetModel,
} from "./model.ts";
import { type ObservedLattice, type ObservedListener, type ObservedService, refersTo } from "./observed.ts";
import {
  type LatticeOperation,
  type LatticePolicyTarget,
  type LatticeRuleUpdate,
  MAX_RULES_PER_BATCH_UPDATE,
} from "./operations.ts";
import { planAccessLogs, planAuth, planTags } from "./plan-policies.ts";

export type LatticePlan = DataPlanePlan<LatticeOperation>;

/** Equal values, whatever order AWS returned fields in. */
function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The desired action with every target group reference the executor can resolve by ARN written as
 * `arn:<arn>`, as the observer reports a group this Gateway does not own.
 */
function resolvedAction(action: LatticeAction, model: LatticeModel): LatticeAction {
  if (action.type !== "forward") return action;
  const refs = new Map(model.targetGroupReferences.map((r) => [r.id, r.arn]));
  return {
    type: "forward",
    targetGroups: action.targetGroups.map((t) => {
      const arn = refs.get(t.targetGroupId);
      return arn ? { targetGroupId: `arn:${arn}`, weight: t.weight } : t;
    }),
  };
}

/**
 * An action as compared with what Lattice holds: a group referenced by ARN is named by its id (the
 * ARN's last segment), since Lattice answers a forward with the group's id (whichever identifier was
 * sent), and a drift read or BatchUpdateRule answer records it so (`arn:tg-…`). Without this a rule
 * forwarding to another cluster's group would look changed on every reconcile.
 */
function comparable(action: LatticeAction): LatticeAction {
  if (action.type !== "forward") return action;
  return {
    type: "forward",
    targetGroups: action.targetGroups.map((t) =>
      t.targetGroupId.startsWith("arn:")
        ? { targetGroupId: `arn:${t.targetGroupId.slice("arn:".length).split("/").at(-1)}`, weight: t.weight }
        : t,
    ),
  };
}

function sameAction(have: LatticeAction, want: LatticeAction): boolean {
  return same(comparable(have), comparable(want));
}

function targetKey(t: LatticeTargetModel): string {
  return `${t.id}:${t.port}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------- target groups ----------

function targetDiff(
  desired: readonly LatticeTargetModel[],
  observed: readonly LatticeTargetModel[],
): { add: LatticeTargetModel[]; remove: LatticeTargetModel[] } {
  const want = new Set(desired.map(targetKey));
  const have = new Set(observed.map(targetKey));
  return {
    add: desired.filter((t) => !have.has(targetKey(t))),
    remove: observed.filter((t) => !want.has(targetKey(t))),
  };
}

function registrations(targetGroupId: string, targets: readonly LatticeTargetModel[]): LatticeOperation[] {
  return chunks(targets, MAX_TARGETS_PER_REGISTER_CALL).map((batch) => ({
    op: "RegisterTargets",
    targetGroupId,
    targets: batch,
  }));
}

function deregistrations(targetGroupId: string, targets: readonly LatticeTargetModel[]): LatticeOperation[] {
  return chunks(targets, MAX_TARGETS_PER_REGISTER_CALL).map((batch) => ({
    op: "DeregisterTargets",
    targetGroupId,
    targets: batch,
  }));
}

function createTargetGroup(tg: LatticeTargetGroupModel): LatticeOperation {
  return {
    op: "CreateTargetGroup",
    targetGroupId: tg.id,
    name: tg.name,
    protocol: tg.protocol,
    ...(tg.protocolVersion ? { protocolVersion: tg.protocolVersion } : {}),
    port: tg.port,
    ipAddressType: tg.ipAddressType,
    ...(tg.healthCheck ? { healthCheck: tg.healthCheck } : {}),
    tags: tg.tags,
  };
}

/**
 * Target groups created or diffed against what exists; stale groups are the caller's (a Gateway's go
 * last, a ServiceExport's are drained). `waiting`: the groups that are to hold targets but cannot
 * take them yet (just created here, or still CREATE_IN_PROGRESS): a later reconcile registers them.
 */
function planTargetGroups(
  desired: readonly LatticeTargetGroupModel[],
  observed: ObservedLattice,
): { ops: LatticeOperation[]; deregistrations: LatticeOperation[]; waiting: LatticeTargetGroupModel[] } {
  const ops: LatticeOperation[] = [];
  const removed: LatticeOperation[] = [];
  const waiting: LatticeTargetGroupModel[] = [];
  const observedGroups = new Map(observed.targetGroups.map((t) => [t.id, t]));
  // A group's model id holds its protocol, version and port, and its name hashes the id: one id
  // is one immutable identity, so a group is never changed into another, only created and deleted.
  for (const tg of desired) {
    const have = observedGroups.get(tg.id);
    if (!have || have.status === "CREATE_IN_PROGRESS") {
      if (!have) ops.push(createTargetGroup(tg));
      if (tg.targets.length > 0) waiting.push(tg);
      continue;
    }
    if (tg.healthCheck && !same(tg.healthCheck, have.healthCheck)) {
      ops.push({ op: "UpdateTargetGroup", targetGroupId: tg.id, healthCheck: tg.healthCheck });
    }
    ops.push(...planTags({ kind: "target-group", targetGroupId: tg.id }, tg.tags, have.tags));
    const { add, remove } = targetDiff(tg.targets, have.targets);
    ops.push(...registrations(tg.id, add));
    removed.push(...deregistrations(tg.id, remove));
  }
  return { ops, deregistrations: removed, waiting };
}

// ---------- rules ----------

/**
 * A listener's rule changes: creations at free priorities, deletions of stale rules, then one
 * BatchUpdateRule (per 10 rules) for every rule whose priority, match or action is not yet desired.
 */
function planRules(
  serviceId: string,
  listener: LatticeListenerModel,
  observed: ObservedListener | undefined,
  model: LatticeModel,
): { creates: LatticeOperation[]; deletes: LatticeOperation[]; updates: LatticeOperation[] } {
  const existing = observed?.rules ?? [];
  const byId = new Map(existing.map((r) => [r.id, r]));
  const wanted = new Set(listener.rules.map((r) => r.id));
  const occupied = new Set(existing.map((r) => r.priority));
  const creates: LatticeOperation[] = [];
  const updates: LatticeRuleUpdate[] = [];
  const free = (preferred: number): number => {
    if (!occupied.has(preferred)) return preferred;
    for (let p = MAX_RULE_PRIORITY; p >= MIN_RULE_PRIORITY; p--) if (!occupied.has(p)) return p;
    // Unreachable while a listener holds fewer rules than priorities; the batch then reports it.
    return preferred;
  };
  for (const rule of listener.rules) {
    const action = resolvedAction(rule.action, model);
    const have = byId.get(rule.id);
    if (!have) {
      const priority = free(rule.priority);
      occupied.add(priority);
      creates.push({
        op: "CreateRule",
        serviceId,
        listenerId: listener.id,
        ruleId: rule.id,
        priority,
        match: rule.match,
        action,
      });
      if (priority !== rule.priority) updates.push({ ruleId: rule.id, priority: rule.priority });
      continue;
    }
    const update: LatticeRuleUpdate = { ruleId: rule.id };
    if (have.priority !== rule.priority) update.priority = rule.priority;
    if (have.matchDigest !== matchDigest(rule.match)) update.match = rule.match;
    if (!sameAction(have.action, action)) update.action = action;
    if (Object.keys(update).length > 1) updates.push(update);
  }
  const deletes: LatticeOperation[] = existing
    .filter((r) => !wanted.has(r.id))
    .map((r) => ({ op: "DeleteRule", serviceId, listenerId: listener.id, ruleId: r.id, arn: r.arn }));
  return {
    creates,
    deletes,
    updates: chunks(updates, MAX_RULES_PER_BATCH_UPDATE).map((batch) => ({
      op: "UpdateRules",
      serviceId,
      listenerId: listener.id,
      updates: batch,
    })),
  };
}

function createRules(serviceId: string, listener: LatticeListenerModel, model: LatticeModel): LatticeOperation[] {
  return listener.rules.map((rule: LatticeRuleModel) => ({
    op: "CreateRule",
    serviceId,
    listenerId: listener.id,
    ruleId: rule.id,
    priority: rule.priority,
    match: rule.match,
    action: resolvedAction(rule.action, model),
  }));
}

// ---------- services ----------

/** Why an existing service cannot become the desired one in place (Lattice names and domains are immutable). */
function serviceReplacement(desired: LatticeServiceModel, observed: ObservedService): string | undefined {
  if (desired.name !== observed.name) return `service name ${observed.name} → ${desired.name}`;
  if ((desired.customDomainName ?? "") !== (observed.customDomainName ?? "")) {
    return `custom domain name ${observed.customDomainName ?? "(none)"} → ${desired.customDomainName ?? "(none)"}`;
  }
  return undefined;
}

/** Whether the shared service an association was made with is the one the model names. */
function sameSharedService(
  associated: { name: string; customDomainName?: string },
  wanted: { name: string; customDomainName?: string },
): boolean {
  return associated.name === wanted.name && (associated.customDomainName ?? "") === (wanted.customDomainName ?? "");
}

function createService(service: LatticeServiceModel, model: LatticeModel): LatticeOperation[] {
  const target: LatticePolicyTarget = { kind: "service", serviceId: service.id };
  return [
    {
      op: "CreateService",
      serviceId: service.id,
      name: service.name,
      ...(service.customDomainName ? { customDomainName: service.customDomainName } : {}),
      ...(service.certificateArn ? { certificateArn: service.certificateArn } : {}),
      ...(service.auth ? { authType: service.auth.authType } : {}),
      tags: service.tags,
    },
    // Created with its auth type: the policy follows before anything associates the service.
    ...planAuth(target, service.auth, undefined, { owner: true, createdWithAuthType: true }).apply,
    ...planAccessLogs(target, service.accessLogs, undefined, accessLogTags(model, target)).apply,
    ...service.listeners.flatMap((l) => [createListener(service.id, l, model), ...createRules(service.id, l, model)]),
  ];
}

function accessLogTags(model: LatticeModel, target: LatticePolicyTarget): Record<string, string> {
  return associationTags(model, `access-log:${target.kind === "service" ? target.serviceId : "service-network"}`);
}

function createListener(serviceId: string, listener: LatticeListenerModel, model: LatticeModel): LatticeOperation {
  return {
    op: "CreateListener",
    serviceId,
    listenerId: listener.id,
    name: listener.name,
    protocol: listener.protocol,
    port: listener.port,
    defaultAction: resolvedAction(listener.defaultAction, model),
    tags: listener.tags,
  };
}

function deleteService(
  observed: ObservedService,
  associations: ObservedLattice["serviceAssociations"],
): LatticeOperation[] {
  return [
    // A service with an association cannot be deleted; only this Gateway's own associations go.
    ...associations
      .filter((a) => a.serviceId === observed.id && a.owned)
      .map((a): LatticeOperation => ({ op: "DeleteServiceAssociation", serviceId: a.serviceId, arn: a.arn })),
    { op: "DeleteService", serviceId: observed.id, arn: observed.arn },
  ];
}

function planService(
  service: LatticeServiceModel,
  observed: ObservedService,
  model: LatticeModel,
): { early: LatticeOperation[]; rules: LatticeOperation[]; late: LatticeOperation[] } {
  const early: LatticeOperation[] = [];
  const rules: LatticeOperation[] = [];
  if (service.certificateArn && service.certificateArn !== observed.certificateArn) {
    early.push({ op: "UpdateService", serviceId: service.id, certificateArn: service.certificateArn });
  }
  const target: LatticePolicyTarget = { kind: "service", serviceId: service.id };
  const auth = planAuth(target, service.auth, observed, { owner: true, createdWithAuthType: false });
  const logs = planAccessLogs(target, service.accessLogs, observed.accessLogs, accessLogTags(model, target));
  early.push(...planTags(target, service.tags, observed.tags), ...auth.apply, ...logs.apply);
  for (const listener of service.listeners) {
    const have = observed.listeners.find((l) => l.id === listener.id);
    if (have) {
      early.push(
        ...planTags({ kind: "listener", serviceId: service.id, listenerId: listener.id }, listener.tags, have.tags),
      );
    }
  }
  const wanted = new Set(service.listeners.map((l) => l.id));
  // Stale listeners go first: a service holds at most two, and a port change is a new listener.
  for (const l of observed.listeners) {
    if (!wanted.has(l.id)) early.push({ op: "DeleteListener", serviceId: service.id, listenerId: l.id, arn: l.arn });
  }
  for (const listener of service.listeners) {
    const have = observed.listeners.find((l) => l.id === listener.id);
    if (!have) {
      early.push(createListener(service.id, listener, model), ...createRules(service.id, listener, model));
      continue;
    }
    const defaultAction = resolvedAction(listener.defaultAction, model);
    if (!sameAction(have.defaultAction, defaultAction)) {
      early.push({ op: "UpdateListener", serviceId: service.id, listenerId: listener.id, defaultAction });
    }
    const planned = planRules(service.id, listener, have, model);
    rules.push(...planned.creates, ...planned.deletes, ...planned.updates);
  }
  return { early, rules, late: [...auth.remove, ...logs.remove] };
}

// ---------- the plan ----------

/**
 * Ownership tags for an association this Gateway creates, with `role`: the Gateway's own tags (from
 * its network when switchyard creates it, else from any resource it owns). A referenced network
 * carries no tags of this Gateway, but what the Gateway associates with it is still its own.
 */
function associationTags(desired: LatticeModel, role: string): Record<string, string> {
  const owned =
    [
      desired.serviceNetwork.tags,
      ...desired.services.map((s) => s.tags),
      ...desired.targetGroups.map((t) => t.tags),
    ].find((tags) => Object.keys(tags).length > 0) ?? {};
  return Object.keys(owned).length > 0 ? { ...owned, [TAG.role]: role } : {};
}

export function planLattice(desired: LatticeModel | undefined, observed: ObservedLattice): LatticePlan {
  if (!desired) return { operations: teardown(observed) };
  const ops: LatticeOperation[] = [];
  const deletions: LatticeOperation[] = [];
  const replacements: string[] = [];

  // Service network: found again when its reference changed, after what this Gateway associated
  // with the old one is gone.
  const network = desired.serviceNetwork;
  const needsNetwork =
    desired.serviceAssociations.length > 0 ||
    network.vpcAssociation !== undefined ||
    network.auth !== undefined ||
    network.accessLogs.length > 0;
  const networkMoved = observed.serviceNetwork !== undefined && !refersTo(network.ref, observed.serviceNetwork);
  let associations = observed.serviceAssociations;
  let vpcAssociation = observed.vpcAssociation;
  if (networkMoved) {
    ops.push(
      ...associations
        .filter((a) => a.owned)
        .map((a): LatticeOperation => ({ op: "DeleteServiceAssociation", serviceId: a.serviceId, arn: a.arn })),
      // What this Gateway put on the old network goes with its reference.
      ...networkPoliciesRemoved(observed),
    );
    if (vpcAssociation?.owned) ops.push({ op: "DeleteVpcAssociation", arn: vpcAssociation.arn });
    if (observed.serviceNetwork?.created) ops.push({ op: "DeleteServiceNetwork", arn: observed.serviceNetwork.arn });
    associations = [];
    vpcAssociation = undefined;
  }
  if (needsNetwork && (!observed.serviceNetwork || networkMoved)) {
    ops.push({
      op: "FindServiceNetwork",
      ref: network.ref,
      create: network.lifecycle === "create",
      tags: network.tags,
    });
  }
  // The network's auth and access logs: on a network switchyard created, all its own; on a
  // referenced one, only what an IAMAuthPolicy or AccessLogPolicy asks for and what switchyard put.
  const networkTarget: LatticePolicyTarget = { kind: "service-network" };
  const haveNetwork = networkMoved ? undefined : observed.serviceNetwork;
  const networkOwned = haveNetwork ? haveNetwork.created : network.lifecycle === "create";
  if (needsNetwork || haveNetwork) {
    const auth = planAuth(networkTarget, network.auth, haveNetwork, {
      owner: networkOwned,
      createdWithAuthType: false,
    });
    const logs = planAccessLogs(
      networkTarget,
      network.accessLogs,
      haveNetwork?.accessLogs,
      accessLogTags(desired, networkTarget),
    );
    if (haveNetwork?.created) ops.push(...planTags(networkTarget, network.tags, haveNetwork.tags));
    ops.push(...auth.apply, ...logs.apply);
    deletions.push(...auth.remove, ...logs.remove);
  }
  const wantVpc = network.vpcAssociation;
  if (wantVpc && !vpcAssociation) {
    ops.push({
      op: "CreateVpcAssociation",
      securityGroupIds: wantVpc.securityGroupIds,
      tags: associationTags(desired, "vpc-association"),
    });
  } else if (
    wantVpc &&
    vpcAssociation?.owned &&
    !same([...vpcAssociation.securityGroupIds].sort(), [...wantVpc.securityGroupIds].sort())
  ) {
    ops.push({ op: "UpdateVpcAssociation", arn: vpcAssociation.arn, securityGroupIds: wantVpc.securityGroupIds });
  } else if (!wantVpc && vpcAssociation?.owned) {
    deletions.push({ op: "DeleteVpcAssociation", arn: vpcAssociation.arn });
  }

  const groups = planTargetGroups(desired.targetGroups, observed);
  ops.push(...groups.ops);
  deletions.push(...groups.deregistrations);
  const notReady = new Set(groups.waiting.map((tg) => tg.id));
  const waiting = groups.waiting.map((tg) => `target group ${tg.name} (being created: targets registered once ACTIVE)`);
  // Groups the current rules of a held service still forward to: not deleted before they move.
  const stillForwardedTo = new Set<string>();

  // Services: created, replaced (a new name or custom domain name: a new DNS name), or diffed.
  const observedServices = new Map(observed.services.map((s) => [s.id, s]));
  const ruleOps: LatticeOperation[] = [];
  const replacedServices = new Set<string>();
  for (const service of desired.services) {
    const have = observedServices.get(service.id);
    const replace = have ? serviceReplacement(service, have) : undefined;
    if (have && replace) {
      replacements.push(`service ${service.id}: ${replace}`);
      replacedServices.add(service.id);
      ops.push(...deleteService(have, associations));
    }
    if (!have || replace) {
      ops.push(...createService(service, desired));
      continue;
    }
    const moving = [...forwardedGroups(service.listeners)].filter((id) => notReady.has(id));
    if (moving.length > 0) {
      // Make before break: the rules move once their new groups hold targets (see the header).
      for (const id of forwardedGroups(have.listeners)) stillForwardedTo.add(id);
      waiting.push(
        `service ${service.name} (its rules move to ${moving.length} new target group(s) once they hold targets)`,
      );
      continue;
    }
    const planned = planService(service, have, desired);
    ops.push(...planned.early);
    ruleOps.push(...planned.rules);
    deletions.push(...planned.late);
  }
  ops.push(...ruleOps);

  // Service ↔ network associations: this Gateway's own services, and the services other Gateways
  // own for routes that also attach here (found by the name their owner gives them).
  const desiredServices = new Set(desired.services.map((s) => s.id));
  const sharedRefs = new Map((desired.sharedServices ?? []).map((s) => [s.id, s]));
  const wantAssociated = new Set(
    desired.serviceAssociations.filter((id) => desiredServices.has(id) || sharedRefs.has(id)),
  );
  for (const id of wantAssociated) {
    const shared = desiredServices.has(id) ? undefined : sharedRefs.get(id);
    const existing = associations.find((a) => a.serviceId === id);
    // The owner replaces a shared service (a new name or custom domain name): Lattice deletes no
    // service still associated, so this Gateway's association of the old one goes first, and the
    // new one is associated once it exists (shared/lattice/README.md, "Shared services").
    const replacedByOwner =
      shared !== undefined &&
      existing?.sharedService !== undefined &&
      !sameSharedService(existing.sharedService, shared);
    if (replacedByOwner && existing.owned) {
      ops.push({ op: "DeleteServiceAssociation", serviceId: id, arn: existing.arn });
    }
    const have = existing !== undefined && !replacedServices.has(id) && !(replacedByOwner && existing.owned);
    if (!have) {
      ops.push({
        op: "CreateServiceAssociation",
        serviceId: id,
        ...(shared ? { serviceName: shared.name } : {}),
        ...(shared?.customDomainName ? { customDomainName: shared.customDomainName } : {}),
        tags: associationTags(desired, `service-association:${id}`),
      });
    }
  }
  const observedServiceIds = new Set(observed.services.map((s) => s.id));
  for (const a of associations) {
    // A stale own service takes its associations with it (below); any other association this
    // Gateway made and no longer wants goes here, a shared service's included.
    const staleOwn = observedServiceIds.has(a.serviceId) && !desiredServices.has(a.serviceId);
    if (a.owned && !wantAssociated.has(a.serviceId) && !staleOwn) {
      deletions.unshift({ op: "DeleteServiceAssociation", serviceId: a.serviceId, arn: a.arn });
    }
  }

  // What no longer exists in the model: stale services (and their associations), then groups.
  for (const s of observed.services) {
    if (!desiredServices.has(s.id)) deletions.push(...deleteService(s, associations));
  }
  const desiredGroups = new Set(desired.targetGroups.map((t) => t.id));
  for (const tg of observed.targetGroups) {
    if (desiredGroups.has(tg.id)) continue;
    if (stillForwardedTo.has(tg.id)) continue;
    deletions.push({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn });
  }
  return {
    operations: [...ops, ...deletions],
    ...(replacements.length > 0 ? { replacement: replacements.join("; ") } : {}),
    ...(waiting.length > 0 ? { pending: waiting.join(", ") } : {}),
  };
}

/**
 * What this Gateway put on its service network: its access log subscriptions, and the auth policy
 * it put (with the auth type back to NONE first, or the network would deny every request). A
 * network switchyard created takes them with it, so they are removed only from a referenced one.
 */
function networkPoliciesRemoved(observed: ObservedLattice): LatticeOperation[] {
  const network = observed.serviceNetwork;
  if (!network || network.created) return [];
  const target: LatticePolicyTarget = { kind: "service-network" };
  return [
    ...planAuth(target, undefined, network, { owner: false, createdWithAuthType: false }).apply,
    ...(network.accessLogs ?? []).map(
      (s): LatticeOperation => ({ op: "DeleteAccessLogSubscription", target, arn: s.arn }),
    ),
    ...(network.authPolicy !== undefined ? [{ op: "DeleteAuthPolicy", target } as const] : []),
  ];
}

/** Everything this Gateway owns, in an order Lattice accepts: associations, services, groups, network. */
function teardown(observed: ObservedLattice): LatticeOperation[] {
  const ops: LatticeOperation[] = [...networkPoliciesRemoved(observed)];
  for (const a of observed.serviceAssociations) {
    if (a.owned) ops.push({ op: "DeleteServiceAssociation", serviceId: a.serviceId, arn: a.arn });
  }
  for (const s of observed.services) ops.push({ op: "DeleteService", serviceId: s.id, arn: s.arn });
  for (const tg of observed.targetGroups) ops.push({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn });
  if (observed.vpcAssociation?.owned) ops.push({ op: "DeleteVpcAssociation", arn: observed.vpcAssociation.arn });
  if (observed.serviceNetwork?.created) ops.push({ op: "DeleteServiceNetwork", arn: observed.serviceNetwork.arn });
  return ops;
}

/**
 * One ServiceExport's groups (`LatticeExportModel`, owned by the exporting cluster, forwarded to by
 * other clusters' services) against what exists. A missing group is created, and takes its targets
 * from a later reconcile once Lattice says it is ACTIVE (before that Lattice refuses them: the
 * plan waits rather than fails); an existing one is diffed like a Gateway's group. A group no
 * longer wanted (the export gone, a port no longer exported, `desired` undefined) is drained before
 * it goes: its targets deregistered, then, once a later reconcile reads none of them DRAINING, the
 * group deleted. `pending` says what a later reconcile still has to do: the engine then records no
 * applied hash, so the next reconcile plans again. Lattice refuses the deletion while an importing
 * cluster's rule still forwards to the group (ConflictException: retried).
 */
export function planLatticeExport(desired: LatticeExportModel | undefined, observed: ObservedLattice): LatticePlan {
  const groups = desired?.targetGroups ?? [];
  const observedGroups = new Map(observed.targetGroups.map((t) => [t.id, t]));
  const ops: LatticeOperation[] = [];
  const deletions: LatticeOperation[] = [];
  const waiting: string[] = [];
  for (const tg of groups) {
    const have = observedGroups.get(tg.id);
    if (!have || have.status === "CREATE_IN_PROGRESS") {
      if (!have) ops.push(createTargetGroup(tg));
      waiting.push(`${tg.name} (being created: targets registered once ACTIVE)`);
      continue;
    }
    if (tg.healthCheck && !same(tg.healthCheck, have.healthCheck)) {
      ops.push({ op: "UpdateTargetGroup", targetGroupId: tg.id, healthCheck: tg.healthCheck });
    }
    ops.push(...planTags({ kind: "target-group", targetGroupId: tg.id }, tg.tags, have.tags));
    const { add, remove } = targetDiff(tg.targets, have.targets);
    ops.push(...registrations(tg.id, add));
    deletions.push(...deregistrations(tg.id, remove));
  }
  const wanted = new Set(groups.map((g) => g.id));
  for (const tg of observed.targetGroups) {
    if (wanted.has(tg.id)) continue;
    if (tg.targets.length > 0) {
      deletions.push(...deregistrations(tg.id, tg.targets));
      waiting.push(`${tg.name} (${tg.targets.length} target(s) deregistered; deleted once drained)`);
    } else if ((tg.draining ?? 0) > 0) {
      waiting.push(`${tg.name} (${tg.draining} target(s) draining; deleted once drained)`);
    } else {
      deletions.push({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn });
    }
  }
  return {
    operations: [...ops, ...deletions],
    ...(waiting.length > 0 ? { pending: waiting.join(", ") } : {}),
  };
}
