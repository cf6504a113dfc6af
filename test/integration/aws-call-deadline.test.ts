// Every AWS call runs under a deadline well inside the reconcile lease, SDK retries included: a
// call held back (FaultInjectingHandler `delay`) or retried past the deadline is aborted within it
// and reported retryable as CallDeadlineExceeded; a call that fits is untouched.
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { CALL_DEADLINE_EXCEEDED, CallDeadlineExceededError } from "../../shared/aws/deadline.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { ElbOperationError } from "../../shared/reconcile/ports.ts";
import { FAULTS, FaultInjectingHandler } from "../../shared/testing/index.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";

const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const DEADLINE_MS = 2_000;
/** Far beyond the deadline: if the call waited for it, the test would see it. */
const HUNG_MS = 30_000;
const ELB = "ElasticLoadBalancingV2";

describe("a deadline on every AWS call", () => {
  let faults: FaultInjectingHandler;
  let factory: AwsClientFactory;

  beforeAll(async () => {
    await resetMoto();
    // moto loads a service's backend on its first request (seconds on a busy machine): warm it up
    // under the default deadline, so the short test deadline measures the faults, not moto.
    const warm = new AwsClientFactory({ endpoint: motoSettings().endpoint, credentials: DUMMY_CREDENTIALS });
    await warm.elbv2(target).send(new DescribeLoadBalancersCommand({}));
    warm.destroy();
    faults = new FaultInjectingHandler();
    factory = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      requestHandler: faults,
      callDeadlineMs: DEADLINE_MS,
    });
  });

  afterAll(() => factory?.destroy());

  it("aborts a call held back past the deadline within it, and reports it retryable", async () => {
    faults.delay("DescribeLoadBalancers", HUNG_MS);
    const started = performance.now();
    const sending = factory.elbv2(target).send(new DescribeLoadBalancersCommand({}));
    await expect(sending).rejects.toBeInstanceOf(CallDeadlineExceededError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 2_000);
    expect(faults.pending()).toBe(0);
  });

  it("reports a missed deadline to the engine as a retryable CallDeadlineExceeded", async () => {
    faults.delay("DescribeLoadBalancers", HUNG_MS);
    const elb = new AwsElb(factory, target, { clusterId: "c", gatewayKey: "apps/slow" }, { taggingApi: false });
    const observing = elb.discover();
    await expect(observing).rejects.toBeInstanceOf(ElbOperationError);
    await expect(observing).rejects.toMatchObject({ kind: "retryable", code: CALL_DEADLINE_EXCEEDED });
  });

  it("leaves a call that finishes inside the deadline untouched", async () => {
    faults.delay("DescribeLoadBalancers", 20);
    const answer = await factory.elbv2(target).send(new DescribeLoadBalancersCommand({}));
    expect(answer.LoadBalancers).toEqual([]);
    expect(faults.pending()).toBe(0);
  });

  it("stops the SDK's retries at the deadline instead of running out its attempts", async () => {
    const before = factory.counter.snapshot()[`${ELB}:DescribeTargetGroups`]?.attempts ?? 0;
    // Each throttled attempt is also slow: 8 attempts would take well over 4 s.
    faults.inject("DescribeTargetGroups", FAULTS.throttling, 8);
    faults.delay("DescribeTargetGroups", 500, 8);
    const started = performance.now();
    const sending = factory.elbv2(target).send(new DescribeTargetGroupsCommand({}));
    await expect(sending).rejects.toBeInstanceOf(CallDeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS + 2_000);
    const attempts = (factory.counter.snapshot()[`${ELB}:DescribeTargetGroups`]?.attempts ?? 0) - before;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThan(8);
    faults.clear();
  });
  // Last: the throttling leaves this client's adaptive rate limiter slowed down.
});
