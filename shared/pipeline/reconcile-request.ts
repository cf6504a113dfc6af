/**
 * The message on reconcile.fifo: "this Gateway may need work". It carries no desired state — the
 * reconciler always rebuilds that from the mirror — only which Gateway, why, and the dirty
 * generation the sender saw, so a reconcile that finishes while the generation moved knows to run
 * once more. One message group per Gateway: one reconcile of a Gateway at a time.
 */
import { createHash } from "node:crypto";
import { type ClusterGatewayKey, clusterGatewayKey, InvalidGatewayKey, parseClusterGatewayKey } from "../keys.ts";

export const RECONCILE_REQUEST_VERSION = 1;

/** Why a reconcile was asked for; shown in logs and metrics, never changes what it does. */
export type ReconcileReason =
  /** Objects in the cluster changed (ingest). */
  | "change"
  /** The generation moved while a reconcile ran (the reconciler asks for one more). */
  | "requeue"
  /** The scheduled drift check (resync). */
  | "resync"
  /**
   * AWS was still settling when the last reconcile ended (a load balancer provisioning, a VPC
   * Lattice resource being created, targets draining): look again (settle-recheck.ts). Carries
   * `notBefore` and `recheck`; for a ServiceExport's unit, `generation` is the request's it follows.
   */
  | "recheck"
  /** An AWS event named a resource of this Gateway (ACM renewal, a load balancer changed). */
  | "aws-event"
  /**
   * Not a Gateway: a GatewayClass changed and no Gateway uses it, so no Gateway reconcile would
   * write its status. `gatewayKey` is `<cluster>/gatewayclass/<class>` (see classStatusKey) and
   * only the class's statuses are computed and sent; nothing is leased or applied.
   */
  | "class-status"
  /**
   * Not a Gateway: a federated ServiceExport, its Service or EndpointSlices changed. `gatewayKey`
   * is the export's unit (`<cluster>/serviceexport.<ns>/<name>`, shared/lattice/exports.ts); its
   * VPC Lattice target groups are reconciled, and the other clusters' Gateways importing it are
   * asked to reconcile when which groups exist changed. `generation` is the changed object's
   * resourceVersion (SQS deduplicates only resends); no dirty generation is kept.
   */
  | "lattice-export";

const REASONS: ReadonlySet<string> = new Set([
  "change",
  "requeue",
  "resync",
  "recheck",
  "aws-event",
  "class-status",
  "lattice-export",
]);

/** The namespace part of a class-status request's key (a request's reason, not its key, decides). */
export const CLASS_STATUS_NAMESPACE = "gatewayclass";

/** The key of a class-status request for `className` in `cluster`. */
export function classStatusKey(cluster: string, className: string): ClusterGatewayKey {
  return clusterGatewayKey(cluster, CLASS_STATUS_NAMESPACE, className);
}

export interface ReconcileRequest {
  version: typeof RECONCILE_REQUEST_VERSION;
  gatewayKey: ClusterGatewayKey;
  reason: ReconcileReason;
  /**
   * The Gateway's dirty generation when this was sent (0 when the sender does not track it; a
   * `class-status` request carries the class's resourceVersion, so SQS deduplicates only resends).
   */
  generation: number;
  /** Free text for people: the event or object that caused it. */
  cause?: string;
  /**
   * Epoch ms before which the request is not run: the reconciler defers a message received
   * earlier (one visibility change) until then.
   * @default undefined — run when received
   */
  notBefore?: number;
  /** A recheck's place in its chain (settle-recheck.ts). @default undefined — not a recheck */
  recheck?: RecheckChain;
  /**
   * The data plane on which the resync's orphan check found resources tagged as this Gateway's while
   * it had no state record. It decides only for a Gateway that is gone (not in the mirror) and still
   * has no record: the reconcile deletes what its tags name on that plane — `lattice` through VPC
   * Lattice's discovery by tags. A Gateway in the mirror, or with a record, reconciles as ever.
   * @default undefined — ELB, as every deletion without a record
   */
  orphanedOn?: OrphanPlane;
}

/** Where the orphan check finds tagged resources: ELBv2 (ALB and NLB alike) or VPC Lattice. */
export type OrphanPlane = "elb" | "lattice";

export const ORPHAN_PLANES: readonly OrphanPlane[] = ["elb", "lattice"];

