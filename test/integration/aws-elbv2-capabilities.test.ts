// The ELBv2 adapter's less common shapes against moto: NLB listeners (TCP_UDP, TLS with ALPN),
// authenticate actions passed through, security groups, and the failures the engine relies on
// being classified (DeleteTargetGroup while in use). Where moto differs from AWS, the test pins
// moto's behaviour and test/env/QUIRKS.md ("moto ELBv2") has the entry.

import { CreateSecurityGroupCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { type ExecutionContext, executeOperation, startExecution } from "../../shared/aws/elbv2/execute.ts";
import { observeFromArns } from "../../shared/aws/elbv2/observe.ts";
import { toSdkCondition, toSdkTransform } from "../../shared/aws/elbv2/translate.ts";
import { AwsOperationError } from "../../shared/aws/errors.ts";
import type { TargetGroupModel } from "../../shared/elb/model.ts";
import { ownershipTags } from "../../shared/elb/naming.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import type { RuleAction } from "../../shared/elb/rules.ts";
import {
  DUMMY_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  uniqueName,
} from "../env/clients.ts";
import { TCP_HEALTH_CHECK } from "../fixtures/health-checks.ts";
import { executeEach, requestCertificate } from "./aws-elbv2-fixture.ts";
import { publicDefaultVpc } from "./aws-network-fixture.ts";

const GATEWAY = "edge/tcp";
const CLUSTER = "prod-eu";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };

function tcpGroup(id: string, protocol: TargetGroupModel["protocol"], port: number): Omit<TargetGroupModel, "targets"> {
  return {
    id,
    name: uniqueName("sy-tcp"),
    protocol,
    port,
    targetType: "ip",
    ipAddressType: "ipv4",
    healthCheck: TCP_HEALTH_CHECK,
    attributes: {},
    tags: ownershipTags(CLUSTER, GATEWAY, `target-group:${id}`),
    backend: `Service ${id}`,
  };
}

function settled(observed: ObservedElb): ObservedElb {
  return observed.loadBalancer
    ? { ...observed, loadBalancer: { ...observed.loadBalancer, state: "active" } }
    : observed;
}

