// The emulator's test-only control API under /_lattice/ (no AWS equivalent), shared by the server
// (control.ts) and the tests' client (control-client.ts):
//
//   POST   /_lattice/reset            forget all resources, shares, tokens, calls, faults, accounts, settings
//   GET|PUT /_lattice/config          { asyncSteps, defaultPageSize, quotas } (PUT merges)
//   GET|PUT /_lattice/accounts        { "<access key id>": "<account id>" } (PUT merges)
//   GET|POST|DELETE /_lattice/shares  RAM shares { resourceArn, principals }
//   POST   /_lattice/clock            { advance: n } or { settle: true } -> { clock }
//   GET|POST|DELETE /_lattice/faults  next N calls of an operation fail (FaultSpec)
//   GET|DELETE /_lattice/calls        the call log (?account=&since=)
//   POST   /_lattice/target-health    { targetGroupArn, id, port?, status } (status null: computed again)
import type { LatticeErrorCode } from "./errors.ts";
import type { TargetStatus } from "./model.ts";
import type { EmulatorConfig, Quotas } from "./state.ts";

export const CONTROL_PREFIX = "/_lattice";

/** The Resource Groups Tagging API's errors the emulator answers (tagging.ts). */
export type TaggingErrorCode =
  | "InvalidParameterException"
  | "PaginationTokenExpiredException"
  | "SerializationException"
  | "UnknownOperationException";

/** One API request as the emulator saw it. */
export interface CallRecord {
  seq: number;
  account: string;
  region: string;
  accessKeyId: string;
  /**
   * The operation name, e.g. "CreateRule"; "Unknown" when no route matched; the tagging API's
   * operations ("GetResources", test/env/lattice/tagging.ts) by their own names.
   */
  operation: string;
  status: number;
  /** The error code returned, if any. */
  error?: LatticeErrorCode | TaggingErrorCode;
  /** Whether the error (or the dropped success) came from an injected fault. */
  fault?: boolean;
}

export interface FaultSpec {
  /** The operation to fail, e.g. "RegisterTargets". */
  operation: string;
  error: LatticeErrorCode;
  /** How many of the next matching calls fail (default 1). */
  count?: number;
  /** Only calls by this account (default any). */
  account?: string;
  /**
   * "before": the call fails without effect (default). "after": the operation runs and its result
   * is replaced by the error, as when AWS accepted a call whose answer was lost.
   */
  when?: "before" | "after";
  message?: string;
  /** HTTP status instead of the error's own (e.g. 503 with InternalServerException). */
  status?: number;
  /** Sent as Retry-After. */
  retryAfterSeconds?: number;
}

export interface FaultsView {
  pending: (FaultSpec & { remaining: number })[];
  injected: { seq: number; operation: string; account: string; error: LatticeErrorCode; when: "before" | "after" }[];
}

export interface ConfigPatch {
  asyncSteps?: number;
  defaultPageSize?: number;
  quotas?: Partial<Quotas>;
}

export type ConfigView = EmulatorConfig;

export interface Share {
  resourceArn: string;
  principals: string[];
}

export interface TargetHealthRequest {
  targetGroupArn: string;
  id: string;
  port?: number;
  status: TargetStatus | null;
}
