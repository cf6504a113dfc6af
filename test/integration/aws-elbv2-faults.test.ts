// Faults injected below the SDK's retry loop (FaultInjectingHandler) against moto: the SDK's own
// classification and adaptive backoff decide, and the call counter shows every attempt.
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { type ExecutionContext, executeOperation, startExecution } from "../../shared/aws/elbv2/execute.ts";
import { observeFromArns } from "../../shared/aws/elbv2/observe.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import { FAULTS, FaultInjectingHandler } from "../../shared/testing/index.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import {
  albModel,
  CLUSTER,
  createOperations,
  executeEach,
  modelContent,
  observedContent,
  requestCertificate,
} from "./aws-elbv2-fixture.ts";
import { publicDefaultVpc } from "./aws-network-fixture.ts";

const GATEWAY = "apps/faults";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const ELB = "ElasticLoadBalancingV2";

describe("ELBv2 adapter under injected faults", () => {
  let faults: FaultInjectingHandler;
  let factory: AwsClientFactory;
  let certificate: string;
  let ctx: ExecutionContext;

  beforeAll(async () => {
    await resetMoto();
    // Its load balancers are internet-facing: public subnets, as in an AWS account's default VPC.
    await publicDefaultVpc(new EC2Client(motoSettings()));
    const { endpoint } = motoSettings();
    faults = new FaultInjectingHandler();
    factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS, requestHandler: faults });
    certificate = await requestCertificate(endpoint, "faults.example.com");
  });

  afterAll(() => factory?.destroy());

  it("converges through the SDK's retries when 3 consecutive CreateRule calls are throttled", async () => {
    const model = albModel(GATEWAY, [certificate]);
    faults.inject("CreateRule", FAULTS.throttling, 3);
    ctx = await executeEach(
      factory.elbv2(target),
      createOperations(model),
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved()),
      { ec2: factory.ec2(target) },
    );
    expect(faults.pending()).toBe(0);
    expect(faults.injected).toEqual([
      { operation: "CreateRule", code: "Throttling" },
      { operation: "CreateRule", code: "Throttling" },
      { operation: "CreateRule", code: "Throttling" },
    ]);
    const count = factory.counter.snapshot()[`${ELB}:CreateRule`];
    expect(count?.calls).toBe(5);
    expect(count?.attempts).toBe(8);
    expect(count?.errors).toEqual({ Throttling: 3 });
    expect(observedContent(await observeFromArns(factory.elbv2(target), ctx.observed))).toEqual(modelContent(model));
  });

  it("retries a 500 from DescribeRules inside the SDK and still observes", async () => {
    const before = factory.counter.snapshot()[`${ELB}:DescribeRules`] ?? { calls: 0, attempts: 0 };
    faults.inject("DescribeRules", FAULTS.internalError, 2);
    const read = await observeFromArns(factory.elbv2(target), ctx.observed);
    expect(read.listeners.flatMap((l) => l.rules)).toHaveLength(5);
    const after = factory.counter.snapshot()[`${ELB}:DescribeRules`];
    expect((after?.calls ?? 0) - before.calls).toBe(2);
    expect((after?.attempts ?? 0) - before.attempts).toBe(4);
    expect(after?.errors.InternalFailure).toBe(2);
  });

  it("does not retry TooManyRules and reports it as a quota", async () => {
    const before = factory.counter.snapshot()[`${ELB}:CreateRule`] ?? { calls: 0, attempts: 0 };
    faults.inject("CreateRule", FAULTS.tooManyRules, 1);
    const creating = executeOperation(
      factory.elbv2(target),
      {
        op: "CreateRule",
        listenerId: "HTTPS:443",
        key: "over#0",
        priority: 100,
        conditions: [{ field: "path-pattern", values: ["/over"] }],
        actions: [{ type: "fixed-response", statusCode: "200" }],
        tags: {},
      },
      ctx,
    );
    await expect(creating).rejects.toMatchObject({ kind: "quota", reason: "TooManyRules", operation: "CreateRule" });
    const after = factory.counter.snapshot()[`${ELB}:CreateRule`];
    expect((after?.attempts ?? 0) - before.attempts).toBe(1);
  });

  it("queues each account's calls in its own read and write token buckets", async () => {
    // Time moves only when the limiter sleeps, so how long moto takes to answer cannot refill a
    // bucket between calls: the waits below are exact on a slow CI machine too.
    let virtualNow = Date.now();
    const virtualClock = {
      now: () => virtualNow,
      sleep: async (ms: number) => {
        virtualNow += ms;
      },
    };
    const slow = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      rateLimits: { read: { capacity: 2, ratePerSecond: 20 }, write: { capacity: 1, ratePerSecond: 20 } },
      clock: virtualClock,
    });
    try {
      const web = "apps/web:8080/HTTP1";
      for (let i = 0; i < 3; i++) {
        await executeOperation(
          slow.elbv2(target),
          { op: "RegisterTargets", targetGroupId: web, targets: [{ id: `10.9.0.${i}`, port: 8080 }] },
          ctx,
        );
      }
      await observeFromArns(slow.elbv2(target), ctx.observed);
      const waited = slow.limiter(target).waited;
      // 3 writes with 1 token: 2 waited 50 ms each; the reads beyond 2 tokens waited 50 ms each.
      expect(waited.write).toBe(100);
      expect(waited.read).toBeGreaterThanOrEqual(50);
      expect(waited.read % 50).toBe(0);
      expect(slow.limiter({ ...target, account: "210987654321" }).waited).toEqual({ read: 0, write: 0 });
    } finally {
      slow.destroy();
    }
  });
});
