/**
 * Requests through a Gateway's VPC Lattice model. A service network has no address of its own: a
 * client reaches one service by its custom domain name or generated DNS name. The harness's Gateway
 * address (`<gateway>.lattice.example`) stands for the DNS name the Gateway status publishes: its
 * Gateway service, merging every route without a hostname (shared/lattice/gateway-service.ts), or
 * with the Gateway service opted out the oldest such route's (shared/lattice/explain.ts
 * resolveService); any other host reaches the service whose custom domain name it is, or nothing. Then:
 *
 * - no service for the host, or no listener on the port → the connection fails (a missing service is
 *   marked `unanswered`: the Gateway address without its service, or a host no service has);
 * - HTTPS to a non-HTTPS listener, or to a custom domain without a certificate → TLS fails;
 * - cleartext HTTP/2 (h2c) → refused: Lattice HTTP listeners are not documented to accept it;
 * - the listener's rules are evaluated by shared/lattice/evaluate.ts; a forward reaches the pods
 *   behind the target group's IP targets (a group without targets, such as the sink of invalid
 *   backends, answers 503); a fixed response answers its code. The target sees the request
 *   unchanged (Lattice has no rewrites) plus the x-forwarded headers Lattice documents.
 */
import type { LatticeOutcome } from "../../../shared/lattice/evaluate.ts";
import { evaluateLatticeListener } from "../../../shared/lattice/evaluate.ts";
import { hostName, networkServices, resolveService } from "../../../shared/lattice/explain.ts";
import type { LatticeListenerModel, LatticeModel } from "../../../shared/lattice/model.ts";
import type { MatchRequest } from "./route-match.ts";
import {
  DEFAULT_PORT,
  type Delivery,
  type Exchange,
  echoResponseHeaders,
  lowerHeaders,
  type Target,
  type TrafficEnv,
  type Transmission,
} from "./traffic.ts";

function describeRule(service: string, listener: LatticeListenerModel, outcome: LatticeOutcome): string {
  if (outcome.rulePriority === "default") return `${service} ${listener.id} default action`;
  const rule = listener.rules.find((r) => r.priority === outcome.rulePriority);
  return `${service} ${listener.id} rule ${outcome.rulePriority}${rule ? ` (${rule.source.route} rule ${rule.source.rule} match ${rule.source.match})` : ""}`;
}

export function deliverLattice(
  env: TrafficEnv,
  target: Target,
  tx: Transmission,
  model: LatticeModel,
  base: { matchRequest: MatchRequest; gatewayKey: string },
): Delivery {
  const port = target.port ?? DEFAULT_PORT[tx.scheme];
  const network = networkServices(model, env.translation.lattice.gateways);
  const found = resolveService(model, tx.host, target.address, network);
  if (!found) {
    return {
      ok: false,
      error: `no VPC Lattice service of ${model.gatewayKey}'s network answers host ${tx.host}`,
      unanswered: hostName(tx.host) === hostName(target.address) ? "gateway-address" : "unknown-host",
      ...base,
    };
  }
  const { service } = found;
  const listener = service.listeners.find((l) => l.port === port);
  if (!listener) {
    return {
      ok: false,
      error: `connection refused: service ${service.name} has no listener on port ${port} (has ${service.listeners.map((l) => l.id).join(", ") || "none"})`,
      ...base,
    };
  }
  // TLS passthrough: the backend terminates TLS; the listener forwards by its default action.
  const passthrough = tx.scheme === "https" && listener.protocol === "TLS_PASSTHROUGH";
  if (tx.scheme === "https" && listener.protocol !== "HTTPS" && !passthrough) {
    return {
      ok: false,
      error: `TLS handshake failed: ${listener.id} of ${service.name} is not an HTTPS listener`,
      ...base,
    };
  }
  if (tx.scheme === "https" && !passthrough && service.customDomainName && !service.certificateArn) {
    return {
      ok: false,
      error: `TLS handshake failed: ${service.name} has no certificate for ${service.customDomainName}`,
      ...base,
    };
  }
  if (tx.h2c)
    return { ok: false, error: `${listener.id} of ${service.name} does not accept cleartext HTTP/2 (h2c)`, ...base };
  if (tx.scheme === "http" && listener.protocol === "HTTPS") {
    return {
      ok: true,
      exchanges: [{ probability: 1, status: 400, via: `${listener.id} (plain HTTP to HTTPS)`, responseHeaders: {} }],
      ...base,
    };
  }
  const headers = lowerHeaders(tx.headers);
  // What the target sees: the request plus the x-forwarded headers Lattice adds ("HTTP targets").
  const forwarded = {
    ...headers,
    "x-forwarded-for": ["198.18.0.10"],
    "x-forwarded-for-port": [String(port)],
    "x-forwarded-for-proto": [tx.scheme],
  };
  const outcome = evaluateLatticeListener(passthrough ? [] : listener.rules, listener.defaultAction, {
    method: tx.method,
    path: tx.path,
    headers,
  });
  const via = describeRule(service.name, listener, outcome);
  if (outcome.kind === "fixed-response") {
    return {
      ok: true,
      exchanges: [
        {
          probability: 1,
          status: outcome.statusCode,
          via: `${via}: respond ${outcome.statusCode}`,
          responseHeaders: {},
        },
      ],
      ...base,
    };
  }
  const exchanges: Exchange[] = [];
  // The service may be built by another parent Gateway: its target groups are in that model.
  const groups = env.translation.lattice.gateways.flatMap((b) => b.model.targetGroups);
  for (const share of outcome.targetGroups) {
    if (share.share === 0) continue;
    const group = groups.find((g) => g.id === share.targetGroupId);
    const label = group?.backend || share.targetGroupId;
    if (!group || group.targets.length === 0) {
      exchanges.push({
        probability: share.share,
        status: 503,
        via: `${via}: forward to ${label}, which has no targets (503)`,
        responseHeaders: {},
      });
      continue;
    }
    for (const t of group.targets) {
      const pod = env.cluster.podByIp(t.id);
      const probability = share.share / group.targets.length;
      if (!pod) {
        exchanges.push({ probability, status: 502, via: `${via}: target ${t.id} is no pod`, responseHeaders: {} });
        continue;
      }
      exchanges.push({
        probability,
        status: 200,
        via: `${via}: forward to ${label} → pod ${pod.namespace}/${pod.name}`,
        pod,
        seen: {
          host: tx.host,
          method: tx.method,
          uri: tx.query ? `${tx.path}?${tx.query}` : tx.path,
          headers: forwarded,
          port: t.port,
        },
        responseHeaders: echoResponseHeaders(tx.headers),
      });
    }
  }
  return { ok: true, exchanges, ...base };
}
