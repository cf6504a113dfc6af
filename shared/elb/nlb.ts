/**
 * A Gateway of an NLB class → the desired Network Load Balancer. NLB listeners have no rules, only
 * a default forward (to one target group, or to several by weight 0–999), so each listener serves
 * one route: the oldest attached one, its backends weighted as the route weighs them. Newer TCP and
 * UDP routes stay Accepted without traffic (the Gateway API's oldest-route rule); newer TLSRoutes
 * are refused, since only SNI could tell them apart and NLB does not route by SNI.
 * TCP and UDP listeners on one port merge into a TCP_UDP listener when their routes share a
 * backend; TLS passthrough is plain TCP; TLS terminate carries certificates.
 */

import { compareAge } from "../graph/age.ts";
import type { ResolvedBackend, ResolvedGateway, ResolvedListener, ResolvedRoute } from "../graph/model.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import type { ElbBuild, ElbBuildContext } from "./context.ts";
import { elbBuild, elbEnvelope } from "./envelope.ts";
import { isQuic, listenerAttributes, nlbForward, quicListenerProtocol } from "./listener-features.ts";
import type { ListenerModel } from "./model.ts";
import type { ListenerProtocol } from "./rules.ts";
import { TargetGroupSet, type TargetProtocol, targetGroupProps } from "./target-groups.ts";

interface WeightedBackend {
  backend: ResolvedBackend;
  weight: number;
}

/** What an L4 route's one rule forwards to: valid backends by weight, and the invalid references' share. */
interface L4Forward {
  backends: WeightedBackend[];
  /** Weight of backendRefs that do not resolve: their share of connections goes to an empty group. */
  invalidWeight: number;
}

interface Served {
  listener: ResolvedListener;
  route: ResolvedRoute;
  forward: L4Forward;
}

/** NLB target group weights are 0–999 (weighted target groups for Network Load Balancers). */
const MAX_NLB_WEIGHT = 999;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The forward of an L4 route's rule, or why a Network Load Balancer cannot express it. */
function l4Forward(route: ResolvedRoute): L4Forward | StatusProblem {
  if (route.rules.length > 1) {
    return problem(
      Reason.UnsupportedValue,
      `spec.rules: ${route.rules.length} rules; a Network Load Balancer listener has no rules, only one default action, so an L4 route may have one rule`,
    );
  }
  const forward: L4Forward = { backends: [], invalidWeight: 0 };
  for (const backend of route.rules[0]?.backends ?? []) {
    if (backend.weight === 0) continue;
    if (backend.problem) {
      forward.invalidWeight += backend.weight;
      continue;
    }
    if (backend.kind === "ServiceImport") {
      return problem(
        Reason.UnsupportedValue,
        `spec.rules[0].backendRefs[${backend.index}]: ServiceImport backends are supported on VPC Lattice Gateways only`,
      );
    }
    forward.backends.push({ backend, weight: backend.weight });
  }
  const weights = [
    ...forward.backends.map((b) => b.weight),
    ...(forward.invalidWeight > 0 ? [forward.invalidWeight] : []),
  ];
  const divisor = weights.reduce((d, w) => gcd(d, w), 0) || 1;
  if (
    forward.backends.length + (forward.invalidWeight > 0 ? 1 : 0) > 1 &&
    weights.some((w) => w / divisor > MAX_NLB_WEIGHT)
  ) {
    return problem(
      Reason.UnsupportedValue,
      `spec.rules[0].backendRefs: weights ${weights.join("/")} cannot be expressed exactly within a Network Load Balancer's target group weights 0–${MAX_NLB_WEIGHT}`,
    );
  }
  return forward;
}

function backendKey(b: ResolvedBackend): string {
  return `${b.namespace}/${b.name}:${b.port}`;
}

/** Two routes on one port share a TCP_UDP listener only if they forward alike. */
function forwardKey(f: L4Forward): string {
  return [...f.backends.map((b) => `${backendKey(b.backend)}=${b.weight}`).sort(), `invalid=${f.invalidWeight}`].join(
    ",",
  );
}

