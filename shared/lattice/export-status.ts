/**
 * A federated ServiceExport's status on the exporting cluster, computed purely from the export, its
 * Service, what the export unit's reconcile left in VPC Lattice and (when known) what the other
 * registered clusters export under the same namespace and name. The condition types are the
 * Multi-Cluster Services API's (sigs.k8s.io/mcs-api, KEP-1645): `Valid` and `Conflict`, which the
 * VPC Lattice controller's ServiceExport CRD documents too, and `Ready`, which mcs-api documents
 * for "exported to some control plane or data plane". Reasons are mcs-api's where one fits
 * (Valid, NoService, InvalidServiceType, Exported, Pending, Failed, PortConflict, NoConflicts) and
 * precise ones of switchyard's otherwise (PortNotFound, NoExportedPorts, UnsupportedRouteType,
 * DuplicatePort, NoReadyEndpoints), as mcs-api allows.
 */
import type { ServiceExport } from "../extensions/lattice.ts";
import type { Service } from "../k8s/core.ts";
import type { Condition } from "../k8s/meta.ts";
import type { LatticeExportModel } from "./model.ts";
import type { ObservedLatticeTargetGroup } from "./observed.ts";

export const ServiceExportCond = { Valid: "Valid", Ready: "Ready", Conflict: "Conflict" } as const;

export const ServiceExportReason = {
  Valid: "Valid",
  NoService: "NoService",
  InvalidServiceType: "InvalidServiceType",
  NoExportedPorts: "NoExportedPorts",
  PortNotFound: "PortNotFound",
  UnsupportedRouteType: "UnsupportedRouteType",
  DuplicatePort: "DuplicatePort",
  Exported: "Exported",
  Pending: "Pending",
  Failed: "Failed",
  NoReadyEndpoints: "NoReadyEndpoints",
  PortConflict: "PortConflict",
  NoConflicts: "NoConflicts",
} as const;

/** The route types an exported port may name (the CRD's enum); each imports through its route kind. */
const ROUTE_TYPES: ReadonlySet<string> = new Set(["HTTP", "GRPC", "TLS"]);

/** A ServiceExport's status, as the status writer takes it. */
export interface ServiceExportStatusUpdate {
  kind: "ServiceExport";
  namespace: string;
  name: string;
  conditions: Condition[];
}

/**
 * What the export unit's reconcile left, as far as status cares.
 * - `observed`: the plan ran (applied or nothing to do); `groups` is Lattice as it was left.
 * - `failed`: AWS refused an operation (or could not be reached); the error is what it said.
 * - `unconfigured`: no VPC Lattice in this control plane: nothing is applied.
 */
export type ExportReconcileResult =
  | { kind: "observed"; groups: readonly ObservedLatticeTargetGroup[] }
  | { kind: "failed"; operation: string; code: string; message: string; retryable: boolean }
  | { kind: "unconfigured" };

/** Another registered cluster's federated export of the same namespace and name. */
export interface PeerExport {
  clusterId: string;
  ports: readonly { port: number; routeType: string }[];
}

export interface ServiceExportStatusInput {
  serviceExport: ServiceExport;
  /** The Service of the same namespace and name, if the cluster has one. */
  service: Service | undefined;
  /** The groups the translation wants for the export (undefined: none). */
  desired: LatticeExportModel | undefined;
  result: ExportReconcileResult;
  /**
   * The other registered clusters' federated exports of the same namespace and name.
   * @default undefined — not known: no Conflict condition is computed
   */
  peers?: readonly PeerExport[];
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number,
): Condition & { observedGeneration: number } {
  return { type, status: ok ? "True" : "False", reason, message, observedGeneration: generation };
}

interface Verdict {
  ok: boolean;
  reason: string;
  message: string;
}

