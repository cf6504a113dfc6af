/**
 * Shape-level checks of the AWS extension kinds (gateway.k8s.aws and application-networking.k8s.aws):
 * required fields, enums and ranges from the two controllers' CRDs; unknown fields pass, as those
 * CRDs move faster than this project.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { validateObject } from "../../../shared/manifest/validate.ts";

function fields(yaml: string): string[] {
  return validateObject(parse(yaml) as KubeObject).map((p) => p.field);
}

const LBC =
  "apiVersion: gateway.k8s.aws/v1beta1\nkind: LoadBalancerConfiguration\nmetadata: { name: lbc, namespace: default }\n";
const TGC =
  "apiVersion: gateway.k8s.aws/v1beta1\nkind: TargetGroupConfiguration\nmetadata: { name: tgc, namespace: default }\n";
const LRC =
  "apiVersion: gateway.k8s.aws/v1beta1\nkind: ListenerRuleConfiguration\nmetadata: { name: lrc, namespace: default }\n";
const lattice = (kind: string) =>
  `apiVersion: application-networking.k8s.aws/v1alpha1\nkind: ${kind}\nmetadata: { name: p, namespace: default }\n`;
const GW_REF = "targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: gw }";

describe("LoadBalancerConfiguration", () => {
  it("a full configuration is valid", () => {
    expect(
      fields(`${LBC}spec:
  scheme: internet-facing
  ipAddressType: dualstack
  listenerConfigurations:
  - protocolPort: "HTTPS:443"
    defaultCertificate: arn:aws:acm:us-east-1:111111111111:certificate/abc
    mutualAuthentication: { mode: verify, trustStore: ts }
  loadBalancerAttributes: [{ key: idle_timeout.timeout_seconds, value: "60" }]
  tags: { team: a }`),
    ).toEqual([]);
  });

  it("scheme is internal or internet-facing", () => {
    expect(fields(`${LBC}spec: { scheme: public }`)).toEqual(["spec.scheme"]);
  });

  it("ipAddressType is ipv4, dualstack or dualstack-without-public-ipv4", () => {
    expect(fields(`${LBC}spec: { ipAddressType: ipv6 }`)).toEqual(["spec.ipAddressType"]);
  });

  it("listener protocolPort is PROTOCOL:PORT", () => {
    expect(fields(`${LBC}spec: { listenerConfigurations: [{ protocolPort: "HTTPS-443" }] }`)).toEqual([
      "spec.listenerConfigurations[0].protocolPort",
    ]);
  });

  it("listener protocolPort is required", () => {
    expect(fields(`${LBC}spec: { listenerConfigurations: [{ sslPolicy: x }] }`)).toEqual([
      "spec.listenerConfigurations[0].protocolPort",
    ]);
  });

  it("mutual authentication verify needs a trust store", () => {
    expect(
      fields(
        `${LBC}spec: { listenerConfigurations: [{ protocolPort: "HTTPS:443", mutualAuthentication: { mode: verify } }] }`,
      ),
    ).toEqual(["spec.listenerConfigurations[0].mutualAuthentication.trustStore"]);
  });

  it("loadBalancerName is 1-32 characters", () => {
    expect(fields(`${LBC}spec: { loadBalancerName: ${"n".repeat(33)} }`)).toEqual(["spec.loadBalancerName"]);
  });

  it("unknown fields pass (newer controller versions)", () => {
    expect(fields(`${LBC}spec: { someFutureField: true }`)).toEqual([]);
  });
});

describe("TargetGroupConfiguration", () => {
  it("targetType is instance or ip", () => {
    expect(fields(`${TGC}spec: { targetReference: { name: svc }, defaultConfiguration: { targetType: pod } }`)).toEqual(
      ["spec.defaultConfiguration.targetType"],
    );
  });

  it("targetReference kind is Service or Gateway", () => {
    expect(fields(`${TGC}spec: { targetReference: { name: svc, kind: Pod } }`)).toEqual(["spec.targetReference.kind"]);
  });

  it("health check protocol is HTTP, HTTPS or TCP", () => {
    expect(fields(`${TGC}spec: { defaultConfiguration: { healthCheckConfig: { healthCheckProtocol: UDP } } }`)).toEqual(
      ["spec.defaultConfiguration.healthCheckConfig.healthCheckProtocol"],
    );
  });

  it("route configurations need a route identifier and properties", () => {
    expect(fields(`${TGC}spec: { routeConfigurations: [{ routeIdentifier: { kind: HTTPRoute } }] }`)).toEqual([
      "spec.routeConfigurations[0].targetGroupProps",
    ]);
  });
});

describe("ListenerRuleConfiguration", () => {
  it("an authentication plus a fixed response is valid", () => {
    expect(
      fields(`${LRC}spec:
  actions:
  - { type: authenticate-oidc, authenticateOIDCConfig: { authorizationEndpoint: a, secret: { name: s }, issuer: i, tokenEndpoint: t, userInfoEndpoint: u } }
  - { type: fixed-response, fixedResponseConfig: { statusCode: 403 } }
  conditions: [{ field: source-ip, sourceIPConfig: { values: [10.0.0.0/8] } }]`),
    ).toEqual([]);
  });

  it("at most one routing action", () => {
    expect(
      fields(
        `${LRC}spec: { actions: [{ type: forward, forwardConfig: {} }, { type: fixed-response, fixedResponseConfig: { statusCode: 404 } }] }`,
      ),
    ).toEqual(["spec.actions"]);
  });

  it("an action carries the config of its own type", () => {
    expect(fields(`${LRC}spec: { actions: [{ type: redirect }] }`)).toEqual(["spec.actions[0].redirectConfig"]);
  });

  it("fixed responses answer 2XX, 4XX or 5XX", () => {
    expect(
      fields(`${LRC}spec: { actions: [{ type: fixed-response, fixedResponseConfig: { statusCode: 302 } }] }`),
    ).toEqual(["spec.actions[0].fixedResponseConfig.statusCode"]);
  });

  it("conditions are source-ip only", () => {
    expect(fields(`${LRC}spec: { conditions: [{ field: host-header }] }`)).toEqual(["spec.conditions[0].field"]);
  });
});

describe("VPC Lattice kinds", () => {
  it("TargetGroupPolicy: protocol is HTTP, HTTPS or TCP", () => {
    expect(
      fields(
        `${lattice("TargetGroupPolicy")}spec: { targetRef: { group: "", kind: Service, name: s }, protocol: UDP }`,
      ),
    ).toEqual(["spec.protocol"]);
  });

  it("TargetGroupPolicy: health check interval is 5-300 seconds", () => {
    expect(
      fields(
        `${lattice("TargetGroupPolicy")}spec: { targetRef: { group: "", kind: Service, name: s }, healthCheck: { intervalSeconds: 1 } }`,
      ),
    ).toEqual(["spec.healthCheck.intervalSeconds"]);
  });

  it("TargetGroupPolicy: targetRef is required", () => {
    expect(fields(`${lattice("TargetGroupPolicy")}spec: { protocol: HTTP }`)).toEqual(["spec.targetRef"]);
  });

  it("VpcAssociationPolicy: security group ids look like sg-…", () => {
    expect(fields(`${lattice("VpcAssociationPolicy")}spec: { ${GW_REF}, securityGroupIds: [group-1] }`)).toEqual([
      "spec.securityGroupIds[0]",
    ]);
  });

  it("AccessLogPolicy: destinationArn is required and an ARN", () => {
    expect(fields(`${lattice("AccessLogPolicy")}spec: { ${GW_REF} }`)).toEqual(["spec.destinationArn"]);
    expect(fields(`${lattice("AccessLogPolicy")}spec: { ${GW_REF}, destinationArn: my-bucket }`)).toEqual([
      "spec.destinationArn",
    ]);
    expect(
      fields(`${lattice("AccessLogPolicy")}spec: { ${GW_REF}, destinationArn: "arn:aws:s3:::my-bucket" }`),
    ).toEqual([]);
  });

  it("IAMAuthPolicy: policy is required", () => {
    expect(fields(`${lattice("IAMAuthPolicy")}spec: { ${GW_REF} }`)).toEqual(["spec.policy"]);
  });

  it("a policy's spec is required", () => {
    expect(fields(lattice("IAMAuthPolicy"))).toEqual(["spec"]);
  });

  it("ServiceExport: exported route types are HTTP, GRPC or TLS", () => {
    expect(fields(`${lattice("ServiceExport")}spec: { exportedPorts: [{ port: 80, routeType: TCP }] }`)).toEqual([
      "spec.exportedPorts[0].routeType",
    ]);
  });

  it("ServiceImport: ports and type are required", () => {
    expect(fields(`${lattice("ServiceImport")}spec: { ports: [{ port: 80 }] }`)).toEqual(["spec.type"]);
  });

  it("ServiceImport of the multicluster SIG group has the same shape", () => {
    const yaml =
      "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceImport\nmetadata: { name: s, namespace: default }\nspec: { type: Headless, ports: [] }";
    expect(fields(yaml)).toEqual([]);
  });
});