describe("ELBv2 adapter capabilities on moto", () => {
  let factory: AwsClientFactory;
  let raw: ElasticLoadBalancingV2Client;
  let certificate: string;
  const owner = { clusterId: CLUSTER, gatewayKey: GATEWAY };

  beforeAll(async () => {
    await resetMoto();
    // Its load balancers are internet-facing: public subnets, as in an AWS account's default VPC.
    await publicDefaultVpc(new EC2Client(motoSettings()));
    const { endpoint } = motoSettings();
    factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
    // No retries: moto answers some valid requests with a 500 (see the regexValues test).
    raw = new ElasticLoadBalancingV2Client({ ...motoSettings(), maxAttempts: 1 });
    certificate = await requestCertificate(endpoint, "tcp.example.com");
  });

  afterAll(() => {
    factory?.destroy();
    raw?.destroy();
  });

  it("creates a network load balancer with TCP_UDP and TLS listeners and reads it back", async () => {
    const elbv2 = factory.elbv2(target);
    const dns = tcpGroup("kube-system/dns:53/TCP_UDP", "TCP_UDP", 53);
    const tls = tcpGroup("apps/db:5432/TCP", "TCP", 5432);
    const ops: ElbOperation[] = [
      { op: "CreateTargetGroup", targetGroup: dns },
      { op: "CreateTargetGroup", targetGroup: tls },
      { op: "RegisterTargets", targetGroupId: dns.id, targets: [{ id: "10.2.0.53", port: 53 }] },
      {
        op: "CreateLoadBalancer",
        name: uniqueName("sy-nlb"),
        type: "network",
        scheme: "internal",
        ipAddressType: "ipv4",
        subnets: [],
        securityGroups: [],
        tags: ownershipTags(CLUSTER, GATEWAY, "load-balancer"),
      },
      {
        op: "CreateListener",
        listenerId: "TCP_UDP:53",
        port: 53,
        protocol: "TCP_UDP",
        defaultActions: [{ type: "forward", targetGroups: [{ targetGroupId: dns.id, weight: 1 }] }],
        tags: ownershipTags(CLUSTER, GATEWAY, "listener:TCP_UDP:53"),
      },
      {
        op: "CreateListener",
        listenerId: "TLS:5432",
        port: 5432,
        protocol: "TLS",
        certificates: { arns: [certificate], pendingSecrets: [] },
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        alpnPolicy: "HTTP2Preferred",
        defaultActions: [{ type: "forward", targetGroups: [{ targetGroupId: tls.id, weight: 1 }] }],
        tags: ownershipTags(CLUSTER, GATEWAY, "listener:TLS:5432"),
      },
    ];
    const ctx = await executeEach(elbv2, ops, startExecution(owner, emptyObserved()), { ec2: factory.ec2(target) });
    expect(ctx.observed.loadBalancer?.type).toBe("network");
    const read = await observeFromArns(elbv2, ctx.observed);
    expect(settled(read)).toEqual(settled(ctx.observed));
    expect(read.listeners.map((l) => l.id)).toEqual(["TCP_UDP:53", "TLS:5432"]);
    expect(read.listeners[1]).toMatchObject({ alpnPolicy: "HTTP2Preferred", certificates: { arns: [certificate] } });
    expect(read.targetGroups.map((tg) => [tg.protocol, tg.healthCheck])).toEqual([
      ["TCP_UDP", TCP_HEALTH_CHECK],
      ["TCP", TCP_HEALTH_CHECK],
    ]);
  });

  it("passes authenticate actions through, sets security groups, and surfaces a target group in use as retryable", async () => {
    const elbv2 = factory.elbv2(target);
    const ec2 = factory.ec2(target);
    const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
      .Vpcs?.[0]?.VpcId;
    const sg = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName("alb"), Description: "alb", VpcId: vpcId }))
    ).GroupId;
    const app = {
      ...tcpGroup("apps/app:80/HTTP1", "HTTP", 80),
      healthCheck: {
        ...TCP_HEALTH_CHECK,
        protocol: "HTTP" as const,
        path: "/",
        timeoutSeconds: 5,
        matcher: { httpCode: "200" },
      },
    };
    const oidc: RuleAction = {
      type: "authenticate-oidc",
      config: {
        issuer: "https://idp.example.com",
        authorizationEndpoint: "https://idp.example.com/auth",
        tokenEndpoint: "https://idp.example.com/token",
        userInfoEndpoint: "https://idp.example.com/userinfo",
        clientId: "switchyard",
        clientSecret: "s3cret",
        scope: "openid",
        onUnauthenticatedRequest: "authenticate",
        authenticationRequestExtraParams: { prompt: "login", display_mode: "page" },
      },
    };
    const cognito: RuleAction = {
      type: "authenticate-cognito",
      config: {
        userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
        userPoolClientId: "client",
        userPoolDomain: "auth",
        sessionTimeout: 3600,
      },
    };
    let ctx: ExecutionContext = startExecution(owner, emptyObserved());
    ctx = await executeEach(
      elbv2,
      [
        { op: "CreateTargetGroup", targetGroup: app },
        {
          op: "CreateLoadBalancer",
          name: uniqueName("sy-alb"),
          type: "application",
          scheme: "internet-facing",
          ipAddressType: "ipv4",
          subnets: [],
          securityGroups: [],
          tags: ownershipTags(CLUSTER, GATEWAY, "load-balancer"),
        },
        { op: "SetSecurityGroups", securityGroups: [sg ?? ""] },
        {
          op: "CreateListener",
          listenerId: "HTTP:80",
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "fixed-response", statusCode: "404" }],
          tags: ownershipTags(CLUSTER, GATEWAY, "listener:HTTP:80"),
        },
        {
          op: "CreateRule",
          listenerId: "HTTP:80",
          key: "auth#0",
          priority: 1,
          conditions: [{ field: "path-pattern", values: ["/admin/*"] }],
          actions: [oidc, { type: "forward", targetGroups: [{ targetGroupId: app.id, weight: 1 }] }],
          tags: ownershipTags(CLUSTER, GATEWAY, "listener:HTTP:80"),
        },
        {
          op: "CreateRule",
          listenerId: "HTTP:80",
          key: "auth#1",
          priority: 2,
          conditions: [{ field: "path-pattern", values: ["/team/*"] }],
          actions: [cognito, { type: "forward", targetGroups: [{ targetGroupId: app.id, weight: 1 }] }],
          tags: ownershipTags(CLUSTER, GATEWAY, "listener:HTTP:80"),
        },
      ],
      ctx,
      { ec2 },
    );
    const read = await observeFromArns(elbv2, ctx.observed);
    expect(settled(read)).toEqual(settled(ctx.observed));
    expect(read.loadBalancer?.securityGroups).toEqual([sg]);
    expect(read.listeners[0]?.rules[0]?.actions[0]).toEqual(oidc);

    const deleting = executeOperation(
      elbv2,
      { op: "DeleteTargetGroup", targetGroupId: app.id, arn: ctx.targetGroupArns[app.id] ?? "" },
      ctx,
    );
    await expect(deleting).rejects.toBeInstanceOf(AwsOperationError);
    await expect(deleting).rejects.toMatchObject({
      kind: "retryable",
      reason: "ResourceInUse",
      operation: "DeleteTargetGroup",
    });

    await expect(
      executeOperation(
        elbv2,
        {
          op: "CreateRule",
          listenerId: "HTTP:80",
          key: "auth#2",
          priority: 3,
          conditions: [{ field: "path-pattern", values: ["/x"] }],
          actions: [{ type: "authenticate-oidc", config: { issuer: "i", secret: { name: "oidc" } } }],
          tags: {},
        },
        ctx,
      ),
    ).rejects.toMatchObject({ kind: "terminal", reason: "InvalidOperation" });
  });

  describe("where moto differs from AWS", () => {
    let lbArn: string;
    let listenerArn: string;

    beforeAll(async () => {
      const ctx = await executeEach(
        factory.elbv2(target),
        [
          {
            op: "CreateLoadBalancer",
            name: uniqueName("sy-quirk"),
            type: "application",
            scheme: "internal",
            ipAddressType: "ipv4",
            subnets: [],
            securityGroups: [],
            tags: ownershipTags(CLUSTER, "quirks/gw", "load-balancer"),
          },
        ],
        startExecution({ clusterId: CLUSTER, gatewayKey: "quirks/gw" }, emptyObserved()),
        { ec2: factory.ec2(target) },
      );
      lbArn = ctx.loadBalancerArn ?? "";
      const listener = await raw.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: "HTTP",
          Port: 80,
          DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
        }),
      );
      listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
    });

    const fixed = [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "200" } }];

    it("moto drops rule Transforms (AWS keeps host-header and url rewrites)", async () => {
      const created = await raw.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 10,
          Conditions: [toSdkCondition({ field: "path-pattern", values: ["/v1/*"] })],
          Actions: fixed,
          Transforms: [toSdkTransform({ type: "url-rewrite", rewrites: [{ regex: "^/v1/(.*)$", replace: "/$1" }] })],
        }),
      );
      const rules = await raw.send(new DescribeRulesCommand({ RuleArns: [created.Rules?.[0]?.RuleArn ?? ""] }));
      expect(rules.Rules?.[0]?.Transforms ?? []).toEqual([]);
    });

    it("moto answers a regexValues-only condition with a 500 (AWS accepts RegexValues in HostHeaderConfig)", async () => {
      const sending = raw.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 20,
          Conditions: [toSdkCondition({ field: "host-header", regexValues: ["^api[0-9]+\\.example\\.com$"] })],
          Actions: fixed,
        }),
      );
      await expect(sending).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    });

    it("moto rejects a SetRulePriorities swap (AWS only requires the new order to be free of conflicts)", async () => {
      const make = async (priority: number) =>
        (
          await raw.send(
            new CreateRuleCommand({
              ListenerArn: listenerArn,
              Priority: priority,
              Conditions: [toSdkCondition({ field: "path-pattern", values: [`/p${priority}`] })],
              Actions: fixed,
            }),
          )
        ).Rules?.[0]?.RuleArn ?? "";
      const a = await make(30);
      const b = await make(31);
      await expect(
        raw.send(
          new SetRulePrioritiesCommand({
            RulePriorities: [
              { RuleArn: a, Priority: 31 },
              { RuleArn: b, Priority: 30 },
            ],
          }),
        ),
      ).rejects.toMatchObject({ Code: "PriorityInUse" });
    });

    it("moto rejects the jwt-validation action type (AWS supports it)", async () => {
      await expect(
        raw.send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: 40,
            Conditions: [toSdkCondition({ field: "path-pattern", values: ["/jwt"] })],
            Actions: [
              {
                Type: "jwt-validation",
                Order: 1,
                JwtValidationConfig: { JwksEndpoint: "https://idp/jwks", Issuer: "https://idp" },
              },
              { Type: "fixed-response", Order: 2, FixedResponseConfig: { StatusCode: "200" } },
            ],
          }),
        ),
      ).rejects.toMatchObject({ Code: "ValidationError", message: expect.stringContaining("jwt-validation") });
    });

    it("moto lists every certificate and an SslPolicy on an HTTP listener in DescribeListeners (AWS: the default certificate only, no policy without TLS)", async () => {
      const listeners = await raw.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
      expect(listeners.Listeners?.[0]?.SslPolicy).toBe("ELBSecurityPolicy-2016-08");
      const https = await raw.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: "HTTPS",
          Port: 443,
          Certificates: [{ CertificateArn: certificate }],
          DefaultActions: fixed,
        }),
      );
      const httpsArn = https.Listeners?.[0]?.ListenerArn ?? "";
      const second = await requestCertificate(motoSettings().endpoint, "second.example.com");
      const elbv2 = factory.elbv2(target);
      await executeOperation(
        elbv2,
        { op: "AddListenerCertificates", listenerId: "HTTPS:443", arns: [second] },
        {
          ...startExecution({ clusterId: CLUSTER, gatewayKey: "quirks/gw" }, emptyObserved()),
          listenerArns: { "HTTPS:443": httpsArn },
        },
      );
      const described = await raw.send(new DescribeListenersCommand({ ListenerArns: [httpsArn] }));
      expect(described.Listeners?.[0]?.Certificates?.map((c) => c.CertificateArn)).toEqual([certificate, second]);
    });

    it("moto answers DescribeLoadBalancers with a missing ARN after a found one as if it were found (AWS: LoadBalancerNotFound)", async () => {
      const missing = lbArn.replace(/\/[0-9a-f]+$/, "/0123456789abcdef");
      const after = await raw.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn, missing] }));
      expect(after.LoadBalancers?.map((lb) => lb.LoadBalancerArn)).toEqual([lbArn]);
      await expect(
        raw.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [missing, lbArn] })),
      ).rejects.toMatchObject({ name: "LoadBalancerNotFoundException" });
    });
  });
});
