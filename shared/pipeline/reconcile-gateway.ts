/**
 * One reconcile.fifo message, end to end, over ports: registry → snapshot → translate → the
 * Gateway's model → reconcileGateway under its lease → statuses with what AWS reported → status
 * intents → one requeue if the Gateway's dirty generation moved meanwhile. The reconcile λ, the
 * local runner and `switchyard dev` all drive this; each brings its own ports.
 *
 * Coalescing (dirty-generation.ts): the generation is read before the mirror, so a reconcile covers
 * every change bumped before it started; one that landed after makes `finish` report the
 * generation moved, and this reconcile sends exactly one requeue. While a request is pending ingest
 * sends none, so a burst costs one reconcile at a time plus pacing (endpoint-pacing.ts) for
 * endpoint-only changes, whatever the number of events.
 *
 * Settling (settle-recheck.ts): a reconcile that leaves a load balancer provisioning or a Lattice
 * resource being created keeps the request pending and sends a recheck (a fresh request with a
 * `notBefore`), with backoff, until it settles or the chain's bound is reached. A request received
 * before its `notBefore` is `deferred` until then, before anything but the registry is read.
 */

import type { ControllerConfig, DataPlane as DataPlaneName } from "../config.ts";
import type { ObservedElb } from "../elb/observed.ts";
import type { ServiceExport } from "../extensions/lattice.ts";
import type { KubeObject } from "../k8s/meta.ts";
import { type ClusterGatewayKey, type GatewayKey, splitClusterGatewayKey } from "../keys.ts";
import { parseExportUnitKey } from "../lattice/exports.ts";
import type { LatticeModel } from "../lattice/model.ts";
import type { ObservedLattice } from "../lattice/observed.ts";
import { remoteServiceExports } from "../lattice/remote-exports.ts";
import { ELB_DATA_PLANE } from "../reconcile/elb-plane.ts";
import { type EngineDeps, type ReconcileOutcome, reconcileDataPlane, reconcileGateway } from "../reconcile/engine.ts";
import { configurationHold } from "../reconcile/hold.ts";
import {
  LATTICE_DATA_PLANE,
  type LatticeOutcome,
  type LatticePort,
  latticeObservationOf,
} from "../reconcile/lattice-plane.ts";
import { observationOf } from "../reconcile/observation.ts";
import { planeSwitchObservation } from "../reconcile/plane-switch.ts";
import type { ElbPort } from "../reconcile/ports.ts";
import type { RegisteredCluster } from "../registry/cluster.ts";
import type { ClusterRegistry } from "../registry/registry.ts";
import { type Snapshot, snapshotOf } from "../snapshot.ts";
import type { StatusIntent } from "../status/writer/decision.ts";
import type { StateStore } from "../store/state.ts";
import { translate } from "../translate.ts";
import type { DirtyGenerations, FinishedReconcile } from "./dirty-generation.ts";
import { DEFAULT_PACING, type PacingSettings, pace } from "./endpoint-pacing.ts";
import { classIntents, gatewayStatusIntents } from "./gateway-statuses.ts";
import { reconcileExportRequest } from "./reconcile-export.ts";
import { RECONCILE_REQUEST_VERSION, type ReconcileRequest } from "./reconcile-request.ts";
import {
  DEFAULT_RECHECK,
  gaveUpNote,
  nextRecheck,
  type RecheckDecision,
  type RecheckSettings,
  stillSettling,
} from "./settle-recheck.ts";

/** Every mirrored object of a cluster, as a snapshot. The objects mirror implements it. */
export interface SnapshotSource {
  load(clusterId: string): Promise<Snapshot>;
  /**
   * Just a cluster's ServiceExports: what an importing cluster's Lattice translation needs of the
   * others (shared/lattice/remote-exports.ts).
   * @default undefined — other clusters' exports are not looked up
   */
  serviceExports?(clusterId: string): Promise<ServiceExport[]>;
}

/** A SnapshotSource over objects held in memory, per cluster: tests and local runs. */
export class MemorySnapshotSource implements SnapshotSource {
  readonly #objects = new Map<string, KubeObject[]>();

