// Discovery by ownership tags against moto: after a crash part-way through a create plan, with no
// state record, everything tagged as the Gateway's is found and read back, and nothing else.

import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { type ExecutionContext, startExecution } from "../../shared/aws/elbv2/execute.ts";
import { discoverByTags } from "../../shared/aws/elbv2/observe.ts";
import { loadBalancerName, ownershipTags, TAG_VALUE_LIMIT } from "../../shared/elb/naming.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { albModel, CLUSTER, createOperations, executeEach, requestCertificate } from "./aws-elbv2-fixture.ts";
import { publicDefaultVpc } from "./aws-network-fixture.ts";

const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const GATEWAY = "apps/crashed";
const OTHER = "apps/neighbour";

/**
 * Without attributes and the volatile state (discovery reads every attribute AWS has), target
 * groups in id order (discovery finds them in the order AWS lists them).
 */
function comparable(observed: ObservedElb) {
  return {
    ...observed,
    loadBalancer: observed.loadBalancer ? { ...observed.loadBalancer, state: "active", attributes: {} } : undefined,
    targetGroups: observed.targetGroups
      .map((tg) => ({ ...tg, attributes: {} }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}

describe("discovery by ownership tags on moto", () => {
  let factory: AwsClientFactory;
  let crashed: ExecutionContext;

  beforeAll(async () => {
    await resetMoto();
    // Its load balancers are internet-facing: public subnets, as in an AWS account's default VPC.
    await publicDefaultVpc(new EC2Client(motoSettings()));
    const { endpoint } = motoSettings();
    factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
    const certificate = await requestCertificate(endpoint, "crash.example.com");
    const elbv2 = factory.elbv2(target);
    const deps = { ec2: factory.ec2(target) };
    // Another Gateway's complete stack in the same account and Region.
    await executeEach(
      elbv2,
      createOperations(albModel(OTHER, [certificate])),
      startExecution({ clusterId: CLUSTER, gatewayKey: OTHER }, emptyObserved()),
      deps,
    );
    // This Gateway's plan stops after the first listener and its rule: the process died there.
    const ops = createOperations(albModel(GATEWAY, [certificate]));
    const crashAt = ops.findIndex((op) => op.op === "CreateListener" && op.listenerId === "HTTPS:443");
    crashed = await executeEach(
      elbv2,
      ops.slice(0, crashAt),
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved()),
      deps,
    );
  });

  afterAll(() => factory?.destroy());

  it("finds the half-created stack through the Resource Groups Tagging API", async () => {
    const before = factory.counter.calls("ResourceGroupsTaggingAPI", "GetResources");
    const found = await discoverByTags(factory.elbv2(target), factory.tagging(target), {
      cluster: CLUSTER,
      gateway: GATEWAY,
    });
    expect(factory.counter.calls("ResourceGroupsTaggingAPI", "GetResources") - before).toBe(1);
    expect(comparable(found)).toEqual(comparable(crashed.observed));
    expect(found.listeners.map((l) => l.id)).toEqual(["HTTP:80"]);
    expect(found.targetGroups).toHaveLength(3);
    expect(found.loadBalancer?.attributes).toMatchObject(albModel(GATEWAY, []).attributes);
    expect(found.strayLoadBalancers).toEqual([]);
  });

  it("finds the same through DescribeTags when the tagging API is not used", async () => {
    const before = factory.counter.calls("ElasticLoadBalancingV2", "DescribeTags");
    const found = await discoverByTags(factory.elbv2(target), undefined, { cluster: CLUSTER, gateway: GATEWAY });
    // 2 load balancers + 6 target groups in the Region: one batch of at most 20.
    expect(factory.counter.calls("ElasticLoadBalancingV2", "DescribeTags") - before).toBe(1);
    expect(comparable(found)).toEqual(comparable(crashed.observed));
  });

  it("reports a second load balancer tagged for the Gateway as a stray", async () => {
    const model = albModel(GATEWAY, []);
    const second = await executeEach(
      factory.elbv2(target),
      [
        {
          op: "CreateLoadBalancer",
          name: "sy-apps-crashed-second",
          type: "application",
          scheme: "internet-facing",
          ipAddressType: "ipv4",
          subnets: [],
          securityGroups: [],
          tags: model.tags,
        },
      ],
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved()),
      { ec2: factory.ec2(target) },
    );
    const identity = { cluster: CLUSTER, gateway: GATEWAY };
    const named = await discoverByTags(factory.elbv2(target), factory.tagging(target), identity, {
      loadBalancerName: model.name,
      full: false,
    });
    expect(named.loadBalancer?.arn).toBe(crashed.loadBalancerArn);
    expect(named.strayLoadBalancers).toEqual([second.loadBalancerArn]);
    const other = await discoverByTags(factory.elbv2(target), factory.tagging(target), {
      cluster: CLUSTER,
      gateway: "apps/nobody",
    });
    expect(other).toEqual(emptyObserved());
  });

  it("describes more than 20 tagged load balancers 20 ARNs per call (DescribeLoadBalancers' limit)", async () => {
    const gateway = "apps/many";
    const model = albModel(gateway, []);
    const made = await executeEach(
      factory.elbv2(target),
      Array.from({ length: 21 }, (_, i) => ({
        op: "CreateLoadBalancer" as const,
        name: `sy-apps-many-${i}`,
        type: "application" as const,
        scheme: "internet-facing" as const,
        ipAddressType: "ipv4" as const,
        subnets: [],
        securityGroups: [],
        tags: model.tags,
      })),
      startExecution({ clusterId: CLUSTER, gatewayKey: gateway }, emptyObserved()),
      { ec2: factory.ec2(target) },
    );
    expect(made.observed.strayLoadBalancers.length + (made.observed.loadBalancer ? 1 : 0)).toBe(21);
    // What each DescribeLoadBalancers asked for (moto does not enforce AWS's limit of 20 ARNs).
    const elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
    const asked: number[] = [];
    elbv2.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { LoadBalancerArns?: string[] };
        if (context.commandName === "DescribeLoadBalancersCommand") asked.push(input.LoadBalancerArns?.length ?? 0);
        return next(args);
      },
      { step: "initialize" },
    );
    const found = await discoverByTags(elbv2, factory.tagging(target), { cluster: CLUSTER, gateway });
    elbv2.destroy();
    expect(found.strayLoadBalancers.length + (found.loadBalancer ? 1 : 0)).toBe(21);
    expect(asked.filter((n) => n > 1)).toEqual([20]);
    expect(Math.max(...asked)).toBeLessThanOrEqual(20);
  });

  it("finds a Gateway with a 253-character namespace/name, and tells apart one differing at its end", async () => {
    // Namespace ≤ 63 characters, Gateway name up to 253: the key exceeds a tag value's 256 limit.
    const longKey = (last: string) => `${"n".repeat(63)}/${"g".repeat(252)}${last}`;
    const created: string[] = [];
    for (const gatewayKey of [longKey("a"), longKey("b")]) {
      const ctx = await executeEach(
        factory.elbv2(target),
        [
          {
            op: "CreateLoadBalancer",
            name: loadBalancerName(CLUSTER, gatewayKey, "application", "internal"),
            type: "application",
            scheme: "internal",
            ipAddressType: "ipv4",
            subnets: [],
            securityGroups: [],
            tags: ownershipTags(CLUSTER, gatewayKey, "load-balancer"),
          },
        ],
        startExecution({ clusterId: CLUSTER, gatewayKey }, emptyObserved()),
        { ec2: factory.ec2(target) },
      );
      created.push(ctx.loadBalancerArn ?? "");
    }
    // moto accepts tag values longer than AWS allows: check what was written against AWS's limit.
    const written = await factory.elbv2(target).send(new DescribeTagsCommand({ ResourceArns: created }));
    const values = (written.TagDescriptions ?? []).flatMap((d) => (d.Tags ?? []).map((t) => t.Value ?? ""));
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value.length).toBeLessThanOrEqual(TAG_VALUE_LIMIT);
    for (const [i, gatewayKey] of [longKey("a"), longKey("b")].entries()) {
      const identity = { cluster: CLUSTER, gateway: gatewayKey };
      const viaTagging = await discoverByTags(factory.elbv2(target), factory.tagging(target), identity, {
        full: false,
      });
      expect(viaTagging.loadBalancer?.arn).toBe(created[i]);
      expect(viaTagging.strayLoadBalancers).toEqual([]);
      const viaDescribe = await discoverByTags(factory.elbv2(target), undefined, identity, { full: false });
      expect(viaDescribe.loadBalancer?.arn).toBe(created[i]);
    }
  });
});
