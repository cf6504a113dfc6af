/**
 * Reconciling one Gateway's data plane: claim (lease + record) → (observe) → plan → apply → record
 * and release. The loop is written once over a DataPlane descriptor and its port (ports.ts);
 * `reconcileGateway` is its Elastic Load Balancing instance.
 *
 * - The store is asked twice in a reconcile that applies: one claim, which takes the lease, marks
 *   the record `applying` (before any AWS call can start) and returns it; one record write at the
 *   end, which also releases the lease. A reconcile whose desired hash equals the applied hash, with
 *   no drift check due, is the claim alone (refused as current) and makes no AWS call at all.
 * - A drift check re-reads exactly the resources the state record claims; a missing or
 *   interrupted record (`applying` set) triggers discovery by ownership tags, so a crash after any
 *   step converges without orphans or duplicates.
 * - Every state write is fenced by the lease token: a reconciler whose lease was taken over can
 *   never overwrite the newer holder's record. AWS knows nothing of tokens, so AWS writes are
 *   bounded in time instead: no call starts unless the lease outlives its deadline, and a
 *   reconciler taking over an interrupted apply waits until the old holder's calls cannot land:
 *   its lease's expiry if it vanished (every call lands before the lease expires), or, when it
 *   stopped on an exception, the moment it stopped — one call deadline later if a call's answer
 *   never came — which its `finally` records as it releases the lease.
 * - A quota refusal runs the operations that make room first (TooManyRules: the listener's
 *   pending rule deletions), then carries on.
 * - A rule AWS refuses as invalid is reported and skipped with what depends on it; every other
 *   operation still runs.
 * - A Gateway whose configuration is refused (`hold`, decided in hold.ts) is held, not deleted: no
 *   AWS call, the record kept as it was (README.md › "an invalid configuration holds").
 */
import type { DataPlane as DataPlaneName } from "../config.ts";
import type { LoadBalancerModel } from "../elb/model.ts";
import type { ObservedElb } from "../elb/observed.ts";
import type { ElbOperation } from "../elb/operations.ts";
import type { ClusterGatewayKey } from "../keys.ts";
import {
  boundedError,
  FencedOut,
  type GatewayState,
  type LastReconcile,
  type Lease,
  type LeaseStore,
  type StateStore,
} from "../store/state.ts";
import { ELB_DATA_PLANE } from "./elb-plane.ts";
import { type DataPlane, DataPlaneOperationError, type DataPlanePort, type ElbPort, type FailedRule } from "./ports.ts";

export { modelHash, SERVING } from "./elb-plane.ts";

/** Where the engine reports what it handles without failing the reconcile. */
export interface EngineLogger {
  warn(message: string, context: Record<string, unknown>): void;
}

/** Lease TTL when none is given. @see EngineDeps.leaseTtlMs */
export const DEFAULT_LEASE_TTL_MS = 60_000;
/** @see EngineDeps.driftIntervalMs */
export const DEFAULT_DRIFT_INTERVAL_MS = 10 * 60_000;
/** @see EngineDeps.callDeadlineMs */
export const DEFAULT_CALL_DEADLINE_MS = 20_000;
/** @see EngineDeps.leaseSafetyMarginMs */
export const DEFAULT_LEASE_SAFETY_MARGIN_MS = 5_000;

/** What the engine needs besides the data plane's port; the same for every data plane. */
export interface EngineDeps<Observed> {
  leases: LeaseStore;
  states: StateStore<Observed>;
  /** Epoch milliseconds; injected so tests control time. */
  now: () => number;
  /** Identity of this reconciler (Lambda request id, host, …). */
  owner: string;
  /**
   * How long a lease holds without renewal.
   *
   * @default 60_000 (one minute): long enough for a typical plan to finish on one renewal-free
   * lease, short enough that a crashed reconciler blocks its Gateway for about a minute. Must
   * exceed `callDeadlineMs + leaseSafetyMarginMs` (checked: LeaseTooShort).
   */
  leaseTtlMs?: number;
  /**
   * How often a reconcile with nothing changed still re-reads AWS to repair drift.
   *
   * @default 600_000 (ten minutes): drift (a console edit) is rare, and each check costs a few
   * Describe calls per Gateway against ELBv2's shared API rate.
   */
  driftIntervalMs?: number;
  /**
   * The deadline of every AWS call: the AWS clients abort a call that has not answered by then.
   * The engine starts no call unless the lease outlives it, and a takeover waits this long past
   * the old holder's lease before touching AWS.
   *
   * @default 20_000 (20 s): ELBv2 answers in well under a second; the SDK's own retries with
   * backoff fit in it, and it stays well inside the default lease.
   */
  callDeadlineMs?: number;
  /**
   * Slack between a call's deadline and the lease's expiry, for clock drift between reconcilers
   * and the time a renewal itself takes.
   *
   * @default 5_000 (5 s): far above NTP-synchronised drift, small next to the lease TTL.
   */
  leaseSafetyMarginMs?: number;
  /**
   * Receives what the engine swallows (a failed lease release).
   *
   * @default console.warn, so nothing disappears silently in Lambda's logs; tests pass their own.
   */
  logger?: EngineLogger;
}

