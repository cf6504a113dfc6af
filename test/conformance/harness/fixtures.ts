/**
 * The objects a conformance run holds when a test starts, built as the suite builds them: the
 * GatewayClass under test, `base/manifests.yaml`, the Secrets the suite creates at setup
 * (utils/suite/suite.go), then the test's manifests — each prepared the way the suite's Applier
 * prepares them (utils/kubernetes/apply.go). What a real cluster adds on its own is synthesized:
 * one pod per Deployment (the echo server, named after the Deployment), EndpointSlices (see
 * cluster.ts), and the ACM import switchyard's forwarder performs for TLS Secrets.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { controllerConfig } from "../../../shared/config.ts";
import type { Secret } from "../../../shared/k8s/core.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import { SimulatedCluster } from "./cluster.ts";
import { ALB_CLASS, type ConformanceClass } from "./features.ts";

export const GATEWAY_CLASS_NAME = "switchyard-conformance";
/** The ALB class's controller name; a fixture for another class passes its own. */
export const CONTROLLER_NAME = "switchyard.dev/alb";

/** The run's address pools (documentation ranges, RFC 5737); no test that uses them is claimed. */
const USABLE_ADDRESSES = [{ type: "IPAddress", value: "192.0.2.10" }];
const UNUSABLE_ADDRESSES = [{ type: "IPAddress", value: "198.51.100.10" }];

/** TLS Secrets the suite creates before any test runs (utils/suite/suite.go, Setup). */
const SUITE_TLS_SECRETS: readonly { namespace: string; name: string }[] = [
  { namespace: "gateway-conformance-web-backend", name: "certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-validity-checks-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-validity-checks-client-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-validity-checks-per-port-client-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-checks-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-checks-client-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-passthrough-checks-certificate" },
  { namespace: "gateway-conformance-app-backend", name: "tls-passthrough-checks-certificate" },
  { namespace: "gateway-conformance-infra", name: "tls-terminate-checks-certificate" },
];

export function fakeCertificateArn(namespace: string, name: string): string {
  return `arn:aws:acm:us-east-1:000000000000:certificate/${namespace}.${name}`;
}

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The suite's Applier: every Gateway gets the class under test, every GatewayClass the controller
 * under test, Gateway address placeholders become the run's pools ("test/fake-invalid-type"
 * addresses are kept).
 */
export function prepareDocument(doc: Doc, controllerName: string = CONTROLLER_NAME): Doc {
  const prepared = JSON.parse(JSON.stringify(doc).replaceAll("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS_NAME)) as Doc;
  const spec = isDoc(prepared.spec) ? prepared.spec : undefined;
  if (prepared.kind === "GatewayClass" && spec) spec.controllerName = controllerName;
  if (prepared.kind === "Gateway" && spec) {
    spec.gatewayClassName = GATEWAY_CLASS_NAME;
    const addresses = Array.isArray(spec.addresses) ? spec.addresses.filter(isDoc) : [];
    if (addresses.length > 0) {
      const hasValue = (v: string) => addresses.some((a) => a.value === v);
      spec.addresses = [
        ...addresses.filter((a) => a.type === "test/fake-invalid-type"),
        ...(hasValue("PLACEHOLDER_UNUSABLE_ADDRS") ? UNUSABLE_ADDRESSES : []),
        ...(hasValue("PLACEHOLDER_USABLE_ADDRS") ? USABLE_ADDRESSES : []),
      ];
    }
  }
  return prepared;
}

function decodeBase64(value: unknown): string {
  return typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : "";
}

/**
 * A Secret as switchyard sees it: metadata and type only. The forwarder imports a
 * `kubernetes.io/tls` Secret into ACM when its `tls.crt` and `tls.key` hold PEM; then the Secret
 * carries the certificate's ARN. One that does not parse is never imported.
 */
export function forwardedSecret(doc: Doc): Doc {
  const { data, stringData, ...rest } = doc;
  const type = typeof doc.type === "string" ? doc.type : undefined;
  const meta = isDoc(doc.metadata) ? doc.metadata : {};
  const crt = isDoc(data)
    ? decodeBase64(data["tls.crt"])
    : isDoc(stringData)
      ? String(stringData["tls.crt"] ?? "")
      : "";
  const key = isDoc(data)
    ? decodeBase64(data["tls.key"])
    : isDoc(stringData)
      ? String(stringData["tls.key"] ?? "")
      : "";
  const importable =
    type === "kubernetes.io/tls" &&
    crt.includes("-----BEGIN CERTIFICATE-----") &&
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key);
  // The forwarder's verdict: a TLS Secret holding a certificate and key is imported; one that does
  // not is reported as unusable; other Secret types are no certificate at all.
  if (importable) {
    return {
      ...rest,
      acmCertificateArn: fakeCertificateArn(String(meta.namespace ?? "default"), String(meta.name ?? "")),
    };
  }
  return type === "kubernetes.io/tls"
    ? { ...rest, acmImportError: "tls.crt and tls.key are not a PEM certificate and private key" }
    : rest;
}

function suiteSecret(namespace: string, name: string): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { namespace, name },
    type: "kubernetes.io/tls",
    acmCertificateArn: fakeCertificateArn(namespace, name),
  } as Secret;
}

