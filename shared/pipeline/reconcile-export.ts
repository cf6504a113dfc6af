/**
 * One `lattice-export` request (shared/lattice/exports.ts): a federated ServiceExport's VPC Lattice
 * target groups in the exporting cluster's account, reconciled by the same engine as a Gateway
 * (lease, state record, plan, apply) over the export plane (LATTICE_EXPORT_DATA_PLANE): created
 * with the deterministic names importing clusters look them up by, the Service's ready endpoints as
 * targets (diffs), the TargetGroupPolicy's health check, the exporting cluster's ownership tags.
 * A new group takes its targets once Lattice has created it, and when the export goes its groups
 * are drained, then deleted: while either waits on Lattice a recheck follows (settle-recheck.ts: a
 * fresh request with a `notBefore`, backing off, bounded), and this message is done.
 *
 * When which groups exist changed (one created or deleted, or the export went), the other
 * registered clusters' Gateways whose routes import it are asked to reconcile (reason `aws-event`),
 * so an importer forwards to a new exporter without waiting for its own change, and stops
 * forwarding to one that goes (Lattice refuses to delete a group a rule forwards to).
 *
 * Each reconcile that reaches a verdict (applied, unchanged, deferred, failed — not `busy`, whose
 * lease holder writes it) sends the federated ServiceExport's status (shared/lattice/export-status.ts):
 * Valid from the export and its Service, Ready from the groups as Lattice was left, Conflict from the
 * other registered clusters' exports of the same namespace/name (one mirror read per other cluster).
 * A ServiceExport that is gone or not federated gets none: it is not switchyard's.
 */

import { LATTICE_FEDERATION, LatticeAnnotation, type ServiceExport } from "../extensions/lattice.ts";
import type { ClusterGatewayKey } from "../keys.ts";
import {
  type ExportReconcileResult,
  type PeerExport,
  type ServiceExportStatusUpdate,
  serviceExportStatus,
} from "../lattice/export-status.ts";
import { serviceExportOwner } from "../lattice/exports.ts";
import type { LatticeExportModel } from "../lattice/model.ts";
import type { ObservedLattice } from "../lattice/observed.ts";
import { ClusterNotSynced } from "../mirror/snapshot-source.ts";
import { reconcileDataPlane } from "../reconcile/engine.ts";
import { LATTICE_EXPORT_DATA_PLANE, type LatticeOutcome } from "../reconcile/lattice-plane.ts";
import type { RegisteredCluster } from "../registry/cluster.ts";
import type { Snapshot } from "../snapshot.ts";
import type { StatusIntent } from "../status/writer/decision.ts";
import { translate } from "../translate.ts";
import { gatewaysImporting } from "./affected.ts";
import type { GatewayReconcileReport, GatewayReconcilerDeps } from "./reconcile-gateway.ts";
import { RECONCILE_REQUEST_VERSION, type ReconcileRequest } from "./reconcile-request.ts";
import { DEFAULT_RECHECK, nextRecheck } from "./settle-recheck.ts";

/** Operations that change which of the export's groups exist: importers must look again. */
const GROUP_SET_CHANGES: ReadonlySet<string> = new Set(["CreateTargetGroup", "DeleteTargetGroup"]);

