/**
 * What the reconcile engine needs from Elastic Load Balancing, as one port: read what exists and
 * run one operation. The real adapter wraps the AWS SDK (shared/aws/elbv2/); the in-memory one
 * wraps the simulator for pure tests.
 */
import type { ObservedElb } from "../elb/observed.ts";
import type { ElbOperation } from "../elb/operations.ts";

export interface ElbPort {
  /** Re-read the resources a state record claims (drift check): a handful of Describe calls. */
  observe(applied: ObservedElb): Promise<ObservedElb>;
  /** The record with just its load balancer re-read (one call): waiting for it to become active. */
  refresh(applied: ObservedElb): Promise<ObservedElb>;
  /** Find everything tagged as this Gateway's: after a crash, or with no state record. */
  discover(gatewayKey: string): Promise<ObservedElb>;
  /**
   * Run one operation against `current` and return what exists afterwards. `created` maps the
   * plan's CreateRule keys to ARNs and is filled in as rules are created.
   */
  execute(op: ElbOperation, current: ObservedElb, created: Map<string, string>): Promise<ObservedElb>;
}

/** An operation failure, classified so the engine knows whether to retry, adapt or report. */
export class ElbOperationError extends Error {
  readonly kind: "retryable" | "terminal" | "quota" | "notFound" | "conflict";
  readonly code: string;
  readonly operation: ElbOperation["op"] | "observe" | "discover";
  /** What exists after a partly completed operation, when that differs from before it. */
  readonly observed: ObservedElb | undefined;

  constructor(
    kind: ElbOperationError["kind"],
    code: string,
    operation: ElbOperationError["operation"],
    message: string,
    observed?: ObservedElb,
  ) {
    super(message);
    this.name = "ElbOperationError";
    this.kind = kind;
    this.code = code;
    this.operation = operation;
    this.observed = observed;
  }
}
