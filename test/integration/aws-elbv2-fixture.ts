// A realistic desired ALB model for the ELBv2 adapter's integration tests, and the create plan
// for it. Not a test file itself (no `.test.ts`): imported by test/integration/aws-elbv2-*.test.ts.

import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type ExecutionContext, type ExecutionDependencies, executeOperation } from "../../shared/aws/elbv2/execute.ts";
import type { LoadBalancerModel, TargetGroupModel } from "../../shared/elb/model.ts";
import { loadBalancerName, ownershipTags, targetGroupName } from "../../shared/elb/naming.ts";
import type { ObservedElb, ObservedListener, ObservedTargetGroup } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { DUMMY_CREDENTIALS, TEST_REGION } from "../env/clients.ts";
import { HTTP_HEALTH_CHECK } from "../fixtures/health-checks.ts";

export const CLUSTER = "prod-eu";

function targetGroup(gatewayKey: string, id: string, port: number, targets: string[]): TargetGroupModel {
  return {
    id,
    name: targetGroupName(CLUSTER, gatewayKey, id, "HTTP"),
    protocol: "HTTP",
    protocolVersion: "HTTP1",
    port,
    targetType: "ip",
    ipAddressType: "ipv4",
    healthCheck: HTTP_HEALTH_CHECK,
    attributes: { "deregistration_delay.timeout_seconds": "30" },
    tags: ownershipTags(CLUSTER, gatewayKey, `target-group:${id}`),
    targets: targets.map((ip) => ({ id: ip, port })),
    backend: `Service ${id.split(":")[0]}`,
  };
}

/** Two listeners, five rules, three target groups: weighted forward, redirect, fixed response. */
export function albModel(gatewayKey: string, certificates: string[]): LoadBalancerModel {
  const listenerTags = (id: string) => ownershipTags(CLUSTER, gatewayKey, `listener:${id}`);
  const web = "apps/web:8080/HTTP1";
  const canary = "apps/web-canary:8080/HTTP1";
  const api = "apps/api:9090/HTTP1";
  return {
    gatewayKey,
    type: "application",
    name: loadBalancerName(CLUSTER, gatewayKey, "application", "internet-facing"),
    scheme: "internet-facing",
    ipAddressType: "ipv4",
    subnets: [],
    securityGroups: [],
    attributes: { "idle_timeout.timeout_seconds": "120", "routing.http2.enabled": "true" },
    tags: { team: "platform", ...ownershipTags(CLUSTER, gatewayKey, "load-balancer") },
    listeners: [
      {
        id: "HTTP:80",
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: "443" }],
        rules: [
          {
            priority: 10,
            conditions: [
              { field: "host-header", values: ["legacy.example.com"] },
              { field: "path-pattern", values: ["/old", "/old/*"] },
            ],
            actions: [{ type: "redirect", statusCode: "HTTP_302", host: "www.example.com", path: "/new/#{path}" }],
            source: { route: "HTTPRoute apps/legacy", rule: 0, match: 0 },
          },
        ],
        gatewayListeners: ["http"],
        tags: listenerTags("HTTP:80"),
      },
      {
        id: "HTTPS:443",
        port: 443,
        protocol: "HTTPS",
        certificates: { arns: certificates, pendingSecrets: [] },
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
        rules: [
          {
            priority: 10,
            conditions: [
              { field: "host-header", values: ["www.example.com"] },
              { field: "path-pattern", values: ["/api", "/api/*"] },
              { field: "http-request-method", values: ["GET", "POST"] },
            ],
            actions: [{ type: "forward", targetGroups: [{ targetGroupId: api, weight: 1 }] }],
            source: { route: "HTTPRoute apps/api", rule: 0, match: 0 },
          },
          {
            priority: 20,
            conditions: [
              { field: "host-header", values: ["www.example.com"] },
              { field: "http-header", headerName: "x-canary", values: ["always"] },
            ],
            actions: [{ type: "forward", targetGroups: [{ targetGroupId: canary, weight: 1 }] }],
            source: { route: "HTTPRoute apps/web", rule: 0, match: 0 },
          },
          {
            priority: 30,
            conditions: [
              { field: "host-header", values: ["www.example.com"] },
              { field: "query-string", values: [{ key: "debug", value: "1" }] },
              { field: "source-ip", values: ["10.0.0.0/8"] },
            ],
            actions: [
              {
                type: "fixed-response",
                statusCode: "503",
                contentType: "application/json",
                messageBody: '{"error":"maintenance"}',
              },
            ],
            source: { route: "HTTPRoute apps/web", rule: 1, match: 0 },
          },
          {
            priority: 40,
            conditions: [
              { field: "host-header", values: ["www.example.com", "example.com"] },
              { field: "path-pattern", values: ["/*"] },
            ],
            actions: [
              {
                type: "forward",
                targetGroups: [
                  { targetGroupId: web, weight: 90 },
                  { targetGroupId: canary, weight: 10 },
                ],
                stickiness: { enabled: true, durationSeconds: 300 },
              },
            ],
            source: { route: "HTTPRoute apps/web", rule: 2, match: 0 },
          },
        ],
        gatewayListeners: ["https"],
        tags: listenerTags("HTTPS:443"),
      },
    ],
    targetGroups: [
      targetGroup(gatewayKey, web, 8080, ["10.1.0.10", "10.1.0.11"]),
      targetGroup(gatewayKey, canary, 8080, ["10.1.0.20"]),
      targetGroup(gatewayKey, api, 9090, ["10.1.1.10", "10.1.1.11", "10.1.1.12"]),
    ],
  };
}

