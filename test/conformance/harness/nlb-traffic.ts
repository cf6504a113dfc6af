/**
 * Connections through a Gateway's Network Load Balancer model, judged as the suite's layer-4
 * helpers judge real ones (utils/tcp, utils/udp, utils/tls, utils/weight).
 *
 * A connection goes to the Gateway's address and port and is evaluated by the pure NLB evaluator
 * (shared/elb/nlb-evaluate.ts): the listener on the port, whether it carries the protocol, what TLS
 * does there, and the weighted target groups. Every target of a group answers with its pod: the
 * echo servers report their pod name and namespace (TCP, UDP, HTTP over TLS), the UDP one also its
 * SERVICE_NAME. What reaches the pod is the client's bytes unchanged (TCP and passthrough
 * listeners: the pod terminates TLS itself and sees the SNI), or plain TCP after a TLS listener.
 *
 * NLB never answers on its own: a connection it drops (no listener, a protocol the listener does
 * not carry) or one whose share falls on a target group without targets is not answered — the
 * client times out. No connection is ever reset, which is what the suite's rejection checks need.
 */
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { evaluateNlbConnection, type NlbClientProtocol } from "../../../shared/elb/nlb-evaluate.ts";
import type { Pod } from "./cluster.ts";
import type { MatchRequest } from "./route-match.ts";
import {
  type CaseVerdict,
  type Delivery,
  type Exchange,
  echoResponseHeaders,
  lowerHeaders,
  type Target,
  type TrafficEnv,
  type Transmission,
} from "./traffic.ts";

/** One way a connection can end, with its probability. */
export interface L4Exchange {
  probability: number;
  via: string;
  /** The pod that answers; absent when nobody answers (an empty target group, a target that is no pod). */
  pod?: Pod;
  /** What the pod receives: the client's bytes, or plain TCP after a TLS listener terminated TLS. */
  delivered: "as-sent" | "tls-terminated";
  port?: number;
}

export type L4Delivery =
  | { ok: true; exchanges: L4Exchange[]; gatewayKey: string }
  | { ok: false; error: string; gatewayKey: string };

export function nlbModelOf(env: TrafficEnv, gatewayKey: string): LoadBalancerModel | undefined {
  return env.translation.loadBalancers.find((b) => b.model.gatewayKey === gatewayKey && b.model.type === "network")
    ?.model;
}

/** Opens one connection through the Gateway's NLB model: every way it can end, with its odds. */
export function connect(
  env: TrafficEnv,
  target: Target,
  protocol: NlbClientProtocol,
  sni: string | undefined,
): L4Delivery {
  const gatewayKey = target.gatewayKey;
  const model = nlbModelOf(env, gatewayKey);
  if (!model)
    return { ok: false, error: `Gateway ${gatewayKey} has no Network Load Balancer in the model`, gatewayKey };
  if (target.port === undefined) return { ok: false, error: "the address carries no port", gatewayKey };
  const outcome = evaluateNlbConnection(model, { protocol, port: target.port, ...(sni ? { sni } : {}) });
  if (outcome.kind === "dropped") return { ok: false, error: `not answered: ${outcome.detail}`, gatewayKey };
  if (outcome.kind === "tls-handshake-failed") {
    return { ok: false, error: `TLS handshake failed: ${outcome.detail}`, gatewayKey };
  }
  const exchanges: L4Exchange[] = [];
  for (const group of outcome.targetGroups) {
    const tg = model.targetGroups.find((g) => g.id === group.targetGroupId);
    const label = tg?.backend || group.targetGroupId;
    const via = `${outcome.listenerId} → ${label}`;
    if (group.targets.length === 0) {
      exchanges.push({
        probability: group.share,
        via: `${via}, which has no targets: not answered`,
        delivered: outcome.delivered,
      });
      continue;
    }
    for (const { target: t, share } of group.targets) {
      const pod = env.cluster.podByIp(t.id);
      exchanges.push({
        probability: share,
        via: pod ? `${via} → pod ${pod.namespace}/${pod.name}` : `${via} → ${t.id}, which is no pod: not answered`,
        ...(pod ? { pod } : {}),
        delivered: outcome.delivered,
        port: t.port,
      });
    }
  }
  return { ok: true, exchanges, gatewayKey };
}

function odds(exchanges: readonly L4Exchange[]): string {
  return exchanges.length > 1 ? ` (one of ${exchanges.length} possible connections)` : "";
}

