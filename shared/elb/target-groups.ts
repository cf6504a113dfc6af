/**
 * Target groups of one load balancer. A target group is shared by every rule that forwards to the
 * same Service port with the same protocol, so a Service used by ten routes costs one target group
 * and one set of registrations, and a weight-0 canary still has its group ready.
 */
import type { TargetGroupConfiguration, TargetGroupProps } from "../extensions/aws-lbc.ts";
import type { ResolvedBackend } from "../graph/model.ts";
import { isQuic, withQuicServerIds } from "./listener-features.ts";
import type { HealthCheckModel, TargetGroupModel, TargetModel } from "./model.ts";
import { ownershipTags, shortHash, targetGroupName } from "./naming.ts";

export type TargetProtocol = TargetGroupModel["protocol"];
export type TargetProtocolVersion = NonNullable<TargetGroupModel["protocolVersion"]>;

/** Target group for invalid backends' share of traffic: no targets, so ALB answers 503. */
const SINK_TARGET_GROUP_ID = "sink/invalid-backends";

export interface TargetGroupContext {
  clusterId: string;
  gatewayKey: string;
  routeKind: string;
  routeNamespace: string;
  routeName: string;
  configs: readonly TargetGroupConfiguration[];
}

/** Per-route props win over the Service's defaults (kind+ns+name > kind+ns > kind), merged shallowly. */
export function targetGroupProps(
  configs: readonly TargetGroupConfiguration[],
  service: { namespace: string; name: string },
  route: { kind: string; namespace: string; name: string },
): TargetGroupProps {
  const config = configs.find(
    (c) =>
      (c.metadata.namespace ?? "default") === service.namespace &&
      c.spec?.targetReference?.name === service.name &&
      (c.spec.targetReference.kind ?? "Service") === "Service",
  );
  if (!config?.spec) return {};
  const specificity = (id: { kind: string; namespace?: string; name?: string }) =>
    id.kind !== route.kind
      ? -1
      : id.namespace === undefined
        ? 1
        : id.namespace !== route.namespace
          ? -1
          : id.name === undefined
            ? 2
            : id.name === route.name
              ? 3
              : -1;
  const best = (config.spec.routeConfigurations ?? [])
    .map((rc) => ({ rc, score: specificity(rc.routeIdentifier) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)[0];
  return { ...config.spec.defaultConfiguration, ...best?.rc.targetGroupProps };
}

function defaultHealthCheck(protocol: TargetProtocol, version: TargetProtocolVersion | undefined): HealthCheckModel {
  if (
    protocol === "TCP" ||
    protocol === "UDP" ||
    protocol === "TCP_UDP" ||
    protocol === "TLS" ||
    protocol === "QUIC" ||
    protocol === "TCP_QUIC"
  ) {
    return {
      enabled: true,
      protocol: "TCP",
      port: "traffic-port",
      intervalSeconds: 10,
      timeoutSeconds: 10,
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 3,
    };
  }
  return {
    enabled: true,
    protocol: protocol === "HTTPS" ? "HTTPS" : "HTTP",
    port: "traffic-port",
    path: version === "GRPC" ? "/AWS.ALB/healthcheck" : "/",
    intervalSeconds: 15,
    timeoutSeconds: 5,
    healthyThresholdCount: 3,
    unhealthyThresholdCount: 3,
    matcher: version === "GRPC" ? { grpcCode: "12" } : { httpCode: "200-399" },
  };
}

function applyHealthCheck(base: HealthCheckModel, props: TargetGroupProps): HealthCheckModel {
  const hc = props.healthCheckConfig;
  if (!hc) return base;
  return {
    ...base,
    ...(hc.healthCheckProtocol ? { protocol: hc.healthCheckProtocol } : {}),
    ...(hc.healthCheckPort ? { port: hc.healthCheckPort } : {}),
    ...(hc.healthCheckPath ? { path: hc.healthCheckPath } : {}),
    ...(hc.healthCheckInterval ? { intervalSeconds: hc.healthCheckInterval } : {}),
    ...(hc.healthCheckTimeout ? { timeoutSeconds: hc.healthCheckTimeout } : {}),
    ...(hc.healthyThresholdCount ? { healthyThresholdCount: hc.healthyThresholdCount } : {}),
    ...(hc.unhealthyThresholdCount ? { unhealthyThresholdCount: hc.unhealthyThresholdCount } : {}),
    ...(hc.matcher ? { matcher: hc.matcher } : {}),
  };
}

/** L7 target protocol and version from the route kind, the Service's appProtocol and TGC props. */
export function l7Protocol(
  routeKind: string,
  backend: ResolvedBackend,
  props: TargetGroupProps,
): { protocol: TargetProtocol; version: TargetProtocolVersion } {
  const app = backend.appProtocol?.toLowerCase();
  const protocol: TargetProtocol =
    props.protocol === "HTTPS" || app === "https" || app === "kubernetes.io/wss" ? "HTTPS" : "HTTP";
  if (props.protocolVersion) return { protocol, version: props.protocolVersion };
  if (routeKind === "GRPCRoute") return { protocol, version: "GRPC" };
  if (app === "kubernetes.io/h2c" || app === "h2c" || app === "http2") return { protocol, version: "HTTP2" };
  return { protocol, version: "HTTP1" };
}

/** Collects target groups by role id, creating each once. */
export class TargetGroupSet {
  readonly #groups = new Map<string, TargetGroupModel>();
  readonly #clusterId: string;
  readonly #gatewayKey: string;

  constructor(clusterId: string, gatewayKey: string) {
    this.#clusterId = clusterId;
    this.#gatewayKey = gatewayKey;
  }

  /** The target group for a valid backend; returns its model id. */
  forBackend(
    backend: ResolvedBackend,
    protocol: TargetProtocol,
    version: TargetProtocolVersion | undefined,
    props: TargetGroupProps,
  ): string {
    // The port is immutable on a target group, so it comes from the Service, never from endpoints.
    const targetPort = backend.servicePort?.targetPort;
    const port = typeof targetPort === "number" ? targetPort : (backend.servicePort?.port ?? backend.port ?? 1);
    // Route-specific TargetGroupConfiguration props get their own group; equal props share one.
    const variant = Object.keys(props).length > 0 ? `/${shortHash(JSON.stringify(props)).slice(0, 6)}` : "";
    const id = `${backend.namespace}/${backend.name}:${backend.port ?? 0}/${protocol}${version ? `/${version}` : ""}${variant}`;
    if (!this.#groups.has(id)) {
      this.#groups.set(id, {
        id,
        name: props.targetGroupName ?? targetGroupName(this.#clusterId, this.#gatewayKey, id, protocol),
        protocol,
        ...(version ? { protocolVersion: version } : {}),
        port,
        targetType: "ip",
        ipAddressType: props.ipAddressType ?? "ipv4",
        healthCheck: applyHealthCheck(defaultHealthCheck(protocol, version), props),
        attributes: Object.fromEntries((props.targetGroupAttributes ?? []).map((a) => [a.key, a.value])),
        tags: { ...props.tags, ...ownershipTags(this.#clusterId, this.#gatewayKey, `target-group:${id}`) },
        targets: (isQuic(protocol) ? withQuicServerIds : (t: TargetModel[]) => t)(
          backend.endpoints.map((e) =>
            e.zone ? { id: e.ip, port: e.port, availabilityZone: e.zone } : { id: e.ip, port: e.port },
          ),
        ),
        backend: `${backend.kind} ${backend.namespace}/${backend.name}:${backend.port ?? ""}`,
      });
    }
    return id;
  }

  /** The empty target group that carries invalid backends' share of traffic. */
  sink(protocol: TargetProtocol): string {
    const id = `${SINK_TARGET_GROUP_ID}/${protocol}`;
    if (!this.#groups.has(id)) {
      this.#groups.set(id, {
        id,
        name: targetGroupName(this.#clusterId, this.#gatewayKey, id, protocol),
        protocol,
        port: 1,
        targetType: "ip",
        ipAddressType: "ipv4",
        healthCheck: defaultHealthCheck(protocol, undefined),
        attributes: {},
        tags: ownershipTags(this.#clusterId, this.#gatewayKey, `target-group:${id}`),
        targets: [],
        backend: "",
      });
    }
    return id;
  }

  all(): TargetGroupModel[] {
    return [...this.#groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