/** The operations that build `model` from nothing, in dependency order. */
export function createOperations(model: LoadBalancerModel): ElbOperation[] {
  const ops: ElbOperation[] = [];
  for (const tg of model.targetGroups) {
    const { targets, ...spec } = tg;
    ops.push({ op: "CreateTargetGroup", targetGroup: spec });
    ops.push({ op: "ModifyTargetGroupAttributes", targetGroupId: tg.id, attributes: tg.attributes });
    ops.push({ op: "RegisterTargets", targetGroupId: tg.id, targets });
  }
  ops.push({
    op: "CreateLoadBalancer",
    name: model.name,
    type: model.type,
    scheme: model.scheme,
    ipAddressType: model.ipAddressType,
    subnets: model.subnets,
    securityGroups: model.securityGroups,
    tags: model.tags,
  });
  ops.push({ op: "ModifyLoadBalancerAttributes", attributes: model.attributes });
  for (const l of model.listeners) {
    ops.push({
      op: "CreateListener",
      listenerId: l.id,
      port: l.port,
      protocol: l.protocol,
      ...(l.certificates ? { certificates: l.certificates } : {}),
      ...(l.sslPolicy ? { sslPolicy: l.sslPolicy } : {}),
      defaultActions: l.defaultActions,
      tags: l.tags,
    });
    l.rules.forEach((r, i) => {
      ops.push({
        op: "CreateRule",
        listenerId: l.id,
        key: `${l.id}#${i}`,
        priority: r.priority,
        conditions: r.conditions,
        actions: r.actions,
        ...(r.transforms ? { transforms: r.transforms } : {}),
        tags: l.tags,
      });
    });
  }
  return ops;
}

/** The model's content in ObservedElb terms, without ARNs, for comparison with what was read. */
export function modelContent(model: LoadBalancerModel) {
  return {
    loadBalancer: {
      name: model.name,
      type: model.type,
      scheme: model.scheme,
      ipAddressType: model.ipAddressType,
      attributes: model.attributes,
    },
    listeners: model.listeners.map((l) => ({
      id: l.id,
      port: l.port,
      protocol: l.protocol,
      ...(l.certificates ? { certificates: l.certificates } : {}),
      ...(l.sslPolicy ? { sslPolicy: l.sslPolicy } : {}),
      defaultActions: l.defaultActions,
      rules: l.rules.map(({ source: _source, ...rule }) => rule),
    })),
    targetGroups: model.targetGroups.map((tg) => ({
      id: tg.id,
      name: tg.name,
      protocol: tg.protocol,
      protocolVersion: tg.protocolVersion,
      port: tg.port,
      targetType: tg.targetType,
      healthCheck: tg.healthCheck,
      attributes: tg.attributes,
      targets: tg.targets,
    })),
  };
}

/** An ObservedElb without ARNs and volatile fields, shaped like modelContent. */
export function observedContent(observed: ObservedElb) {
  const lb = observed.loadBalancer;
  return {
    loadBalancer: lb
      ? { name: lb.name, type: lb.type, scheme: lb.scheme, ipAddressType: lb.ipAddressType, attributes: lb.attributes }
      : undefined,
    listeners: observed.listeners.map(({ arn: _arn, rules, ...l }: ObservedListener) => ({
      ...l,
      rules: rules.map(({ arn: _ruleArn, ...r }) => r),
    })),
    targetGroups: observed.targetGroups.map(({ arn: _arn, ...tg }: ObservedTargetGroup) => tg),
  };
}

/** An ACM certificate in moto (ELBv2 in moto checks HTTPS listener certificates exist in ACM). */
export async function requestCertificate(endpoint: string, domain: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "CertificateManager.RequestCertificate",
      authorization: `AWS4-HMAC-SHA256 Credential=${DUMMY_CREDENTIALS.accessKeyId}/20260101/${TEST_REGION}/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: domain }),
  });
  const body = (await response.json()) as { CertificateArn?: string };
  if (!body.CertificateArn) throw new Error(`RequestCertificate: ${JSON.stringify(body)}`);
  return body.CertificateArn;
}

/**
 * Operations run one by one through executeOperation, each on the context the previous one left:
 * what the engine does between its persistence steps, for suites that test the executors alone.
 */
export async function executeEach(
  client: ElasticLoadBalancingV2Client,
  operations: readonly ElbOperation[],
  start: ExecutionContext,
  deps: ExecutionDependencies = {},
): Promise<ExecutionContext> {
  let ctx = start;
  for (const op of operations) ctx = await executeOperation(client, op, ctx, deps);
  return ctx;
}