/** The engine's dependencies for an Elastic Load Balancing Gateway. */
export interface ReconcileDeps extends EngineDeps<ObservedElb> {
  elb: ElbPort;
}

export interface DataPlaneRequest<Desired> {
  gatewayKey: ClusterGatewayKey;
  dataPlane: DataPlaneName;
  account: string;
  region: string;
  /** Undefined when the Gateway is gone (or no longer ours): everything it owns is deleted. */
  desired: Desired | undefined;
  /**
   * Why the Gateway, still ours, is not accepted because of its configuration (hold.ts decides):
   * with `desired` undefined, the engine then keeps whatever the record holds instead of deleting
   * it — no AWS call at all, the record kept as it was. Ignored when `desired` is set.
   * @default undefined — an undefined `desired` deletes everything the Gateway owns
   */
  hold?: string;
}

export type ReconcileRequest = DataPlaneRequest<LoadBalancerModel>;

export type DataPlaneOutcome<Observed, Operation extends { op: string }> =
  /** Another reconciler holds the lease, or (with `until`) an interrupted apply's calls may still land. */
  | { kind: "busy"; until?: number }
  | { kind: "unchanged"; observed: Observed }
  | {
      kind: "applied";
      observed: Observed;
      operations: Operation["op"][];
      replacement?: string;
      drift: boolean;
      /** Rules AWS refused; everything else was applied. Present only when some were. */
      failedRules?: FailedRule[];
      /** The plan's `pending`: what a later reconcile still has to do. */
      pending?: string;
    }
  | { kind: "deleted" }
  /**
   * The Gateway's record names another data plane (`dataPlane`: its class moved it between ELB and
   * VPC Lattice): nothing was called or written. That plane's resources go first — a reconcile of
   * it with `desired` undefined — then this one builds (README.md › "a Gateway changing data plane").
   */
  | { kind: "elsewhere"; dataPlane: DataPlaneName }
  /**
   * The Gateway's configuration is refused (`hold`): nothing was called or changed; `observed` is
   * what its record says keeps serving (empty when there is no record: nothing was ever created).
   */
  | { kind: "held"; observed: Observed; reason: string }
  | { kind: "failed"; observed: Observed; error: DataPlaneOperationError<Observed>; retryable: boolean };

export type ReconcileOutcome = DataPlaneOutcome<ObservedElb, ElbOperation>;

/** The lease cannot outlive a call: a reconciler could still be writing to AWS after losing it. */
export class LeaseTooShort extends Error {
  readonly leaseTtlMs: number;
  readonly requiredMs: number;

  constructor(leaseTtlMs: number, requiredMs: number) {
    super(
      `lease TTL ${leaseTtlMs} ms must exceed the call deadline plus the safety margin (${requiredMs} ms), ` +
        "or an AWS call could land after the lease is lost",
    );
    this.name = "LeaseTooShort";
    this.leaseTtlMs = leaseTtlMs;
    this.requiredMs = requiredMs;
  }
}

interface LeaseTiming {
  ttl: number;
  callDeadline: number;
  /** A lease with less than this left is renewed before the next call. */
  renewBelow: number;
}

/** The lease timing of `deps`, refused when a call could outlive the lease. */
export function leaseTiming(deps: EngineDeps<unknown>): LeaseTiming {
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const callDeadline = deps.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
  const required = callDeadline + (deps.leaseSafetyMarginMs ?? DEFAULT_LEASE_SAFETY_MARGIN_MS);
  if (!(ttl > required)) throw new LeaseTooShort(ttl, required);
  // Long plans keep the lease at half-TTL; whatever the TTL, never start a call the lease may not outlive.
  return { ttl, callDeadline, renewBelow: Math.max(ttl / 2, required) };
}

