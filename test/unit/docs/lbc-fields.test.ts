/**
 * What switchyard makes of the AWS Load Balancer Controller's fields that no golden case or other
 * test covers: one test per row of docs/migration.md that cites this file, each translating the
 * row's probe (probes.ts) and reading the desired model or the statuses.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { type CreatedRules, simulate } from "../../../shared/testing/index.ts";
import { CERT, FIELD_PROBES, type Probe, probeModel, refusals, runProbe, TRUST_STORE } from "./probes.ts";

function probe(key: string): Probe {
  const found = FIELD_PROBES[key];
  if (!found) throw new Error(`no probe ${key}`);
  return found;
}

/** The probe's load balancer, which must be built with nothing refused. */
function built(p: Probe): LoadBalancerModel {
  const run = runProbe(p);
  expect(run.rejected).toEqual([]);
  expect(refusals(run)).toEqual([]);
  const model = probeModel(run);
  if (!model) throw new Error("no load balancer built");
  return model;
}

function onlyTargetGroup(model: LoadBalancerModel) {
  expect(model.targetGroups).toHaveLength(1);
  const [group] = model.targetGroups;
  if (!group) throw new Error("no target group");
  return group;
}

function onlyRule(model: LoadBalancerModel) {
  const rules = model.listeners.flatMap((l) => l.rules);
  expect(rules).toHaveLength(1);
  const [rule] = rules;
  if (!rule) throw new Error("no rule");
  return rule;
}

