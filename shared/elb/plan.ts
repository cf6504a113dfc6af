/**
 * Planning: (desired model, what exists) → the ordered ELBv2 operations that turn one into the
 * other. Pure; the executor runs the list and the same list is what `plan --diff` prints.
 *
 * Order: security groups and the rules admitting traffic first (shared/elb/security-group-plan.ts),
 * then target groups and their targets (so rules never point at nothing), then the load
 * balancer, listeners and rules, and deletions last, stale security group rules and groups after
 * everything that used them. Rule changes are hitless: a rule whose conditions are unchanged, or
 * whose place among the unchanged rules is, is modified in place (one atomic ModifyRule); other new
 * rules are created at their final position before the rules they replace are deleted, so a
 * request served before and after a change is never answered by the listener's default 404 in
 * between.
 */

import { creationSettings } from "./load-balancer-features.ts";
import type { ListenerModel, LoadBalancerModel, TargetGroupModel, TargetModel } from "./model.ts";
import type { ObservedElb, ObservedListener, ObservedRule, ObservedTargetGroup } from "./observed.ts";
import type { ElbOperation, RuleRef } from "./operations.ts";
import { creationChange, planListenerAttributes, planLoadBalancerAddOns, retireLoadBalancer } from "./plan-features.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "./rules.ts";
import { planSecurityGroups, securityGroupTeardown } from "./security-group-plan.ts";
import { sameMutualAuthentication } from "./trust-stores.ts";

/** Highest priority ELBv2 accepts for a listener rule. */
const MAX_RULE_PRIORITY = 50_000;
/** Gap left between planned priorities so later inserts rarely need a renumbering. */
const PRIORITY_SPACING = 10;

export interface Plan {
  operations: ElbOperation[];
  /** Why the load balancer is being replaced, when it is. */
  replacement?: string;
}

// ---------- content comparison ----------

/** Actions with target groups named by their (immutable-field-bearing) name, not by model id. */
function actionKey(actions: readonly RuleAction[], tgName: (id: string) => string): unknown {
  return actions.map((a) =>
    a.type === "forward"
      ? { ...a, targetGroups: a.targetGroups.map((t) => ({ tg: tgName(t.targetGroupId), weight: t.weight })) }
      : a,
  );
}

/**
 * JSON with every object's keys in one order: an observed rule decoded from a state item or an
 * `--observed` file has its fields in the decoder's order, the model in the builder's, and the same
 * rule must compare equal either way.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function conditionKey(conditions: readonly RuleCondition[]): string {
  return canonicalJson(conditions);
}

function contentKey(
  rule: { conditions: RuleCondition[]; actions: RuleAction[]; transforms?: RuleTransform[] },
  tgName: (id: string) => string,
): string {
  return canonicalJson([rule.conditions, actionKey(rule.actions, tgName), rule.transforms ?? []]);
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

// ---------- target groups ----------

function targetKey(t: TargetModel): string {
  return `${t.id}:${t.port}`;
}

/** Fields ELBv2 cannot change on an existing target group: a change means a new group. */
function immutableTargetGroupFields(tg: TargetGroupModel | ObservedTargetGroup): unknown {
  return [
    tg.name,
    tg.protocol,
    tg.protocolVersion ?? "HTTP1",
    tg.port,
    tg.targetType ?? "ip",
    tg.targetControlPort ?? null,
  ];
}