export async function reconcileExportRequest(
  request: ReconcileRequest,
  unit: { cluster: string; namespace: string; name: string },
  cluster: RegisteredCluster,
  deps: GatewayReconcilerDeps,
): Promise<GatewayReconcileReport> {
  const lattice = deps.lattice;
  if (!lattice) {
    await sendStatus(request, unit, deps, await deps.snapshots.load(unit.cluster), undefined, { kind: "unconfigured" });
    return { disposition: "rejected", reason: "VPC Lattice is not configured: ServiceExport groups are not applied" };
  }
  const snapshot = await deps.snapshots.load(unit.cluster);
  const translation = translate(snapshot, deps.config, {
    clusterId: unit.cluster,
    accountId: cluster.account,
    region: cluster.region,
    cluster: { vpcId: cluster.vpcId },
  });
  const owner = serviceExportOwner(unit.namespace, unit.name);
  // Absent when the ServiceExport is gone or no longer federated: its groups are drained and deleted.
  const desired = translation.lattice.exports.find((e) => e.export === owner);
  const port = lattice.portFor(cluster, { clusterId: unit.cluster, gatewayKey: owner });
  const outcome = await reconcileDataPlane(
    LATTICE_EXPORT_DATA_PLANE,
    port,
    { gatewayKey: request.gatewayKey, dataPlane: "lattice", account: cluster.account, region: cluster.region, desired },
    { ...deps.engine, states: lattice.states },
  );
  // Another reconciler holds the unit: it writes the status.
  if (outcome.kind === "busy") return { disposition: "retry", outcome, intents: 0, oversized: [] };
  const result = resultOf(outcome);
  const delivery = result
    ? await sendStatus(request, unit, deps, snapshot, desired, result)
    : { intents: 0, oversized: [] };
  if (outcome.kind === "failed" && outcome.retryable) {
    return { disposition: "retry", outcome, intents: delivery.intents, oversized: delivery.oversized };
  }
  const groupsChanged =
    (outcome.kind === "applied" && outcome.operations.some((op) => GROUP_SET_CHANGES.has(op))) ||
    (desired === undefined && outcome.kind !== "unchanged");
  const importers = groupsChanged ? await askImporters(request, unit, deps) : 0;
  const recheck = nextRecheck(
    stillPending(outcome, desired),
    request.recheck,
    deps.engine.now(),
    deps.recheck ?? DEFAULT_RECHECK,
  );
  if (recheck.kind === "recheck") {
    // No dirty generation for a unit: the request it follows keeps its generation, and the id its
    // `notBefore` (reconcile-request.ts), so each recheck is a new message.
    await deps.requeue.send({
      version: RECONCILE_REQUEST_VERSION,
      gatewayKey: request.gatewayKey,
      reason: "recheck",
      generation: request.generation,
      notBefore: recheck.notBefore,
      recheck: recheck.chain,
      cause: `VPC Lattice still creating or draining the export's target groups (recheck ${recheck.chain.attempt})`,
    });
  }
  return {
    disposition: "done",
    outcome,
    intents: delivery.intents,
    requeued: importers > 0,
    oversized: delivery.oversized,
    ...(recheck.kind === "none" ? {} : { recheck }),
  };
}

/** What status needs of an outcome, or undefined when it says nothing (deleted: the export is gone). */
function resultOf(outcome: LatticeOutcome): ExportReconcileResult | undefined {
  switch (outcome.kind) {
    case "applied":
    case "unchanged":
      return { kind: "observed", groups: outcome.observed.targetGroups };
    case "failed":
      return {
        kind: "failed",
        operation: outcome.error.operation,
        code: outcome.error.code,
        message: outcome.error.message,
        retryable: outcome.retryable,
      };
    default:
      return undefined;
  }
}

/** The federated ServiceExport `unit` names in the snapshot, or undefined (gone, or not federated). */
function federatedExport(
  exports: readonly ServiceExport[],
  unit: { namespace: string; name: string },
): ServiceExport | undefined {
  return exports.find(
    (e) =>
      (e.metadata.namespace ?? "default") === unit.namespace &&
      e.metadata.name === unit.name &&
      e.metadata.annotations?.[LatticeAnnotation.federation] === LATTICE_FEDERATION,
  );
}

