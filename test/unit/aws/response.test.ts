import { describe, expect, it } from "vitest";
import { Answer, ResponseDecodeError } from "../../../shared/aws/elbv2/response.ts";
import { AwsOperationError } from "../../../shared/aws/errors.ts";

const answer = new Answer("DescribeLoadBalancers", "load balancer sy-apps-web");

function failure(read: () => unknown): ResponseDecodeError {
  try {
    read();
  } catch (error) {
    if (error instanceof ResponseDecodeError) return error;
    throw error;
  }
  throw new Error("read without error");
}

describe("checking what ELBv2 answers", () => {
  it("passes present values through, rule priorities as numbers", () => {
    expect(answer.string("LoadBalancerArn", "arn:x")).toBe("arn:x");
    expect(answer.integer("Priority", "10")).toBe(10);
    expect(answer.integer("Port", 443)).toBe(443);
    expect(answer.oneOf("Type", "network", ["application", "network"] as const)).toBe("network");
  });

  it("reports a missing ARN as a retryable decode error naming the object and field", () => {
    const error = failure(() => answer.string("LoadBalancerArn", undefined));
    expect(error).toBeInstanceOf(AwsOperationError);
    expect(error).toMatchObject({
      kind: "retryable",
      reason: "MalformedResponse",
      operation: "DescribeLoadBalancers",
      object: "load balancer sy-apps-web",
      field: "LoadBalancerArn",
    });
    expect(error.message).toContain("load balancer sy-apps-web: LoadBalancerArn: expected a non-empty string");
  });

  it("reports a malformed number as retryable", () => {
    expect(failure(() => answer.integer("Priority", "default"))).toMatchObject({
      kind: "retryable",
      field: "Priority",
    });
    expect(failure(() => answer.integer("Port", undefined))).toMatchObject({ kind: "retryable", field: "Port" });
  });

  it("reports an unknown value as terminal, and a missing one as retryable", () => {
    const states = ["provisioning", "active"] as const;
    expect(failure(() => answer.oneOf("State.Code", "hibernating", states))).toMatchObject({
      kind: "terminal",
      reason: "UnexpectedResponse",
      expected: "one of provisioning, active",
    });
    expect(failure(() => answer.oneOf("State.Code", undefined, states))).toMatchObject({ kind: "retryable" });
  });
});
