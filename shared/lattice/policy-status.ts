/**
 * The VPC Lattice policies' own status (TargetGroupPolicy, VpcAssociationPolicy, AccessLogPolicy,
 * IAMAuthPolicy): their CRDs (aws-application-networking-k8s) carry `status.conditions` only, one
 * list for the whole policy, not GEP-713 `status.ancestors`, so one verdict per policy is written:
 * an `Accepted` condition with the reasons the VPC Lattice controller writes (Accepted, Conflicted,
 * Invalid, TargetNotFound — Gateway API's policy reasons) and observedGeneration, which their
 * condition schema (metav1.Condition) keeps. Pure.
 *
 * Whose it is: a cluster may run the VPC Lattice controller beside switchyard while migrating, and
 * it writes these conditions too. switchyard writes a policy's conditions only when its target is
 * switchyard's alone:
 * - a Gateway: one of switchyard's Lattice Gateways;
 * - an HTTPRoute or GRPCRoute: every parentRef names one of switchyard's Lattice Gateways;
 * - a Service (TargetGroupPolicy): at least one route uses it as a backend and every route that
 *   does is such a route. Its federated ServiceExport, if any, is switchyard's export unit's; one
 *   without the federation annotation exports nothing (the VPC Lattice controller ignores it too).
 * Never when the target is missing (TargetNotFound shows in `switchyard plan` only), rejected, or
 * reached by anything else: the policy may be another controller's. A TargetGroupPolicy on a
 * ServiceExport reaches no Gateway, so no Gateway's reconcile writes it (not written yet).
 *
 * Who writes: the conditions are one list, so two Gateways reached by the same policy (a Service
 * both route to) would each write their own verdict, and an AWS refusal seen by one only would flip
 * back and forth. One Gateway writes: the first, in `namespace/name` order, of the switchyard
 * Lattice Gateways the policy reaches (the policy's designated Gateway), with the verdict its own
 * reconcile computed (including AWS's refusal of the policy there). The other Gateways' reconciles
 * write nothing for it; a refusal there shows in that Gateway's own Programmed message.
 */
import type { LatticePolicy } from "../extensions/lattice.ts";
import { GATEWAY_GROUP, type Route } from "../gateway-api/types.ts";
import type { ResolvedGraph } from "../graph/model.ts";
import type { ResolvedPolicy } from "../graph/policies.ts";
import type { Condition } from "../k8s/meta.ts";
import type { Snapshot } from "../snapshot.ts";
import type { PolicyStatusUpdate } from "../status/compute.ts";

export const LATTICE_POLICY_KINDS = [
  "TargetGroupPolicy",
  "VpcAssociationPolicy",
  "AccessLogPolicy",
  "IAMAuthPolicy",
] as const satisfies readonly LatticePolicy["kind"][];
export type LatticePolicyKind = (typeof LATTICE_POLICY_KINDS)[number];

const POLICY_KINDS: ReadonlySet<string> = new Set(LATTICE_POLICY_KINDS);

export function isLatticePolicyKind(kind: string): kind is LatticePolicyKind {
  return POLICY_KINDS.has(kind);
}

/** A Lattice policy's status, as the status writer takes it: switchyard's conditions. */
export interface LatticePolicyStatusUpdate {
  kind: LatticePolicyKind;
  namespace: string;
  name: string;
  conditions: Condition[];
}

const namespaceOf = (object: { metadata: { namespace?: string } }) => object.metadata.namespace ?? "default";

/** `namespace/name` of the Gateway a parentRef names, or undefined for any other kind of parent. */
function gatewayOf(route: Route, ref: { group?: string; kind?: string; namespace?: string; name: string }) {
  if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? "Gateway") !== "Gateway") return undefined;
  return `${ref.namespace ?? namespaceOf(route)}/${ref.name}`;
}

/** Whether every parentRef of `route` names one of `latticeGateways`, and it has at least one. */
function onlyOurs(route: Route, latticeGateways: ReadonlySet<string>): boolean {
  const refs = route.spec?.parentRefs ?? [];
  return refs.length > 0 && refs.every((ref) => latticeGateways.has(gatewayOf(route, ref) ?? ""));
}

