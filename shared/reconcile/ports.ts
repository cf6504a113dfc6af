/**
 * What the reconcile engine needs from a data plane, as one port: read what exists and run one
 * operation. The engine loop (claim → observe → plan → apply → record) is written once
 * against `DataPlanePort` and a `DataPlane` descriptor; Elastic Load Balancing (ALB and NLB) is
 * the first instance (`ElbPort`, `ELB_DATA_PLANE` in elb-plane.ts), VPC Lattice is meant to be the
 * next without forking the loop. The real adapters wrap the AWS SDK (shared/aws/<service>/); the
 * in-memory ones wrap a simulator for pure tests.
 */
import { type AwsErrorKind, classifyAwsErrorCode, resolvesOnRetry } from "../aws/errors.ts";
import type { DataPlane as DataPlaneName } from "../config.ts";
import type { ObservedElb } from "../elb/observed.ts";
import type { ElbOperation } from "../elb/operations.ts";

/** The I/O side of one data plane for one Gateway in one target account. */
export interface DataPlanePort<Observed, Operation> {
  /** Re-read the resources a state record claims (drift check): a handful of Describe calls. */
  observe(applied: Observed): Promise<Observed>;
  /** The record with just its top-level resource re-read (one call): waiting for it to serve. */
  refresh(applied: Observed): Promise<Observed>;
  /** Find everything tagged as this Gateway's: after a crash, or with no state record. */
  discover(gatewayKey: string): Promise<Observed>;
  /**
   * Run one operation against `current` and return what exists afterwards. `created` maps the
   * plan's keys for resources created earlier in the same plan to ARNs and is filled in as they
   * are created.
   */
  execute(op: Operation, current: Observed, created: Map<string, string>): Promise<Observed>;
}

/** A plan: operations in the order they must run, and why a top-level resource is replaced. */
export interface DataPlanePlan<Operation> {
  operations: Operation[];
  replacement?: string;
  /**
   * What a later reconcile still has to do once AWS is done with this plan's work (a deleted
   * group's targets draining): the engine records no applied hash, so the next reconcile plans
   * again, and a deletion (`desired` undefined) keeps its record until nothing is pending.
   */
  pending?: string;
}

/** A rule AWS refused at apply time, named so status can mark the route it came from. */
export interface FailedRule {
  /** The operation that was refused (`CreateRule`, `ModifyRule`). */
  operation: string;
  /** The listener the rule belongs to, as in the model (`HTTP:80`). */
  listenerId: string;
  /** The route the rule was built from (`namespace/name`), when the desired model says. */
  route?: string;
  /**
   * The policy whose application AWS refused (`Kind/namespace/name`, the graph's policy key), when
   * the refused operation applies one: its status says so, not only the Gateway's.
   */
  policy?: string;
  code: string;
  message: string;
}

/**
 * The pure side of one data plane: planning, hashing and the few judgements the engine makes
 * about operations. No I/O; everything here is deterministic.
 */
export interface DataPlane<Desired, Observed, Operation extends { op: string }> {
  /**
   * The `dataPlane` values of the records this descriptor reconciles (ALB and NLB share one, VPC
   * Lattice has its own): a record naming another is left to that plane (`elsewhere`).
   */
  dataPlanes: readonly DataPlaneName[];
  plan(desired: Desired | undefined, observed: Observed): DataPlanePlan<Operation>;
  /** Hash of a desired model: equal hashes mean nothing to apply. */
  hash(desired: Desired | undefined): string;
  /** The record describes a top-level resource still provisioning: re-read it every reconcile. */
  isSettling(applied: Observed): boolean;
  /** What exists when nothing does. */
  empty(): Observed;
  /**
   * The record is re-read (`refresh`) before planning from it, not only when nothing changed: what
   * `pending` waits for (targets draining) is seen only by reading it again.
   * @default undefined — a record is planned from as it is, until the drift check re-reads it
   */
  refreshBeforePlan?(applied: Observed): boolean;
  /**
   * Operations to run before `op`, taken out of `pending`, when `op` hit a quota that they make
   * room under (stale rules of the same listener before a new rule); empty when none help.
   */
  makeRoom(op: Operation, pending: readonly Operation[]): Operation[];
  /** A deletion: a notFound on it means its goal already holds. */
  isDeletion(op: Operation): boolean;
  /**
   * The rule a terminal refusal of `op` can be isolated to, or undefined when `op` is not a rule
   * operation (a refused load balancer or listener stops the apply).
   */
  refusedRule(op: Operation, error: DataPlaneOperationError, desired: Desired | undefined): FailedRule | undefined;
  /** Whether `op` needs the effect of `failed` (e.g. it re-prioritises a rule `failed` creates). */
  dependsOn(op: Operation, failed: Operation): boolean;
}

/** An operation failure, classified (shared/aws/errors.ts) so the engine knows what to do next. */
export class DataPlaneOperationError<Observed = unknown> extends Error {
  readonly kind: AwsErrorKind;
  readonly code: string;
  readonly operation: string;
  /** What exists after a partly completed operation, when that differs from before it. */
  readonly observed: Observed | undefined;

  constructor(kind: AwsErrorKind, code: string, operation: string, message: string, observed?: Observed) {
    super(message);
    this.name = "DataPlaneOperationError";
    this.kind = kind;
    this.code = code;
    this.operation = operation;
    this.observed = observed;
  }

  /** Another attempt, planned afresh, may succeed (decided in shared/aws/errors.ts). */
  get retryable(): boolean {
    return resolvesOnRetry(this.kind, this.code);
  }
}

/** What the engine needs from Elastic Load Balancing (ALB and NLB). */
export type ElbPort = DataPlanePort<ObservedElb, ElbOperation>;

/** An ELBv2 operation failure; the constructor the ELBv2 adapter and the in-memory double use. */
export class ElbOperationError extends DataPlaneOperationError<ObservedElb> {
  declare readonly operation: ElbOperation["op"] | "observe" | "discover";

  constructor(
    kind: AwsErrorKind,
    code: string,
    operation: ElbOperation["op"] | "observe" | "discover",
    message: string,
    observed?: ObservedElb,
  ) {
    super(kind, code, operation, message, observed);
    this.name = "ElbOperationError";
  }

  /** An error for an AWS error code, classified by the same table as the SDK's errors. */
  static fromCode(
    code: string,
    operation: ElbOperation["op"] | "observe" | "discover",
    message: string,
    observed?: ObservedElb,
  ): ElbOperationError {
    const classified = classifyAwsErrorCode(code, message);
    return new ElbOperationError(classified.kind, classified.reason, operation, message, observed);
  }
}