function planTargetGroups(desired: readonly TargetGroupModel[], observed: readonly ObservedTargetGroup[]) {
  const creates: ElbOperation[] = [];
  const updates: ElbOperation[] = [];
  const deletes: ElbOperation[] = [];
  const observedById = new Map(observed.map((tg) => [tg.id, tg]));
  const keep = new Set<string>();
  for (const tg of desired) {
    const existing = observedById.get(tg.id);
    if (!existing || !sameJson(immutableTargetGroupFields(existing), immutableTargetGroupFields(tg))) {
      const { targets, ...spec } = tg;
      creates.push({ op: "CreateTargetGroup", targetGroup: spec });
      if (Object.keys(tg.attributes).length > 0) {
        creates.push({ op: "ModifyTargetGroupAttributes", targetGroupId: tg.id, attributes: tg.attributes });
      }
      if (targets.length > 0) creates.push({ op: "RegisterTargets", targetGroupId: tg.id, targets });
      continue;
    }
    keep.add(existing.arn);
    if (!sameJson(existing.healthCheck, tg.healthCheck)) {
      updates.push({ op: "ModifyTargetGroup", targetGroupId: tg.id, healthCheck: tg.healthCheck });
    }
    const changedAttributes = Object.fromEntries(
      Object.entries(tg.attributes).filter(([k, v]) => existing.attributes[k] !== v),
    );
    if (Object.keys(changedAttributes).length > 0) {
      updates.push({ op: "ModifyTargetGroupAttributes", targetGroupId: tg.id, attributes: changedAttributes });
    }
    const have = new Set(existing.targets.map(targetKey));
    const want = new Set(tg.targets.map(targetKey));
    const register = tg.targets.filter((t) => !have.has(targetKey(t)));
    // Deregistration starts connection draining on the AWS side; targets leave only after it.
    const deregister = existing.targets.filter((t) => !want.has(targetKey(t)));
    if (register.length > 0) updates.push({ op: "RegisterTargets", targetGroupId: tg.id, targets: register });
    if (deregister.length > 0) updates.push({ op: "DeregisterTargets", targetGroupId: tg.id, targets: deregister });
  }
  for (const tg of observed) {
    if (!keep.has(tg.arn)) deletes.push({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn });
  }
  return { creates, updates, deletes };
}

// ---------- rules ----------

/** Longest common subsequence of two key lists, as index pairs. */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = table[i] ?? [];
    const below = table[i + 1] ?? [];
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[i + 1]?.[j] ?? 0) >= (table[i]?.[j + 1] ?? 0)) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

/** The literal start of an ALB path pattern: everything before its first wildcard. */
function literalStart(pattern: string): string {
  const wildcard = pattern.search(/[*?]/);
  return wildcard < 0 ? pattern : pattern.slice(0, wildcard);
}

/**
 * Whether no request can match both condition sets, as far as their path patterns tell: ALB matches
 * a path pattern against the whole path, case-sensitively, so patterns whose literal starts differ
 * before either ends match no common path. Anything else (no path pattern, a regex) may overlap.
 */
function disjointPaths(a: readonly RuleCondition[], b: readonly RuleCondition[]): boolean {
  const globs = (conditions: readonly RuleCondition[]) => {
    const path = conditions.find((c) => c.field === "path-pattern");
    return path?.field === "path-pattern" && !path.regexValues?.length ? (path.values ?? []) : [];
  };
  const [x, y] = [globs(a), globs(b)];
  return (
    x.length > 0 &&
    y.length > 0 &&
    x.every((p) =>
      y.every((q) => {
        const [s, t] = [literalStart(p), literalStart(q)];
        return !s.startsWith(t) && !t.startsWith(s);
      }),
    )
  );
}

/**
 * Rules that keep their place while their conditions change: between two consecutive rules kept
 * as they are (the `kept` index pairs, in order), the k-th desired rule and the k-th existing one
 * that were not kept, up to as many as both sides have. Such an existing rule becomes the desired
 * one with a single ModifyRule, which ELBv2 applies atomically, instead of a create and a delete:
 * its place among the kept rules is already the desired rule's, and a rule carries nothing of its
 * own besides conditions, actions and transforms (its tags are the listener's), so any rule in
 * that place can become any other.
 *
 * One such change is always hitless (what its old conditions matched is served, until then, by
 * rules that exist throughout or were created first). Two are only if neither's old conditions
 * can match the other's new ones: otherwise the first to change could drop requests the second
 * only starts serving later. So a pair is taken only if its paths are disjoint from every pair
 * taken before it, both ways; the others are created and deleted as usual.
 */