/** Whether `route` names Service `namespace/name` as a backend in any rule. */
function usesService(route: Route, namespace: string, name: string): boolean {
  const rules = (route.spec?.rules ?? []) as readonly { backendRefs?: readonly BackendLike[] }[];
  return rules.some((rule) =>
    (rule.backendRefs ?? []).some(
      (b) =>
        (b.group ?? "") === "" &&
        (b.kind ?? "Service") === "Service" &&
        (b.namespace ?? namespaceOf(route)) === namespace &&
        b.name === name,
    ),
  );
}

interface BackendLike {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
}

/**
 * Whether `policy`'s target is switchyard's alone (see the module comment). `latticeGateways`:
 * `namespace/name` of switchyard's Lattice Gateways.
 */
export function targetIsOurs(policy: ResolvedPolicy, snapshot: Snapshot, latticeGateways: ReadonlySet<string>) {
  const [target] = policy.targets;
  if (target === undefined || policy.targets.length !== 1 || policy.rejectedTarget) return false;
  const [kind = "", namespace = "", name = ""] = target.split("/");
  if (kind === "Gateway") return latticeGateways.has(`${namespace}/${name}`);
  if (kind === "HTTPRoute" || kind === "GRPCRoute") {
    const route = snapshot.routes.find(
      (r) => r.kind === kind && namespaceOf(r) === namespace && r.metadata.name === name,
    );
    return route !== undefined && onlyOurs(route, latticeGateways);
  }
  if (kind === "Service") {
    if (!snapshot.services.some((s) => namespaceOf(s) === namespace && s.metadata.name === name)) return false;
    const users = snapshot.routes.filter((r) => usesService(r, namespace, name));
    return users.length > 0 && users.every((r) => onlyOurs(r, latticeGateways));
  }
  return false;
}

/**
 * Per Lattice policy switchyard writes the status of (`Kind/namespace/name`): its designated
 * Gateway's `namespace/name`. The same for every Gateway's reconcile of one snapshot.
 */
export function latticePolicyWriters(graph: ResolvedGraph, snapshot: Snapshot): Map<string, string> {
  const lattice = graph.gateways.filter((g) => g.dataPlane === "lattice");
  const latticeGateways = new Set(lattice.map((g) => g.key));
  const reaches = reachedGateways(graph);
  const writers = new Map<string, string>();
  for (const policy of graph.policies) {
    if (!isLatticePolicyKind(policy.kind) || !targetIsOurs(policy, snapshot, latticeGateways)) continue;
    const [target = ""] = policy.targets;
    const [first] = [...(reaches.get(target) ?? [])].filter((key) => latticeGateways.has(key)).sort();
    if (first !== undefined) writers.set(policy.key, first);
  }
  return writers;
}

/** Per target (`Kind/namespace/name`): the Gateways it reaches, as policy status links them. */
function reachedGateways(graph: ResolvedGraph): Map<string, Set<string>> {
  const reaches = new Map<string, Set<string>>();
  const link = (target: string, gateway: string) => {
    const set = reaches.get(target) ?? new Set();
    set.add(gateway);
    reaches.set(target, set);
  };
  for (const g of graph.gateways) link(`Gateway/${g.key}`, g.key);
  for (const route of graph.routes) {
    for (const parent of route.parents) {
      link(route.key, parent.gatewayKey);
      for (const rule of route.rules)
        for (const b of rule.backends) link(`${b.kind}/${b.namespace}/${b.name}`, parent.gatewayKey);
    }
  }
  return reaches;
}

/**
 * The conditions of `update` (the policy's computed per-ancestor status) for Gateway `gateway`
 * (`namespace/name`), or undefined when it has no entry for it.
 */
export function latticePolicyConditions(update: PolicyStatusUpdate, gateway: string): Condition[] | undefined {
  const entry = update.status.ancestors.find(
    (a) =>
      (a.ancestorRef.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
      (a.ancestorRef.kind ?? "Gateway") === "Gateway" &&
      `${a.ancestorRef.namespace ?? update.namespace}/${a.ancestorRef.name}` === gateway,
  );
  return entry?.conditions.map((c) => ({ ...c }));
}