/** Valid: the Service exists, can be exported, and every exported port is one of its ports. */
export function validity(serviceExport: ServiceExport, service: Service | undefined): Verdict {
  const namespace = serviceExport.metadata.namespace ?? "default";
  const label = `Service ${namespace}/${serviceExport.metadata.name}`;
  if (!service) {
    return { ok: false, reason: ServiceExportReason.NoService, message: `${label} not found` };
  }
  if (service.spec?.type === "ExternalName") {
    return {
      ok: false,
      reason: ServiceExportReason.InvalidServiceType,
      message: `${label} is of type ExternalName: it has no endpoints to register as targets`,
    };
  }
  const exported = serviceExport.spec?.exportedPorts ?? [];
  if (exported.length === 0) {
    return {
      ok: false,
      reason: ServiceExportReason.NoExportedPorts,
      message: "spec.exportedPorts is empty: switchyard builds a target group for each port listed there, and none is",
    };
  }
  const ports = (service.spec?.ports ?? []).map((p) => p.port);
  const problems: Verdict[] = [];
  const seen = new Set<string>();
  exported.forEach((p, i) => {
    const at = `spec.exportedPorts[${i}]`;
    const routeType = String(p.routeType);
    if (!ROUTE_TYPES.has(routeType)) {
      problems.push({
        ok: false,
        reason: ServiceExportReason.UnsupportedRouteType,
        message: `${at}: routeType ${JSON.stringify(p.routeType)} is not one of HTTP, GRPC, TLS`,
      });
    } else if (!ports.includes(p.port)) {
      problems.push({
        ok: false,
        reason: ServiceExportReason.PortNotFound,
        message: `${at}: port ${p.port} is not a port of ${label} (its ports: ${ports.length > 0 ? ports.join(", ") : "none"})`,
      });
    } else if (seen.has(`${p.port}/${routeType}`)) {
      problems.push({
        ok: false,
        reason: ServiceExportReason.DuplicatePort,
        message: `${at}: port ${p.port} with routeType ${routeType} is listed twice`,
      });
    }
    seen.add(`${p.port}/${routeType}`);
  });
  const [first] = problems;
  if (first) {
    return { ok: false, reason: first.reason, message: problems.map((p) => p.message).join("; ") };
  }
  return {
    ok: true,
    reason: ServiceExportReason.Valid,
    message: `${label} exports port(s) ${exported.map((p) => `${p.port}/${p.routeType}`).join(", ")}`,
  };
}

/**
 * Ready: every group the export wants exists in Lattice, is ACTIVE, and holds every target the
 * Service's ready endpoints call for.
 */
