import { describe, expect, it } from "vitest";
import { AwsOperationError, classified, classifyAwsError } from "../../../shared/aws/errors.ts";

/** What SDK v3 throws: a modeled class name, the wire code in `Code`, the HTTP status in `$metadata`. */
function sdkError(name: string, status: number, code?: string, message = "m"): Error {
  return Object.assign(new Error(message), {
    name,
    ...(code ? { Code: code } : {}),
    $metadata: { httpStatusCode: status },
  });
}

describe("AWS error classification", () => {
  it.each([
    ["Throttling", 400],
    ["ThrottlingException", 400],
    ["RequestLimitExceeded", 503],
    ["ResourceInUse", 400],
  ])("%s is retryable", (code, status) => {
    expect(classifyAwsError(sdkError(code, status, code)).kind).toBe("retryable");
  });

  it("treats any 5xx as retryable", () => {
    expect(classifyAwsError(sdkError("InternalFailure", 500))).toMatchObject({ kind: "retryable" });
    expect(classifyAwsError(sdkError("Unknown", 503))).toMatchObject({ kind: "retryable", reason: "Unknown" });
  });

  it("treats network errors as retryable", () => {
    expect(classifyAwsError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })).kind).toBe("retryable");
  });

  it.each(["TooManyRules", "TooManyTargetGroups", "TooManyLoadBalancers", "TooManyListeners", "TooManyTargets"])(
    "%s is a quota",
    (code) => {
      expect(classifyAwsError(sdkError(`${code}Exception`, 400, code))).toMatchObject({ kind: "quota", reason: code });
    },
  );

  it.each(["LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound", "CertificateNotFound"])(
    "%s is notFound",
    (code) => {
      expect(classifyAwsError(sdkError(`${code}Exception`, 400, code)).kind).toBe("notFound");
    },
  );

  it.each(["DuplicateTargetGroupName", "DuplicateLoadBalancerName", "PriorityInUse", "DuplicateListener"])(
    "%s is a conflict",
    (code) => {
      expect(classifyAwsError(sdkError(`${code}Exception`, 400, code)).kind).toBe("conflict");
    },
  );

  it("reads the wire code from the modeled class name when Code is absent", () => {
    expect(classifyAwsError(sdkError("PriorityInUseException", 400))).toMatchObject({
      kind: "conflict",
      reason: "PriorityInUse",
    });
  });

  it.each(["ValidationError", "InvalidConfigurationRequest", "IncompatibleProtocols", "UnsupportedProtocol"])(
    "%s is terminal and keeps its message",
    (code) => {
      expect(classifyAwsError(sdkError(code, 400, code, "Health check timeout must be smaller"))).toEqual({
        kind: "terminal",
        reason: code,
        message: "Health check timeout must be smaller",
      });
    },
  );

  it("wraps a failing call as an AwsOperationError naming the operation", async () => {
    const failing = classified("CreateRule", async () => {
      throw sdkError("TooManyRulesException", 400, "TooManyRules", "rules per listener");
    });
    await expect(failing).rejects.toBeInstanceOf(AwsOperationError);
    await expect(failing).rejects.toMatchObject({
      kind: "quota",
      reason: "TooManyRules",
      operation: "CreateRule",
      message: "CreateRule: TooManyRules: rules per listener",
    });
  });
});
