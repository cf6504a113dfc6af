/**
 * Route attachment: for each parentRef that names one of our Gateways (or ListenerSets), which
 * listeners take the route and with which hostnames — or the one reason none does.
 * Checks run in the order a user debugs them: the parent exists and the section/port names a
 * listener (NoMatchingParent), a listener allows the route's kind and namespace
 * (NotAllowedByListeners), hostnames intersect (NoMatchingListenerHostname), and the data plane can
 * express the route (UnsupportedValue).
 */
import { intersectHostnames, listenerHostnamesOverlap } from "../gateway-api/hostname.ts";
import { GATEWAY_GROUP, type ParentReference } from "../gateway-api/types.ts";
import { selectorMatches } from "../k8s/labels.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import { compareAge } from "./age.ts";
import { unsupportedRouteFeature } from "./capabilities.ts";
import {
  gatewayAccepted,
  type ResolvedGateway,
  type ResolvedListener,
  type ResolvedParent,
  type ResolvedRoute,
  type RouteAttachment,
} from "./model.ts";

export interface AttachmentContext {
  gateways: ReadonlyMap<string, ResolvedGateway>;
  /** ListenerSet key → the gateway it is part of (only ListenerSets of our gateways). */
  listenerSets: ReadonlyMap<string, { gatewayKey: string; listeners: ResolvedListener[]; accepted: boolean }>;
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>>;
}

const KINDS_WITH_HOSTNAMES = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute"]);

function defaultedParentRef(ref: ParentReference, routeNamespace: string): ParentReference {
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
    // A Gateway refused only for its listeners still says why its listeners would not take the
    // route (conformance TCPRouteInvalidNonTCPListener: NotAllowedByListeners, not NoMatchingParent).
    const rejection =
      listenerSetProblem ??
      (gatewayAccepted(gateway) || gateway.problem
        ? (gatewayProblem(gateway) ?? attach(route, parent, ref, listeners, ctx))
        : (attach(route, parent, ref, listeners, ctx) ?? gatewayProblem(gateway)));
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

/**
 * An HTTPRoute and a GRPCRoute on one listener with intersecting hostnames cannot both be served:
 * the GRPCRoute `hostnames` godoc requires accepting exactly one, the older (then the first by
 * namespace/name). The other loses that listener, and its parent entry is Accepted=False when no
 * listener is left. Runs once every route is attached, so the outcome does not depend on order.
 */
export function rejectHttpGrpcClashes(routes: readonly ResolvedRoute[]): void {
  const listeners = new Set(routes.flatMap((r) => r.parents.flatMap((p) => p.attachments.map((a) => a.listener))));
  const lost = new Map<ResolvedParent, string[]>();
  for (const listener of listeners) {
    // Oldest first: a route only loses to one of the other kind that is itself kept.
    const byAge = listener.attachments
      .filter((a) => a.route.kind === "HTTPRoute" || a.route.kind === "GRPCRoute")
      .sort((a, b) => compareAge(a.route.object, b.route.object));
    if (!byAge.some((a) => a.route.kind === "GRPCRoute") || !byAge.some((a) => a.route.kind === "HTTPRoute")) continue;
    // Kept attachments by kind: a candidate only ever competes with the other kind.
    const kept = { HTTPRoute: [] as RouteAttachment[], GRPCRoute: [] as RouteAttachment[] };
    const losers = new Set<RouteAttachment>();
    for (const candidate of byAge) {
      const mine = candidate.route.kind === "GRPCRoute" ? kept.GRPCRoute : kept.HTTPRoute;
      const others = candidate.route.kind === "GRPCRoute" ? kept.HTTPRoute : kept.GRPCRoute;
      const winner = others.find((k) => hostnamesIntersect(k.hostnames, candidate.hostnames));
      if (!winner) {
        mine.push(candidate);
        continue;
      }
      losers.add(candidate);
      const parent = candidate.route.parents.find((p) => p.parentRefIndex === candidate.parentRefIndex);
      if (parent) lost.set(parent, [...(lost.get(parent) ?? []), `${winner.route.key} on ${listener.id}`]);
    }
    if (losers.size === 0) continue;
    listener.attachments = listener.attachments.filter((a) => !losers.has(a));
    for (const loser of losers) {
      const parent = loser.route.parents.find((p) => p.parentRefIndex === loser.parentRefIndex);
      if (parent) parent.attachments = parent.attachments.filter((a) => a !== loser);
    }
  }
  for (const [parent, where] of lost) {
    if (parent.attachments.length > 0 || parent.acceptedProblem) continue;
    parent.acceptedProblem = problem(
      Reason.NotAllowedByListeners,
      `an HTTPRoute and a GRPCRoute cannot share a hostname on one listener; the older route keeps it: ${[...new Set(where)].join(", ")}`,
    );
  }
}

function hostnamesIntersect(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((x) => b.some((y) => listenerHostnamesOverlap(x, y)));
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
    return problem(Reason.NoMatchingParent, `${parentLabel(ref)} has no listener with ${what}`);
  }
  const routeNamespace = route.object.metadata.namespace ?? "default";
  const ofKind = named.filter((l) => l.supportedKinds.some((k) => k.kind === route.kind));
  const allowed = ofKind.filter((l) => namespaceAllowed(l, routeNamespace, ctx));
  if (allowed.length === 0) {
    const which = `no listener of ${parentLabel(ref)}${ref.sectionName ? ` named ${ref.sectionName}` : ""}`;
    return problem(
      Reason.NotAllowedByListeners,
      ofKind.length === 0
        ? `${which} supports ${route.kind}`
        : `${which} allows ${route.kind}s from namespace ${routeNamespace}`,
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
      `hostnames ${(route.hostnames ?? []).join(", ")} match no listener hostname of ${parentLabel(ref)}`,
    );
  }
  return undefined;
}

/** The parent as the route names it, for messages: a Gateway or a ListenerSet. */
function parentLabel(ref: ParentReference): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
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