export interface FixtureProblem {
  source: string;
  message: string;
}

interface PreparedManifests {
  objects: KubeObject[];
  deployments: Doc[];
  problems: FixtureProblem[];
}

/**
 * Documents prepared as the Applier prepares them and loaded as the API server would store them.
 * Deployments are kept apart (they become pods); Secrets are stripped to what the forwarder
 * reports; kinds switchyard does not read (ConfigMaps, …) are left out.
 */
export function prepareManifests(
  docs: readonly Doc[],
  source: string,
  controllerName: string = CONTROLLER_NAME,
): PreparedManifests {
  const prepared = docs.map((d) => prepareDocument(d, controllerName));
  const deployments = prepared.filter((d) => d.kind === "Deployment");
  const rest = prepared
    .filter((d) => d.kind !== "Deployment")
    .map((d) => (d.kind === "Secret" ? forwardedSecret(d) : d));
  const loaded = loadManifests(rest.map((d) => stringify(d)).join("---\n"), source, { channel: "experimental" });
  const problems = [...loaded.problems, ...loaded.rejected.flatMap((r) => r.problems)].map((p) => ({
    source,
    message: formatProblem(p),
  }));
  return { objects: loaded.objects, deployments, problems };
}

const fileCache = new Map<string, PreparedManifests>();

function preparedFile(moduleDir: string, path: string, controllerName: string): PreparedManifests {
  const file = join(moduleDir, path);
  const key = `${controllerName}|${file}`;
  let cached = fileCache.get(key);
  if (!cached) {
    const docs = parseAllDocuments(readFileSync(file, "utf8"))
      .map((d) => d.toJS() as unknown)
      .filter(isDoc);
    cached = prepareManifests(docs, path, controllerName);
    fileCache.set(key, cached);
  }
  return cached;
}

/** Creates prepared objects in order (deep copies: the cache is shared between tests). */
export function createAll(
  cluster: SimulatedCluster,
  prepared: PreparedManifests,
  problems: FixtureProblem[],
): KubeObject[] {
  problems.push(...prepared.problems);
  for (const d of prepared.deployments) addDeploymentPod(cluster, d);
  const created: KubeObject[] = [];
  for (const object of prepared.objects) {
    try {
      created.push(cluster.create(structuredClone(object), true));
    } catch (err) {
      problems.push({ source: "create", message: (err as Error).message });
    }
  }
  return created;
}

function addDeploymentPod(cluster: SimulatedCluster, doc: Doc): void {
  const meta = isDoc(doc.metadata) ? doc.metadata : {};
  const spec = isDoc(doc.spec) ? doc.spec : {};
  const template = isDoc(spec.template) ? spec.template : {};
  const templateMeta = isDoc(template.metadata) ? template.metadata : {};
  const podSpec = isDoc(template.spec) ? template.spec : {};
  const labels = isDoc(templateMeta.labels)
    ? Object.fromEntries(Object.entries(templateMeta.labels).map(([k, v]) => [k, String(v)]))
    : {};
  const ports: Record<string, number> = {};
  const env: Record<string, string> = {};
  for (const container of Array.isArray(podSpec.containers) ? podSpec.containers.filter(isDoc) : []) {
    for (const variable of Array.isArray(container.env) ? container.env.filter(isDoc) : []) {
      if (typeof variable.name === "string" && typeof variable.value === "string") env[variable.name] = variable.value;
    }
    for (const port of Array.isArray(container.ports) ? container.ports.filter(isDoc) : []) {
      if (typeof port.name === "string" && typeof port.containerPort === "number")
        ports[port.name] = port.containerPort;
    }
  }
  // Pods of a Deployment are named <deployment>-<template hash>-<suffix>; the suite matches the prefix.
  cluster.addPod({
    name: `${String(meta.name)}-6b7c8d9f5d-x4k2q`,
    namespace: String(meta.namespace ?? "default"),
    labels,
    ports,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  });
}

export interface TestFixture {
  cluster: SimulatedCluster;
  /** Objects the test's own manifests created, in order. */
  testObjects: KubeObject[];
  problems: FixtureProblem[];
}

/** The cluster as the suite leaves it for one test: base, setup Secrets, then the test's manifests. */
export function buildFixture(
  moduleDir: string,
  manifests: readonly string[],
  cls: ConformanceClass = ALB_CLASS,
): TestFixture {
  const cluster = new SimulatedCluster(controllerConfig(), cls.addressSuffix);
  const problems: FixtureProblem[] = [];
  cluster.create({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS_NAME },
    spec: { controllerName: cls.controllerName },
  });
  createAll(cluster, preparedFile(moduleDir, "base/manifests.yaml", cls.controllerName), problems);
  for (const s of SUITE_TLS_SECRETS) {
    try {
      cluster.create(suiteSecret(s.namespace, s.name));
    } catch (err) {
      problems.push({ source: "suite setup", message: (err as Error).message });
    }
  }
  const testObjects: KubeObject[] = [];
  for (const file of manifests) {
    testObjects.push(...createAll(cluster, preparedFile(moduleDir, file, cls.controllerName), problems));
  }
  return { cluster, testObjects, problems };
}