function keptInPlace(
  desired: readonly { conditions: RuleCondition[] }[],
  observed: readonly ObservedRule[],
  kept: readonly [number, number][],
): [number, number][] {
  const taken: [number, number][] = [];
  let d = 0;
  let o = 0;
  for (const [nextD, nextO] of [...kept, [desired.length, observed.length] as const]) {
    for (let k = 0; k < Math.min(nextD - d, nextO - o); k++) {
      const [want, have] = [desired[d + k]?.conditions ?? [], observed[o + k]?.conditions ?? []];
      const apart = taken.every(
        ([td, to]) =>
          disjointPaths(have, desired[td]?.conditions ?? []) && disjointPaths(observed[to]?.conditions ?? [], want),
      );
      if (apart) taken.push([d + k, o + k]);
    }
    d = nextD + 1;
    o = nextO + 1;
  }
  return taken;
}

/** Evenly spaced free priorities strictly between `low` and `high`, avoiding `taken`. */
function freeSlots(low: number, high: number, count: number, taken: ReadonlySet<number>): number[] | undefined {
  const free: number[] = [];
  for (let p = low + 1; p < high && free.length < count * PRIORITY_SPACING; p++) if (!taken.has(p)) free.push(p);
  if (free.length < count) return undefined;
  const step = free.length / (count + 1);
  const picked = Array.from({ length: count }, (_, k) => free[Math.floor(step * (k + 1))] ?? 0);
  return new Set(picked).size === count ? picked : free.slice(0, count);
}

interface RulePlanInput {
  listenerId: string;
  desired: ListenerModel["rules"];
  observed: readonly ObservedRule[];
  desiredTgName: (id: string) => string;
  observedTgName: (id: string) => string;
  ruleTags: Record<string, string>;
}

function planRules(input: RulePlanInput): ElbOperation[] {
  const { listenerId, desired, observedTgName, desiredTgName } = input;
  const observed = [...input.observed].sort((a, b) => a.priority - b.priority);
  const unchanged = lcs(
    desired.map((r) => conditionKey(r.conditions)),
    observed.map((r) => conditionKey(r.conditions)),
  );
  // Rules kept: those whose conditions are unchanged, and those whose place is (see keptInPlace).
  const anchors = [...unchanged, ...keptInPlace(desired, observed, unchanged)].sort(([a], [b]) => a - b);
  const anchorOf = new Map(anchors.map(([d, o]) => [d, o]));
  const keptObserved = new Set(anchors.map(([, o]) => o));

  const creates: ElbOperation[] = [];
  const modifies: ElbOperation[] = [];
  const deletes: ElbOperation[] = [];
  const taken = new Set(observed.map((r) => r.priority));
  // Final priority of every desired rule: anchors keep theirs, new rules fill the gaps.
  const finalPriority: number[] = new Array<number>(desired.length).fill(0);
  const refs: RuleRef[] = new Array<RuleRef>(desired.length);
  let needsRenumbering = false;

  for (const [d, o] of anchors) {
    const want = desired[d];
    const have = observed[o];
    if (!want || !have) continue;
    finalPriority[d] = have.priority;
    refs[d] = { arn: have.arn };
    if (contentKey(want, desiredTgName) !== contentKey(have, observedTgName)) {
      modifies.push({
        op: "ModifyRule",
        listenerId,
        rule: { arn: have.arn },
        conditions: want.conditions,
        actions: want.actions,
        ...(want.transforms ? { transforms: want.transforms } : {}),
      });
    }
  }

  // Runs of new rules between anchors get free priorities inside their gap when there are enough.
  let d = 0;
  while (d < desired.length) {
    if (anchorOf.has(d)) {
      d++;
      continue;
    }
    const start = d;
    while (d < desired.length && !anchorOf.has(d)) d++;
    const low = start === 0 ? 0 : (finalPriority[start - 1] ?? 0);
    const high = d < desired.length ? (finalPriority[d] ?? MAX_RULE_PRIORITY + 1) : MAX_RULE_PRIORITY + 1;
    const count = d - start;
    const slots =
      d < desired.length
        ? freeSlots(low, high, count, taken)
        : // After the last anchor, keep the usual spacing while it fits.
          spacedAfter(low, count, taken);
    for (let k = 0; k < count; k++) {
      const index = start + k;
      const rule = desired[index];
      if (!rule) continue;
      const priority = slots?.[k] ?? tempPriority(taken);
      if (!slots) needsRenumbering = true;
      taken.add(priority);
      finalPriority[index] = priority;
      const key = `${listenerId}#${index}`;
      refs[index] = { created: key };
      creates.push({
        op: "CreateRule",
        listenerId,
        key,
        priority,
        conditions: rule.conditions,
        actions: rule.actions,
        ...(rule.transforms ? { transforms: rule.transforms } : {}),
        tags: input.ruleTags,
      });
    }
  }

  const renumber: ElbOperation[] = [];
  if (needsRenumbering) {
    // One atomic SetRulePriorities into a fresh range: final rules in their order, each stale rule
    // kept right after the rule that precedes it today, so until it is deleted it still answers
    // exactly the requests it answered before.
    const staleAfter = new Map<number, ObservedRule[]>();
    let lastKept = -1;
    observed.forEach((rule, o) => {
      if (keptObserved.has(o)) {
        lastKept = anchors.find(([, ob]) => ob === o)?.[0] ?? lastKept;
      } else {
        staleAfter.set(lastKept, [...(staleAfter.get(lastKept) ?? []), rule]);
      }
    });
    const order: RuleRef[] = [...(staleAfter.get(-1) ?? []).map((r) => ({ arn: r.arn }))];
    refs.forEach((ref, i) => {
      order.push(ref);
      if (anchorOf.has(i)) for (const r of staleAfter.get(i) ?? []) order.push({ arn: r.arn });
    });
    const layout = renumbering(order.length, taken);
    renumber.push({
      op: "SetRulePriorities",
      listenerId,
      priorities: order.map((rule, i) => ({ rule, priority: layout[i] ?? 0 })),
    });
  }
  observed.forEach((rule, o) => {
    if (!keptObserved.has(o)) deletes.push({ op: "DeleteRule", listenerId, rule: { arn: rule.arn } });
  });
  return [...creates, ...modifies, ...renumber, ...deletes];
}

