/**
 * Policy attachment (GEP-713 style targetRef): which object each policy applies to, and which
 * policy wins when several of one kind target the same object — the oldest, then by name. Losers
 * and policies whose target is missing or of the wrong kind are reported, never silently ignored.
 */
import type { TargetGroupConfiguration } from "../extensions/aws-lbc.ts";
import { unsupportedTargetGroupFields } from "../extensions/aws-lbc-support.ts";
import type { LatticePolicy } from "../extensions/lattice.ts";
import { type BackendTLSPolicy, GATEWAY_GROUP } from "../gateway-api/types.ts";
import { objectKey } from "../k8s/meta.ts";
import type { Snapshot } from "../snapshot.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { compareAge } from "./age.ts";

export type PolicyKind = LatticePolicy["kind"] | "BackendTLSPolicy" | "TargetGroupConfiguration";

export interface ResolvedPolicy {
  kind: PolicyKind;
  key: string;
  object: LatticePolicy | BackendTLSPolicy | TargetGroupConfiguration;
  /** `Kind/namespace/name` of each target (BackendTLSPolicy may have several). */
  targets: string[];
  /** A target reference that could not be used (wrong kind or namespace), so status can name it. */
  rejectedTarget?: { group: string; kind: string; namespace: string; name: string };
  problem?: StatusProblem;
}

/** Kinds each policy may target, as `group/Kind` (core group empty). */
const TARGET_KINDS: Record<PolicyKind, readonly string[]> = {
  TargetGroupPolicy: [
    "/Service",
    "application-networking.k8s.aws/ServiceExport",
    "multicluster.x-k8s.io/ServiceExport",
  ],
  VpcAssociationPolicy: [`${GATEWAY_GROUP}/Gateway`],
  AccessLogPolicy: [`${GATEWAY_GROUP}/Gateway`, `${GATEWAY_GROUP}/HTTPRoute`, `${GATEWAY_GROUP}/GRPCRoute`],
  IAMAuthPolicy: [`${GATEWAY_GROUP}/Gateway`, `${GATEWAY_GROUP}/HTTPRoute`, `${GATEWAY_GROUP}/GRPCRoute`],
  BackendTLSPolicy: ["/Service"],
  TargetGroupConfiguration: ["/Service", `${GATEWAY_GROUP}/Gateway`],
};

function existingTargets(snapshot: Snapshot): Set<string> {
  const keys = new Set<string>();
  const add = (kind: string, o: { metadata: { name: string; namespace?: string } }) =>
    keys.add(`${kind}/${objectKey(o.metadata)}`);
  for (const s of snapshot.services) add("Service", s);
  for (const s of snapshot.serviceExports) add("ServiceExport", s);
  for (const g of snapshot.gateways) add("Gateway", g);
  for (const r of snapshot.routes) add(r.kind, r);
  return keys;
}

/** AccessLogPolicies conflict only with others sending to the same kind of destination. */
function conflictGroup(policy: ResolvedPolicy): string {
  if (policy.kind !== "AccessLogPolicy") return policy.kind;
  const arn = (policy.object.spec as { destinationArn?: string } | undefined)?.destinationArn ?? "";
  const service = arn.split(":")[2] ?? "";
  return `AccessLogPolicy/${service}`;
}