export function buildNlb(gateway: ResolvedGateway, ctx: ElbBuildContext): ElbBuild {
  const elb = elbEnvelope(gateway, ctx);
  const { envelope, settings } = elb;
  const { routeProblems } = envelope;
  const targetGroups = new TargetGroupSet(ctx.clusterId, gateway.key, {
    type: "network",
    nodes: ctx.snapshot.nodes,
    defaultConfigs: settings.defaultTargetGroupConfigs,
  });

  const served: Served[] = [];
  for (const listener of envelope.listeners) {
    const candidates = listener.attachments
      .map((a) => a.route)
      .filter((r) => !routeProblems.has(r.key))
      .sort((a, b) => compareAge(a.object, b.object));
    let winner: Served | undefined;
    for (const route of candidates) {
      const forward = l4Forward(route);
      if ("reason" in forward) {
        routeProblems.set(route.key, forward);
        continue;
      }
      if (winner) {
        // TCPRoute and UDPRoute: every route is Accepted and the oldest receives the traffic, as
        // the Gateway API prescribes (conformance TCPRouteMultipleRoutesAttachment). TLSRoutes are
        // told apart by SNI, which an NLB listener cannot do: the newer ones are refused.
        if (route.kind === "TLSRoute") {
          routeProblems.set(
            route.key,
            problem(
              Reason.UnsupportedValue,
              `listener ${listener.name} already serves ${winner.route.key} (the oldest route); a Network Load Balancer listener cannot choose between routes: it does not route by SNI`,
            ),
          );
        }
        continue;
      }
      winner = { listener, route, forward };
    }
    if (winner) served.push(winner);
  }

  const listeners: ListenerModel[] = [];
  const byPort = new Map<number, Served[]>();
  for (const s of served) byPort.set(s.listener.port, [...(byPort.get(s.listener.port) ?? []), s]);
  for (const [port, all] of [...byPort.entries()].sort((a, b) => a[0] - b[0])) {
    let group = all;
    const key = (s: Served) => forwardKey(s.forward);
    if (new Set(group.map(key)).size > 1) {
      // One port is one NLB listener with one default action: the oldest route keeps the port.
      const oldest = [...group].sort((a, b) => compareAge(a.route.object, b.route.object))[0];
      group = group.filter((s) => key(s) === (oldest ? key(oldest) : ""));
      const names = [...new Set(all.map((s) => s.listener.name))].join(", ");
      for (const s of all.filter((x) => !group.includes(x))) {
        routeProblems.set(
          s.route.key,
          problem(
            Reason.UnsupportedValue,
            `Gateway listeners ${names} share port ${port}, which is one Network Load Balancer listener with one default action (NLB routes by neither hostname nor SNI), so their routes must forward to the same backends with the same weights as ${oldest?.route.key}`,
          ),
        );
      }
    }
    const protocols = new Set(group.map((s) => s.listener.protocol));
    const first = group[0];
    if (!first) continue;
    let protocol: ListenerProtocol;
    let tgProtocol: TargetProtocol;
    if (protocols.has("TCP") && protocols.has("UDP")) {
      protocol = "TCP_UDP";
      tgProtocol = "TCP_UDP";
    } else if (first.listener.protocol === "TLS") {
      protocol = first.listener.tlsMode === "Passthrough" ? "TCP" : "TLS";
      tgProtocol = "TCP";
    } else {
      protocol = first.listener.protocol === "UDP" ? "UDP" : "TCP";
      tgProtocol = protocol;
    }
    // Listener configurations are keyed as the AWS Load Balancer Controller keys them: before QUIC.
    const config = settings.listenerConfigurations.get(`${protocol}:${port}`);
    protocol = quicListenerProtocol(protocol, config);
    if (isQuic(protocol)) tgProtocol = protocol;
    const id = `${protocol}:${port}`;
    const route = first.route;
    const routeRef = {
      kind: route.kind,
      namespace: route.object.metadata.namespace ?? "default",
      name: route.object.metadata.name,
    };
    const parts: { id: string; weight: number }[] = [];
    let refused: StatusProblem | undefined;
    for (const b of first.forward.backends) {
      const id = targetGroups.forBackend(
        b.backend,
        tgProtocol,
        undefined,
        targetGroupProps(ctx.targetGroupConfigs, b.backend, routeRef, targetGroups.defaultConfigs),
      );
      if (typeof id !== "string") {
        refused = { ...id, message: `spec.rules[0].backendRefs[${b.backend.index}]: ${id.message}` };
        break;
      }
      parts.push({ id, weight: b.weight });
    }
    if (refused) {
      // The props cannot apply to this backend: the routes of the port are not programmed.
      for (const s of group) routeProblems.set(s.route.key, refused);
      continue;
    }
    // Invalid references keep their share, sent to a group without targets; no backend at all → the sink alone.
    if (first.forward.invalidWeight > 0 || parts.length === 0) {
      parts.push({ id: targetGroups.sink(tgProtocol), weight: first.forward.invalidWeight || 1 });
    }
    const merged = new Map<string, number>();
    for (const p of parts) merged.set(p.id, (merged.get(p.id) ?? 0) + p.weight);
    const divisor = [...merged.values()].reduce((d, w) => gcd(d, w), 0) || 1;
    const weighted = [...merged].map(([targetGroupId, weight]) => ({ targetGroupId, weight: weight / divisor }));
    const [firstGroup] = weighted;
    if (!firstGroup) continue;
    // One target group: weight 1, which AWS reports for every plain forward anyway.
    const forwardAction = {
      ...nlbForward(firstGroup.targetGroupId, config),
      ...(weighted.length > 1 ? { targetGroups: weighted } : {}),
    };
    const listener: ListenerModel = {
      id,
      port,
      protocol,
      defaultActions: [forwardAction],
      rules: [],
      gatewayListeners: group.map((s) => s.listener.id),
      tags: envelope.tagsFor(`listener:${id}`),
      ...listenerAttributes(config),
    };
    if (protocol === "TLS") {
      const certificates = envelope.certificates({
        listenerId: id,
        gatewayListeners: group.map((s) => s.listener),
        routeHostnames: group.flatMap((s) => s.route.hostnames ?? []),
        config,
      });
      if (!certificates) continue;
      listener.certificates = certificates;
      if (config?.sslPolicy) listener.sslPolicy = config.sslPolicy;
      if (config?.alpnPolicy) listener.alpnPolicy = config.alpnPolicy;
    }
    listeners.push(listener);
  }
  return elbBuild(elb, ctx, "network", listeners, targetGroups.all());
}