function spacedAfter(low: number, count: number, taken: ReadonlySet<number>): number[] | undefined {
  const out: number[] = [];
  let p = low;
  while (out.length < count) {
    p += PRIORITY_SPACING;
    if (p > MAX_RULE_PRIORITY) return undefined;
    if (!taken.has(p)) out.push(p);
  }
  return out;
}

/**
 * A free priority above every taken one (new rules wait there, matching only unmatched requests).
 * With 50000 taken, the highest free one: it precedes the fewest rules, and leaves the range below
 * the rules free for the renumbering that follows (one near 1 would leave none).
 */
function tempPriority(taken: ReadonlySet<number>): number {
  const above = Math.max(0, ...taken) + 1;
  if (above <= MAX_RULE_PRIORITY) return above;
  for (let p = MAX_RULE_PRIORITY; p >= 1; p--) if (!taken.has(p)) return p;
  throw new Error("no free listener rule priority");
}

/**
 * A fresh spaced layout for `count` rules in a range no current rule holds: above every rule, else
 * below them, else in the widest free range between two of them (rules at both ends of 1–50000).
 */
function renumbering(count: number, taken: ReadonlySet<number>): number[] {
  const max = Math.max(0, ...taken);
  const spacing = Math.max(1, Math.min(PRIORITY_SPACING, Math.floor((MAX_RULE_PRIORITY - max) / (count + 1))));
  if (max + spacing * count <= MAX_RULE_PRIORITY && spacing >= 1) {
    return Array.from({ length: count }, (_, i) => max + spacing * (i + 1));
  }
  const min = Math.min(MAX_RULE_PRIORITY + 1, ...taken);
  const below = Math.floor((min - 1) / (count + 1));
  if (below >= 1) return Array.from({ length: count }, (_, i) => below * (i + 1));
  const sorted = [...taken].sort((a, b) => a - b);
  let widest = { from: 0, gap: 0 };
  for (let i = 1; i < sorted.length; i++) {
    const from = sorted[i - 1] as number;
    const gap = (sorted[i] as number) - from;
    if (gap > widest.gap) widest = { from, gap };
  }
  const between = Math.min(PRIORITY_SPACING, Math.floor(widest.gap / (count + 1)));
  if (between >= 1) return Array.from({ length: count }, (_, i) => widest.from + between * (i + 1));
  throw new Error(`cannot lay out ${count} listener rules: no free priority range`);
}

