/**
 * Reconciling one Gateway's load balancer: lease → state → (observe) → plan → apply → record.
 *
 * - A reconcile whose desired hash equals the applied hash, with no drift check due, makes no AWS
 *   call at all.
 * - A drift check re-reads exactly the resources the state record claims; a missing or
 *   interrupted record (`applying` set) triggers discovery by ownership tags, so a crash after any
 *   step converges without orphans or duplicates.
 * - Every state write is fenced by the lease token: a reconciler whose lease was taken over can
 *   never overwrite the newer holder's record.
 * - TooManyRules during rule creation runs the listener's pending rule deletions first, then
 *   carries on.
 */
import { createHash } from "node:crypto";
import type { DataPlane } from "../config.ts";
import type { LoadBalancerModel } from "../elb/model.ts";
import { emptyObserved, type ObservedElb } from "../elb/observed.ts";
import type { ElbOperation } from "../elb/operations.ts";
import { planElb } from "../elb/plan.ts";
import { FencedOut, type GatewayState, type Lease, type LeaseStore, type StateStore } from "../store/state.ts";
import { ElbOperationError, type ElbPort } from "./ports.ts";

export interface ReconcileDeps {
  leases: LeaseStore;
  states: StateStore;
  elb: ElbPort;
  /** Epoch milliseconds; injected so tests control time. */
  now: () => number;
  /** Identity of this reconciler (Lambda request id, host, …). */
  owner: string;
  leaseTtlMs?: number;
  driftIntervalMs?: number;
}

export interface ReconcileRequest {
  /** `cluster/namespace/name`. */
  gatewayKey: string;
  dataPlane: DataPlane;
  account: string;
  region: string;
  /** Undefined when the Gateway is gone (or no longer ours): everything it owns is deleted. */
  desired: LoadBalancerModel | undefined;
}

export type ReconcileOutcome =
  | { kind: "busy" }
  | { kind: "unchanged"; observed: ObservedElb }
  | { kind: "applied"; observed: ObservedElb; operations: ElbOperation["op"][]; replacement?: string; drift: boolean }
  | { kind: "deleted" }
  | { kind: "failed"; observed: ObservedElb; error: ElbOperationError; retryable: boolean };

const DEFAULT_LEASE_TTL_MS = 60_000;
/** ELBv2 load balancer states that serve traffic. */
export const SERVING: ReadonlySet<string> = new Set(["active", "active_impaired"]);
const DEFAULT_DRIFT_INTERVAL_MS = 10 * 60_000;

export function modelHash(model: LoadBalancerModel | undefined): string {
  return createHash("sha256")
    .update(model ? JSON.stringify(model) : "deleted")
    .digest("hex");
}

