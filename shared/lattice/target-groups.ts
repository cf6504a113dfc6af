/**
 * VPC Lattice target groups: one per (route's Lattice service, cluster, Service, port) and
 * protocol, shared by every rule of that service that forwards there, with IP targets from the Service's ready EndpointSlices. A
 * TargetGroupPolicy on the Service (or ServiceExport) sets protocol, protocol version and health
 * check; without one, the route kind and the port's appProtocol decide (HTTPRoute → HTTP/HTTP1,
 * GRPCRoute → HTTP/GRPC, TLSRoute → TCP) and Lattice's own health-check defaults apply.
 *
 * A Lattice target group serves at most one service (a listener rule of a second service naming it
 * is refused), so two routes forwarding to one Kubernetes Service get one group each, and each
 * route's service has its own sink for invalid backends.
 */
import { ownershipTags } from "../elb/naming.ts";
import type { ServiceExport, TargetGroupPolicy, TargetGroupPolicySpec } from "../extensions/lattice.ts";
import type { ResolvedBackend, ResolvedEndpoint } from "../graph/model.ts";
import { objectKey } from "../k8s/meta.ts";
import { serviceExportOwner } from "./exports.ts";
import type { LatticeHealthCheckModel, LatticeTargetGroupModel } from "./model.ts";
import { targetGroupName } from "./naming.ts";

export type LatticeTargetProtocol = LatticeTargetGroupModel["protocol"];
export type LatticeTargetVersion = NonNullable<LatticeTargetGroupModel["protocolVersion"]>;

/** The group that carries invalid backends' share of traffic: no targets, so Lattice answers 503. */
export const SINK_TARGET_GROUP = "sink/invalid-backends";

/** Model id of a group owned by one route's service (`<route key>|<what it serves>`). */
export function serviceTargetGroupId(serviceId: string, serves: string): string {
  return `${serviceId}|${serves}`;
}

/** Lattice's health-check defaults (HealthCheckConfig), filled in when a policy sets only some fields. */
const LATTICE_HEALTH_CHECK_DEFAULTS: LatticeHealthCheckModel = {
  enabled: true,
  protocol: "HTTP",
  protocolVersion: "HTTP1",
  path: "/",
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  matcher: "200",
};

function healthCheck(spec: TargetGroupPolicySpec["healthCheck"]): LatticeHealthCheckModel | undefined {
  if (!spec) return undefined;
  const d = LATTICE_HEALTH_CHECK_DEFAULTS;
  return {
    enabled: spec.enabled ?? d.enabled,
    protocol: spec.protocol ?? d.protocol,
    protocolVersion: spec.protocolVersion ?? d.protocolVersion,
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    path: spec.path ?? d.path,
    intervalSeconds: spec.intervalSeconds ?? d.intervalSeconds,
    timeoutSeconds: spec.timeoutSeconds ?? d.timeoutSeconds,
    healthyThresholdCount: spec.healthyThresholdCount ?? d.healthyThresholdCount,
    unhealthyThresholdCount: spec.unhealthyThresholdCount ?? d.unhealthyThresholdCount,
    matcher: spec.statusMatch ?? d.matcher,
  };
}

/** Protocol and version for a route kind and a Service port's appProtocol, before any policy. */
export function defaultProtocol(
  routeKind: string,
  appProtocol: string | undefined,
): { protocol: LatticeTargetProtocol; version?: LatticeTargetVersion } {
  if (routeKind === "TLSRoute") return { protocol: "TCP" };
  const app = appProtocol?.toLowerCase();
  const protocol: LatticeTargetProtocol = app === "https" || app === "kubernetes.io/wss" ? "HTTPS" : "HTTP";
  if (routeKind === "GRPCRoute") return { protocol, version: "GRPC" };
  if (app === "kubernetes.io/h2c" || app === "h2c" || app === "http2") return { protocol, version: "HTTP2" };
  return { protocol, version: "HTTP1" };
}

function withPolicy(
  base: { protocol: LatticeTargetProtocol; version?: LatticeTargetVersion },
  policy: TargetGroupPolicy | undefined,
): { protocol: LatticeTargetProtocol; version?: LatticeTargetVersion } {
  const spec = policy?.spec;
  if (!spec) return base;
  const protocol = spec.protocol ?? base.protocol;
  if (protocol === "TCP") return { protocol };
  return {
    protocol,
    ...((spec.protocolVersion ?? base.version) ? { version: spec.protocolVersion ?? base.version ?? "HTTP1" } : {}),
  };
}

/** IPv6 when the Service's primary family is IPv6; targets of the other family are left out. */
function addressFamily(families: readonly string[] | undefined): "IPV4" | "IPV6" {
  return families?.[0] === "IPv6" ? "IPV6" : "IPV4";
}

function targetsOf(endpoints: readonly ResolvedEndpoint[], family: "IPV4" | "IPV6") {
  return endpoints.filter((e) => e.ip.includes(":") === (family === "IPV6")).map((e) => ({ id: e.ip, port: e.port }));
}

/** Collects the target groups one Gateway's services forward to, creating each once per service. */
export class LatticeTargetGroupSet {
  readonly #groups = new Map<string, LatticeTargetGroupModel>();
  readonly #clusterId: string;
  readonly #gatewayKey: string;
  /** Accepted TargetGroupPolicies by `Kind/ns/name` of their target. */
  readonly #policies: ReadonlyMap<string, TargetGroupPolicy>;

  constructor(clusterId: string, gatewayKey: string, policies: ReadonlyMap<string, TargetGroupPolicy>) {
    this.#clusterId = clusterId;
    this.#gatewayKey = gatewayKey;
    this.#policies = policies;
  }