// ---------- listeners ----------

function planListener(
  want: ListenerModel,
  have: ObservedListener | undefined,
  desiredTgName: (id: string) => string,
  observedTgName: (id: string) => string,
): ElbOperation[] {
  const ops: ElbOperation[] = [];
  const certs = want.certificates?.arns ?? [];
  if (!have) {
    ops.push({
      op: "CreateListener",
      listenerId: want.id,
      port: want.port,
      protocol: want.protocol,
      ...(want.certificates ? { certificates: want.certificates } : {}),
      ...(want.sslPolicy ? { sslPolicy: want.sslPolicy } : {}),
      ...(want.alpnPolicy ? { alpnPolicy: want.alpnPolicy } : {}),
      ...(want.mutualAuthentication ? { mutualAuthentication: want.mutualAuthentication } : {}),
      defaultActions: want.defaultActions,
      tags: want.tags,
    });
    ops.push(...planListenerAttributes(want, undefined));
  } else {
    const haveCerts = have.certificates?.arns ?? [];
    const modify: Extract<ElbOperation, { op: "ModifyListener" }> = {
      op: "ModifyListener",
      listenerId: want.id,
      arn: have.arn,
    };
    if (have.protocol !== want.protocol) modify.protocol = want.protocol;
    if ((certs[0] ?? "") !== (haveCerts[0] ?? "") && certs[0]) modify.defaultCertificate = certs[0];
    if (want.sslPolicy && want.sslPolicy !== have.sslPolicy) modify.sslPolicy = want.sslPolicy;
    if (want.alpnPolicy && want.alpnPolicy !== have.alpnPolicy) modify.alpnPolicy = want.alpnPolicy;
    // Mutual TLS is off unless configured; turning it off again is an explicit change too.
    const wantMtls = want.mutualAuthentication ?? (have.mutualAuthentication ? { mode: "off" } : undefined);
    if (wantMtls && !sameMutualAuthentication(wantMtls, have.mutualAuthentication ?? { mode: "off" }))
      modify.mutualAuthentication = wantMtls;
    if (!sameJson(actionKey(want.defaultActions, desiredTgName), actionKey(have.defaultActions, observedTgName))) {
      modify.defaultActions = want.defaultActions;
    }
    if (Object.keys(modify).length > 3) ops.push(modify);
    ops.push(...planListenerAttributes(want, have));
    // The list as it is after ModifyListener: a default it replaces is gone unless also listed.
    const extraWant = certs.slice(1).filter((c) => !haveCerts.slice(1).includes(c));
    const extraGone = haveCerts.slice(1).filter((c) => !certs.includes(c) && c !== certs[0]);
    if (extraWant.length) ops.push({ op: "AddListenerCertificates", listenerId: want.id, arns: extraWant });
    if (extraGone.length) ops.push({ op: "RemoveListenerCertificates", listenerId: want.id, arns: extraGone });
  }
  ops.push(
    ...planRules({
      listenerId: want.id,
      desired: want.rules,
      observed: have?.rules ?? [],
      desiredTgName,
      observedTgName,
      ruleTags: want.tags,
    }),
  );
  return ops;
}

// ---------- the whole load balancer ----------

/** The listener a desired one replaces in place: same id, or the same port with another protocol. */
function counterpart(want: ListenerModel, observed: readonly ObservedListener[]): ObservedListener | undefined {
  return observed.find((l) => l.id === want.id) ?? observed.find((l) => l.port === want.port);
}