/** Where a recheck stands: how many were asked for in a row, and since when (epoch ms). */
export interface RecheckChain {
  attempt: number;
  since: number;
}

const isEpochMs = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

export type ReconcileRequestDecode = { ok: true; request: ReconcileRequest } | { ok: false; reason: string };

export function encodeReconcileRequest(request: ReconcileRequest): string {
  return JSON.stringify(request);
}

/** Never throws: a body that is not a reconcile request is an error value naming what is wrong. */
export function decodeReconcileRequest(body: string): ReconcileRequestDecode {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "body is not a JSON object" };
  }
  const record = value as Record<string, unknown>;
  if (record.version !== RECONCILE_REQUEST_VERSION) {
    return {
      ok: false,
      reason: `version: expected ${RECONCILE_REQUEST_VERSION}, got ${JSON.stringify(record.version)}`,
    };
  }
  if (typeof record.gatewayKey !== "string") return { ok: false, reason: "gatewayKey: expected a string" };
  let gatewayKey: ClusterGatewayKey;
  try {
    gatewayKey = parseClusterGatewayKey(record.gatewayKey);
  } catch (err) {
    if (err instanceof InvalidGatewayKey) return { ok: false, reason: `gatewayKey: ${err.message}` };
    throw err;
  }
  if (typeof record.reason !== "string" || !REASONS.has(record.reason)) {
    return { ok: false, reason: `reason: expected one of ${[...REASONS].join(", ")}` };
  }
  if (typeof record.generation !== "number" || !Number.isSafeInteger(record.generation) || record.generation < 0) {
    return { ok: false, reason: "generation: expected a non-negative integer" };
  }
  if (record.cause !== undefined && typeof record.cause !== "string") {
    return { ok: false, reason: "cause: expected a string" };
  }
  if (record.notBefore !== undefined && !isEpochMs(record.notBefore)) {
    return { ok: false, reason: "notBefore: expected epoch milliseconds" };
  }
  let recheck: RecheckChain | undefined;
  if (record.recheck !== undefined) {
    const chain = record.recheck as Record<string, unknown> | null;
    if (typeof chain !== "object" || chain === null || !isEpochMs(chain.attempt) || !isEpochMs(chain.since)) {
      return { ok: false, reason: "recheck: expected { attempt, since } as non-negative integers" };
    }
    recheck = { attempt: chain.attempt, since: chain.since };
  }
  if (record.orphanedOn !== undefined && !ORPHAN_PLANES.includes(record.orphanedOn as OrphanPlane)) {
    return { ok: false, reason: `orphanedOn: expected one of ${ORPHAN_PLANES.join(", ")}` };
  }
  const request: ReconcileRequest = {
    version: RECONCILE_REQUEST_VERSION,
    gatewayKey,
    reason: record.reason as ReconcileReason,
    generation: record.generation,
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    ...(record.notBefore !== undefined ? { notBefore: record.notBefore } : {}),
    ...(recheck ? { recheck } : {}),
    ...(record.orphanedOn !== undefined ? { orphanedOn: record.orphanedOn as OrphanPlane } : {}),
  };
  return { ok: true, request };
}

/**
 * The SQS FIFO attributes: one group per Gateway; a resend of the same generation is deduplicated.
 * A `change` (ingest, right after bumping the generation) and a `requeue` (the reconciler, having
 * read the bumped generation) at one generation ask for the same thing — a reconcile that starts
 * after that bump, and so reads every mirror write before it — so they share one id and whichever
 * reaches the queue second is dropped. Without that, every change that lands during a reconcile
 * ran two reconciles (bench/RESULTS.md, rollout-churn). A recheck's id names its `notBefore`:
 * each step of a chain is a new message, never a duplicate of the request it follows.
 */
export function reconcileRequestAttributes(request: ReconcileRequest): {
  MessageGroupId: string;
  MessageDeduplicationId: string;
} {
  const digest = (text: string) => createHash("sha256").update(text).digest("hex");
  const occasion =
    request.reason === "change" || request.reason === "requeue"
      ? ""
      : request.reason === "recheck"
        ? `/recheck/${request.notBefore ?? 0}`
        : `/${request.reason}`;
  return {
    MessageGroupId: digest(request.gatewayKey).slice(0, 64),
    MessageDeduplicationId: digest(`${request.gatewayKey}/${request.generation}${occasion}`),
  };
}
