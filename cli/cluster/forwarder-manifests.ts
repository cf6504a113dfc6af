/**
 * The forwarder chart's manifests without helm: the same objects `helm template` renders from
 * forwarder/deploy/chart for the same values (test/integration/cli-cluster.test.ts renders both
 * and compares them), so `switchyard cluster register --manifests` and `--apply` need no helm
 * binary. The chart stays the source of truth for defaults: `chartDefaults()` reads its
 * values.yaml. Only `app.kubernetes.io/managed-by` differs (`switchyard` instead of `Helm`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { parse } from "yaml";
import type { ForwarderValues } from "./forwarder-values.ts";

export const CHART_DIR = join(import.meta.dirname, "..", "..", "forwarder", "deploy", "chart");

/** A rendered object: a Kubernetes object with whatever fields its kind has. */
export type Manifest = KubernetesObject & { apiVersion: string; kind: string; metadata: { name: string } } & Record<
    string,
    unknown
  >;

type Values = Record<string, unknown>;

export interface ReleaseOptions {
  /** The Helm release name: objects are called `<release>-switchyard-forwarder`. */
  release: string;
  namespace: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a render takes from the chart itself: its values.yaml and Chart.yaml's appVersion. */
export interface ChartDefaults {
  values: Values;
  appVersion: string;
}

/** The chart's own values.yaml (the defaults every render starts from) and its appVersion. */
export function chartDefaults(chartDir = CHART_DIR): ChartDefaults {
  const values: unknown = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));
  if (!isRecord(values)) throw new Error(`${chartDir}/values.yaml is not a mapping`);
  const chart: unknown = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8"));
  if (!isRecord(chart) || typeof chart.appVersion !== "string")
    throw new Error(`${chartDir}/Chart.yaml has no appVersion`);
  return { values, appVersion: chart.appVersion };
}

/** Helm's merge of a values file over the defaults: mappings merge, everything else replaces. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

function record(values: Values, key: string): Values {
  const value = values[key];
  return isRecord(value) ? value : {};
}

function list(values: Values, key: string): unknown[] {
  const value = values[key];
  return Array.isArray(value) ? value : [];
}

const NAME = "switchyard-forwarder";

/** The chart's objects for `values` (merged over `defaults`), in the order helm prints kinds. */
export function forwarderManifests(
  values: ForwarderValues,
  release: ReleaseOptions,
  { values: defaults, appVersion }: ChartDefaults,
): Manifest[] {
  const v = mergeValues(defaults, values as unknown as Values);
  const image = record(v, "image");
  if (String(image.tag) === "latest") throw new Error("image.tag must be a fixed version, not latest");
  const fullName = `${release.release}-${NAME}`;
  const selector = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": release.release };
  const labels = {
    ...selector,
    "app.kubernetes.io/version": appVersion,
    "app.kubernetes.io/managed-by": "switchyard",
  };
  const serviceAccount = record(v, "serviceAccount");
  const accountName = String(serviceAccount.name);
  const annotations = Object.fromEntries(
    Object.entries(record(serviceAccount, "annotations")).map(([k, value]) => [k, String(value)]),
  );
  const metricsPort = Number(record(v, "metrics").port);
  const viaForwarder = v.statusMode === "via-forwarder";
  const namespaces = list(v, "namespaces").map(String);
  const env = [
    { name: "SWITCHYARD_CLUSTER_ID", value: String(v.clusterId) },
    { name: "SWITCHYARD_EVENTS_QUEUE_URL", value: String(v.eventsQueueUrl) },
    { name: "AWS_REGION", value: String(v.region) },
    { name: "SWITCHYARD_CLAIM_CHECK_BUCKET", value: String(v.claimCheckBucket) },
    ...(namespaces.length > 0 ? [{ name: "SWITCHYARD_NAMESPACES", value: namespaces.join(",") }] : []),
    { name: "SWITCHYARD_ACM_IMPORT", value: String(v.acmImport) },
    ...(viaForwarder ? [{ name: "SWITCHYARD_STATUS_QUEUE_URL", value: String(v.statusQueueUrl) }] : []),
    { name: "SWITCHYARD_LISTEN", value: `0.0.0.0:${metricsPort}` },
    ...list(v, "extraEnv"),
  ];
  const optional = (key: string): Values => {
    const value = v[key];
    const present = isRecord(value) ? Object.keys(value).length > 0 : Array.isArray(value) && value.length > 0;
    return present ? { [key]: value } : {};
  };
  const subject = { kind: "ServiceAccount", name: accountName, namespace: release.namespace };
  const manifests: Manifest[] = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: accountName,
        namespace: release.namespace,
        labels,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      automountServiceAccountToken: true,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: fullName, labels },
      rules: WATCH_RULES,
    },
  ];
  if (viaForwarder) {
    manifests.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${fullName}-status`, labels },
      rules: [
        { apiGroups: ["gateway.networking.k8s.io"], resources: STATUS_RESOURCES, verbs: ["get", "patch"] },
        { apiGroups: ["application-networking.k8s.aws"], resources: LATTICE_STATUS_RESOURCES, verbs: ["get", "patch"] },
      ],
    });
  }
  manifests.push({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: fullName, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: fullName },
    subjects: [subject],
  });
  if (viaForwarder) {
    manifests.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${fullName}-status`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${fullName}-status` },
      subjects: [subject],
    });
  }
  manifests.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${fullName}-metrics`, namespace: release.namespace, labels },
    spec: {
      selector,
      ports: [{ name: "http-metrics", port: metricsPort, targetPort: "http-metrics", protocol: "TCP" }],
    },
  });
  manifests.push({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: fullName, namespace: release.namespace, labels },
    spec: {
      replicas: v.replicas,
      strategy: { type: "Recreate" },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          serviceAccountName: accountName,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "forwarder",
              image: `${String(image.repository)}:${String(image.tag)}`,
              imagePullPolicy: image.pullPolicy,
              env,
              ports: [{ name: "http-metrics", containerPort: metricsPort, protocol: "TCP" }],
              livenessProbe: {
                httpGet: { path: "/healthz", port: "http-metrics" },
                periodSeconds: 10,
                failureThreshold: 3,
              },
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http-metrics" },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              resources: v.resources,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
          ...optional("nodeSelector"),
          ...optional("tolerations"),
          ...optional("affinity"),
        },
      },
    },
  });
  const networkPolicy = record(v, "networkPolicy");
  if (networkPolicy.enabled === true) {
    const from = list(networkPolicy, "metricsFrom");
    manifests.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: fullName, namespace: release.namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [{ ports: [{ port: metricsPort, protocol: "TCP" }], ...(from.length > 0 ? { from } : {}) }],
      },
    });
  }
  return manifests;
}

