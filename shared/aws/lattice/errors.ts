/**
 * VPC Lattice errors in the engine's terms. Lattice has seven error shapes (API reference,
 * "Common errors" and each operation's "Errors"); what the engine does with each:
 *
 * - ThrottlingException, InternalServerException, any 5xx: the SDK has already retried them;
 *   `retryable`, and uncertain (the call may have landed), so the next attempt discovers by tags.
 * - ConflictException: the resource is busy (CREATE_IN_PROGRESS, still referenced, deleting) or
 *   a name or association is taken. Nothing happened, so the record stays as it is, and another
 *   attempt later can succeed (`ResourceBusy`, retryable). Executors that can tell a taken name
 *   apart (a create whose name an unowned resource holds) raise `NameTaken`, terminal, instead.
 * - ServiceQuotaExceededException: `quota` (the engine makes room from pending deletions first).
 * - ResourceNotFoundException: `notFound` (a deletion's goal already holds).
 * - ValidationException, AccessDeniedException: `terminal`; the message goes to status.
 */

import type { ObservedLattice } from "../../lattice/observed.ts";
import { LatticeOperationError } from "../../reconcile/lattice-plane.ts";
import { type AwsErrorKind, awsErrorCode, classifyAwsError } from "../errors.ts";

export type LatticeOperationName = ConstructorParameters<typeof LatticeOperationError>[2];

/** A conflict that another attempt, later, resolves without a person: the resource was busy. */
export class LatticeBusyError extends LatticeOperationError {
  override get retryable(): boolean {
    return true;
  }
}

function messageOf(error: unknown): string {
  const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === "string" && message !== "" ? message : String(error);
}

/** A Lattice SDK error as the engine's LatticeOperationError. */
export function latticeError(
  error: unknown,
  operation: LatticeOperationName,
  observed?: ObservedLattice,
): LatticeOperationError {
  if (error instanceof LatticeOperationError) return error;
  const code = awsErrorCode(error);
  const message = messageOf(error);
  switch (code) {
    case "ConflictException":
      return new LatticeBusyError("conflict", "ResourceBusy", operation, message, observed);
    case "ServiceQuotaExceededException":
      return new LatticeOperationError("quota", "ServiceQuotaExceeded", operation, message, observed);
    case "ResourceNotFoundException":
      return new LatticeOperationError("notFound", "ResourceNotFound", operation, message, observed);
    case "ValidationException":
      return new LatticeOperationError("terminal", "ValidationException", operation, message, observed);
    case "AccessDeniedException":
      return new LatticeOperationError("terminal", "AccessDenied", operation, message, observed);
    case "InternalServerException":
      return new LatticeOperationError("retryable", "InternalServerException", operation, message, observed);
    default: {
      const classified = classifyAwsError(error);
      const kind: AwsErrorKind = classified.kind;
      return new LatticeOperationError(kind, classified.reason, operation, message, observed);
    }
  }
}

/** Whether `error` is Lattice's ResourceNotFoundException. */
export function isNotFound(error: unknown): boolean {
  return awsErrorCode(error) === "ResourceNotFoundException";
}

export function isConflict(error: unknown): boolean {
  return awsErrorCode(error) === "ConflictException";
}

export function isAccessDenied(error: unknown): boolean {
  return awsErrorCode(error) === "AccessDeniedException";
}
