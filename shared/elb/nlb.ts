/**
 * A Gateway of an NLB class → the desired Network Load Balancer. NLB listeners have no rules and
 * forward to exactly one target group, so each listener serves one route: the oldest attached one.
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

interface Served {
  listener: ResolvedListener;
  route: ResolvedRoute;
  backend: ResolvedBackend | undefined;
}

/** The one backend an L4 route forwards to, or why it has none that NLB can express. */
function singleBackend(route: ResolvedRoute): { backend: ResolvedBackend | undefined } | StatusProblem {
  const live = route.rules.flatMap((r) => r.backends).filter((b) => b.weight > 0);
  if (route.rules.length > 1) {
    return problem(
      Reason.UnsupportedValue,
      `spec.rules: ${route.rules.length} rules; a Network Load Balancer listener forwards to one target group, so an L4 route may have one rule`,
    );
  }
  const valid = live.filter((b) => !b.problem);
  if (valid.length > 1 || (valid.length === 1 && live.length > 1)) {
    return problem(
      Reason.UnsupportedValue,
      "spec.rules[0].backendRefs: a Network Load Balancer listener forwards to exactly one target group; weighted L4 backends are not supported",
    );
  }
  if (valid[0]?.kind === "ServiceImport") {
    return problem(
      Reason.UnsupportedValue,
      "spec.rules[0].backendRefs[0]: ServiceImport backends are supported on VPC Lattice Gateways only",
    );
  }
  return { backend: valid[0] };
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
      const choice = singleBackend(route);
      if ("reason" in choice) {
        routeProblems.set(route.key, choice);
        continue;
      }
      if (winner) {
        routeProblems.set(
          route.key,
          problem(
            Reason.UnsupportedValue,
            `listener ${listener.name} already serves ${winner.route.key} (the oldest route); a Network Load Balancer listener cannot choose between routes`,
          ),
        );
        continue;
      }
      winner = { listener, route, backend: choice.backend };
    }
    if (winner) served.push(winner);
  }

  const listeners: ListenerModel[] = [];
  const byPort = new Map<number, Served[]>();
  for (const s of served) byPort.set(s.listener.port, [...(byPort.get(s.listener.port) ?? []), s]);
  for (const [port, all] of [...byPort.entries()].sort((a, b) => a[0] - b[0])) {
    let group = all;
    const backendKey = (s: Served) => (s.backend ? `${s.backend.namespace}/${s.backend.name}:${s.backend.port}` : "");
    if (new Set(group.map(backendKey)).size > 1) {
      // One TCP_UDP listener forwards to one target group: the oldest route keeps the port.
      const oldest = [...group].sort((a, b) => compareAge(a.route.object, b.route.object))[0];
      group = group.filter((s) => backendKey(s) === (oldest ? backendKey(oldest) : ""));
      for (const s of all.filter((x) => !group.includes(x))) {
        routeProblems.set(
          s.route.key,
          problem(
            Reason.UnsupportedValue,
            `TCP and UDP on port ${port} share one TCP_UDP listener, so their routes must use the same backend as ${oldest?.route.key}`,
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
    const backend = first.backend;
    const tgId = backend
      ? targetGroups.forBackend(
          backend,
          tgProtocol,
          undefined,
          targetGroupProps(
            ctx.targetGroupConfigs,
            backend,
            {
              kind: first.route.kind,
              namespace: first.route.object.metadata.namespace ?? "default",
              name: first.route.object.metadata.name,
            },
            targetGroups.defaultConfigs,
          ),
        )
      : targetGroups.sink(tgProtocol);
    if (typeof tgId !== "string") {
      // The props cannot apply to this backend: the routes of the port are not programmed.
      for (const s of group)
        routeProblems.set(s.route.key, { ...tgId, message: `spec.rules[0].backendRefs[0]: ${tgId.message}` });
      continue;
    }
    const listener: ListenerModel = {
      id,
      port,
      protocol,
      defaultActions: [nlbForward(tgId, config)],
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