const WATCH_RULES = [
  {
    apiGroups: ["gateway.networking.k8s.io"],
    resources: [
      "gatewayclasses",
      "gateways",
      "listenersets",
      "httproutes",
      "grpcroutes",
      "tlsroutes",
      "tcproutes",
      "udproutes",
      "referencegrants",
      "backendtlspolicies",
    ],
    verbs: ["get", "list", "watch"],
  },
  { apiGroups: ["gateway.networking.x-k8s.io"], resources: ["xlistenersets"], verbs: ["get", "list", "watch"] },
  {
    apiGroups: ["gateway.k8s.aws"],
    resources: ["loadbalancerconfigurations", "targetgroupconfigurations", "listenerruleconfigurations"],
    verbs: ["get", "list", "watch"],
  },
  {
    apiGroups: ["application-networking.k8s.aws"],
    resources: [
      "targetgrouppolicies",
      "vpcassociationpolicies",
      "accesslogpolicies",
      "iamauthpolicies",
      "serviceexports",
      "serviceimports",
    ],
    verbs: ["get", "list", "watch"],
  },
  {
    apiGroups: ["multicluster.x-k8s.io"],
    resources: ["serviceexports", "serviceimports"],
    verbs: ["get", "list", "watch"],
  },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["services", "namespaces", "nodes"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
];

const STATUS_RESOURCES = [
  "gatewayclasses/status",
  "gateways/status",
  "listenersets/status",
  "httproutes/status",
  "grpcroutes/status",
  "tlsroutes/status",
  "tcproutes/status",
  "udproutes/status",
  "backendtlspolicies/status",
];

/**
 * A federated ServiceExport's status, written on the exporting cluster, and the VPC Lattice
 * policies' whose target is switchyard's (shared/lattice/policy-status.ts).
 */
const LATTICE_STATUS_RESOURCES = [
  "serviceexports/status",
  "targetgrouppolicies/status",
  "vpcassociationpolicies/status",
  "accesslogpolicies/status",
  "iamauthpolicies/status",
];
