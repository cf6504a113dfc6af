// The ELBv2 adapter against moto: a realistic ALB model is created operation by operation through
// executeOperation, read back with observeFromArns, and must come back as exactly the model's
// content; then every remaining ElbOperation kind runs and is read back the same way.

import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeListenerCertificatesCommand, DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { type ExecutionContext, executeOperation, startExecution } from "../../shared/aws/elbv2/execute.ts";
import { observeFromArns } from "../../shared/aws/elbv2/observe.ts";
import { ownershipTags, TAG } from "../../shared/elb/naming.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { HTTP_HEALTH_CHECK } from "../fixtures/health-checks.ts";
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

const GATEWAY = "apps/public";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };

/** The load balancer's state moves on by itself (provisioning → active); it is not content. */
function settled(observed: ObservedElb): ObservedElb {
  return observed.loadBalancer
    ? { ...observed, loadBalancer: { ...observed.loadBalancer, state: "active" } }
    : observed;
}

describe("ELBv2 adapter round trip on moto", () => {
  let factory: AwsClientFactory;
  let certificates: string[];
  let ctx: ExecutionContext;
  const model = () => albModel(GATEWAY, certificates);

  beforeAll(async () => {
    await resetMoto();
    // Its load balancers are internet-facing: public subnets, as in an AWS account's default VPC.
    await publicDefaultVpc(new EC2Client(motoSettings()));
    const { endpoint } = motoSettings();
    factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
    certificates = [
      await requestCertificate(endpoint, "www.example.com"),
      await requestCertificate(endpoint, "example.com"),
      await requestCertificate(endpoint, "legacy.example.com"),
    ];
  });

  afterAll(() => factory?.destroy());

  it("creates a two-listener, five-rule, three-target-group ALB and reads back exactly the model", async () => {
    const elbv2 = factory.elbv2(target);
    ctx = await executeEach(
      elbv2,
      createOperations(model()),
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved()),
      { ec2: factory.ec2(target) },
    );
    const expected = modelContent(model());
    expect(observedContent(ctx.observed)).toEqual(expected);

    const read = await observeFromArns(elbv2, ctx.observed, { attributes: false });
    expect(observedContent(read)).toEqual(expected);
    expect(settled(read)).toEqual(settled(ctx.observed));
  });

  it("creates every resource with its ownership tags in the create call", async () => {
    const elbv2 = factory.elbv2(target);
    const listener = ctx.observed.listeners[1];
    const arns = [
      ctx.loadBalancerArn ?? "",
      ...Object.values(ctx.targetGroupArns),
      ...Object.values(ctx.listenerArns),
      listener?.rules[0]?.arn ?? "",
    ];
    const tags = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }));
    const roles = new Map(
      (tags.TagDescriptions ?? []).map((d) => [d.ResourceArn, new Map((d.Tags ?? []).map((t) => [t.Key, t.Value]))]),
    );
    for (const arn of arns) {
      const t = roles.get(arn);
      expect(t?.get(TAG.managedBy), arn).toBe("switchyard");
      expect(t?.get(TAG.cluster), arn).toBe(CLUSTER);
      expect(t?.get(TAG.gateway), arn).toBe(GATEWAY);
    }
    expect(roles.get(ctx.loadBalancerArn)?.get(TAG.role)).toBe("load-balancer");
    expect(roles.get(ctx.loadBalancerArn)?.get("team")).toBe("platform");
    expect(roles.get(ctx.targetGroupArns["apps/api:9090/HTTP1"])?.get(TAG.role)).toBe(
      "target-group:apps/api:9090/HTTP1",
    );
    expect(roles.get(ctx.listenerArns["HTTPS:443"])?.get(TAG.role)).toBe("listener:HTTPS:443");
  });

  it("adds the listener's non-default certificates with AddListenerCertificates", async () => {
    const response = await factory
      .elbv2(target)
      .send(new DescribeListenerCertificatesCommand({ ListenerArn: ctx.listenerArns["HTTPS:443"] }));
    const listed = (response.Certificates ?? []).map((c) => c.CertificateArn);
    expect(new Set(listed)).toEqual(new Set(certificates));
    expect(response.Certificates?.find((c) => c.IsDefault)?.CertificateArn).toBe(certificates[0]);
    const read = await observeFromArns(factory.elbv2(target), ctx.observed, { listenerCertificates: true });
    expect(read.listeners[1]?.certificates?.arns).toEqual(certificates);
  });

  it("reads attributes back when asked to", async () => {
    const read = await observeFromArns(factory.elbv2(target), ctx.observed, { attributes: true, targets: true });
    expect(read.loadBalancer?.attributes).toMatchObject(model().attributes);
    for (const tg of model().targetGroups) {
      const got = read.targetGroups.find((x) => x.id === tg.id);
      expect(got?.attributes).toMatchObject(tg.attributes);
      expect(got?.targets).toEqual([...tg.targets].sort((a, b) => a.id.localeCompare(b.id)));
    }
  });

  it("observes with at most 3 + listeners + rule pages calls: 5 for two listeners", async () => {
    const before = factory.counter.snapshot();
    await observeFromArns(factory.elbv2(target), ctx.observed);
    const after = factory.counter.snapshot();
    const delta = (key: string) => (after[key]?.calls ?? 0) - (before[key]?.calls ?? 0);
    const calls = {
      DescribeLoadBalancers: delta("ElasticLoadBalancingV2:DescribeLoadBalancers"),
      DescribeListeners: delta("ElasticLoadBalancingV2:DescribeListeners"),
      DescribeRules: delta("ElasticLoadBalancingV2:DescribeRules"),
      DescribeTargetGroups: delta("ElasticLoadBalancingV2:DescribeTargetGroups"),
    };
    expect(calls).toEqual({
      DescribeLoadBalancers: 1,
      DescribeListeners: 1,
      DescribeRules: 2,
      DescribeTargetGroups: 1,
    });
    const total = Object.keys(after).reduce((n, key) => n + (after[key]?.calls ?? 0) - (before[key]?.calls ?? 0), 0);
    expect(total).toBe(5);
  });

  it("plans nothing for the model against what it read back", async () => {
    const read = await observeFromArns(factory.elbv2(target), ctx.observed);
    expect(planElb(model(), read).operations).toEqual([]);
  });

  it("runs the modify operations and reads back what the context records", async () => {
    const elbv2 = factory.elbv2(target);
    const web = "apps/web:8080/HTTP1";
    const api = "apps/api:9090/HTTP1";
    const https = ctx.observed.listeners.find((l) => l.id === "HTTPS:443");
    const [r10, r20, r30, r40] = https?.rules ?? [];
    if (!r10 || !r20 || !r30 || !r40) throw new Error("rules missing");
    ctx = await executeEach(
      elbv2,
      [
        {
          op: "ModifyTargetGroup",
          targetGroupId: web,
          healthCheck: { ...HTTP_HEALTH_CHECK, path: "/ready", intervalSeconds: 10 },
        },
        { op: "DeregisterTargets", targetGroupId: web, targets: [{ id: "10.1.0.11", port: 8080 }] },
        { op: "RegisterTargets", targetGroupId: web, targets: [{ id: "10.1.0.12", port: 8080 }] },
        {
          op: "ModifyListener",
          listenerId: "HTTPS:443",
          arn: https?.arn ?? "",
          defaultCertificate: certificates[1],
          defaultActions: [{ type: "forward", targetGroups: [{ targetGroupId: web, weight: 1 }] }],
        },
        { op: "RemoveListenerCertificates", listenerId: "HTTPS:443", arns: [certificates[2] ?? ""] },
        {
          op: "ModifyRule",
          listenerId: "HTTPS:443",
          rule: { arn: r20.arn },
          conditions: [{ field: "path-pattern", values: ["/beta/*"] }],
          actions: [
            {
              type: "forward",
              targetGroups: [
                { targetGroupId: web, weight: 3 },
                { targetGroupId: api, weight: 1 },
              ],
            },
          ],
        },
        {
          op: "SetRulePriorities",
          listenerId: "HTTPS:443",
          priorities: [
            { rule: { arn: r30.arn }, priority: 35 },
            { rule: { arn: r40.arn }, priority: 45 },
          ],
        },
        {
          op: "CreateRule",
          listenerId: "HTTPS:443",
          key: "new#0",
          priority: 5,
          conditions: [{ field: "host-header", values: ["admin.example.com"] }],
          actions: [{ type: "fixed-response", statusCode: "403" }],
          tags: ownershipTags(CLUSTER, GATEWAY, "listener:HTTPS:443"),
        },
        { op: "DeleteRule", listenerId: "HTTPS:443", rule: { arn: r10.arn } },
        {
          op: "ModifyRule",
          listenerId: "HTTPS:443",
          rule: { created: "new#0" },
          conditions: [{ field: "host-header", values: ["admin.example.com"] }],
          actions: [{ type: "fixed-response", statusCode: "401", contentType: "text/plain", messageBody: "no" }],
        },
      ],
      ctx,
    );
    const read = await observeFromArns(elbv2, ctx.observed, { listenerCertificates: true });
    expect(settled(read)).toEqual(settled(ctx.observed));
    const listener = read.listeners.find((l) => l.id === "HTTPS:443");
    expect(listener?.rules.map((r) => r.priority)).toEqual([5, 20, 35, 45]);
    expect(listener?.certificates?.arns[0]).toBe(certificates[1]);
    expect(read.targetGroups.find((tg) => tg.id === web)?.healthCheck.path).toBe("/ready");
  });

  it("deletes listeners, the load balancer and target groups, idempotently", async () => {
    const elbv2 = factory.elbv2(target);
    const http = ctx.observed.listeners.find((l) => l.id === "HTTP:80");
    const lbArn = ctx.loadBalancerArn ?? "";
    const deletes: ElbOperation[] = [
      { op: "DeleteListener", listenerId: "HTTP:80", arn: http?.arn ?? "" },
      { op: "DeleteLoadBalancer", arn: lbArn, reason: "the Gateway is gone" },
      ...ctx.observed.targetGroups.map(
        (tg): ElbOperation => ({ op: "DeleteTargetGroup", targetGroupId: tg.id, arn: tg.arn }),
      ),
    ];
    ctx = await executeEach(elbv2, deletes, ctx);
    expect(ctx.observed).toEqual(emptyObserved());
    expect(ctx.loadBalancerArn).toBeUndefined();
    // A second run finds everything gone and still succeeds.
    for (const op of deletes) await executeOperation(elbv2, op, ctx);
    const read = await observeFromArns(elbv2, {
      ...emptyObserved(),
      loadBalancer: {
        arn: lbArn,
        name: "",
        type: "application",
        scheme: "internal",
        ipAddressType: "ipv4",
        subnets: [],
        securityGroups: [],
        attributes: {},
      },
    });
    expect(read).toEqual(emptyObserved());
  });
});