function vias(exchanges: readonly L4Exchange[]): string {
  return [...new Set(exchanges.map((e) => e.via))].join("; ");
}

/** A value the extractor left as `$runtime`, resolved by the caller; undefined when unknown. */
export type RuntimeResolver = (value: unknown) => string | undefined;

export interface TcpCase {
  backend: string;
  namespace: string;
  backendIsTLS?: boolean;
  hostname?: unknown;
}

/**
 * tcp.MakeTCPRequestAndExpectEventuallyValidResponse: the tcp echo server greets, answers PING,
 * says whether it speaks TLS (IS_TLS) and reports pod, namespace and the SNI it saw (TEST).
 */
export function checkTcpCase(
  env: TrafficEnv,
  target: Target,
  c: TcpCase,
  args: Record<string, unknown> | undefined,
  resolve: RuntimeResolver,
): CaseVerdict {
  const useTls = args?.useTLS === true;
  const sni = resolve(args?.serverName);
  const delivery = connect(env, target, useTls ? "TLS" : "TCP", sni);
  const where = { gatewayKey: target.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  const hostname = resolve(c.hostname) ?? "";
  for (const ex of delivery.exchanges) {
    const pod = ex.pod;
    if (!pod) return { ok: false, detail: `${ex.via}${odds(delivery.exchanges)}`, ...where };
    if (pod.namespace !== c.namespace) {
      return {
        ok: false,
        detail: `answered from namespace ${pod.namespace}, expected ${c.namespace} (${ex.via})`,
        ...where,
      };
    }
    if (!pod.name.startsWith(`${c.backend}-`)) {
      return { ok: false, detail: `answered by pod ${pod.name}, expected ${c.backend}-* (${ex.via})`, ...where };
    }
    const backendTls = useTls && ex.delivered === "as-sent";
    if (backendTls !== (c.backendIsTLS === true)) {
      return {
        ok: false,
        detail: `the backend ${backendTls ? "terminated" : "did not terminate"} TLS, expected IS_TLS ${c.backendIsTLS === true} (${ex.via})`,
        ...where,
      };
    }
    const seenSni = backendTls ? (sni ?? "") : "";
    if (hostname !== "" && seenSni !== hostname) {
      return { ok: false, detail: `the backend saw SNI "${seenSni}", expected ${hostname} (${ex.via})`, ...where };
    }
  }
  return { ok: true, detail: vias(delivery.exchanges), ...where };
}

/** udp.ExpectEchoResponseFromBackend (a service and/or namespace) or udp.ExpectEchoResponse (none). */
export function checkUdpCase(
  env: TrafficEnv,
  target: Target,
  c: { service?: string; namespace?: string },
): CaseVerdict {
  const delivery = connect(env, target, "UDP", undefined);
  const where = { gatewayKey: target.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  for (const ex of delivery.exchanges) {
    const pod = ex.pod;
    if (!pod) return { ok: false, detail: `no echo: ${ex.via}${odds(delivery.exchanges)}`, ...where };
    const service = pod.env?.SERVICE_NAME ?? "";
    if (c.service && service !== c.service) {
      return { ok: false, detail: `echo from service "${service}", expected ${c.service} (${ex.via})`, ...where };
    }
    if (c.namespace && pod.namespace !== c.namespace) {
      return {
        ok: false,
        detail: `echo from namespace ${pod.namespace}, expected ${c.namespace} (${ex.via})`,
        ...where,
      };
    }
  }
  return { ok: true, detail: vias(delivery.exchanges), ...where };
}

/** tcp.ExpectAddressBeAvailable: a TCP connection completes, which on NLB means a target accepted it. */
export function checkTcpAvailable(env: TrafficEnv, target: Target): CaseVerdict {
  const delivery = connect(env, target, "TCP", undefined);
  const where = { gatewayKey: target.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  const unanswered = delivery.exchanges.find((e) => !e.pod);
  return unanswered
    ? { ok: false, detail: `${unanswered.via}${odds(delivery.exchanges)}`, ...where }
    : { ok: true, detail: vias(delivery.exchanges), ...where };
}

/**
 * tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection: the TLS dial must end in a reset or
 * EOF. An NLB resets nothing: a connection it forwards reaches a backend whatever the SNI, and one
 * it cannot forward is not answered.
 */
export function checkTlsRejection(env: TrafficEnv, target: Target, sni: string | undefined): CaseVerdict {
  const delivery = connect(env, target, "TLS", sni);
  const where = { gatewayKey: target.gatewayKey };
  if (!delivery.ok) {
    return {
      ok: false,
      detail: `${delivery.error}; the client times out where the suite waits for a reset or EOF`,
      ...where,
    };
  }
  const answered = delivery.exchanges.find((e) => e.pod);
  if (answered) {
    return {
      ok: false,
      detail: `SNI ${sni ?? "(none)"} reaches ${answered.via}: NLB does not route by SNI, so it refuses no name`,
      recognised: "no-sni-routing",
      ...where,
    };
  }
  return {
    ok: false,
    detail: `${vias(delivery.exchanges)}; the client times out where the suite waits for a reset or EOF`,
    ...where,
  };
}

/** weight.TestWeightedDistribution over raw TCP or UDP echo senders: shares by pod-name prefix, exactly. */
export function checkL4Weights(
  env: TrafficEnv,
  target: Target,
  weights: Record<string, number>,
  protocol: "TCP" | "UDP",
): CaseVerdict {
  const delivery = connect(env, target, protocol, undefined);
  const where = { gatewayKey: target.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  const keys = Object.keys(weights).sort((a, b) => b.length - a.length);
  const got: Record<string, number> = Object.fromEntries(Object.keys(weights).map((k) => [k, 0]));
  for (const ex of delivery.exchanges) {
    const key = keys.find((k) => ex.pod?.name.startsWith(k));
    if (key === undefined) {
      return { ok: false, detail: `a sample reaches ${ex.pod?.name ?? "no pod"} (${ex.via})`, ...where };
    }
    got[key] = (got[key] ?? 0) + ex.probability;
  }
  const shares = Object.entries(got)
    .map(([k, v]) => `${k} ${Math.round(v * 10000) / 100}%`)
    .join(", ");
  const wrong = Object.entries(weights).some(([k, v]) => Math.abs((got[k] ?? 0) - v) > 1e-9);
  return wrong
    ? {
        ok: false,
        detail: `shares ${shares}; expected ${Object.entries(weights)
          .map(([k, v]) => `${k} ${v * 100}%`)
          .join(", ")}`,
        ...where,
      }
    : { ok: true, detail: `shares ${shares}`, ...where };
}

/** Every pod a TCP connection can reach, for the Go-written per-sample checks (tcp.EchoSendOnce). */
export function reachablePods(env: TrafficEnv, target: Target): { pods: Pod[]; error?: string; via: string } {
  const delivery = connect(env, target, "TCP", undefined);
  if (!delivery.ok) return { pods: [], error: delivery.error, via: "" };
  const missing = delivery.exchanges.find((e) => !e.pod);
  return {
    pods: delivery.exchanges.flatMap((e) => (e.pod ? [e.pod] : [])),
    ...(missing ? { error: missing.via } : {}),
    via: vias(delivery.exchanges),
  };
}

/**
 * An HTTP request (HTTPS over TLS) through the NLB: the pod behind the listener answers it as the
 * echo server does. Through TCP and passthrough listeners the request arrives as sent (the pod
 * terminates TLS); after a TLS listener it arrives in plain text. No headers are added.
 */
export function deliverNlb(
  env: TrafficEnv,
  target: Target,
  tx: Transmission,
  base: { matchRequest: MatchRequest; gatewayKey: string },
): Delivery {
  const delivery = connect(
    env,
    { ...target, port: target.port ?? (tx.scheme === "https" ? 443 : 80) },
    tx.scheme === "https" ? "TLS" : "TCP",
    tx.scheme === "https" ? tx.host.replace(/:\d+$/, "") : undefined,
  );
  if (!delivery.ok) return { ok: false, error: delivery.error, ...base };
  const exchanges: Exchange[] = delivery.exchanges.map((ex) =>
    ex.pod
      ? {
          probability: ex.probability,
          status: 200,
          via: ex.via,
          pod: ex.pod,
          seen: {
            host: tx.host,
            method: tx.method,
            uri: tx.query ? `${tx.path}?${tx.query}` : tx.path,
            headers: lowerHeaders(tx.headers),
            port: ex.port ?? 0,
          },
          responseHeaders: echoResponseHeaders(tx.headers),
        }
      : { probability: ex.probability, status: 0, via: ex.via, responseHeaders: {} },
  );
  if (exchanges.every((e) => e.status === 0)) {
    return { ok: false, error: `not answered: ${vias(delivery.exchanges)}`, ...base };
  }
  return { ok: true, exchanges, ...base };
}