/**
 * The lease, renewed if less than a call deadline plus margin is left: the next call then ends
 * before the lease can expire. Throws FencedOut when it was lost.
 */
export async function keepLease(lease: Lease, deps: EngineDeps<unknown>, timing: LeaseTiming): Promise<Lease> {
  if (lease.expiresAt - deps.now() >= timing.renewBelow) return lease;
  const renewed = await deps.leases.renew(lease, deps.now(), timing.ttl);
  if (!renewed) throw new FencedOut(lease.gatewayKey, `lease on ${lease.gatewayKey} was lost during apply`);
  return renewed;
}

/** Releases a lease; a failure only delays the next holder until expiry, so it is logged, not thrown. */
export async function releaseLease(lease: Lease, deps: EngineDeps<unknown>): Promise<void> {
  await deps.leases.release(lease).catch((error: unknown) => {
    (deps.logger ?? console).warn("lease release failed; the lease expires on its own", {
      gatewayKey: lease.gatewayKey,
      owner: lease.owner,
      token: lease.token,
      error: error instanceof Error ? error.message : String(error),
    });
  });
}

export async function reconcileGateway(request: ReconcileRequest, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  return reconcileDataPlane(ELB_DATA_PLANE, deps.elb, request, deps);
}

export async function reconcileDataPlane<Desired, Observed, Operation extends { op: string }>(
  plane: DataPlane<Desired, Observed, Operation>,
  port: DataPlanePort<Observed, Operation>,
  request: DataPlaneRequest<Desired>,
  deps: EngineDeps<Observed>,
): Promise<DataPlaneOutcome<Observed, Operation>> {
  const timing = leaseTiming(deps);
  if (request.hold !== undefined && request.desired === undefined)
    return holdDataPlane(plane, request, request.hold, deps, timing);
  const desiredHash = plane.hash(request.desired);
  const driftInterval = deps.driftIntervalMs ?? DEFAULT_DRIFT_INTERVAL_MS;
  const claim = (unlessCurrent: boolean) => {
    const now = deps.now();
    return deps.states.claim({
      gatewayKey: request.gatewayKey,
      owner: deps.owner,
      now,
      ttlMs: timing.ttl,
      // Before any AWS call can start, the record says one may be under way and until when it can
      // land: by the lease's expiry, since no call starts with less than a call deadline (plus
      // margin) left on the lease (keepLease).
      applying: { startedAt: now, desiredHash, callsLandBy: now + timing.ttl },
      initial: {
        dataPlane: request.dataPlane,
        account: request.account,
        region: request.region,
        applied: plane.empty(),
      },
      planes: plane.dataPlanes,
      ...(unlessCurrent ? { unlessCurrent: { appliedHash: desiredHash, checkedAfter: now - driftInterval } } : {}),
    });
  };
  // One request decides: nothing to do (a current record), busy, or the lease with the record.
  let claimed = await claim(true);
  if (claimed.kind === "current") {
    const heldBefore = claimed.state.lastReconcile?.outcome === "held";
    if (!plane.isSettling(claimed.state.applied) && !heldBefore)
      return { kind: "unchanged", observed: claimed.state.applied };
    // A top-level resource still provisioning is re-read on every reconcile, under the lease; a
    // record that says held is written once more, so it no longer says so.
    claimed = await claim(false);
  }
  if (claimed.kind === "elsewhere") return { kind: "elsewhere", dataPlane: claimed.dataPlane };
  if (claimed.kind !== "claimed") return { kind: "busy" };
  let lease = claimed.lease;
  const state = claimed.previous;
  // Every path below ends in one write that also releases the lease; until it succeeds, a failure
  // (the reconciler crashing on an exception) records when its last call can land and releases.
  let released = false;
  const finish = async (write: Promise<void>) => {
    await write;
    released = true;
  };
  // While a call is under way: when it can land at the latest. A call that threw something other
  // than AWS's answer (a lost response, a crash in the port) may still land until then.
  let uncertainUntil: number | undefined;
  const tracked: DataPlanePort<Observed, Operation> = {
    ...port,
    execute: async (op, current, created) => {
      const landBy = deps.now() + timing.callDeadline;
      uncertainUntil = Math.max(uncertainUntil ?? 0, landBy);
      try {
        const after = await port.execute(op, current, created);
        if (uncertainUntil === landBy) uncertainUntil = undefined;
        return after;
      } catch (error) {
        // AWS answered (a refusal, not found, a quota): the call has landed.
        if (error instanceof DataPlaneOperationError && error.kind !== "retryable" && uncertainUntil === landBy)
          uncertainUntil = undefined;
        throw error;
      }
    },
  };
  try {
    if (state?.applying) {
      // An interrupted apply: its holder's last calls may still be in flight to AWS, and a
      // discovery before they land would plan them again.
      const landBy = state.applying.callsLandBy ?? state.applying.startedAt + timing.callDeadline;
      if (deps.now() <= landBy) {
        // The record goes back to what it said, so the next attempt waits for the same moment.
        await finish(deps.states.put(state, lease, { release: true }));
        return { kind: "busy", until: landBy };
      }
    }
    const settling = state !== undefined && plane.isSettling(state.applied);
    const driftDue = state !== undefined && deps.now() - (state.lastDriftCheck ?? 0) >= driftInterval;
    if (state && !state.applying && state.appliedHash === desiredHash && !driftDue) {
      if (!settling) {
        // Current after all (it stopped provisioning since the first claim): the record goes back
        // as it was, without the claim's marker (a no-op: like the claim refused as current, it
        // records no outcome) — but a hold that just ended is recorded as over.
        const resumed = state.lastReconcile?.outcome === "held" ? { lastReconcile: ended("unchanged") } : {};
        await finish(deps.states.put({ ...state, ...resumed }, lease, { release: true }));
        return { kind: "unchanged", observed: state.applied };
      }
      const refreshed = await port.refresh(state.applied);
      await finish(
        deps.states.put({ ...state, applied: refreshed, lastReconcile: ended("unchanged") }, lease, { release: true }),
      );
      return { kind: "unchanged", observed: refreshed };
    }

    let observed: Observed;
    if (!state || state.applying) observed = await port.discover(request.gatewayKey);
    else if (driftDue) observed = await port.observe(state.applied);
    else if (plane.refreshBeforePlan?.(state.applied)) observed = await port.refresh(state.applied);
    else observed = state.applied;

    const plan = plane.plan(request.desired, observed);
    const base: GatewayState<Observed> = {
      gatewayKey: request.gatewayKey,
      dataPlane: request.dataPlane,
      account: request.account,
      region: request.region,
      applied: observed,
      fencingToken: lease.token,
      ...(state?.lastDriftCheck !== undefined ? { lastDriftCheck: state.lastDriftCheck } : {}),
      // Kept through the writes during the apply; the last write says how this one ended.
      ...(state?.lastReconcile !== undefined ? { lastReconcile: state.lastReconcile } : {}),
    };
    const checked = !state || state.applying || driftDue ? { lastDriftCheck: deps.now() } : {};
    const startedAt = deps.now();
    // While applying, every call lands before the lease expires (keepLease renews first).
    const applying = (held: Lease, landBy = held.expiresAt) => ({
      startedAt,
      desiredHash,
      callsLandBy: landBy,
    });

    const result = await execute(plane, tracked, plan.operations, observed, request.desired, deps, lease, timing, {
      // A renewed lease moves the point a takeover must wait for, so the record follows it.
      renewed: (held, current) => deps.states.put({ ...base, applied: current, applying: applying(held) }, held),
    });
    lease = result.lease;
    if (result.error) {
      // A refusal (terminal, quota, conflict) leaves exactly what the executor recorded, so the
      // next attempt plans from the record; only an uncertain failure (throttled to exhaustion, 5xx,
      // a lost response) keeps `applying`, so the next attempt re-discovers by tags — once a call
      // given up on client-side can no longer land.
      const uncertain = result.error.kind === "retryable";
      const lastReconcile = ended("failed", operationFailure(result.error));
      await finish(
        deps.states.put(
          uncertain
            ? {
                ...base,
                applied: result.observed,
                applying: applying(lease, deps.now() + timing.callDeadline),
                lastReconcile,
              }
            : { ...base, ...checked, applied: result.observed, lastReconcile },
          lease,
          { release: true },
        ),
      );
      return {
        kind: "failed",
        observed: result.observed,
        error: result.error,
        retryable: result.error.retryable,
      };
    }
    if (!request.desired && !plan.pending) {
      await finish(deps.states.delete(request.gatewayKey, lease, { release: true }));
      return { kind: "deleted" };
    }
    // With a refused rule, or work pending (a deletion waiting on a drain), the desired model is not
    // what AWS holds: no applied hash, so the next reconcile plans from the record again and reports
    // (or, once fixed, creates) the rule, or finishes the deletion.
    const complete = result.failedRules.length === 0 && !plan.pending;
    const lastReconcile =
      result.failedRules.length > 0
        ? ended("partial", refusedRules(result.failedRules))
        : ended(plan.operations.length > 0 ? "applied" : "unchanged");
    await finish(
      deps.states.put(
        {
          ...base,
          ...checked,
          applied: result.observed,
          lastReconcile,
          ...(complete ? { appliedHash: desiredHash } : {}),
        },
        lease,
        { release: true },
      ),
    );
    if (plan.operations.length === 0) return { kind: "unchanged", observed: result.observed };
    return {
      kind: "applied",
      observed: result.observed,
      operations: plan.operations.map((o) => o.op),
      drift: driftDue && state?.appliedHash === desiredHash,
      ...(plan.replacement ? { replacement: plan.replacement } : {}),
      ...(result.failedRules.length === 0 ? {} : { failedRules: result.failedRules }),
      ...(plan.pending ? { pending: plan.pending } : {}),
    };
  } catch (error) {
    if (!released) await abandon(state, lease, uncertainUntil, error);
    throw error;
  }

  /** How this reconcile ended, as its last write records it. */
  function ended(outcome: LastReconcile["outcome"], error?: string): LastReconcile {
    return { at: deps.now(), outcome, ...(error ? { error: boundedError(error) } : {}) };
  }

  /**
   * The reconcile failed on an exception: it stops here, so the record says its calls land by now
   * (or, with a call whose answer never came, one call deadline after that call started), and the
   * next delivery takes over without waiting for the lease. The record keeps `applying`, so that
   * one discovers by tags what this one did. If even this write fails the lease is released, and
   * the claim's marker makes the next holder wait for the lease's expiry.
   */
  async function abandon(
    previous: GatewayState<Observed> | undefined,
    held: Lease,
    callInDoubtUntil: number | undefined,
    error: unknown,
  ): Promise<void> {
    const now = deps.now();
    // An earlier holder's calls (the record's marker, when this one stopped before taking over) still count.
    const earlier = previous?.applying
      ? (previous.applying.callsLandBy ?? previous.applying.startedAt + timing.callDeadline)
      : 0;
    try {
      await deps.states.put(
        {
          gatewayKey: request.gatewayKey,
          dataPlane: request.dataPlane,
          account: request.account,
          region: request.region,
          applied: plane.empty(),
          ...previous,
          applying: {
            startedAt: previous?.applying?.startedAt ?? now,
            desiredHash,
            callsLandBy: Math.max(earlier, callInDoubtUntil ?? now),
          },
          lastReconcile: ended("failed", thrown(error)),
          fencingToken: held.token,
        },
        held,
        { release: true },
      );
    } catch {
      await releaseLease(held, deps);
    }
  }
}