export function planElb(desired: LoadBalancerModel | undefined, observed: ObservedElb): Plan {
  const ops: ElbOperation[] = [];
  const stray = observed.strayLoadBalancers.map(
    (arn): ElbOperation => ({
      op: "DeleteLoadBalancer",
      arn,
      reason: "a second load balancer tagged for this Gateway",
    }),
  );
  if (!desired) {
    if (observed.loadBalancer) {
      ops.push(...retireLoadBalancer(observed.loadBalancer));
      ops.push({ op: "DeleteLoadBalancer", arn: observed.loadBalancer.arn, reason: "the Gateway is gone" });
    }
    ops.push(...stray);
    for (const tg of observed.targetGroups) ops.push({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn });
    ops.push(...securityGroupTeardown(observed));
    return { operations: ops };
  }

  let current = observed;
  let replacement: string | undefined;
  const lb = observed.loadBalancer;
  const creation = lb && creationChange(desired, lb);
  if (lb && (lb.type !== desired.type || lb.scheme !== desired.scheme || lb.name !== desired.name || creation)) {
    replacement =
      lb.type !== desired.type
        ? `load balancer type changes from ${lb.type} to ${desired.type}`
        : lb.scheme !== desired.scheme
          ? `scheme changes from ${lb.scheme} to ${desired.scheme}`
          : lb.name !== desired.name
            ? `name changes from ${lb.name} to ${desired.name}`
            : (creation ?? "");
    // Type and scheme are immutable: the old load balancer (and with it its listeners and rules)
    // goes first, so the target groups it used are free for the new one.
    ops.push(...retireLoadBalancer(lb));
    ops.push({ op: "DeleteLoadBalancer", arn: lb.arn, reason: replacement });
    current = { ...observed, loadBalancer: undefined, listeners: [] };
  }

  // Models built before switchyard managed security groups leave them as they are.
  const groups = desired.managedSecurityGroups ? planSecurityGroups(desired, current) : undefined;
  ops.push(...(groups?.prepare ?? []));
  const tgPlan = planTargetGroups(desired.targetGroups, current.targetGroups);
  ops.push(...tgPlan.creates, ...tgPlan.updates);

  if (!current.loadBalancer) {
    ops.push({
      op: "CreateLoadBalancer",
      name: desired.name,
      type: desired.type,
      scheme: desired.scheme,
      ipAddressType: desired.ipAddressType,
      subnets: desired.subnets,
      ...(desired.subnetSelector ? { subnetSelector: desired.subnetSelector } : {}),
      securityGroups: groups?.groups.ids ?? desired.securityGroups,
      ...(groups?.groups.created.length ? { managedSecurityGroups: groups.groups.created } : {}),
      tags: desired.tags,
      ...creationSettings(desired),
    });
    if (groups?.afterCreate) ops.push(groups.afterCreate);
    if (Object.keys(desired.attributes).length > 0) {
      ops.push({ op: "ModifyLoadBalancerAttributes", attributes: desired.attributes });
    }
    ops.push(...planLoadBalancerAddOns(desired, undefined));
  } else {
    const have = current.loadBalancer;
    const changed = Object.fromEntries(Object.entries(desired.attributes).filter(([k, v]) => have.attributes[k] !== v));
    if (Object.keys(changed).length > 0) ops.push({ op: "ModifyLoadBalancerAttributes", attributes: changed });
    if (groups) {
      if (groups.update) ops.push(groups.update);
    } else if (
      desired.type === "application" &&
      desired.securityGroups.length > 0 &&
      !sameJson([...desired.securityGroups].sort(), [...have.securityGroups].sort())
    ) {
      ops.push({ op: "SetSecurityGroups", securityGroups: desired.securityGroups });
    }
    ops.push(...planLoadBalancerAddOns(desired, have));
  }

  const desiredNames = new Map(desired.targetGroups.map((tg) => [tg.id, tg.name]));
  const observedNames = new Map(current.targetGroups.map((tg) => [tg.id, tg.name]));
  const desiredTgName = (id: string) => desiredNames.get(id) ?? id;
  const observedTgName = (id: string) => observedNames.get(id) ?? id;
  const matched = new Set<ObservedListener>();
  for (const listener of desired.listeners) {
    const have = counterpart(
      listener,
      current.listeners.filter((l) => !matched.has(l)),
    );
    if (have) matched.add(have);
    ops.push(...planListener(listener, have, desiredTgName, observedTgName));
  }
  for (const listener of current.listeners) {
    if (!matched.has(listener)) ops.push({ op: "DeleteListener", listenerId: listener.id, arn: listener.arn });
  }
  ops.push(...stray, ...tgPlan.deletes, ...(groups?.cleanup ?? []));
  return replacement ? { operations: ops, replacement } : { operations: ops };
}