describe("LoadBalancerConfiguration", () => {
  it("mergingMode prefer-gateway on the GatewayClass's configuration lets the Gateway's scheme win", () => {
    expect(built(probe("LoadBalancerConfigurationSpec.mergingMode")).scheme).toBe("internet-facing");
    // The same two configurations without the mode: the class's internal wins.
    const withoutMode = built({ lbc: { scheme: "internet-facing" }, classLbc: { scheme: "internal" } });
    expect(withoutMode.scheme).toBe("internal");
  });

  it("without mergingMode the GatewayClass's configuration wins scalar fields, and tags merge by key", () => {
    const model = built({
      lbc: { loadBalancerName: "from-gateway", tags: { team: "gateway", app: "shop" } },
      classLbc: { loadBalancerName: "from-class", tags: { team: "class", tier: "edge" } },
    });
    expect(model.name).toBe("from-class");
    expect(model.tags).toMatchObject({ team: "class", app: "shop", tier: "edge" });
    // mergingMode is read on the class's configuration only: on the Gateway's it changes nothing.
    const onGateway = built({
      lbc: { mergingMode: "prefer-gateway", loadBalancerName: "from-gateway" },
      classLbc: { loadBalancerName: "from-class" },
    });
    expect(onGateway.name).toBe("from-class");
  });

  it("loadBalancerName names the load balancer; without it the name is sy-namespace-name-hash", () => {
    expect(built(probe("LoadBalancerConfigurationSpec.loadBalancerName")).name).toBe("shop-edge");
    expect(built({}).name).toMatch(/^sy-apps-gw-[0-9a-f]{10}$/);
  });

  it("ipAddressType dualstack makes the load balancer dualstack and its frontend group admit ::/0", () => {
    const model = built(probe("LoadBalancerConfigurationSpec.ipAddressType"));
    expect(model.ipAddressType).toBe("dualstack");
    expect(model.managedSecurityGroups?.frontend?.ingress.map((r) => r.cidrIpv6 ?? r.cidrIpv4)).toEqual([
      "0.0.0.0/0",
      "::/0",
    ]);
    expect(built({}).ipAddressType).toBe("ipv4");
  });

  it("loadBalancerSubnets identifiers are the load balancer's subnets, and nothing is discovered", () => {
    const model = built(probe("LoadBalancerConfigurationSpec.loadBalancerSubnets[].identifier"));
    expect(model.subnets).toEqual(["subnet-0a", "subnet-0b"]);
    expect(model.subnetSelector).toBeUndefined();
    // Identifiers win over a selector, as in the controller.
    const both = built({
      lbc: { loadBalancerSubnets: [{ identifier: "subnet-0a" }], loadBalancerSubnetsSelector: { tier: ["edge"] } },
    });
    expect(both.subnets).toEqual(["subnet-0a"]);
    expect(both.subnetSelector).toBeUndefined();
  });

  it("loadBalancerAttributes become the load balancer's attributes", () => {
    expect(built(probe("LoadBalancerConfigurationSpec.loadBalancerAttributes")).attributes).toEqual({
      "idle_timeout.timeout_seconds": "120",
    });
  });

  it("tags and the Gateway's infrastructure labels go on the load balancer beside switchyard's ownership tags", () => {
    const model = built(probe("LoadBalancerConfigurationSpec.tags"));
    expect(model.tags).toMatchObject({
      team: "shop",
      "cost-center": "42",
      "switchyard.dev/managed-by": "switchyard",
      "switchyard.dev/gateway": "apps/gw",
    });
    expect(model.managedSecurityGroups?.frontend?.tags).toMatchObject({ team: "shop" });
    const labelled = runProbe({
      lbc: { tags: { team: "shop" } },
      extra: stringify({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "gw", namespace: "apps", generation: 1 },
        spec: {
          gatewayClassName: "alb",
          infrastructure: {
            labels: { env: "prod" },
            parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "lbc" },
          },
          listeners: [{ name: "http", port: 80, protocol: "HTTP" }],
        },
      }),
    });
    expect(probeModel(labelled)?.tags).toMatchObject({ team: "shop", env: "prod" });
  });

  it("vpcId naming the cluster's VPC is accepted; naming another VPC refuses the Gateway", () => {
    const vpcProbe = probe("LoadBalancerConfigurationSpec.vpcId");
    // Without the cluster's VPC (switchyard plan), only the id's format is checked.
    built(vpcProbe);
    expect(refusals(runProbe(vpcProbe, { cluster: { vpcId: "vpc-0123456789abcdef0" } }))).toEqual([]);
    expect(refusals(runProbe(vpcProbe, { cluster: { vpcId: "vpc-0fedcba9876543210" } }))).toEqual([
      {
        on: "Gateway apps/gw",
        type: "Accepted",
        reason: "UnsupportedValue",
        message: expect.stringContaining(
          "spec.vpcId: vpc-0123456789abcdef0 is not the VPC the cluster is registered with (vpc-0fedcba9876543210)",
        ),
      },
    ]);
  });

  it("deletion_protection.enabled is applied as an attribute, and a deleted Gateway still plans DeleteLoadBalancer", () => {
    const model = built({ lbc: { loadBalancerAttributes: [{ key: "deletion_protection.enabled", value: "true" }] } });
    expect(model.attributes).toEqual({ "deletion_protection.enabled": "true" });
    const created: CreatedRules = new Map();
    let state: ObservedElb = emptyObserved();
    for (const op of planElb(model, state).operations) state = simulate(state, op, created);
    expect(state.loadBalancer?.attributes).toMatchObject({ "deletion_protection.enabled": "true" });
    expect(planElb(undefined, state).operations.map((o) => o.op)).toContain("DeleteLoadBalancer");
  });
});