/**
 * A Gateway still ours whose configuration is refused: what its record holds keeps serving exactly
 * as it is. No AWS call, not even a drift check's reads, so drift is neither seen nor repaired
 * while held (the drift check that falls due meanwhile runs on the first reconcile after the fix).
 * It runs under the lease, so it waits for an apply in progress; the record goes back as it was
 * (an interrupted apply's marker too, so the fix re-discovers by tags) with only how this
 * reconcile ended, and a Gateway that had no record is left without one: a hold never creates.
 */
async function holdDataPlane<Desired, Observed, Operation extends { op: string }>(
  plane: DataPlane<Desired, Observed, Operation>,
  request: DataPlaneRequest<Desired>,
  reason: string,
  deps: EngineDeps<Observed>,
  timing: LeaseTiming,
): Promise<DataPlaneOutcome<Observed, Operation>> {
  const now = deps.now();
  const claimed = await deps.states.claim({
    gatewayKey: request.gatewayKey,
    owner: deps.owner,
    now,
    ttlMs: timing.ttl,
    // No call starts, so none can land after now: a crash before the record is put back costs the
    // next reconcile no wait.
    applying: { startedAt: now, desiredHash: plane.hash(undefined), callsLandBy: now },
    initial: {
      dataPlane: request.dataPlane,
      account: request.account,
      region: request.region,
      applied: plane.empty(),
    },
    // A record of another plane is held by that plane's hold: this one cannot write it back as it was.
    planes: plane.dataPlanes,
  });
  if (claimed.kind === "elsewhere") return { kind: "elsewhere", dataPlane: claimed.dataPlane };
  if (claimed.kind !== "claimed") return { kind: "busy" };
  const { lease, previous } = claimed;
  try {
    if (!previous) {
      await deps.states.delete(request.gatewayKey, lease, { release: true });
      return { kind: "held", observed: plane.empty(), reason };
    }
    await deps.states.put(
      {
        ...previous,
        fencingToken: lease.token,
        lastReconcile: { at: deps.now(), outcome: "held", error: boundedError(reason) },
      },
      lease,
      { release: true },
    );
    return { kind: "held", observed: previous.applied, reason };
  } catch (error) {
    await releaseLease(lease, deps);
    throw error;
  }
}

