/**
 * Minimal manifests that set one field of the AWS Load Balancer Controller's Gateway kinds, and
 * what translate() makes of them. docs/migration.md cites the tests built on these, and
 * migration-table.test.ts runs the probe of every row to check its "applied" / "refused" claim.
 *
 * A probe is a Gateway with one route to a Service of test/golden/base.yaml, plus the one
 * configuration object under test:
 * - ALB: Gateway `apps/gw` (listener HTTP:80, or HTTPS:443 with `https`), HTTPRoute `apps/web` → `web:8080`;
 * - NLB: Gateway `other/gw` (listener TCP:5432, or TLS:5432 with `https`), TCPRoute/TLSRoute `other/db` → `db:5432`.
 * A LoadBalancerConfiguration is named by the Gateway (`lbc`), a TargetGroupConfiguration targets
 * the Service (`tgc`), a ListenerRuleConfiguration is the route rule's ExtensionRef filter (`lrc`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { controllerConfig } from "../../../shared/config.ts";
import type {
  ListenerConfiguration,
  ListenerRuleAction,
  ListenerRuleConfigurationSpec,
  LoadBalancerConfigurationSpec,
  TargetGroupConfigurationSpec,
  TargetGroupProps,
} from "../../../shared/extensions/aws-lbc.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { objectKey } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type TranslateOptions, type Translation, translate } from "../../../shared/translate.ts";

const BASE = join(import.meta.dirname, "../../golden/base.yaml");
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/probe`;

export interface Probe {
  dataPlane?: "alb" | "nlb";
  /**
   * An HTTPS (ALB) or TLS (NLB) listener, with a certificate from the listener option; or, with
   * `"no-certificate"`, without any (the certificates then come from elsewhere).
   */
  https?: boolean | "no-certificate";
  /** The listener's hostname. */
  hostname?: string;
  /** NLB: a UDP listener on 5432 and a UDPRoute instead of TCP. */
  udp?: boolean;
  /** Filters of the route's rule before the ListenerRuleConfiguration's ExtensionRef (ALB). */
  routeFilters?: object[];
  lbc?: LoadBalancerConfigurationSpec;
  /** A second LoadBalancerConfiguration, named by the GatewayClass. */
  classLbc?: LoadBalancerConfigurationSpec;
  tgc?: TargetGroupConfigurationSpec;
  lrc?: ListenerRuleConfigurationSpec;
  /** More objects, as YAML documents; one with the key of a scaffold object replaces it. */
  extra?: string;
  /** What a refusal names (a field name); the row's field when absent. */
  names?: string;
}

export interface ProbeRun extends Translation {
  /** The probe Gateway's key. */
  gateway: string;
  /** Objects the manifest loader rejected, with why. */
  rejected: string[];
}

const gvk = (kind: string) => ({ apiVersion: "gateway.k8s.aws/v1beta1", kind });

