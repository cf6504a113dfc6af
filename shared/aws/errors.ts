/**
 * AWS SDK errors as the reconciler acts on them: retry later, give up with a status message, stop
 * growing (a quota), treat as already gone, or re-read and re-plan (a conflict with what exists).
 * The SDK has already retried throttling and 5xx inside its own retry loop when an error gets
 * here; "retryable" tells the engine that another attempt later is still worth it.
 */

export type AwsErrorKind = "retryable" | "terminal" | "quota" | "notFound" | "conflict";

export interface ClassifiedAwsError {
  kind: AwsErrorKind;
  /** The AWS error code (e.g. `PriorityInUse`), or a short name for non-AWS failures. */
  reason: string;
  message: string;
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
  "EC2ThrottledException",
  "PriorRequestNotComplete",
]);

/** Transient by nature: the same call succeeds once AWS catches up (e.g. a target group still
 * referenced by a listener being deleted, or a load balancer still provisioning). */
const TRANSIENT = new Set([
  "ResourceInUse",
  "ResourceInUseException",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "IncorrectState",
]);

const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

const QUOTA = new Set([
  "TooManyRules",
  "TooManyTargetGroups",
  "TooManyLoadBalancers",
  "TooManyListeners",
  "TooManyTargets",
  "TooManyCertificates",
  "TooManyTags",
  "TooManyActions",
  "TooManyUniqueTargetGroupsPerLoadBalancer",
  "TooManyRegistrationsForTargetId",
  "TargetGroupAssociationLimit",
]);

/**
 * Conflicts that a re-read and a re-plan resolve without a person: a priority another rule took
 * meanwhile is moved by the next plan. Every other conflict (a name taken by a resource switchyard
 * does not own) stays until someone renames or deletes something.
 */
const RESOLVED_BY_REPLAN = new Set(["PriorityInUse"]);

const CONFLICT = new Set([
  "DuplicateLoadBalancerName",
  "DuplicateTargetGroupName",
  "DuplicateListener",
  "DuplicateTagKeys",
  "PriorityInUse",
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
}

function field(error: unknown, key: keyof ErrorShape): unknown {
  return typeof error === "object" && error !== null ? (error as ErrorShape)[key] : undefined;
}

/**
 * The AWS error code of an SDK v3 error. The SDK names its modeled exception classes with an
 * `Exception` suffix (`PriorityInUseException` for the wire code `PriorityInUse`) and keeps the
 * wire code in `Code`, so `Code` comes first; Node network errors carry theirs in `code`.
 */
/** Whether an AWS error code is a throttling refusal (the SDK retries these with backoff). */
export function isThrottlingCode(code: string): boolean {
  return THROTTLING.has(code);
}

export function awsErrorCode(error: unknown): string {
  for (const key of ["Code", "name", "code"] as const) {
    const value = field(error, key);
    if (typeof value === "string" && value !== "" && value !== "Error") return value;
  }
  return "Error";
}

function httpStatus(error: unknown): number | undefined {
  const metadata = field(error, "$metadata");
  const code =
    typeof metadata === "object" && metadata !== null
      ? (metadata as { httpStatusCode?: unknown }).httpStatusCode
      : undefined;
  return typeof code === "number" ? code : undefined;
}

export function classifyAwsError(error: unknown): ClassifiedAwsError {
  const reason = awsErrorCode(error);
  const rawMessage = field(error, "message");
  const message = typeof rawMessage === "string" && rawMessage !== "" ? rawMessage : reason;
  const status = httpStatus(error);
  const errorCode = field(error, "code");
  // Modeled exceptions may only have the class name: `ResourceInUseException` is `ResourceInUse`.
  const code = reason.endsWith("Exception") && !THROTTLING.has(reason) ? reason.slice(0, -"Exception".length) : reason;
  const kind = ((): AwsErrorKind => {
    if (THROTTLING.has(reason) || TRANSIENT.has(reason) || TRANSIENT.has(code)) return "retryable";
    if (typeof errorCode === "string" && NETWORK.has(errorCode)) return "retryable";
    if (QUOTA.has(code)) return "quota";
    if (code.endsWith("NotFound")) return "notFound";
    if (CONFLICT.has(code) || /^Duplicate.*Name$/.test(code)) return "conflict";
    if (status !== undefined && status >= 500) return "retryable";
    if (status === 429) return "retryable";
    // ValidationError, InvalidConfigurationRequest, IncompatibleProtocols, … : the request itself
    // is wrong, and repeating it cannot help; the message goes to the Gateway's status.
    return "terminal";
  })();
  return { kind, reason: code, message };
}

/**
 * Whether another attempt, planned afresh from what exists, may succeed: an uncertain failure
 * (retryable) or a conflict that re-planning resolves. The engine reports this as `retryable`.
 */
export function resolvesOnRetry(kind: AwsErrorKind, reason: string): boolean {
  return kind === "retryable" || (kind === "conflict" && RESOLVED_BY_REPLAN.has(reason));
}

/**
 * The classification of a bare AWS error code (the in-memory doubles raise codes, not SDK errors),
 * by the same table as SDK errors.
 */
export function classifyAwsErrorCode(code: string, message: string): ClassifiedAwsError {
  return classifyAwsError({ Code: code, message });
}

/** A failed ELBv2 (or other AWS) call, classified, naming the operation it came from. */
export class AwsOperationError extends Error {
  readonly kind: AwsErrorKind;
  readonly reason: string;
  readonly operation: string;

  constructor(operation: string, classified: ClassifiedAwsError, cause?: unknown) {
    super(`${operation}: ${classified.reason}: ${classified.message}`, cause === undefined ? undefined : { cause });
    this.name = "AwsOperationError";
    this.kind = classified.kind;
    this.reason = classified.reason;
    this.operation = operation;
  }
}

/** Runs one call and rethrows any failure as an AwsOperationError. */
export async function classified<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AwsOperationError) throw error;
    throw new AwsOperationError(operation, classifyAwsError(error), error);
  }
}