interface Execution<Observed> {
  observed: Observed;
  lease: Lease;
  failedRules: FailedRule[];
  error?: DataPlaneOperationError<Observed>;
}

interface ExecutionHooks<Observed> {
  /** Called after each lease renewal, before the next call, with what exists so far. */
  renewed(lease: Lease, current: Observed): Promise<void>;
}

async function execute<Desired, Observed, Operation extends { op: string }>(
  plane: DataPlane<Desired, Observed, Operation>,
  port: DataPlanePort<Observed, Operation>,
  operations: readonly Operation[],
  start: Observed,
  desired: Desired | undefined,
  deps: EngineDeps<Observed>,
  initialLease: Lease,
  timing: LeaseTiming,
  hooks: ExecutionHooks<Observed>,
): Promise<Execution<Observed>> {
  let observed = start ?? plane.empty();
  let lease = initialLease;
  const created = new Map<string, string>();
  const pending = [...operations];
  const done = new Set<Operation>();
  const refused: Operation[] = [];
  const failedRules: FailedRule[] = [];
  while (pending.length > 0) {
    const op = pending.shift();
    if (!op || done.has(op)) continue;
    if (refused.some((r) => plane.dependsOn(op, r))) continue;
    const kept = await keepLease(lease, deps, timing);
    if (kept !== lease) {
      lease = kept;
      await hooks.renewed(lease, observed);
    }
    try {
      observed = await port.execute(op, observed, created);
      done.add(op);
    } catch (err) {
      if (!(err instanceof DataPlaneOperationError)) throw err;
      // The port reports what exists after a partial operation in its own observed shape.
      const after = (err as DataPlaneOperationError<Observed>).observed;
      if (err.kind === "quota") {
        // Make room, then retry the operation once.
        const room = plane.makeRoom(op, pending);
        if (room.length > 0) {
          for (const r of room) pending.splice(pending.indexOf(r), 1);
          pending.unshift(...room, op);
          continue;
        }
      }
      if (err.kind === "notFound" && plane.isDeletion(op)) {
        // Already gone: the goal of the operation holds.
        done.add(op);
        continue;
      }
      const rule = err.kind === "terminal" ? plane.refusedRule(op, err, desired) : undefined;
      if (rule) {
        // One invalid rule (one route's) must not keep every other route from being programmed.
        failedRules.push(rule);
        refused.push(op);
        if (after !== undefined) observed = after;
        continue;
      }
      return { observed: after ?? observed, lease, failedRules, error: err as DataPlaneOperationError<Observed> };
    }
  }
  return { observed, lease, failedRules };
}

/** An AWS refusal as the record keeps it: the operation, AWS's code and its message. */
function operationFailure(error: DataPlaneOperationError<unknown>): string {
  return `${error.operation}: ${error.code}: ${error.message}`;
}

/** The rules AWS refused, one `listener route operation: code: message` each. */
function refusedRules(rules: readonly FailedRule[]): string {
  const each = rules.map(
    (r) => `${r.listenerId}${r.route ? ` ${r.route}` : ""} ${r.operation}: ${r.code}: ${r.message}`,
  );
  return `${rules.length} rule(s) refused: ${each.join("; ")}`;
}

/** An exception that stopped a reconcile, as the record keeps it. */
function thrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
