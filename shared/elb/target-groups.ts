/**
 * Target groups of one load balancer. A target group is shared by every rule that forwards to the
 * same Service port with the same protocol, so a Service used by ten routes costs one target group
 * and one set of registrations, and a weight-0 canary still has its group ready.
 */
import type { TargetGroupConfiguration, TargetGroupProps } from "../extensions/aws-lbc.ts";
import type { ResolvedBackend } from "../graph/model.ts";
import { EXCLUDE_FROM_LOAD_BALANCERS_LABEL, instanceIdOf, type Node, nodeIsReady } from "../k8s/core.ts";
import { selectorMatches } from "../k8s/labels.ts";
import type { LabelSelector } from "../k8s/meta.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { isQuic, withQuicServerIds } from "./listener-features.ts";
import type { HealthCheckModel, LoadBalancerType, TargetGroupModel, TargetModel } from "./model.ts";
import { ownershipTags, shortHash, TAG, targetGroupName } from "./naming.ts";

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

/** One TargetGroupConfiguration's props for a route: per-route props over its defaultConfiguration. */
function propsOf(
  config: TargetGroupConfiguration | undefined,
  route: { kind: string; namespace: string; name: string },
): TargetGroupProps {
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

/**
 * The props of the target group for `service` on `route`, as the AWS Load Balancer Controller
 * resolves them: the Service's TargetGroupConfiguration (per-route props over its defaults,
 * kind+ns+name > kind+ns > kind), field by field over the Gateway's default configurations
 * (`defaultConfigs`, lowest precedence first), merged shallowly.
 */
export function targetGroupProps(
  configs: readonly TargetGroupConfiguration[],
  service: { namespace: string; name: string },
  route: { kind: string; namespace: string; name: string },
  defaultConfigs: readonly TargetGroupConfiguration[] = [],
): TargetGroupProps {
  const config = configs.find(
    (c) =>
      (c.metadata.namespace ?? "default") === service.namespace &&
      c.spec?.targetReference?.name === service.name &&
      (c.spec.targetReference.kind ?? "Service") === "Service",
  );
  const merged: TargetGroupProps = {};
  for (const layer of [...defaultConfigs.map((d) => propsOf(d, route)), propsOf(config, route)]) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
  }
  return merged;
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

/** What a target group needs beyond its backend: the load balancer type and the cluster's nodes. */
export interface TargetGroupSetOptions {
  type: LoadBalancerType;
  /** Cluster nodes, for instance targets. */
  nodes: readonly Node[];
  /**
   * The Gateway's default TargetGroupConfigurations (LoadBalancerConfiguration
   * `defaultTargetGroupConfiguration`), lowest precedence first.
   */
  defaultConfigs: readonly TargetGroupConfiguration[];
}

/** The EC2 instances behind ready nodes the selector chooses, nodes excluded from load balancers left out. */
export function instanceTargets(nodes: readonly Node[], selector: LabelSelector | undefined): string[] {
  const ids = new Set<string>();
  for (const node of nodes) {
    const labels = node.metadata.labels ?? {};
    if (Object.hasOwn(labels, EXCLUDE_FROM_LOAD_BALANCERS_LABEL)) continue;
    if (!nodeIsReady(node) || !selectorMatches(selector, labels)) continue;
    const id = instanceIdOf(node);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/** A selector as the CRD types it (a manifest or a cluster without the CRD's validation may send anything). */
function isLabelSelector(value: unknown): value is LabelSelector {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { matchLabels, matchExpressions } = value as Record<string, unknown>;
  const labelsOk = matchLabels === undefined || (typeof matchLabels === "object" && matchLabels !== null);
  return labelsOk && (matchExpressions === undefined || Array.isArray(matchExpressions));
}

/**
 * What the props ask that this target group cannot have, named by field: instance targets of a
 * Service without node ports, a target control port (the ALB target optimizer) on a Network Load
 * Balancer or out of range, a node selector on IP targets.
 */
export function targetGroupPropsProblem(
  props: TargetGroupProps,
  backend: ResolvedBackend,
  type: LoadBalancerType,
): StatusProblem | undefined {
  const label = `${backend.kind} ${backend.namespace}/${backend.name}`;
  const problems: string[] = [];
  const instance = props.targetType === "instance";
  if (instance && backend.servicePort?.nodePort === undefined) {
    problems.push(
      `targetType instance needs a node port, and ${label} port ${backend.port ?? ""} has none (a NodePort or LoadBalancer Service allocates one)`,
    );
  }
  if (props.nodeSelector !== undefined && !instance) {
    problems.push(`nodeSelector chooses nodes for instance targets; ${label} gets IP targets`);
  }
  if (props.nodeSelector !== undefined && !isLabelSelector(props.nodeSelector)) {
    problems.push("nodeSelector must be a label selector (matchLabels, matchExpressions)");
  }
  const control = props.targetControlPort;
  if (control !== undefined) {
    if (type !== "application") {
      problems.push(
        "targetControlPort: the target control port belongs to the Application Load Balancer's target optimizer; this Gateway's load balancer is a Network Load Balancer",
      );
    } else if (!Number.isInteger(control) || control < 1 || control > 65535) {
      problems.push(`targetControlPort: ${control} is not a port (1-65535)`);
    }
  }
  if (problems.length === 0) return undefined;
  return problem(Reason.UnsupportedValue, `TargetGroupConfiguration for ${label}: ${problems.join("; ")}`);
}

/** Collects target groups by role id, creating each once. */
export class TargetGroupSet {
  readonly #groups = new Map<string, TargetGroupModel>();
  readonly #clusterId: string;
  readonly #gatewayKey: string;
  readonly #options: TargetGroupSetOptions;

  constructor(clusterId: string, gatewayKey: string, options: TargetGroupSetOptions) {
    this.#clusterId = clusterId;
    this.#gatewayKey = gatewayKey;
    this.#options = options;
  }

  /** The Gateway's default TargetGroupConfigurations, lowest precedence first. */
  get defaultConfigs(): readonly TargetGroupConfiguration[] {
    return this.#options.defaultConfigs;
  }

  /** The target group for a valid backend: its model id, or why the props cannot apply to it. */
  forBackend(
    backend: ResolvedBackend,
    protocol: TargetProtocol,
    version: TargetProtocolVersion | undefined,
    props: TargetGroupProps,
  ): string | StatusProblem {
    const refused = targetGroupPropsProblem(props, backend, this.#options.type);
    if (refused) return refused;
    const instance = props.targetType === "instance";
    // The port is immutable on a target group, so it comes from the Service, never from endpoints;
    // instance targets receive on the node port.
    const targetPort = backend.servicePort?.targetPort;
    const nodePort = backend.servicePort?.nodePort;
    const port =
      instance && nodePort !== undefined
        ? nodePort
        : typeof targetPort === "number"
          ? targetPort
          : (backend.servicePort?.port ?? backend.port ?? 1);
    // Route-specific TargetGroupConfiguration props get their own group; equal props share one.
    const variant = Object.keys(props).length > 0 ? `/${shortHash(JSON.stringify(props)).slice(0, 6)}` : "";
    const id = `${backend.namespace}/${backend.name}:${backend.port ?? 0}/${protocol}${version ? `/${version}` : ""}${variant}`;
    if (!this.#groups.has(id)) {
      const targets: TargetModel[] = instance
        ? instanceTargets(this.#options.nodes, props.nodeSelector).map((i) => ({
            id: i,
            port,
          }))
        : backend.endpoints.map((e) =>
            e.zone ? { id: e.ip, port: e.port, availabilityZone: e.zone } : { id: e.ip, port: e.port },
          );
      this.#groups.set(id, {
        id,
        name: props.targetGroupName ?? targetGroupName(this.#clusterId, this.#gatewayKey, id, protocol),
        protocol,
        ...(version ? { protocolVersion: version } : {}),
        port,
        targetType: instance ? "instance" : "ip",
        ipAddressType: props.ipAddressType ?? "ipv4",
        ...(props.targetControlPort !== undefined ? { targetControlPort: props.targetControlPort } : {}),
        ...(props.enableMultiCluster ? { multiCluster: true } : {}),
        healthCheck: applyHealthCheck(defaultHealthCheck(protocol, version), props),
        attributes: Object.fromEntries((props.targetGroupAttributes ?? []).map((a) => [a.key, a.value])),
        tags: {
          ...props.tags,
          ...ownershipTags(this.#clusterId, this.#gatewayKey, `target-group:${id}`),
          // Discovery after a crash reads it: only a record tells which targets are switchyard's.
          ...(props.enableMultiCluster ? { [TAG.multiCluster]: "true" } : {}),
        },
        targets: (isQuic(protocol) ? withQuicServerIds : (t: TargetModel[]) => t)(targets),
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