/** Computes and sends the ServiceExport's status; nothing for one that is gone or not federated. */
async function sendStatus(
  request: ReconcileRequest,
  unit: { cluster: string; namespace: string; name: string },
  deps: GatewayReconcilerDeps,
  snapshot: Snapshot,
  desired: LatticeExportModel | undefined,
  result: ExportReconcileResult,
): Promise<{ intents: number; oversized: string[] }> {
  const serviceExport = federatedExport(snapshot.serviceExports, unit);
  if (!serviceExport) return { intents: 0, oversized: [] };
  const service = snapshot.services.find(
    (s) => (s.metadata.namespace ?? "default") === unit.namespace && s.metadata.name === unit.name,
  );
  const peers = await peerExports(unit, deps);
  const status: ServiceExportStatusUpdate = serviceExportStatus({
    serviceExport,
    service,
    desired,
    result,
    ...(peers ? { peers } : {}),
  });
  const uid = serviceExport.metadata.uid;
  const intent: StatusIntent = {
    ...status,
    // The generation and uid translated: the writer refuses a status for an object since replaced.
    observedGeneration: serviceExport.metadata.generation ?? 0,
    ...(uid === undefined ? {} : { uid }),
  };
  const delivery = await deps.statuses.send(unit.cluster, [intent], request.gatewayKey);
  return { intents: 1, oversized: delivery.oversized };
}

/**
 * The other registered clusters' federated exports of the same namespace/name, or undefined when
 * the snapshot source cannot list a cluster's exports (no Conflict is then computed). A cluster not
 * synced yet is left out: what it exports is not known.
 */
async function peerExports(
  unit: { cluster: string; namespace: string; name: string },
  deps: GatewayReconcilerDeps,
): Promise<PeerExport[] | undefined> {
  const load = deps.snapshots.serviceExports?.bind(deps.snapshots);
  if (!load) return undefined;
  const peers: PeerExport[] = [];
  for (const other of await deps.registry.list()) {
    if (other.clusterId === unit.cluster) continue;
    let exports: ServiceExport[];
    try {
      exports = await load(other.clusterId);
    } catch (error) {
      if (error instanceof ClusterNotSynced) continue;
      throw error;
    }
    const same = federatedExport(exports, unit);
    if (same) peers.push({ clusterId: other.clusterId, ports: same.spec?.exportedPorts ?? [] });
  }
  return peers;
}

/**
 * Whether AWS, as the outcome left it, still owes the export something a later reconcile must do
 * (a group being created takes its targets once ACTIVE; a gone one is deleted once drained): the
 * plan of the same desired model against what the outcome observed says so, purely.
 */
function stillPending(outcome: LatticeOutcome, desired: LatticeExportModel | undefined): boolean {
  if (outcome.kind !== "applied" && outcome.kind !== "unchanged") return false;
  return LATTICE_EXPORT_DATA_PLANE.plan(desired, outcome.observed as ObservedLattice).pending !== undefined;
}

/**
 * A reconcile request for every Gateway of another registered cluster whose routes import the
 * export; returns how many were sent. Reads each other cluster's snapshot, only when the export's
 * groups appeared or went.
 */
async function askImporters(
  request: ReconcileRequest,
  unit: { cluster: string; namespace: string; name: string },
  deps: GatewayReconcilerDeps,
): Promise<number> {
  const keys: ClusterGatewayKey[] = [];
  for (const other of await deps.registry.list()) {
    if (other.clusterId === unit.cluster) continue;
    let world: Awaited<ReturnType<typeof deps.snapshots.load>>;
    try {
      world = await deps.snapshots.load(other.clusterId);
    } catch (error) {
      // A cluster not synced yet has no Gateway reconciled from a partial view: its first sync
      // reconciles every Gateway it has, and finds the groups as they are then. Skipping it keeps
      // one silent cluster from failing every export's reconcile.
      if (error instanceof ClusterNotSynced) continue;
      throw error;
    }
    keys.push(...gatewaysImporting(other.clusterId, unit.namespace, unit.name, world));
  }
  for (const gatewayKey of keys) {
    await deps.requeue.send({
      version: RECONCILE_REQUEST_VERSION,
      gatewayKey,
      reason: "aws-event",
      // Not the Gateway's dirty generation: a distinct number per occasion, for SQS's deduplication.
      generation: deps.engine.now(),
      cause: `ServiceExport ${unit.namespace}/${unit.name} of cluster ${unit.cluster}: its VPC Lattice target groups changed (${request.cause ?? request.reason})`,
    });
  }
  return keys.length;
}