describe("listener configurations", () => {
  it("a listener configuration for a protocolPort no listener has changes nothing", () => {
    const plain = built({});
    const unmatched = built({
      lbc: {
        listenerConfigurations: [
          {
            protocolPort: "HTTP:8080",
            listenerAttributes: [{ key: "routing.http.response.server.enabled", value: "false" }],
          },
        ],
      },
    });
    expect(unmatched.listeners).toEqual(plain.listeners);
    // The same entry keyed by the listener's protocol and port does apply.
    expect(built(probe("ListenerConfiguration.protocolPort")).listeners[0]?.attributes).toEqual({
      "routing.http.response.server.enabled": "false",
    });
  });

  it("defaultCertificate and certificates are the HTTPS listener's certificates, default first", () => {
    const listener = built(probe("ListenerConfiguration.defaultCertificate")).listeners[0];
    expect(listener?.id).toBe("HTTPS:443");
    expect(listener?.certificates?.arns).toEqual([`${CERT}-default`, `${CERT}-extra`]);
  });

  it("sslPolicy is the HTTPS listener's security policy", () => {
    expect(built(probe("ListenerConfiguration.sslPolicy")).listeners[0]?.sslPolicy).toBe(
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
    );
  });

  it("alpnPolicy is set on a Network Load Balancer's TLS listener", () => {
    const listener = built(probe("ListenerConfiguration.alpnPolicy")).listeners[0];
    expect(listener?.id).toBe("TLS:5432");
    expect(listener?.alpnPolicy).toBe("HTTP2Preferred");
  });

  it("mutualAuthentication verify sets the listener's mode, trust store and expiry handling", () => {
    expect(built(probe("ListenerConfiguration.mutualAuthentication.mode")).listeners[0]?.mutualAuthentication).toEqual({
      mode: "verify",
      trustStoreArn: TRUST_STORE,
      ignoreClientCertificateExpiry: true,
    });
  });

  it("advertiseTrustStoreCaNames on is carried into the listener's mutual TLS; off is the default, left out", () => {
    const listener = built(probe("ListenerConfiguration.mutualAuthentication.advertiseTrustStoreCaNames")).listeners[0];
    expect(listener?.mutualAuthentication).toEqual({
      mode: "verify",
      trustStoreArn: TRUST_STORE,
      advertiseTrustStoreCaNames: "on",
    });
    const off = built({
      https: true,
      lbc: {
        listenerConfigurations: [
          {
            protocolPort: "HTTPS:443",
            mutualAuthentication: { mode: "verify", trustStore: TRUST_STORE, advertiseTrustStoreCaNames: "off" },
          },
        ],
      },
    }).listeners[0];
    expect(off?.mutualAuthentication).toEqual({ mode: "verify", trustStoreArn: TRUST_STORE });
  });

  it("a trust store named by name stays a name for apply to resolve, and a listener with its ARN is unchanged", () => {
    const model = built({
      https: true,
      lbc: {
        listenerConfigurations: [
          { protocolPort: "HTTPS:443", mutualAuthentication: { mode: "verify", trustStore: "shop" } },
        ],
      },
    });
    expect(model.listeners[0]?.mutualAuthentication).toEqual({ mode: "verify", trustStoreName: "shop" });
    const created: CreatedRules = new Map();
    let state: ObservedElb = emptyObserved();
    for (const op of planElb(model, state).operations) state = simulate(state, op, created);
    // As apply records it: resolved to the ARN of the trust store named shop (TRUST_STORE is one).
    const resolved = {
      ...state,
      listeners: state.listeners.map((l) => ({
        ...l,
        mutualAuthentication: { mode: "verify", trustStoreArn: TRUST_STORE },
      })),
    };
    expect(planElb(model, resolved).operations.map((o) => o.op)).not.toContain("ModifyListener");
    // Another trust store's ARN is a change.
    const other = {
      ...resolved,
      listeners: resolved.listeners.map((l) => ({
        ...l,
        mutualAuthentication: { mode: "verify", trustStoreArn: TRUST_STORE.replace("/shop/", "/other/") },
      })),
    };
    expect(planElb(model, other).operations).toContainEqual(
      expect.objectContaining({
        op: "ModifyListener",
        mutualAuthentication: { mode: "verify", trustStoreName: "shop" },
      }),
    );
  });
});