export function resolvePolicies(snapshot: Snapshot): ResolvedPolicy[] {
  const targets = existingTargets(snapshot);
  const policies: ResolvedPolicy[] = [];
  const single = (
    object: LatticePolicy | TargetGroupConfiguration,
    ref: { group?: string; kind?: string; name: string; namespace?: string } | undefined,
  ) => {
    const namespace = object.metadata.namespace ?? "default";
    const kind = object.kind as PolicyKind;
    const resolved: ResolvedPolicy = { kind, key: `${kind}/${objectKey(object.metadata)}`, object, targets: [] };
    policies.push(resolved);
    if (!ref) {
      // A TargetGroupConfiguration without a targetReference only carries defaults for a Gateway.
      if (kind !== "TargetGroupConfiguration") resolved.problem = problem(Reason.Invalid, "spec.targetRef is required");
      return;
    }
    const group = ref.group ?? "";
    const refKind = ref.kind ?? "Service";
    if (ref.namespace && ref.namespace !== namespace) {
      resolved.rejectedTarget = { group, kind: refKind, namespace: ref.namespace, name: ref.name };
      resolved.problem = problem(Reason.Invalid, `targetRef must be in the policy's namespace ${namespace}`);
      return;
    }
    if (!TARGET_KINDS[kind].includes(`${group}/${refKind}`)) {
      resolved.rejectedTarget = { group, kind: refKind, namespace, name: ref.name };
      resolved.problem = problem(Reason.Invalid, `${kind} cannot target ${group ? `${group}/` : ""}${refKind}`);
      return;
    }
    const target = `${refKind}/${namespace}/${ref.name}`;
    resolved.targets.push(target);
    if (!targets.has(target))
      resolved.problem = problem(Reason.TargetNotFound, `${refKind} ${namespace}/${ref.name} not found`);
  };
  for (const p of snapshot.latticePolicies) single(p, p.spec?.targetRef);
  for (const t of snapshot.targetGroupConfigurations) {
    single(
      t,
      t.spec?.targetReference
        ? {
            ...t.spec.targetReference,
            group: t.spec.targetReference.group ?? (t.spec.targetReference.kind === "Gateway" ? GATEWAY_GROUP : ""),
          }
        : undefined,
    );
    const resolved = policies[policies.length - 1];
    const unsupported = [
      ...unsupportedTargetGroupFields(t.spec?.defaultConfiguration, "spec.defaultConfiguration"),
      ...(t.spec?.routeConfigurations ?? []).flatMap((rc, i) =>
        unsupportedTargetGroupFields(rc.targetGroupProps, `spec.routeConfigurations[${i}].targetGroupProps`),
      ),
    ];
    if (resolved && !resolved.problem && unsupported.length > 0) {
      resolved.problem = problem(
        Reason.Invalid,
        `sets fields switchyard does not know and so cannot apply: ${unsupported.join(", ")}`,
      );
    }
  }
  for (const b of snapshot.backendTLSPolicies) {
    const namespace = b.metadata.namespace ?? "default";
    const resolved: ResolvedPolicy = {
      kind: "BackendTLSPolicy",
      key: `BackendTLSPolicy/${objectKey(b.metadata)}`,
      object: b,
      targets: [],
    };
    policies.push(resolved);
    for (const ref of b.spec?.targetRefs ?? []) {
      if (!TARGET_KINDS.BackendTLSPolicy.includes(`${ref.group}/${ref.kind}`)) {
        resolved.rejectedTarget ??= { group: ref.group, kind: ref.kind, namespace, name: ref.name };
        resolved.problem ??= problem(
          Reason.Invalid,
          `BackendTLSPolicy cannot target ${ref.group ? `${ref.group}/` : ""}${ref.kind}`,
        );
        continue;
      }
      const target = `${ref.kind}/${namespace}/${ref.name}`;
      resolved.targets.push(target);
      if (!targets.has(target))
        resolved.problem ??= problem(Reason.TargetNotFound, `${ref.kind} ${namespace}/${ref.name} not found`);
    }
  }
  markConflicts(policies);
  // Key order, not input order: the same snapshot listed differently must give the same statuses.
  return policies.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function markConflicts(policies: ResolvedPolicy[]): void {
  const winners = new Map<string, ResolvedPolicy>();
  for (const policy of [...policies].sort((a, b) => compareAge(a.object, b.object))) {
    if (policy.problem) continue;
    for (const target of policy.targets) {
      const slot = `${conflictGroup(policy)}|${target}`;
      const winner = winners.get(slot);
      if (winner) {
        policy.problem ??= problem(Reason.Conflicted, `${winner.key} is older and already applies to ${target}`);
      } else {
        winners.set(slot, policy);
      }
    }
  }
}
