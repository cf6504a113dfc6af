/**
 * A route rule's backends → one VPC Lattice action. Weighted forward to target groups; invalid
 * references keep their share through an empty sink group (Lattice answers 503 for it); no valid
 * backend at all, or only weight-0 ones, is a fixed 500. A ServiceImport forwards to the export
 * target group of every cluster that exports it, splitting the backend's share evenly between
 * them, so its share of the rule stays weight/Σweight.
 */
import type { RemoteServiceExport, ServiceExport, ServiceImport } from "../extensions/lattice.ts";
import { LATTICE_FEDERATION, LatticeAnnotation } from "../extensions/lattice.ts";
import type { ResolvedBackend, ResolvedRule } from "../graph/model.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { latticeWeights, MAX_TARGET_GROUPS_PER_FORWARD, MAX_WEIGHT } from "./limits.ts";
import type { LatticeAction, LatticeTargetGroupReference } from "./model.ts";
import { exportTargetGroupId, exportTargetGroupName, type LatticeTargetGroupSet } from "./target-groups.ts";

export const FIXED_404: LatticeAction = { type: "fixed-response", statusCode: 404 };
export const FIXED_500: LatticeAction = { type: "fixed-response", statusCode: 500 };

/** The target group ids the default actions and rules of some listeners forward to. */
export function forwardedGroups(
  listeners: readonly { defaultAction: LatticeAction; rules: readonly { action: LatticeAction }[] }[],
): Set<string> {
  return new Set(
    listeners
      .flatMap((l) => [l.defaultAction, ...l.rules.map((r) => r.action)])
      .flatMap((a) => (a.type === "forward" ? a.targetGroups.map((t) => t.targetGroupId) : [])),
  );
}

/** Clusters that export Services: this one (from the snapshot) and the others (from the mirror). */
export interface ExportIndex {
  localClusterId: string;
  /** The account the Gateway's services are built in, when known. */
  localAccountId?: string;
  localEksClusterName?: string;
  localVpcId?: string;
  local: readonly ServiceExport[];
  remote: readonly RemoteServiceExport[];
}

export interface ActionContext {
  /** The Lattice service the rule belongs to (the route key): its target groups are its own. */
  service: string;
  routeKind: string;
  targetGroups: LatticeTargetGroupSet;
  exports: ExportIndex;
  /** Referenced groups this Gateway does not own, collected by id. */
  references: Map<string, LatticeTargetGroupReference>;
}

const ROUTE_TYPE: Record<string, string> = { HTTPRoute: "HTTP", GRPCRoute: "GRPC", TLSRoute: "TLS" };

interface Exporter {
  clusterId: string;
  accountId?: string;
  eksClusterName?: string;
  vpcId?: string;
  namespace: string;
  name: string;
  ports: readonly { port: number; routeType: string }[];
}

function exporters(index: ExportIndex): Exporter[] {
  const local = index.local
    .filter((e) => e.metadata.annotations?.[LatticeAnnotation.federation] === LATTICE_FEDERATION)
    .map((e) => ({
      clusterId: index.localClusterId,
      ...(index.localEksClusterName ? { eksClusterName: index.localEksClusterName } : {}),
      ...(index.localVpcId ? { vpcId: index.localVpcId } : {}),
      namespace: e.metadata.namespace ?? "default",
      name: e.metadata.name,
      ports: e.spec?.exportedPorts ?? [],
    }));
  return [...local, ...index.remote];
}