describe("TargetGroupConfiguration", () => {
  it("a TargetGroupConfiguration applies to the target group of the Service its targetReference names", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupConfigurationSpec.targetReference.name"))).name).toBe("web-probe");
    const otherService = built({
      tgc: { targetReference: { name: "api" }, defaultConfiguration: { targetGroupName: "x" } },
    });
    expect(onlyTargetGroup(otherService).name).not.toBe("x");
  });

  it("targetReference kind Gateway is accepted but configures nothing: switchyard has no Gateway backends", () => {
    const model = built(probe("TargetGroupConfigurationSpec.targetReference.kind"));
    expect(model.targetGroups.map((g) => g.name)).not.toContain("chained");
  });

  it("routeConfigurations: the most specific routeIdentifier wins and is merged over defaultConfiguration", () => {
    const group = onlyTargetGroup(
      built(probe("TargetGroupConfigurationSpec.routeConfigurations[].routeIdentifier.kind")),
    );
    expect(group.healthCheck.path).toBe("/web");
    // Without the name-specific entry, the namespace one beats the kind-only one.
    const namespaceWins = built({
      tgc: {
        targetReference: { name: "web" },
        defaultConfiguration: { targetGroupName: "web-probe" },
        routeConfigurations: [
          {
            routeIdentifier: { kind: "HTTPRoute" },
            targetGroupProps: { healthCheckConfig: { healthCheckPath: "/kind" } },
          },
          {
            routeIdentifier: { kind: "HTTPRoute", namespace: "apps" },
            targetGroupProps: { healthCheckConfig: { healthCheckPath: "/namespace" } },
          },
          {
            routeIdentifier: { kind: "HTTPRoute", namespace: "apps", name: "other" },
            targetGroupProps: { healthCheckConfig: { healthCheckPath: "/other" } },
          },
        ],
      },
    });
    const merged = onlyTargetGroup(namespaceWins);
    expect(merged.healthCheck.path).toBe("/namespace");
    expect(merged.name).toBe("web-probe");
  });
});

describe("target group props", () => {
  it("targetGroupName names the target group; without it the name is sy-service-hash", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.targetGroupName"))).name).toBe("web-probe");
    expect(onlyTargetGroup(built({})).name).toMatch(/^sy-web-[0-9a-f]{10}$/);
  });

  it("ipAddressType ipv6 makes an IPv6 target group; without it the target group is IPv4", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.ipAddressType"))).ipAddressType).toBe("ipv6");
    expect(onlyTargetGroup(built({})).ipAddressType).toBe("ipv4");
  });

  it("healthCheckConfig fields and matcher override the default health check", () => {
    expect(onlyTargetGroup(built({})).healthCheck).toEqual({
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/",
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 3,
      matcher: { httpCode: "200-399" },
    });
    expect(onlyTargetGroup(built(probe("HealthCheckConfig.healthCheckPath"))).healthCheck).toEqual({
      enabled: true,
      protocol: "HTTPS",
      port: "9090",
      path: "/healthz",
      intervalSeconds: 30,
      timeoutSeconds: 10,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 4,
      matcher: { httpCode: "200-399" },
    });
    expect(onlyTargetGroup(built(probe("HealthCheckConfig.matcher.httpCode"))).healthCheck.matcher).toEqual({
      httpCode: "200,204",
    });
  });

  it("targetGroupAttributes become the target group's attributes", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.targetGroupAttributes"))).attributes).toEqual({
      "deregistration_delay.timeout_seconds": "30",
    });
  });

  it("protocol HTTPS makes an ALB target group HTTPS; an NLB target group's protocol follows the listener", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.protocol"))).protocol).toBe("HTTPS");
    const nlb = built({
      dataPlane: "nlb",
      tgc: { targetReference: { name: "db" }, defaultConfiguration: { protocol: "TLS" } },
    });
    expect(onlyTargetGroup(nlb).protocol).toBe("TCP");
  });

  it("protocolVersion sets the target group's protocol version", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.protocolVersion"))).protocolVersion).toBe("HTTP2");
    expect(onlyTargetGroup(built({})).protocolVersion).toBe("HTTP1");
  });

  it("tags go on the target group beside switchyard's ownership tags", () => {
    expect(onlyTargetGroup(built(probe("TargetGroupProps.tags"))).tags).toMatchObject({
      team: "shop",
      "switchyard.dev/managed-by": "switchyard",
    });
  });
});

