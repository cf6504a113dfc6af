// The VPC Lattice API's errors (API reference, "Errors"), as thrown by the operations and turned
// into REST-JSON responses by the server: HTTP status, `x-amzn-ErrorType` header and a JSON body
// with the members the SDK's error shapes read.

export type LatticeErrorCode =
  | "AccessDeniedException"
  | "ConflictException"
  | "InternalServerException"
  | "ResourceNotFoundException"
  | "ServiceQuotaExceededException"
  | "ThrottlingException"
  | "ValidationException";

export const ERROR_STATUS: Record<LatticeErrorCode, number> = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  ValidationException: 400,
};

export function isErrorCode(value: string): value is LatticeErrorCode {
  return Object.hasOwn(ERROR_STATUS, value);
}

export interface ValidationField {
  name: string;
  message: string;
}

export type ValidationReason = "unknownOperation" | "cannotParse" | "fieldValidationFailed" | "other";

/** Members of the error body besides `message` (ResourceNotFound's resourceId, Validation's fieldList, ...). */
export type ErrorDetails = Record<string, string | number | ValidationField[]>;

export class LatticeError extends Error {
  readonly code: LatticeErrorCode;
  readonly details: ErrorDetails;
  /** Sent as the `Retry-After` header (ThrottlingException, InternalServerException). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: LatticeErrorCode, message: string, details: ErrorDetails = {}, retryAfterSeconds?: number) {
    super(message);
    this.name = code;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...this.details };
  }
}

export function validation(
  message: string,
  fields: ValidationField[] = [],
  reason: ValidationReason = "fieldValidationFailed",
): LatticeError {
  return new LatticeError(
    "ValidationException",
    message,
    fields.length > 0 ? { reason, fieldList: fields } : { reason },
  );
}

export function notFound(resourceType: string, resourceId: string): LatticeError {
  return new LatticeError("ResourceNotFoundException", `${resourceType} ${resourceId} not found`, {
    resourceId,
    resourceType,
  });
}

export function conflict(message: string, resourceType: string, resourceId: string): LatticeError {
  return new LatticeError("ConflictException", message, { resourceId, resourceType });
}

export function accessDenied(message: string): LatticeError {
  return new LatticeError("AccessDeniedException", message);
}

/** A quota from the VPC Lattice User Guide's quota table (code as in Service Quotas). */
export interface Quota {
  name: string;
  quotaCode: string;
  resourceType: string;
}

export function quotaExceeded(quota: Quota, limit: number, resourceId?: string): LatticeError {
  return new LatticeError("ServiceQuotaExceededException", `${quota.name} quota of ${limit} exceeded`, {
    resourceType: quota.resourceType,
    serviceCode: "vpc-lattice",
    quotaCode: quota.quotaCode,
    ...(resourceId === undefined ? {} : { resourceId }),
  });
}