/** Target group ids a ServiceImport backend forwards to, or a problem. */
function importTargets(
  backend: ResolvedBackend,
  serviceImport: ServiceImport,
  where: string,
  ctx: ActionContext,
): string[] | StatusProblem {
  const annotations = serviceImport.metadata.annotations ?? {};
  const arn = annotations[LatticeAnnotation.targetGroupArn];
  if (arn) {
    const id = arn;
    ctx.references.set(id, { id, backend: `ServiceImport ${backend.namespace}/${backend.name}`, arn });
    return [id];
  }
  const exportName = annotations[LatticeAnnotation.exportName] ?? backend.name;
  const cluster = annotations[LatticeAnnotation.eksClusterName];
  const vpc = annotations[LatticeAnnotation.vpc];
  const routeType = ROUTE_TYPE[ctx.routeKind] ?? "HTTP";
  const ids: string[] = [];
  const found = exporters(ctx.exports)
    .filter((e) => e.namespace === backend.namespace && e.name === exportName)
    .filter((e) => !cluster || e.clusterId === cluster || e.eksClusterName === cluster)
    .filter((e) => !vpc || e.vpcId === vpc)
    // A rule forwards only to target groups in the service's own account ("Target groups", user guide).
    .filter((e) => !e.accountId || !ctx.exports.localAccountId || e.accountId === ctx.exports.localAccountId)
    .sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0));
  for (const e of found) {
    const port = e.ports.find((p) => p.port === backend.port && p.routeType === routeType);
    if (!port) continue;
    const id = exportTargetGroupId(e.clusterId, e.namespace, e.name, port.port, port.routeType);
    ctx.references.set(id, {
      id,
      backend: `ServiceImport ${backend.namespace}/${backend.name}:${backend.port ?? ""} from cluster ${e.clusterId}`,
      clusterId: e.clusterId,
      name: exportTargetGroupName(e.clusterId, e.namespace, e.name, port.port, port.routeType),
    });
    ids.push(id);
  }
  if (ids.length === 0) {
    return problem(
      Reason.BackendNotFound,
      `${where}.backendRefs[${backend.index}]: no registered cluster exports ${backend.namespace}/${exportName} port ${backend.port ?? "(unset)"} for ${routeType} routes (ServiceExport with annotation ${LatticeAnnotation.federation}: ${LATTICE_FEDERATION})`,
    );
  }
  return ids;
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a * b) / gcd(a, b);
}

/**
 * The rule's action, or a problem that rejects the route (as ALB rejects a route whose action
 * it cannot express). `missing` collects ServiceImports no cluster exports, whose share answers
 * 503 like any invalid backend.
 */
export function ruleAction(
  rule: ResolvedRule,
  where: string,
  ctx: ActionContext,
  missing: StatusProblem[],
): LatticeAction | StatusProblem {
  const parts: { ids: string[]; weight: number }[] = [];
  let invalidWeight = 0;
  for (const backend of rule.backends) {
    if (backend.weight === 0) continue;
    if (backend.problem) {
      invalidWeight += backend.weight;
      continue;
    }
    if (backend.serviceImport) {
      const ids = importTargets(backend, backend.serviceImport, where, ctx);
      if ("reason" in ids) {
        missing.push(ids);
        invalidWeight += backend.weight;
        continue;
      }
      parts.push({ ids, weight: backend.weight });
      continue;
    }
    parts.push({ ids: [ctx.targetGroups.forService(ctx.service, backend, ctx.routeKind)], weight: backend.weight });
  }
  if (parts.length === 0) return FIXED_500;
  if (invalidWeight > 0) {
    parts.push({
      ids: [ctx.targetGroups.sink(ctx.service, ctx.routeKind === "TLSRoute" ? "TCP" : "HTTP")],
      weight: invalidWeight,
    });
  }
  // An import spread over N clusters gives each N-th of its weight: scale every weight by the LCM.
  const scale = parts.reduce((m, p) => lcm(m, p.ids.length), 1);
  const merged = new Map<string, number>();
  for (const p of parts) {
    for (const id of p.ids) merged.set(id, (merged.get(id) ?? 0) + (p.weight * scale) / p.ids.length);
  }
  if (merged.size > MAX_TARGET_GROUPS_PER_FORWARD) {
    return problem(
      Reason.UnsupportedValue,
      `${where}.backendRefs: ${merged.size} target groups in one rule; VPC Lattice forwards to at most ${MAX_TARGET_GROUPS_PER_FORWARD}`,
    );
  }
  const weights = latticeWeights([...merged.values()]);
  if (!weights) {
    return problem(
      Reason.UnsupportedValue,
      `${where}.backendRefs: weights ${[...merged.values()].join("/")} cannot be expressed exactly within VPC Lattice's 0–${MAX_WEIGHT}`,
    );
  }
  return {
    type: "forward",
    targetGroups: [...merged.keys()].map((id, i) => ({ targetGroupId: id, weight: weights[i] ?? 0 })),
  };
}