/** The base Service apps/web as a NodePort Service: instance targets receive on its node port. */
const NODE_PORT_WEB = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {type: NodePort, ports: [{name: http, port: 8080, nodePort: 30080}]}
`;

/** The objects of a probe, as YAML. */
export function probeManifest(probe: Probe): string {
  const alb = (probe.dataPlane ?? "alb") === "alb";
  const ns = alb ? "apps" : "other";
  const objects: object[] = [];
  const className = probe.classLbc ? `probe-${alb ? "alb" : "nlb"}` : alb ? "alb" : "nlb";
  if (probe.classLbc) {
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: className, generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: {
        controllerName: `switchyard.dev/${alb ? "alb" : "nlb"}`,
        parametersRef: {
          group: "gateway.k8s.aws",
          kind: "LoadBalancerConfiguration",
          name: "class-lbc",
          namespace: ns,
        },
      },
    });
    objects.push({
      ...gvk("LoadBalancerConfiguration"),
      metadata: { name: "class-lbc", namespace: ns },
      spec: probe.classLbc,
    });
  }
  if (probe.lbc)
    objects.push({ ...gvk("LoadBalancerConfiguration"), metadata: { name: "lbc", namespace: ns }, spec: probe.lbc });
  if (probe.tgc)
    objects.push({ ...gvk("TargetGroupConfiguration"), metadata: { name: "tgc", namespace: ns }, spec: probe.tgc });
  if (probe.lrc)
    objects.push({ ...gvk("ListenerRuleConfiguration"), metadata: { name: "lrc", namespace: ns }, spec: probe.lrc });
  const tls =
    probe.https === "no-certificate"
      ? {}
      : { tls: { mode: "Terminate", options: { "switchyard.dev/certificate-arn": CERT } } };
  const hostname = probe.hostname ? { hostname: probe.hostname } : {};
  const listener = alb
    ? probe.https
      ? { name: "https", port: 443, protocol: "HTTPS", ...hostname, ...tls }
      : { name: "http", port: 80, protocol: "HTTP", ...hostname }
    : probe.https
      ? { name: "tls", port: 5432, protocol: "TLS", ...tls }
      : probe.udp
        ? { name: "udp", port: 5432, protocol: "UDP" }
        : { name: "tcp", port: 5432, protocol: "TCP" };
  objects.push({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "gw", namespace: ns, generation: 1 },
    spec: {
      gatewayClassName: className,
      ...(probe.lbc
        ? {
            infrastructure: {
              parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "lbc" },
            },
          }
        : {}),
      listeners: [listener],
    },
  });
  const filters = [
    ...(probe.routeFilters ?? []),
    ...(probe.lrc
      ? [
          {
            type: "ExtensionRef",
            extensionRef: { group: "gateway.k8s.aws", kind: "ListenerRuleConfiguration", name: "lrc" },
          },
        ]
      : []),
  ];
  objects.push(
    alb
      ? {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "web", namespace: ns, generation: 1 },
          spec: {
            parentRefs: [{ name: "gw" }],
            rules: [
              {
                ...(filters.length ? { filters } : {}),
                // A redirecting rule answers the request itself and may have no backends.
                ...(filters.some((f) => "requestRedirect" in f) ? {} : { backendRefs: [{ name: "web", port: 8080 }] }),
              },
            ],
          },
        }
      : {
          apiVersion: "gateway.networking.k8s.io/v1alpha2",
          kind: probe.https ? "TLSRoute" : probe.udp ? "UDPRoute" : "TCPRoute",
          metadata: { name: "db", namespace: ns, generation: 1 },
          spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "db", port: 5432 }] }] },
        },
  );
  const docs = objects.map((o) => stringify(o, { lineWidth: 0 }));
  return [...docs, ...(probe.extra ? [probe.extra] : [])].join("---\n");
}

/** translate() over test/golden/base.yaml plus the probe's objects. */
export function runProbe(probe: Probe, options: TranslateOptions = {}): ProbeRun {
  const base = loadManifests(readFileSync(BASE, "utf8"), "base.yaml");
  const input = loadManifests(probeManifest(probe), "probe.yaml");
  // A later object of the same kind and key replaces an earlier one: the probe's own replace
  // base.yaml's, and `extra` replaces the scaffold's (a Gateway or route written out in full).
  const objects = new Map<string, KubeObject>();
  for (const o of [...base.objects, ...input.objects]) objects.set(`${o.kind}/${objectKey(o.metadata)}`, o);
  const translation = translate(snapshotOf(objects.values()), controllerConfig(), {
    clusterId: "probe",
    accountId: ACCOUNT,
    region: REGION,
    ...options,
  });
  return {
    ...translation,
    gateway: (probe.dataPlane ?? "alb") === "alb" ? "apps/gw" : "other/gw",
    rejected: [...input.rejected.flatMap((r) => r.problems), ...input.problems].map(formatProblem),
  };
}

export interface FalseCondition {
  /** `Kind ns/name`, with the listener, parent or ancestor it is reported on. */
  on: string;
  type: string;
  reason: string;
  message: string;
}

interface ConditionLike {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function isCondition(value: unknown): value is ConditionLike {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.type === "string" && typeof c.status === "string" && typeof c.message === "string";
}

/**
 * Every Accepted or ResolvedRefs condition with status False in the statuses, wherever it is
 * reported (Gateway, listener, route parent, policy ancestor): where a refusal shows.
 */
export function refusals(run: Translation): FalseCondition[] {
  const found: FalseCondition[] = [];
  const walk = (value: unknown, on: string) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, on);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    if (isCondition(value)) {
      if (value.status === "False" && (value.type === "Accepted" || value.type === "ResolvedRefs")) {
        found.push({ on, type: value.type, reason: value.reason, message: value.message });
      }
      return;
    }
    for (const [k, v] of Object.entries(value))
      walk(v, k === "listeners" || k === "parents" || k === "ancestors" ? `${on} ${k}` : on);
  };
  for (const s of run.statuses) {
    const where = `${s.kind} ${"namespace" in s && s.namespace ? `${s.namespace}/` : ""}${s.name}`;
    walk(s, where);
  }
  return found;
}

/** The desired load balancer of the probe Gateway, or undefined when none was built. */
export function probeModel(run: ProbeRun) {
  return run.loadBalancers.find((b) => b.model.gatewayKey === run.gateway)?.model;
}

export const WEB_ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/shop/0123`;
export const TRUST_STORE = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:truststore/shop/0123456789abcdef`;
const SG = "sg-0123456789abcdef0";
const listenerConfig = (config: Omit<ListenerConfiguration, "protocolPort"> & { protocolPort?: string }) => ({
  listenerConfigurations: [{ protocolPort: "HTTP:80", ...config }],
});
const tgc = (props: TargetGroupProps): TargetGroupConfigurationSpec => ({
  targetReference: { name: "web" },
  defaultConfiguration: props,
});
const fixedResponse: ListenerRuleAction = { type: "fixed-response", fixedResponseConfig: { statusCode: 403 } };

/**
 * One probe per row of docs/migration.md that documents a field, keyed `<spec interface>.<first
 * field of the row>`: a manifest setting that field to a value switchyard applies when the row
 * says applied (so that the probe fails if it becomes refused), and the same field when the row
 * says refused. Rows changing status keep their probe; only the table changes.
 */
export const FIELD_PROBES: Record<string, Probe> = {
  "LoadBalancerConfigurationSpec.mergingMode": {
    lbc: { scheme: "internet-facing" },
    classLbc: { mergingMode: "prefer-gateway", scheme: "internal" },
  },
  "LoadBalancerConfigurationSpec.loadBalancerName": { lbc: { loadBalancerName: "shop-edge" } },
  "LoadBalancerConfigurationSpec.scheme": { lbc: { scheme: "internet-facing" } },
  "LoadBalancerConfigurationSpec.ipAddressType": { lbc: { ipAddressType: "dualstack" } },
  "LoadBalancerConfigurationSpec.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": {
    dataPlane: "nlb",
    lbc: { enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off" },
  },
  "LoadBalancerConfigurationSpec.customerOwnedIpv4Pool": {
    lbc: { customerOwnedIpv4Pool: "ipv4pool-coip-0123456789abcdef0" },
  },
  "LoadBalancerConfigurationSpec.ipv4IPAMPoolId": {
    lbc: { scheme: "internet-facing", ipv4IPAMPoolId: "ipam-pool-0123456789abcdef0" },
  },
  "LoadBalancerConfigurationSpec.loadBalancerSubnets[].identifier": {
    lbc: { loadBalancerSubnets: [{ identifier: "subnet-0a" }, { identifier: "subnet-0b" }] },
  },
  "LoadBalancerConfigurationSpec.loadBalancerSubnets[].eipAllocation": {
    dataPlane: "nlb",
    lbc: {
      scheme: "internet-facing",
      loadBalancerSubnets: [{ identifier: "subnet-0a", eipAllocation: "eipalloc-0a" }],
    },
  },
  "LoadBalancerConfigurationSpec.loadBalancerSubnets[].privateIPv4Allocation": {
    dataPlane: "nlb",
    lbc: { loadBalancerSubnets: [{ identifier: "subnet-0a", privateIPv4Allocation: "10.0.1.10" }] },
  },
  "LoadBalancerConfigurationSpec.loadBalancerSubnets[].ipv6Allocation": {
    dataPlane: "nlb",
    lbc: {
      ipAddressType: "dualstack",
      loadBalancerSubnets: [
        { identifier: "subnet-0a", ipv6Allocation: "2001:db8:1::10", sourceNatIPv6Prefix: "auto_assigned" },
      ],
    },
  },
  "LoadBalancerConfigurationSpec.loadBalancerSubnetsSelector": {
    lbc: { loadBalancerSubnetsSelector: { tier: ["edge", "dmz"] } },
  },
  "LoadBalancerConfigurationSpec.listenerConfigurations": {
    lbc: listenerConfig({ listenerAttributes: [{ key: "routing.http.response.server.enabled", value: "false" }] }),
  },
  "LoadBalancerConfigurationSpec.securityGroups": { lbc: { securityGroups: [SG] } },
  "LoadBalancerConfigurationSpec.securityGroupPrefixes": { lbc: { securityGroupPrefixes: ["pl-0123456789abcdef0"] } },
  "LoadBalancerConfigurationSpec.sourceRanges": { lbc: { sourceRanges: ["10.0.0.0/8", "2001:db8::/32"] } },
  "LoadBalancerConfigurationSpec.disableSecurityGroup": { dataPlane: "nlb", lbc: { disableSecurityGroup: true } },
  "LoadBalancerConfigurationSpec.manageBackendSecurityGroupRules": {
    lbc: { securityGroups: [SG], manageBackendSecurityGroupRules: true },
  },
  "LoadBalancerConfigurationSpec.enableICMP": { lbc: { enableICMP: true } },
  "LoadBalancerConfigurationSpec.loadBalancerAttributes": {
    lbc: { loadBalancerAttributes: [{ key: "idle_timeout.timeout_seconds", value: "120" }] },
  },
  "LoadBalancerConfigurationSpec.tags": { lbc: { tags: { team: "shop", "cost-center": "42" } } },
  "LoadBalancerConfigurationSpec.minimumLoadBalancerCapacity.capacityUnits": {
    lbc: { minimumLoadBalancerCapacity: { capacityUnits: 100 } },
  },
  "LoadBalancerConfigurationSpec.wafV2.webACL": { lbc: { wafV2: { webACL: WEB_ACL } } },
  "LoadBalancerConfigurationSpec.shieldConfiguration.enabled": { lbc: { shieldConfiguration: { enabled: true } } },
  "LoadBalancerConfigurationSpec.defaultTargetGroupConfiguration.name": {
    lbc: { defaultTargetGroupConfiguration: { name: "defaults" } },
    extra: stringify({
      apiVersion: "gateway.k8s.aws/v1beta1",
      kind: "TargetGroupConfiguration",
      metadata: { name: "defaults", namespace: "apps" },
      spec: { defaultConfiguration: { healthCheckConfig: { healthCheckPath: "/healthz" } } },
    }),
  },
  "LoadBalancerConfigurationSpec.vpcId": { lbc: { vpcId: "vpc-0123456789abcdef0" } },

  "ListenerConfiguration.protocolPort": {
    lbc: listenerConfig({ listenerAttributes: [{ key: "routing.http.response.server.enabled", value: "false" }] }),
  },
  "ListenerConfiguration.defaultCertificate": {
    https: "no-certificate",
    lbc: listenerConfig({
      protocolPort: "HTTPS:443",
      defaultCertificate: `${CERT}-default`,
      certificates: [`${CERT}-extra`],
    }),
  },
  "ListenerConfiguration.sslPolicy": {
    https: true,
    lbc: listenerConfig({ protocolPort: "HTTPS:443", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
  },
  "ListenerConfiguration.alpnPolicy": {
    dataPlane: "nlb",
    https: true,
    lbc: listenerConfig({ protocolPort: "TLS:5432", alpnPolicy: "HTTP2Preferred" }),
  },
  "ListenerConfiguration.targetGroupStickiness": {
    dataPlane: "nlb",
    lbc: listenerConfig({ protocolPort: "TCP:5432", targetGroupStickiness: true }),
  },
  "ListenerConfiguration.mutualAuthentication.mode": {
    https: true,
    lbc: listenerConfig({
      protocolPort: "HTTPS:443",
      mutualAuthentication: { mode: "verify", trustStore: TRUST_STORE, ignoreClientCertificateExpiry: true },
    }),
  },
  "ListenerConfiguration.mutualAuthentication.advertiseTrustStoreCaNames": {
    https: true,
    lbc: listenerConfig({
      protocolPort: "HTTPS:443",
      mutualAuthentication: { mode: "verify", trustStore: TRUST_STORE, advertiseTrustStoreCaNames: "on" },
    }),
  },
  "ListenerConfiguration.listenerAttributes": {
    lbc: listenerConfig({ listenerAttributes: [{ key: "routing.http.response.server.enabled", value: "false" }] }),
  },
  "ListenerConfiguration.quicEnabled": {
    dataPlane: "nlb",
    udp: true,
    lbc: { disableSecurityGroup: true, ...listenerConfig({ protocolPort: "UDP:5432", quicEnabled: true }) },
  },

  "TargetGroupConfigurationSpec.targetReference.name": { tgc: tgc({ targetGroupName: "web-probe" }) },
  "TargetGroupConfigurationSpec.targetReference.kind": {
    tgc: {
      targetReference: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" },
      defaultConfiguration: { targetGroupName: "chained" },
    },
  },
  "TargetGroupConfigurationSpec.defaultConfiguration": { tgc: tgc({ targetGroupName: "web-probe" }) },
  "TargetGroupConfigurationSpec.routeConfigurations[].routeIdentifier.kind": {
    tgc: {
      ...tgc({ healthCheckConfig: { healthCheckPath: "/default" } }),
      routeConfigurations: [
        {
          routeIdentifier: { kind: "HTTPRoute" },
          targetGroupProps: { healthCheckConfig: { healthCheckPath: "/kind" } },
        },
        {
          routeIdentifier: { kind: "HTTPRoute", namespace: "apps", name: "web" },
          targetGroupProps: { healthCheckConfig: { healthCheckPath: "/web" } },
        },
        {
          routeIdentifier: { kind: "HTTPRoute", namespace: "apps" },
          targetGroupProps: { healthCheckConfig: { healthCheckPath: "/namespace" } },
        },
      ],
    },
  },

  "TargetGroupProps.targetGroupName": { tgc: tgc({ targetGroupName: "web-probe" }) },
  "TargetGroupProps.ipAddressType": { tgc: tgc({ ipAddressType: "ipv6" }) },
  "TargetGroupProps.healthCheckConfig": { tgc: tgc({ healthCheckConfig: { healthCheckPath: "/healthz" } }) },
  "TargetGroupProps.nodeSelector": {
    tgc: tgc({ targetType: "instance", nodeSelector: { matchLabels: { role: "backend" } } }),
    extra: NODE_PORT_WEB,
  },
  "TargetGroupProps.targetGroupAttributes": {
    tgc: tgc({ targetGroupAttributes: [{ key: "deregistration_delay.timeout_seconds", value: "30" }] }),
  },
  "TargetGroupProps.targetType": { tgc: tgc({ targetType: "instance" }), extra: NODE_PORT_WEB },
  "TargetGroupProps.protocol": { tgc: tgc({ protocol: "HTTPS" }) },
  "TargetGroupProps.protocolVersion": { tgc: tgc({ protocolVersion: "HTTP2" }) },
  "TargetGroupProps.targetControlPort": { tgc: tgc({ targetControlPort: 3000 }) },
  "TargetGroupProps.enableMultiCluster": { tgc: tgc({ enableMultiCluster: true }) },
  "TargetGroupProps.tags": { tgc: tgc({ tags: { team: "shop" } }) },

  "HealthCheckConfig.healthCheckPath": {
    tgc: tgc({
      healthCheckConfig: {
        healthCheckPath: "/healthz",
        healthCheckPort: "9090",
        healthCheckProtocol: "HTTPS",
        healthCheckInterval: 30,
        healthCheckTimeout: 10,
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 4,
      },
    }),
  },
  "HealthCheckConfig.matcher.httpCode": { tgc: tgc({ healthCheckConfig: { matcher: { httpCode: "200,204" } } }) },

  "ListenerRuleConfigurationSpec.conditions[].field": {
    lrc: { conditions: [{ field: "source-ip", sourceIPConfig: { values: ["10.0.0.0/8"] } }] },
  },
  "ListenerRuleConfigurationSpec.conditions[].matchIndexes": {
    lrc: { conditions: [{ field: "source-ip", sourceIPConfig: { values: ["10.0.0.0/8"] }, matchIndexes: [0] }] },
  },
  "ListenerRuleConfigurationSpec.actions": { lrc: { actions: [fixedResponse] } },
  "ListenerRuleConfigurationSpec.tags": { lrc: { actions: [fixedResponse], tags: { team: "shop" } } },

  "ListenerRuleAction.type": { lrc: { actions: [fixedResponse] } },
  "ListenerRuleAction.fixedResponseConfig.statusCode": {
    lrc: {
      actions: [
        {
          type: "fixed-response",
          fixedResponseConfig: { statusCode: 503, contentType: "application/json", messageBody: '{"down":true}' },
        },
      ],
    },
  },
  "ListenerRuleAction.redirectConfig.query": {
    routeFilters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https" } }],
    lrc: { actions: [{ type: "redirect", redirectConfig: { query: "from=probe" } }] },
  },
  "ListenerRuleAction.forwardConfig.targetGroupStickinessConfig.enabled": {
    lrc: {
      actions: [
        { type: "forward", forwardConfig: { targetGroupStickinessConfig: { enabled: true, durationSeconds: 300 } } },
      ],
    },
  },
  "ListenerRuleAction.authenticateCognitoConfig": {
    https: true,
    lrc: {
      actions: [
        {
          type: "authenticate-cognito",
          authenticateCognitoConfig: {
            userPoolArn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc`,
            userPoolClientId: "client",
            userPoolDomain: "shop",
          },
        },
      ],
    },
  },
  "ListenerRuleAction.jwtValidationConfig": {
    https: true,
    lrc: {
      actions: [
        {
          type: "jwt-validation",
          jwtValidationConfig: {
            issuer: "https://issuer.example.com",
            jwksEndpoint: "https://issuer.example.com/jwks",
          },
        },
      ],
    },
  },
  "ListenerRuleAction.authenticateOIDCConfig": {
    https: true,
    lrc: {
      actions: [
        {
          type: "authenticate-oidc",
          authenticateOIDCConfig: {
            issuer: "https://issuer.example.com",
            authorizationEndpoint: "https://issuer.example.com/authorize",
            tokenEndpoint: "https://issuer.example.com/token",
            userInfoEndpoint: "https://issuer.example.com/userinfo",
            secret: { name: "oidc-client" },
          },
        },
      ],
    },
  },
};
