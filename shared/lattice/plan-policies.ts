/**
 * Planning what a service or service network carries besides listeners: its auth type and IAM auth
 * policy (IAMAuthPolicy), its access log subscriptions (AccessLogPolicy) and its tags. Pure.
 *
 * Ownership: an auth policy is deleted only when switchyard put it (the record says so), an access
 * log subscription only when it carries this Gateway's tags, and only tag keys under switchyard's
 * prefix are ever removed. On a referenced service network (not switchyard's) an auth type is set
 * only when an IAMAuthPolicy asks for it and reset only when switchyard had put the policy.
 */
import { isPolicyDigest, policyDigest } from "./digest.ts";
import type { AccessLogSubscriptionModel, AuthModel } from "./model.ts";
import type { ObservedAccessLogSubscription, ObservedPolicies } from "./observed.ts";
import type { LatticeOperation, LatticePolicyTarget, LatticeTaggedResource } from "./operations.ts";

/** Tag keys switchyard writes; the only keys it ever removes. */
export const SWITCHYARD_TAG_PREFIX = "switchyard.dev/";

/**
 * A policy document in a form where equal policies are equal values: object keys sorted and a
 * one-element array the same as its element (IAM reads `"Action": "x"` and `"Action": ["x"]` alike).
 * Undefined when the text is not JSON.
 */
function normalizedPolicy(text: string): string | undefined {
  const normalize = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.length === 1 ? normalize(value[0]) : value.map(normalize);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, normalize(v)]),
      );
    }
    return value;
  };
  try {
    return JSON.stringify(normalize(JSON.parse(text)));
  } catch {
    return undefined;
  }
}

/**
 * Whether a recorded auth policy (a digest, or a document in records from before digests) and a
 * desired document say the same thing, whatever their layout and key order.
 */
export function sameAuthPolicy(recorded: string, desired: string): boolean {
  const wanted = normalizedPolicy(desired);
  if (isPolicyDigest(recorded)) return wanted !== undefined && recorded === policyDigest(wanted);
  return wanted !== undefined && normalizedPolicy(recorded) === wanted;
}

/** An auth policy as the record keeps it: the digest of its normalized document (of the text, if not JSON). */
export function recordedAuthPolicy(document: string): string {
  return policyDigest(normalizedPolicy(document) ?? document);
}

/** A policy document on one line, as PutAuthPolicy takes it (the text itself when it is not JSON). */
export function compactPolicy(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The destination's service (`logs`, `s3`, `firehose`): Lattice keeps one subscription per type. */
export function destinationType(arn: string): string {
  return arn.split(":")[2] ?? "";
}

export interface PolicyPlan {
  /** With the resource: puts, updates and creations. */
  apply: LatticeOperation[];
  /** With the plan's deletions. */
  remove: LatticeOperation[];
}

/**
 * Auth type and policy of one resource. `owner`: switchyard owns the resource (its services, a
 * network it created), so an AWS_IAM auth type no IAMAuthPolicy asks for is reset. `fresh`: the
 * resource is created in this plan (with the desired auth type, a service; with NONE, a network).
 */
export function planAuth(
  target: LatticePolicyTarget,
  desired: AuthModel | undefined,
  observed: ObservedPolicies | undefined,
  options: { owner: boolean; createdWithAuthType: boolean },
): PolicyPlan {
  const apply: LatticeOperation[] = [];
  const remove: LatticeOperation[] = [];
  if (desired) {
    if (observed?.authPolicy === undefined || !sameAuthPolicy(observed.authPolicy, desired.policy)) {
      apply.push({ op: "PutAuthPolicy", target, policy: compactPolicy(desired.policy), source: desired.source });
    }
    // AWS_IAM with no policy in place denies every request: the type follows the policy.
    if (!options.createdWithAuthType && observed?.authType !== "AWS_IAM") {
      apply.push({ op: "UpdateAuthType", target, authType: "AWS_IAM" });
    }
    return { apply, remove };
  }
  const ours = observed?.authPolicy !== undefined;
  if (observed?.authType === "AWS_IAM" && (ours || options.owner)) {
    apply.push({ op: "UpdateAuthType", target, authType: "NONE" });
  } else if (ours && observed?.authType === undefined) {
    apply.push({ op: "UpdateAuthType", target, authType: "NONE" });
  }
  if (ours) remove.push({ op: "DeleteAuthPolicy", target });
  return { apply, remove };
}

/**
 * Access log subscriptions of one resource: one per destination type (Lattice's rule, and the
 * graph's conflict rule for AccessLogPolicy), so a changed destination of the same type is an
 * update, a new type a creation, a type no policy asks for any more a deletion.
 */
export function planAccessLogs(
  target: LatticePolicyTarget,
  desired: readonly AccessLogSubscriptionModel[],
  observed: readonly ObservedAccessLogSubscription[] | undefined,
  tags: Record<string, string>,
): PolicyPlan {
  const apply: LatticeOperation[] = [];
  const remove: LatticeOperation[] = [];
  const have = new Map((observed ?? []).map((s) => [destinationType(s.destinationArn), s]));
  const wanted = new Set<string>();
  for (const log of desired) {
    const type = destinationType(log.destinationArn);
    wanted.add(type);
    const existing = have.get(type);
    if (!existing) {
      apply.push({
        op: "CreateAccessLogSubscription",
        target,
        destinationArn: log.destinationArn,
        source: log.policy,
        tags,
      });
    } else if (existing.destinationArn !== log.destinationArn) {
      apply.push({ op: "UpdateAccessLogSubscription", target, arn: existing.arn, destinationArn: log.destinationArn });
    }
  }
  for (const [type, s] of have) {
    if (!wanted.has(type)) remove.push({ op: "DeleteAccessLogSubscription", target, arn: s.arn });
  }
  return { apply, remove };
}

/**
 * Tags of a resource switchyard created: desired keys whose value differs are written, and
 * switchyard's own keys no longer desired are removed; others' keys stay. Nothing when the
 * resource's tags are unknown (a record from before tags were recorded).
 */
export function planTags(
  resource: LatticeTaggedResource,
  desired: Record<string, string>,
  observed: Record<string, string> | undefined,
): LatticeOperation[] {
  if (!observed || Object.keys(desired).length === 0) return [];
  const changed = Object.fromEntries(Object.entries(desired).filter(([k, v]) => observed[k] !== v));
  const stale = Object.keys(observed)
    .filter((k) => k.startsWith(SWITCHYARD_TAG_PREFIX) && !(k in desired))
    .sort();
  const ops: LatticeOperation[] = [];
  if (Object.keys(changed).length > 0) ops.push({ op: "TagResource", resource, tags: changed });
  if (stale.length > 0) ops.push({ op: "UntagResource", resource, tagKeys: stale });
  return ops;
}