describe("ListenerRuleConfiguration", () => {
  it("source-ip conditions are added to the listener rules of the route rule", () => {
    expect(onlyRule(built(probe("ListenerRuleConfigurationSpec.conditions[].field"))).conditions).toContainEqual({
      field: "source-ip",
      values: ["10.0.0.0/8"],
    });
  });

  it("matchIndexes limit the source-ip condition to those matches", () => {
    const rules = built({
      ...probe("ListenerRuleConfigurationSpec.conditions[].matchIndexes"),
      extra: stringify({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "web", namespace: "apps", generation: 1 },
        spec: {
          parentRefs: [{ name: "gw" }],
          rules: [
            {
              matches: [
                { path: { type: "PathPrefix", value: "/admin" } },
                { path: { type: "PathPrefix", value: "/public" } },
              ],
              filters: [
                {
                  type: "ExtensionRef",
                  extensionRef: { group: "gateway.k8s.aws", kind: "ListenerRuleConfiguration", name: "lrc" },
                },
              ],
              backendRefs: [{ name: "web", port: 8080 }],
            },
          ],
        },
      }),
    }).listeners.flatMap((l) => l.rules);
    const sourceIp = (path: string) =>
      rules.find((r) => JSON.stringify(r.conditions).includes(path))?.conditions.some((c) => c.field === "source-ip");
    expect(sourceIp("/admin")).toBe(true);
    expect(sourceIp("/public")).toBe(false);
  });

  it("fixed-response replaces the forward action", () => {
    expect(onlyRule(built(probe("ListenerRuleAction.fixedResponseConfig.statusCode"))).actions).toEqual([
      { type: "fixed-response", statusCode: "503", contentType: "application/json", messageBody: '{"down":true}' },
    ]);
    expect(onlyRule(built(probe("ListenerRuleAction.type"))).actions).toEqual([
      // contentType is the kind's schema default.
      { type: "fixed-response", statusCode: "403", contentType: "text/plain" },
    ]);
  });

  it("redirectConfig query is the query of the rule's redirect", () => {
    expect(onlyRule(built(probe("ListenerRuleAction.redirectConfig.query"))).actions).toEqual([
      { type: "redirect", statusCode: "HTTP_302", protocol: "HTTPS", port: "443", query: "from=probe" },
    ]);
  });

  it("forward stickiness is set on the rule's forward action", () => {
    const [action] = onlyRule(
      built(probe("ListenerRuleAction.forwardConfig.targetGroupStickinessConfig.enabled")),
    ).actions;
    expect(action).toMatchObject({ type: "forward", stickiness: { enabled: true, durationSeconds: 300 } });
  });

  it("authenticate-cognito and jwt-validation come before the routing action", () => {
    for (const key of ["ListenerRuleAction.authenticateCognitoConfig", "ListenerRuleAction.jwtValidationConfig"]) {
      const actions = onlyRule(built(probe(key))).actions;
      const configured = probe(key).lrc?.actions?.[0];
      expect(actions.map((a) => a.type)).toEqual([configured?.type, "forward"]);
      expect(actions[0]).toMatchObject({
        config: configured?.authenticateCognitoConfig ?? configured?.jwtValidationConfig,
      });
    }
  });

  it("authenticate-oidc is refused naming authenticateOIDCConfig: its client secret never leaves the cluster", () => {
    const run = runProbe(probe("ListenerRuleAction.authenticateOIDCConfig"));
    expect(refusals(run)).toEqual([
      {
        on: "HTTPRoute apps/web parents",
        type: "Accepted",
        reason: "UnsupportedValue",
        message: expect.stringContaining("ListenerRuleConfiguration apps/lrc spec.actions[0].authenticateOIDCConfig"),
      },
    ]);
    expect(JSON.stringify(probeModel(run))).not.toContain("authenticate-oidc");
  });

  it("ListenerRuleConfiguration tags are refused naming spec.tags: listener rules carry their listener's tags", () => {
    const run = runProbe(probe("ListenerRuleConfigurationSpec.tags"));
    expect(refusals(run)).toEqual([
      {
        on: "HTTPRoute apps/web parents",
        type: "Accepted",
        reason: "UnsupportedValue",
        message: expect.stringContaining("ListenerRuleConfiguration apps/lrc spec.tags"),
      },
    ]);
  });

  it("an authentication action on an HTTP listener is refused naming the action and the listener", () => {
    for (const key of ["ListenerRuleAction.authenticateCognitoConfig", "ListenerRuleAction.jwtValidationConfig"]) {
      const run = runProbe({ ...probe(key), https: false });
      const type = probe(key).lrc?.actions?.[0]?.type;
      expect(refusals(run)).toEqual([
        {
          on: "HTTPRoute apps/web parents",
          type: "Accepted",
          reason: "UnsupportedValue",
          message: expect.stringContaining(
            `spec.actions[0]: ${type} needs an HTTPS listener; the route is attached to HTTP listener port 80`,
          ),
        },
      ]);
    }
  });

  it("a missing ListenerRuleConfiguration makes the route Accepted=False IncompatibleFilters", () => {
    const run = runProbe({
      routeFilters: [
        {
          type: "ExtensionRef",
          extensionRef: { group: "gateway.k8s.aws", kind: "ListenerRuleConfiguration", name: "absent" },
        },
      ],
    });
    expect(refusals(run)).toEqual([
      {
        on: "HTTPRoute apps/web parents",
        type: "Accepted",
        reason: "IncompatibleFilters",
        message: expect.stringContaining("ListenerRuleConfiguration apps/absent not found"),
      },
    ]);
    expect(run.statuses.some((s) => (s.kind as string) === "ListenerRuleConfiguration")).toBe(false);
  });
});