  /**
   * The target group of a valid Service backend for the Lattice service `serviceId` (the route
   * key) and a route kind; returns its model id.
   */
  forService(serviceId: string, backend: ResolvedBackend, routeKind: string): string {
    const policy = this.#policies.get(`Service/${backend.namespace}/${backend.name}`);
    const { protocol, version } = withPolicy(defaultProtocol(routeKind, backend.appProtocol), policy);
    const port = backend.port ?? 0;
    const id = serviceTargetGroupId(
      serviceId,
      `${this.#clusterId}/${backend.namespace}/${backend.name}:${port}/${protocol}${version ? `/${version}` : ""}`,
    );
    if (!this.#groups.has(id)) {
      const targetPort = backend.servicePort?.targetPort;
      const family = addressFamily(backend.service?.spec?.ipFamilies);
      const hc = healthCheck(policy?.spec?.healthCheck);
      this.#groups.set(id, {
        id,
        name: targetGroupName(this.#clusterId, this.#gatewayKey, backend.namespace, backend.name, port, id),
        type: "IP",
        protocol,
        ...(version ? { protocolVersion: version } : {}),
        port: typeof targetPort === "number" ? targetPort : (backend.servicePort?.port ?? port),
        ipAddressType: family,
        vpc: "cluster",
        ...(hc ? { healthCheck: hc } : {}),
        targets: targetsOf(backend.endpoints, family),
        tags: ownershipTags(this.#clusterId, this.#gatewayKey, `target-group:${id}`),
        backend: `Service ${backend.namespace}/${backend.name}:${port}`,
        ...(policy ? { policy: objectKey(policy.metadata) } : {}),
      });
    }
    return id;
  }

  /** The service's empty group carrying invalid backends' share (Lattice answers 503 for it). */
  sink(serviceId: string, protocol: LatticeTargetProtocol): string {
    const id = serviceTargetGroupId(serviceId, `${SINK_TARGET_GROUP}/${protocol}`);
    if (!this.#groups.has(id)) {
      this.#groups.set(id, {
        id,
        name: targetGroupName(this.#clusterId, this.#gatewayKey, "sink", "invalid-backends", 1, id),
        type: "IP",
        protocol,
        ...(protocol === "TCP" ? {} : { protocolVersion: "HTTP1" as const }),
        port: 1,
        ipAddressType: "IPV4",
        vpc: "cluster",
        targets: [],
        tags: ownershipTags(this.#clusterId, this.#gatewayKey, `target-group:${id}`),
        backend: "",
      });
    }
    return id;
  }

  has(id: string): boolean {
    return this.#groups.has(id);
  }

  all(): LatticeTargetGroupModel[] {
    return [...this.#groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

const EXPORT_PROTOCOL: Record<string, { protocol: LatticeTargetProtocol; version?: LatticeTargetVersion }> = {
  HTTP: { protocol: "HTTP", version: "HTTP1" },
  GRPC: { protocol: "HTTP", version: "GRPC" },
  TLS: { protocol: "TCP" },
};

/** Model id of a cluster's export target group for one exported port. */
export function exportTargetGroupId(
  clusterId: string,
  namespace: string,
  name: string,
  port: number,
  routeType: string,
): string {
  return `export/${clusterId}/${namespace}/${name}:${port}/${routeType}`;
}

/** The name a cluster gives its export target group: what an importing cluster looks it up by. */
export function exportTargetGroupName(
  clusterId: string,
  namespace: string,
  name: string,
  port: number,
  routeType: string,
): string {
  const id = exportTargetGroupId(clusterId, namespace, name, port, routeType);
  return targetGroupName(clusterId, serviceExportOwner(namespace, name), namespace, name, port, id);
}

/**
 * A ServiceExport's target groups, one per exported port, with the exported Service's ready
 * endpoints as targets; owned by the exporting cluster, not by any Gateway.
 */
export function exportTargetGroups(
  clusterId: string,
  exported: ServiceExport,
  backendOf: (port: number) => ResolvedBackend | undefined,
  policy: TargetGroupPolicy | undefined,
): LatticeTargetGroupModel[] {
  const namespace = exported.metadata.namespace ?? "default";
  const name = exported.metadata.name;
  return (exported.spec?.exportedPorts ?? []).map((p) => {
    const id = exportTargetGroupId(clusterId, namespace, name, p.port, p.routeType);
    const { protocol, version } = withPolicy(
      EXPORT_PROTOCOL[p.routeType] ?? { protocol: "HTTP", version: "HTTP1" },
      policy,
    );
    const backend = backendOf(p.port);
    const family = addressFamily(backend?.service?.spec?.ipFamilies);
    const hc = healthCheck(policy?.spec?.healthCheck);
    const targetPort = backend?.servicePort?.targetPort;
    return {
      id,
      name: exportTargetGroupName(clusterId, namespace, name, p.port, p.routeType),
      type: "IP" as const,
      protocol,
      ...(version ? { protocolVersion: version } : {}),
      port: typeof targetPort === "number" ? targetPort : p.port,
      ipAddressType: family,
      vpc: "cluster" as const,
      ...(hc ? { healthCheck: hc } : {}),
      targets: backend ? targetsOf(backend.endpoints, family) : [],
      tags: ownershipTags(clusterId, serviceExportOwner(namespace, name), `target-group:${id}`),
      backend: `ServiceExport ${namespace}/${name}:${p.port}`,
      ...(policy ? { policy: objectKey(policy.metadata) } : {}),
    };
  });
}