export function readiness(desired: LatticeExportModel | undefined, result: ExportReconcileResult): Verdict {
  if (result.kind === "unconfigured") {
    return {
      ok: false,
      reason: ServiceExportReason.Failed,
      message: "VPC Lattice is not configured in this control plane: the export's target groups are not created",
    };
  }
  if (result.kind === "failed") {
    const retry = result.retryable ? "; switchyard retries" : "";
    return {
      ok: false,
      reason: ServiceExportReason.Failed,
      message: `${result.operation} failed: ${result.code}: ${result.message}${retry}`,
    };
  }
  const wanted = desired?.targetGroups ?? [];
  if (wanted.length === 0) {
    return { ok: false, reason: ServiceExportReason.Pending, message: "no target group to export (see Valid)" };
  }
  const observed = new Map(result.groups.map((g) => [g.id, g]));
  const missing: string[] = [];
  const failed: string[] = [];
  const waiting: string[] = [];
  const unregistered: string[] = [];
  const empty: string[] = [];
  for (const group of wanted) {
    const have = observed.get(group.id);
    if (!have) {
      missing.push(group.name);
      continue;
    }
    if (have.status !== undefined && have.status !== "ACTIVE") {
      (have.status.endsWith("FAILED") ? failed : waiting).push(`${group.name} (${have.status})`);
      continue;
    }
    if (group.targets.length === 0) {
      empty.push(group.name);
      continue;
    }
    const registered = new Set(have.targets.map((t) => `${t.id}:${t.port}`));
    const absent = group.targets.filter((t) => !registered.has(`${t.id}:${t.port}`));
    if (absent.length > 0) {
      unregistered.push(`${group.name} (${group.targets.length - absent.length} of ${group.targets.length})`);
    }
  }
  if (failed.length > 0) {
    return {
      ok: false,
      reason: ServiceExportReason.Failed,
      message: `VPC Lattice failed target group(s) ${failed.join(", ")}`,
    };
  }
  const pending = [
    ...(missing.length > 0 ? [`target group(s) not created yet: ${missing.join(", ")}`] : []),
    ...(waiting.length > 0 ? [`waiting until ${waiting.join(", ")} are ACTIVE`] : []),
    ...(unregistered.length > 0 ? [`targets not all registered yet: ${unregistered.join(", ")}`] : []),
  ];
  if (pending.length > 0) return { ok: false, reason: ServiceExportReason.Pending, message: pending.join("; ") };
  if (empty.length > 0) {
    return {
      ok: false,
      reason: ServiceExportReason.NoReadyEndpoints,
      message: `target group(s) ${empty.join(", ")} ACTIVE but without targets: the Service has no ready endpoints on the exported port`,
    };
  }
  return {
    ok: true,
    reason: ServiceExportReason.Exported,
    message: `target group(s) ${wanted.map((g) => `${g.name} (${g.targets.length} target(s))`).join(", ")} ACTIVE`,
  };
}

/**
 * Conflict: another cluster exports the same namespace/name with a port of the same number under
 * another routeType. An importing route forwards only to the groups of its own route type (an
 * HTTPRoute to HTTP exports, a GRPCRoute to GRPC ones), so the two clusters' exports of that port
 * never serve the same importers.
 */
export function conflicts(serviceExport: ServiceExport, peers: readonly PeerExport[]): Verdict {
  const own = serviceExport.spec?.exportedPorts ?? [];
  const found: string[] = [];
  for (const peer of [...peers].sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1))) {
    for (const mine of own) {
      const theirs = peer.ports.find((p) => p.port === mine.port && p.routeType !== mine.routeType);
      if (theirs) {
        found.push(
          `port ${mine.port} is exported as ${mine.routeType} here but as ${theirs.routeType} by cluster ${peer.clusterId}`,
        );
      }
    }
  }
  if (found.length > 0) {
    return {
      ok: true,
      reason: ServiceExportReason.PortConflict,
      message: `${found.join("; ")}: an importing route forwards only to the exports of its own route type`,
    };
  }
  return {
    ok: false,
    reason: ServiceExportReason.NoConflicts,
    message:
      peers.length > 0
        ? `no conflict with the export(s) of cluster(s) ${peers.map((p) => p.clusterId).join(", ")}`
        : "no other registered cluster exports this Service",
  };
}

/** The ServiceExport's status: Valid, Ready and (when the peers are known) Conflict. */
export function serviceExportStatus(input: ServiceExportStatusInput): ServiceExportStatusUpdate {
  const { serviceExport } = input;
  const generation = serviceExport.metadata.generation ?? 0;
  const valid = validity(serviceExport, input.service);
  const ready = readiness(input.desired, input.result);
  const conditions: Condition[] = [
    condition(ServiceExportCond.Valid, valid.ok, valid.reason, valid.message, generation),
    condition(ServiceExportCond.Ready, ready.ok, ready.reason, ready.message, generation),
  ];
  if (input.peers) {
    const conflict = conflicts(serviceExport, input.peers);
    conditions.push(condition(ServiceExportCond.Conflict, conflict.ok, conflict.reason, conflict.message, generation));
  }
  return {
    kind: "ServiceExport",
    namespace: serviceExport.metadata.namespace ?? "default",
    name: serviceExport.metadata.name,
    conditions,
  };
}
