/**
 * Small builders for graph and status tests: plain objects as the API server would send them
 * (defaults applied), grouped into a snapshot and translated without any data-plane build.
 */
import { controllerConfig } from "../../../shared/config.ts";
import type {
  Gateway,
  GatewayClass,
  HTTPRoute,
  Listener,
  ListenerSet,
  ParentReference,
  RouteKind,
  RouteParentStatus,
} from "../../../shared/gateway-api/types.ts";
import type { ResolvedGraph } from "../../../shared/graph/model.ts";
import { resolveGraph } from "../../../shared/graph/resolve.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import {
  computeStatuses,
  type GatewayStatusUpdate,
  type ListenerSetStatusUpdate,
  type RouteStatusUpdate,
  type StatusUpdate,
} from "../../../shared/status/compute.ts";

export const CONFIG = controllerConfig({ acceptAwsControllerNames: true });
const GROUP = "gateway.networking.k8s.io";

export function gatewayClass(name: string, controllerName: string): GatewayClass {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "GatewayClass",
    metadata: { name, generation: 1 },
    spec: { controllerName },
  };
}

export const CLASSES = [
  gatewayClass("alb", "switchyard.dev/alb"),
  gatewayClass("nlb", "switchyard.dev/nlb"),
  gatewayClass("lattice", "switchyard.dev/lattice"),
];

export function gateway(
  name: string,
  className: string,
  listeners: Listener[],
  extra: Partial<NonNullable<Gateway["spec"]>> = {},
): Gateway {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "Gateway",
    metadata: { name, namespace: "infra", generation: 1 },
    spec: { gatewayClassName: className, listeners, ...extra },
  };
}

export function listenerSet(
  namespace: string,
  name: string,
  listeners: Listener[],
  creationTimestamp = "2026-01-01T00:00:00Z",
): ListenerSet {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "ListenerSet",
    metadata: { name, namespace, generation: 1, creationTimestamp },
    spec: { parentRef: { group: GROUP, kind: "Gateway", name: "gw", namespace: "infra" }, listeners },
  };
}

export function httpRoute(
  name: string,
  parentRefs: ParentReference[],
  status?: { parents: RouteParentStatus[] },
): HTTPRoute {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: { name, namespace: "infra", generation: 1 },
    spec: {
      parentRefs: parentRefs.map((r) => ({ group: GROUP, kind: "Gateway", ...r })),
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }],
    },
    ...(status ? { status } : {}),
  };
}

export function graphOf(...objects: KubeObject[]): ResolvedGraph {
  return resolveGraph(snapshotOf([...CLASSES, ...objects]), CONFIG);
}

export function statusesOf(...objects: KubeObject[]): StatusUpdate[] {
  const snapshot = snapshotOf([...CLASSES, ...objects]);
  return computeStatuses(resolveGraph(snapshot, CONFIG), snapshot, Object.keys(CONFIG.controllers));
}

type UpdateOf<K extends string> = K extends "Gateway"
  ? GatewayStatusUpdate
  : K extends "ListenerSet"
    ? ListenerSetStatusUpdate
    : K extends RouteKind
      ? RouteStatusUpdate
      : StatusUpdate;

export function statusOf<K extends "Gateway" | "ListenerSet" | RouteKind>(
  updates: StatusUpdate[],
  kind: K,
  name: string,
): UpdateOf<K> {
  const found = updates.find((u) => u.kind === kind && u.name === name);
  if (!found) throw new Error(`no ${kind} status for ${name}`);
  return found as UpdateOf<K>;
}

export function conditionOf(conditions: readonly { type: string }[], type: string) {
  return conditions.find((c) => c.type === type);
}