describe("behaviours", () => {
  it("without configured certificates, an HTTPS listener takes the issued ACM certificate covering its hostname", () => {
    const run = runProbe(
      { https: "no-certificate", hostname: "shop.example.com" },
      {
        acmCertificates: [
          { arn: `${CERT}-other`, domainName: "other.example.com", status: "ISSUED" },
          { arn: `${CERT}-wildcard`, domainName: "*.example.com", status: "ISSUED" },
          { arn: `${CERT}-exact`, domainName: "shop.example.com", status: "ISSUED" },
        ],
      },
    );
    expect(refusals(run)).toEqual([]);
    expect(probeModel(run)?.listeners[0]?.certificates?.arns).toEqual([`${CERT}-exact`]);
  });

  it("backendRefs of kind Gateway or TargetGroupName are InvalidKind", () => {
    for (const backend of [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "alb-behind" },
      { group: "gateway.k8s.aws", kind: "TargetGroupName", name: "existing-tg" },
    ]) {
      const run = runProbe({
        extra: stringify({
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "web", namespace: "apps", generation: 1 },
          spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ ...backend, port: 80 }] }] },
        }),
      });
      expect(refusals(run)).toEqual([
        {
          on: "HTTPRoute apps/web parents",
          type: "ResolvedRefs",
          reason: "InvalidKind",
          message: expect.stringContaining(backend.kind),
        },
      ]);
      expect(onlyRule(probeModel(run) ?? built({})).actions).toEqual([
        { type: "fixed-response", statusCode: "500", contentType: "text/plain" },
      ]);
    }
  });
});
