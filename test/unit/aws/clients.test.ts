import { describe, expect, it } from "vitest";
import { AwsClientFactory, DEFAULT_MAX_ATTEMPTS } from "../../../shared/aws/clients.ts";
import {
  CallDeadlineExceededError,
  classifyCallError,
  DEFAULT_CALL_DEADLINE_MS,
} from "../../../shared/aws/deadline.ts";

const credentials = { accessKeyId: "AKIA", secretAccessKey: "s" };
const target = { account: "111122223333", region: "eu-west-1" };

describe("AWS client factory", () => {
  it("configures adaptive retries with room to back off", async () => {
    const factory = new AwsClientFactory({ credentials });
    try {
      const config = factory.elbv2(target).config;
      const strategy = await config.retryStrategy();
      expect("mode" in strategy ? strategy.mode : undefined).toBe("adaptive");
      expect(await config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
      expect(await config.region()).toBe("eu-west-1");
    } finally {
      factory.destroy();
    }
  });

  it("caches one client per service, account, Region, role and ExternalId", () => {
    const factory = new AwsClientFactory({ credentials });
    try {
      const role = { ...target, roleArn: "arn:aws:iam::111122223333:role/sy", externalId: "a" };
      expect(factory.elbv2(target)).toBe(factory.elbv2({ ...target }));
      expect(factory.elbv2(role)).not.toBe(factory.elbv2(target));
      expect(factory.elbv2(role)).not.toBe(factory.elbv2({ ...role, externalId: "b" }));
      expect(factory.elbv2(target)).not.toBe(factory.elbv2({ ...target, region: "us-east-1" }));
      expect(factory.limiter(role)).toBe(factory.limiter(target));
    } finally {
      factory.destroy();
    }
  });

  it("applies the endpoint override to every service", async () => {
    const factory = new AwsClientFactory({ credentials, endpoint: "http://127.0.0.1:5000" });
    try {
      for (const client of [factory.elbv2(target), factory.ec2(target), factory.tagging(target), factory.sts(target)]) {
        const endpoint = await client.config.endpoint?.();
        expect(endpoint?.hostname).toBe("127.0.0.1");
        expect(endpoint?.port).toBe(5000);
      }
    } finally {
      factory.destroy();
    }
  });

  it("gives every call a deadline of a third of the lease unless told otherwise", () => {
    expect(DEFAULT_CALL_DEADLINE_MS).toBe(20_000);
    expect(new AwsClientFactory({ credentials }).callDeadlineMs).toBe(DEFAULT_CALL_DEADLINE_MS);
    expect(new AwsClientFactory({ credentials, callDeadlineMs: 5_000 }).callDeadlineMs).toBe(5_000);
  });

  it("classifies a missed call deadline as retryable under its own reason", () => {
    const error = new CallDeadlineExceededError("CreateRule", 20_000, new Error("aborted"));
    expect(classifyCallError(error)).toMatchObject({ kind: "retryable", reason: "CallDeadlineExceeded" });
  });
});
