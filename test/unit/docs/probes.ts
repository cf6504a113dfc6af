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
  ListenerRuleConfigurationSpec,
  LoadBalancerConfigurationSpec,
  TargetGroupConfigurationSpec,
} from "../../../shared/extensions/aws-lbc.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { objectKey } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type Translation, translate } from "../../../shared/translate.ts";

const BASE = join(import.meta.dirname, "../../golden/base.yaml");
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/probe`;

export interface Probe {
  dataPlane?: "alb" | "nlb";
  /** An HTTPS (ALB) or TLS (NLB) listener, with a certificate from the listener option. */
  https?: boolean;
  lbc?: LoadBalancerConfigurationSpec;
  /** A second LoadBalancerConfiguration, named by the GatewayClass. */
  classLbc?: LoadBalancerConfigurationSpec;
  tgc?: TargetGroupConfigurationSpec;
  lrc?: ListenerRuleConfigurationSpec;
  /** More objects, as YAML documents. */
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
        parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "class-lbc", namespace: ns },
      },
    });
    objects.push({ ...gvk("LoadBalancerConfiguration"), metadata: { name: "class-lbc", namespace: ns }, spec: probe.classLbc });
  }
  if (probe.lbc) objects.push({ ...gvk("LoadBalancerConfiguration"), metadata: { name: "lbc", namespace: ns }, spec: probe.lbc });
  if (probe.tgc) objects.push({ ...gvk("TargetGroupConfiguration"), metadata: { name: "tgc", namespace: ns }, spec: probe.tgc });
  if (probe.lrc) objects.push({ ...gvk("ListenerRuleConfiguration"), metadata: { name: "lrc", namespace: ns }, spec: probe.lrc });
  const tls = { mode: "Terminate", options: { "switchyard.dev/certificate-arn": CERT } };
  const listener = alb
    ? probe.https
      ? { name: "https", port: 443, protocol: "HTTPS", tls }
      : { name: "http", port: 80, protocol: "HTTP" }
    : probe.https
      ? { name: "tls", port: 5432, protocol: "TLS", tls }
      : { name: "tcp", port: 5432, protocol: "TCP" };
  objects.push({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "gw", namespace: ns, generation: 1 },
    spec: {
      gatewayClassName: className,
      ...(probe.lbc
        ? { infrastructure: { parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "lbc" } } }
        : {}),
      listeners: [listener],
    },
  });
  const filters = probe.lrc
    ? [{ type: "ExtensionRef", extensionRef: { group: "gateway.k8s.aws", kind: "ListenerRuleConfiguration", name: "lrc" } }]
    : [];
  objects.push(
    alb
      ? {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "web", namespace: ns, generation: 1 },
          spec: {
            parentRefs: [{ name: "gw" }],
            rules: [{ ...(filters.length ? { filters } : {}), backendRefs: [{ name: "web", port: 8080 }] }],
          },
        }
      : {
          apiVersion: "gateway.networking.k8s.io/v1alpha2",
          kind: probe.https ? "TLSRoute" : "TCPRoute",
          metadata: { name: "db", namespace: ns, generation: 1 },
          spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "db", port: 5432 }] }] },
        },
  );
  const docs = objects.map((o) => stringify(o, { lineWidth: 0 }));
  return [...docs, ...(probe.extra ? [probe.extra] : [])].join("---\n");
}

/** translate() over test/golden/base.yaml plus the probe's objects. */
export function runProbe(probe: Probe): ProbeRun {
  const base = loadManifests(readFileSync(BASE, "utf8"), "base.yaml");
  const input = loadManifests(probeManifest(probe), "probe.yaml");
  const identity = (o: KubeObject) => `${o.kind}/${objectKey(o.metadata)}`;
  const own = new Set(input.objects.map(identity));
  const objects = [...base.objects.filter((o) => !own.has(identity(o))), ...input.objects];
  const translation = translate(snapshotOf(objects), controllerConfig(), {
    clusterId: "probe",
    accountId: ACCOUNT,
    region: REGION,
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
    for (const [k, v] of Object.entries(value)) walk(v, k === "listeners" || k === "parents" || k === "ancestors" ? `${on} ${k}` : on);
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