export async function reconcileGateway(request: ReconcileRequest, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  let lease = await deps.leases.acquire(request.gatewayKey, deps.owner, deps.now(), ttl);
  if (!lease) return { kind: "busy" };
  try {
    const desiredHash = modelHash(request.desired);
    const state = await deps.states.get(request.gatewayKey);
    // A load balancer still provisioning is re-read on every reconcile until it serves, so
    // Programmed turns True as soon as AWS says so rather than at the next drift check.
    const settling = state?.applied.loadBalancer?.state !== undefined && !SERVING.has(state.applied.loadBalancer.state);
    const driftDue =
      state !== undefined &&
      deps.now() - (state.lastDriftCheck ?? 0) >= (deps.driftIntervalMs ?? DEFAULT_DRIFT_INTERVAL_MS);
    if (state && !state.applying && state.appliedHash === desiredHash && !driftDue) {
      if (!settling) return { kind: "unchanged", observed: state.applied };
      const refreshed = await deps.elb.refresh(state.applied);
      await deps.states.put({ ...state, applied: refreshed, fencingToken: lease.token }, lease);
      return { kind: "unchanged", observed: refreshed };
    }

    let observed: ObservedElb;
    if (!state || state.applying) observed = await deps.elb.discover(request.gatewayKey);
    else if (driftDue) observed = await deps.elb.observe(state.applied);
    else observed = state.applied;

    const plan = planElb(request.desired, observed);
    const base: GatewayState = {
      gatewayKey: request.gatewayKey,
      dataPlane: request.dataPlane,
      account: request.account,
      region: request.region,
      applied: observed,
      fencingToken: lease.token,
      ...(state?.lastDriftCheck !== undefined ? { lastDriftCheck: state.lastDriftCheck } : {}),
    };
    const checked = !state || state.applying || driftDue ? { lastDriftCheck: deps.now() } : {};

    if (plan.operations.length > 0) {
      await deps.states.put({ ...base, applying: { startedAt: deps.now(), desiredHash } }, lease);
    }
    const result = await execute(plan.operations, observed, deps, lease, ttl);
    lease = result.lease;
    if (result.error) {
      // A refusal (terminal, quota, conflict) leaves exactly what the executor recorded, so the
      // next attempt plans from the record; only an uncertain failure (throttled to exhaustion, 5xx,
      // a lost response) keeps `applying`, so the next attempt re-discovers by tags.
      const uncertain = result.error.kind === "retryable";
      await deps.states.put(
        uncertain
          ? { ...base, applied: result.observed, applying: { startedAt: deps.now(), desiredHash } }
          : { ...base, ...checked, applied: result.observed },
        lease,
      );
      return {
        kind: "failed",
        observed: result.observed,
        error: result.error,
        // A taken priority resolves on a re-plan; a name collision or a quota needs a person.
        retryable: uncertain || result.error.code.startsWith("PriorityInUse"),
      };
    }
    if (!request.desired) {
      await deps.states.delete(request.gatewayKey, lease);
      return { kind: "deleted" };
    }
    await deps.states.put({ ...base, ...checked, applied: result.observed, appliedHash: desiredHash }, lease);
    if (plan.operations.length === 0) return { kind: "unchanged", observed: result.observed };
    return {
      kind: "applied",
      observed: result.observed,
      operations: plan.operations.map((o) => o.op),
      drift: driftDue && state?.appliedHash === desiredHash,
      ...(plan.replacement ? { replacement: plan.replacement } : {}),
    };
  } finally {
    await deps.leases.release(lease).catch(() => undefined);
  }
}

interface Execution {
  observed: ObservedElb;
  lease: Lease;
  error?: ElbOperationError;
}

async function execute(
  operations: readonly ElbOperation[],
  start: ObservedElb,
  deps: ReconcileDeps,
  initialLease: Lease,
  ttl: number,
): Promise<Execution> {
  let observed = start ?? emptyObserved();
  let lease = initialLease;
  const created = new Map<string, string>();
  const pending = [...operations];
  const done = new Set<ElbOperation>();
  while (pending.length > 0) {
    const op = pending.shift();
    if (!op || done.has(op)) continue;
    // Long plans keep the lease: renew when half of it has passed.
    if (lease.expiresAt - deps.now() < ttl / 2) {
      const renewed = await deps.leases.renew(lease, deps.now(), ttl);
      if (!renewed) throw new FencedOut(lease.gatewayKey, `lease on ${lease.gatewayKey} was lost during apply`);
      lease = renewed;
    }
    try {
      observed = await deps.elb.execute(op, observed, created);
      done.add(op);
    } catch (err) {
      if (!(err instanceof ElbOperationError)) throw err;
      if (err.kind === "quota" && op.op === "CreateRule") {
        // Make room: this listener's stale rules go first (only requests no new rule matches can
        // notice), then the creation is retried once.
        const deletions = pending.filter((p) => p.op === "DeleteRule" && p.listenerId === op.listenerId);
        if (deletions.length > 0) {
          for (const d of deletions) pending.splice(pending.indexOf(d), 1);
          pending.unshift(...deletions, op);
          continue;
        }
      }
      if (
        err.kind === "notFound" &&
        (op.op === "DeleteRule" ||
          op.op === "DeleteTargetGroup" ||
          op.op === "DeleteListener" ||
          op.op === "DeleteLoadBalancer")
      ) {
        // Already gone: the goal of the operation holds.
        done.add(op);
        continue;
      }
      return { observed: err.observed ?? observed, lease, error: err };
    }
  }
  return { observed, lease };
}
