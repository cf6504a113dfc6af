/**
 * Route attachment: for each parentRef that names one of our Gateways (or ListenerSets), which
 * listeners take the route and with which hostnames — or the one reason none does.
 * Checks run in the order a user debugs them: the parent exists and the section/port names a
 * listener (NoMatchingParent), a listener allows the route's kind and namespace
 * (NotAllowedByListeners), hostnames intersect (NoMatchingListenerHostname), and the data plane can
 * express the route (UnsupportedValue).
 */
import { intersectHostnames } from "../gateway-api/hostname.ts";
import { GATEWAY_GROUP, type ParentReference } from "../gateway-api/types.ts";
import { selectorMatches } from "../k8s/labels.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { unsupportedRouteFeature } from "./capabilities.ts";
import {
  gatewayAccepted,
  type ResolvedGateway,
  type ResolvedListener,
  type ResolvedParent,
  type ResolvedRoute,
} from "./model.ts";

export interface AttachmentContext {
  gateways: ReadonlyMap<string, ResolvedGateway>;
  /** ListenerSet key → the gateway it is part of (only ListenerSets of our gateways). */
  listenerSets: ReadonlyMap<string, { gatewayKey: string; listeners: ResolvedListener[]; accepted: boolean }>;
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>>;
}

const KINDS_WITH_HOSTNAMES = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute"]);

export function defaultedParentRef(ref: ParentReference, routeNamespace: string): ParentReference {
  return {
    ...ref,
    group: ref.group ?? GATEWAY_GROUP,
    kind: ref.kind ?? "Gateway",
    namespace: ref.namespace ?? routeNamespace,
  };
}

export function attachRoute(route: ResolvedRoute, ctx: AttachmentContext): void {
  const routeNamespace = route.object.metadata.namespace ?? "default";
  for (const [index, rawRef] of (route.object.spec?.parentRefs ?? []).entries()) {
    const ref = defaultedParentRef(rawRef, routeNamespace);
    if (ref.group !== GATEWAY_GROUP) continue;
    const target = parentTarget(ref, ctx);
    if (!target) continue;
    const { gateway, listeners, listenerSetProblem } = target;
    const parent: ResolvedParent = {
      parentRefIndex: index,
      gatewayKey: gateway.key,
      parentRef: ref,
      dataPlane: gateway.dataPlane,
      attachments: [],
    };
    route.parents.push(parent);
    const rejection = listenerSetProblem ?? gatewayProblem(gateway) ?? attach(route, parent, ref, listeners, ctx);
    if (rejection) {
      parent.acceptedProblem = rejection;
      parent.attachments = [];
      continue;
    }
    const unsupported = unsupportedRouteFeature(gateway.dataPlane, route.object);
    if (unsupported) {
      parent.acceptedProblem = unsupported;
      parent.attachments = [];
      continue;
    }
    for (const attachment of parent.attachments) attachment.listener.attachments.push(attachment);
  }
}

function parentTarget(
  ref: ParentReference,
  ctx: AttachmentContext,
): { gateway: ResolvedGateway; listeners: ResolvedListener[]; listenerSetProblem?: StatusProblem } | undefined {
  const key = `${ref.namespace}/${ref.name}`;
  if (ref.kind === "Gateway") {
    const gateway = ctx.gateways.get(key);
    return gateway ? { gateway, listeners: gateway.listeners } : undefined;
  }
  if (ref.kind === "ListenerSet") {
    const set = ctx.listenerSets.get(key);
    const gateway = set && ctx.gateways.get(set.gatewayKey);
    if (!set || !gateway) return undefined;
    return set.accepted
      ? { gateway, listeners: set.listeners }
      : {
          gateway,
          listeners: [],
          listenerSetProblem: problem(
            Reason.NoMatchingParent,
            `ListenerSet ${key} is not accepted by Gateway ${gateway.key}`,
          ),
        };
  }
  return undefined;
}

function gatewayProblem(gateway: ResolvedGateway): StatusProblem | undefined {
  if (gatewayAccepted(gateway)) return undefined;
  return problem(
    Reason.NoMatchingParent,
    `Gateway ${gateway.key} is not accepted: ${gateway.problem?.message ?? "no valid listeners"}`,
  );
}

function attach(
  route: ResolvedRoute,
  parent: ResolvedParent,
  ref: ParentReference,
  listeners: readonly ResolvedListener[],
  ctx: AttachmentContext,
): StatusProblem | undefined {
  const named = listeners.filter(
    (l) =>
      (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port),
  );
  if (named.length === 0) {
    const what = [ref.sectionName && `sectionName ${ref.sectionName}`, ref.port !== undefined && `port ${ref.port}`]
      .filter(Boolean)
      .join(" and ");
    return problem(Reason.NoMatchingParent, `Gateway ${parent.gatewayKey} has no listener with ${what}`);
  }
  const routeNamespace = route.object.metadata.namespace ?? "default";
  const allowed = named.filter(
    (l) => l.supportedKinds.some((k) => k.kind === route.kind) && namespaceAllowed(l, routeNamespace, ctx),
  );
  if (allowed.length === 0) {
    return problem(
      Reason.NotAllowedByListeners,
      `no listener of Gateway ${parent.gatewayKey}${ref.sectionName ? ` named ${ref.sectionName}` : ""} allows ${route.kind}s from namespace ${routeNamespace}`,
    );
  }
  for (const listener of allowed) {
    const hostnames = KINDS_WITH_HOSTNAMES.has(route.kind)
      ? intersectHostnames(listener.hostname, route.hostnames)
      : undefined;
    if (hostnames !== undefined && hostnames.length === 0) continue;
    parent.attachments.push({ route, parentRefIndex: parent.parentRefIndex, listener, hostnames });
  }
  if (parent.attachments.length === 0) {
    return problem(
      Reason.NoMatchingListenerHostname,
      `hostnames ${(route.hostnames ?? []).join(", ")} match no listener hostname of Gateway ${parent.gatewayKey}`,
    );
  }
  return undefined;
}

function namespaceAllowed(listener: ResolvedListener, routeNamespace: string, ctx: AttachmentContext): boolean {
  switch (listener.allowedRoutes.from) {
    case "All":
      return true;
    case "Same":
      return routeNamespace === listener.origin.namespace;
    case "Selector":
      return selectorMatches(listener.allowedRoutes.selector, ctx.namespaceLabels(routeNamespace));
    default:
      return false;
  }
}