  constructor(objects: Readonly<Record<string, readonly KubeObject[]>> = {}) {
    for (const [cluster, list] of Object.entries(objects)) this.set(cluster, list);
  }

  /** Replaces what cluster `clusterId` holds. */
  set(clusterId: string, objects: readonly KubeObject[]): void {
    this.#objects.set(clusterId, structuredClone([...objects]));
  }

  async serviceExports(clusterId: string): Promise<ServiceExport[]> {
    return (await this.load(clusterId)).serviceExports;
  }

  async load(clusterId: string): Promise<Snapshot> {
    // A copy per load: translate annotates the graph, never the snapshot, but a test may edit its list.
    return snapshotOf(structuredClone(this.#objects.get(clusterId) ?? []));
  }
}

/** Where a reconcile puts the request for one more run (reconcile.fifo). */
export interface ReconcileRequeue {
  send(request: ReconcileRequest): Promise<void>;
}

/** What happened to the intents handed to a StatusIntentSink. */
export interface StatusIntentDelivery {
  /** Messages sent. */
  messages: number;
  /** Objects whose status alone is too large for a message (`HTTPRoute apps/web`); not sent. */
  oversized: string[];
}

/** Where status intents go (the status queue). */
export interface StatusIntentSink {
  send(cluster: string, intents: readonly StatusIntent[], source: ClusterGatewayKey): Promise<StatusIntentDelivery>;
}

/** The ELBv2 port for one Gateway in a registered cluster's account (AwsElb over the client factory). */
export type ElbPortFor = (
  cluster: RegisteredCluster,
  gateway: { clusterId: string; gatewayKey: GatewayKey },
) => ElbPort;

/**
 * The VPC Lattice port for one Gateway in a registered cluster's account (AwsLattice over the client
 * factory); `gatewayKey` is whose resources it may write (their ownership tags): the Gateway's key,
 * or a ServiceExport's owner (`ServiceExport/<ns>/<name>`, shared/lattice/exports.ts).
 */
export type LatticePortFor = (
  cluster: RegisteredCluster,
  gateway: { clusterId: string; gatewayKey: GatewayKey | string },
) => LatticePort;

/** What a Lattice Gateway reconciles through: its port, and the Lattice records of the same table. */
export interface LatticeReconcilerDeps {
  portFor: LatticePortFor;
  states: StateStore<ObservedLattice>;
}

export interface GatewayReconcilerDeps {
  registry: ClusterRegistry;
  snapshots: SnapshotSource;
  elbFor: ElbPortFor;
  /**
   * VPC Lattice.
   * @default undefined — Lattice Gateways are not applied: their status waits (Programmed=False).
   */
  lattice?: LatticeReconcilerDeps;
  /** Leases, states, clock and owner for the engine. */
  engine: EngineDeps<ObservedElb>;
  /** Ingest bumps it; the reconciler reads it before the mirror and finishes against it. */
  dirty: Pick<DirtyGenerations, "read" | "finish">;
  /** @default DEFAULT_PACING */
  pacing?: PacingSettings;
  /** @default DEFAULT_RECHECK */
  recheck?: RecheckSettings;
  requeue: ReconcileRequeue;
  statuses: StatusIntentSink;
  config: ControllerConfig;
}

/**
 * What became of one request.
 * - `done`: nothing more to do for this message (including a terminal failure, which status reports).
 * - `retry`: the message must come back (busy lease, retryable AWS failure): a batch item failure.
 * - `rejected`: the message can never succeed as is (unregistered cluster): dropped, and counted.
 * - `deferred`: only endpoints changed and the Gateway was reconciled too recently, or the request
 *   is a recheck received before its `notBefore`: the message must come back at `until` (epoch
 *   ms), untouched; nothing was read but the registry and the dirty record.
 * `recheck` on `done`: AWS was still settling — a recheck was sent, or the chain gave up.
 */
export type GatewayReconcileReport =
  | {
      disposition: "done";
      outcome: ReconcileOutcome | LatticeOutcome;
      intents: number;
      requeued: boolean;
      oversized: string[];
      recheck?: Exclude<RecheckDecision, { kind: "none" }>;
    }
  | { disposition: "retry"; outcome: ReconcileOutcome | LatticeOutcome; intents: number; oversized: string[] }
  | { disposition: "rejected"; reason: string }
  | { disposition: "deferred"; until: number }
  /** A class-status request: the class's statuses were sent; no Gateway was reconciled. */
  | { disposition: "classes"; intents: number; oversized: string[] };

export async function reconcileGatewayRequest(
  request: ReconcileRequest,
  deps: GatewayReconcilerDeps,
): Promise<GatewayReconcileReport> {
  const { cluster: clusterId, gatewayKey, namespace, name } = splitClusterGatewayKey(request.gatewayKey);
  const cluster = await deps.registry.get(clusterId);
  // No registration, no account to act in: nothing could ever make this message succeed.
  if (!cluster) return { disposition: "rejected", reason: `cluster ${clusterId} is not registered` };
  // A recheck received early: one visibility change brings it back then (a FIFO queue has no
  // per-message delay).
  if (request.notBefore !== undefined && deps.engine.now() < request.notBefore) {
    return { disposition: "deferred", until: request.notBefore };
  }

  if (request.reason === "class-status") return classStatuses(request, clusterId, cluster, deps);
  // A ServiceExport's unit, whatever the reason says: its key is never a Gateway's.
  const exported = parseExportUnitKey(request.gatewayKey);
  if (exported) return reconcileExportRequest(request, exported, cluster, deps);

  // Before the mirror: every change bumped before this read is in the snapshot below.
  const startedAt = deps.engine.now();
  const dirty = await deps.dirty.read(request.gatewayKey);
  const pacing = pace(dirty, request.reason, startedAt, deps.pacing ?? DEFAULT_PACING);
  if (!pacing.run) return { disposition: "deferred", until: pacing.until };

  const snapshot = await deps.snapshots.load(clusterId);
  // A ServiceImport forwards to other clusters' exports: read them only when there is one.
  const loadExports = deps.snapshots.serviceExports?.bind(deps.snapshots);
  const others =
    deps.lattice && loadExports && snapshot.serviceImports.length > 0
      ? await Promise.all(
          (await deps.registry.list())
            .filter((c) => c.clusterId !== clusterId)
            .map(async (c) => ({ cluster: c, exports: await loadExports(c.clusterId) })),
        )
      : [];
  const options = {
    clusterId,
    accountId: cluster.account,
    region: cluster.region,
    // The load balancers go into the cluster's VPC: a configuration naming another is refused.
    cluster: { vpcId: cluster.vpcId },
    ...(others.length > 0 ? { remoteServiceExports: remoteServiceExports(clusterId, others) } : {}),
  };
  const first = translate(snapshot, deps.config, options);
  const resolved = first.graph.gateways.find((g) => g.key === gatewayKey);
  // Absent when the Gateway is gone, not ours, not accepted or on another data plane: everything
  // it owns on ELB is then deleted — unless its configuration is refused, which holds what exists.
  const build = first.loadBalancers.find((b) => b.model.gatewayKey === gatewayKey);
  const hold = configurationHold(resolved);
  const held = hold !== undefined ? { hold } : {};
  const dataPlane = resolved?.dataPlane === "nlb" ? "nlb" : "alb";
  const target = { gatewayKey: request.gatewayKey, account: cluster.account, region: cluster.region };

  let outcome: ReconcileOutcome | LatticeOutcome;
  let observation: ReturnType<typeof observationOf>;
  let settling: boolean;
  const lattice = deps.lattice;
  // Lattice's desired model is resolved once, and only when the Lattice plane builds it.
  let latticeDesired: Promise<LatticeModel | undefined> | undefined;
  const desiredOnLattice = (port: LatticePort) => {
    const translated = first.lattice.gateways.find((b) => b.model.gatewayKey === gatewayKey)?.model;
    latticeDesired ??= translated && port.resolve ? port.resolve(translated) : Promise.resolve(translated);
    return latticeDesired;
  };
  /** The Gateway on one plane, through the one engine: what it wants there, or (`retire`) nothing. */
  const run = async (
    plane: DataPlaneName,
    retire: boolean,
  ): Promise<{
    outcome: ReconcileOutcome | LatticeOutcome;
    observation: ReturnType<typeof observationOf>;
    settling: boolean;
  }> => {
    if (plane === "lattice" && lattice) {
      // A Lattice Gateway (or the record of one that is gone): the same engine over the Lattice plane.
      const port = lattice.portFor(cluster, { clusterId, gatewayKey });
      const desired = retire ? undefined : await desiredOnLattice(port);
      const latticeOutcome = await reconcileDataPlane(
        LATTICE_DATA_PLANE,
        port,
        { ...target, dataPlane: "lattice", desired, ...held },
        { ...deps.engine, states: lattice.states },
      );
      return {
        outcome: latticeOutcome,
        observation: latticeObservationOf(latticeOutcome, desired),
        settling: stillSettling(latticeOutcome, LATTICE_DATA_PLANE.isSettling),
      };
    }
    const desired = retire ? undefined : build?.model;
    const elbOutcome = await reconcileGateway(
      { ...target, dataPlane: plane === "nlb" ? "nlb" : "alb", desired, ...held },
      { ...deps.engine, elb: deps.elbFor(cluster, { clusterId, gatewayKey }) },
    );
    return {
      outcome: elbOutcome,
      observation: observationOf(elbOutcome, desired),
      settling: stillSettling(elbOutcome, ELB_DATA_PLANE.isSettling),
    };
  };
  const plane: DataPlaneName =
    lattice && (await onLattice(request, resolved?.dataPlane, lattice)) ? "lattice" : dataPlane;
  ({ outcome, observation, settling } = await run(plane, false));
  if (outcome.kind === "elsewhere") {
    // The class moved the Gateway to another data plane: what the record names there is deleted
    // first (or, held, kept as it is), then this plane builds — in this reconcile when the deletion
    // finishes, else in a later one (the message comes back).
    const from = outcome.dataPlane;
    const retired = from === "lattice" && !lattice ? undefined : await run(from, true);
    if (retired?.outcome.kind === "deleted") ({ outcome, observation, settling } = await run(plane, false));
    else if (retired?.outcome.kind === "held") ({ outcome, observation, settling } = retired);
    else {
      const retiring = retired?.outcome ?? outcome;
      const switching = planeSwitchObservation(from, plane, retiring);
      const retry =
        retiring.kind === "busy" || retiring.kind === "applied" || (retiring.kind === "failed" && retiring.retryable);
      ({ outcome, observation, settling } = { outcome: retiring, observation: switching, settling: false });
      if (retry) {
        const statuses = await sendStatuses(observation);
        return { disposition: "retry", outcome, intents: statuses.intents, oversized: statuses.oversized };
      }
    }
  }
  // Another reconciler holds the Gateway: it writes the statuses; this message comes back later.
  if (outcome.kind === "busy") return { disposition: "retry", outcome, intents: 0, oversized: [] };

  const recheck = nextRecheck(settling, request.recheck, deps.engine.now(), deps.recheck ?? DEFAULT_RECHECK);
  if (observation && recheck.kind === "gave-up") {
    const note = gaveUpNote(recheck.waitedMs);
    observation = { ...observation, message: observation.message ? `${observation.message}; ${note}` : note };
  }
  const delivery = await sendStatuses(observation);
  const intents = { length: delivery.intents };

  if (outcome.kind === "failed" && outcome.retryable) {
    // The retry carries the same generation and requeues then if it must: no requeue now.
    return { disposition: "retry", outcome, intents: intents.length, oversized: delivery.oversized };
  }
  const finished = {
    startedGeneration: dirty.generation,
    startedAt,
    notBefore: pacing.notBefore,
    intervalMs: pacing.intervalMs,
    now: deps.engine.now(),
  };
  if (recheck.kind === "recheck") {
    // The marker stays pending for the recheck: a change meanwhile is bumped, not sent, and a
    // requeue for it (the generation moved) runs at once and decides about settling itself.
    const finish = await deps.dirty.finish(request.gatewayKey, { ...finished, keepPending: true });
    await deps.requeue.send(
      finish.moved
        ? movedRequeue(request, finished.startedGeneration, finish.generation)
        : {
            version: RECONCILE_REQUEST_VERSION,
            gatewayKey: request.gatewayKey,
            reason: "recheck",
            generation: dirty.generation,
            notBefore: recheck.notBefore,
            recheck: recheck.chain,
            cause: `AWS still settling after a reconcile (recheck ${recheck.chain.attempt})`,
          },
    );
    return {
      disposition: "done",
      outcome,
      intents: intents.length,
      requeued: finish.moved,
      oversized: delivery.oversized,
      ...(finish.moved ? {} : { recheck }),
    };
  }
  const requeued = await requeueIfMoved(request, deps, finished);
  return {
    disposition: "done",
    outcome,
    intents: intents.length,
    requeued,
    oversized: delivery.oversized,
    ...(recheck.kind === "gave-up" ? { recheck } : {}),
  };

  /** The Gateway's statuses with what the data plane reported, sent to the status queue. */
  async function sendStatuses(
    observed: ReturnType<typeof observationOf>,
  ): Promise<{ intents: number; oversized: string[] }> {
    const translation = observed
      ? translate(snapshot, deps.config, { ...options, observations: new Map([[`${namespace}/${name}`, observed]]) })
      : first;
    const intents = gatewayStatusIntents(translation, snapshot, gatewayKey, Object.keys(deps.config.controllers));
    const delivery =
      intents.length > 0
        ? await deps.statuses.send(clusterId, intents, request.gatewayKey)
        : { messages: 0, oversized: [] };
    return { intents: intents.length, oversized: delivery.oversized };
  }
}

/**
 * Whether the Gateway reconciles on Lattice: its class says so, or, once it is gone (no resolved
 * Gateway), its record does — one read, so what it owned on Lattice is deleted on Lattice. Gone
 * with no record, only the orphan check's request can say Lattice (`orphanedOn`): an ordinary
 * deletion without a record stays on ELB and never pays for Lattice's discovery.
 */
async function onLattice(
  request: ReconcileRequest,
  dataPlane: string | undefined,
  lattice: LatticeReconcilerDeps,
): Promise<boolean> {
  if (dataPlane !== undefined) return dataPlane === "lattice";
  const record = await lattice.states.get(request.gatewayKey);
  if (record !== undefined) return record.dataPlane === "lattice";
  return request.orphanedOn === "lattice";
}

/**
 * One more reconcile when the Gateway changed while this one ran. Ingest sends no request while one
 * is pending (this one, until `finish` clears it), so without this the last change could go unseen;
 * with it, a burst that lands during a reconcile costs one more reconcile, not one per batch.
 */
async function requeueIfMoved(
  request: ReconcileRequest,
  deps: GatewayReconcilerDeps,
  finished: FinishedReconcile,
): Promise<boolean> {
  const finish = await deps.dirty.finish(request.gatewayKey, finished);
  if (!finish.moved) return false;
  await deps.requeue.send(movedRequeue(request, finished.startedGeneration, finish.generation));
  return true;
}

function movedRequeue(request: ReconcileRequest, started: number, generation: number): ReconcileRequest {
  return {
    version: RECONCILE_REQUEST_VERSION,
    gatewayKey: request.gatewayKey,
    reason: "requeue",
    generation,
    cause: `dirty generation moved from ${started} to ${generation} during a reconcile`,
  };
}

/**
 * A GatewayClass no Gateway uses: its statuses (Accepted, SupportedVersion) from a translation of
 * the cluster, as every Gateway reconcile would compute them, sent to the status queue.
 */
async function classStatuses(
  request: ReconcileRequest,
  clusterId: string,
  cluster: RegisteredCluster,
  deps: GatewayReconcilerDeps,
): Promise<GatewayReconcileReport> {
  const { name } = splitClusterGatewayKey(request.gatewayKey);
  const snapshot = await deps.snapshots.load(clusterId);
  const translation = translate(snapshot, deps.config, {
    clusterId,
    accountId: cluster.account,
    region: cluster.region,
  });
  const intents = classIntents(translation, snapshot, name);
  const delivery =
    intents.length > 0 ? await deps.statuses.send(clusterId, intents, request.gatewayKey) : { oversized: [] };
  return { disposition: "classes", intents: intents.length, oversized: delivery.oversized };
}
