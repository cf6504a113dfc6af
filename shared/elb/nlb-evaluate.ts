/**
 * What a Network Load Balancer does with one client connection, from the desired model alone: a
 * pure model of NLB's documented behaviour ("Listeners for your Network Load Balancers", "Server
 * certificates for your Network Load Balancer", "Create a listener", the QUIC and weighted target
 * group launch posts of AWS Networking & Content Delivery).
 *
 * - A listener is a protocol and a port; a load balancer has at most one listener per port. A
 *   connection to a port without a listener, or one the listener's protocol does not carry (UDP to
 *   a TCP listener, TCP to a UDP one), is "unexpected traffic", which NLB drops without forwarding
 *   it and without answering: the client sees a timeout, never a reset.
 * - TCP listeners carry TCP and pass TLS through untouched; UDP listeners carry UDP datagrams,
 *   QUIC included (QUIC runs over UDP); TCP_UDP carries both on one port. TLS listeners terminate
 *   TLS: the certificate is chosen by the ClientHello's SNI from the listener's certificate list,
 *   the default certificate when SNI is absent or matches none, and the connection is then
 *   forwarded by the same default action whatever the SNI was. NLB has no listener rules: SNI
 *   selects a certificate, never a target group. A client that does not start TLS on a TLS
 *   listener fails the handshake.
 * - QUIC listeners carry QUIC (and TCP_QUIC also TCP). A packet whose connection ID carries a
 *   server ID goes to the registered target with that ID; other packets (a new connection) are
 *   spread by flow hash. A UDP listener reads no connection IDs: QUIC through it is plain UDP.
 *   Not documented, and so reported as not delivered rather than guessed: a server ID no target
 *   has (`unknown-quic-server-id`), and non-QUIC datagrams to a QUIC listener
 *   (`protocol-not-carried`).
 * - The default action forwards to one target group, or across several by weight (0–999): each
 *   target group's share of new flows is its weight over the sum. A target group with weight 0
 *   gets no new flows. Within a group, a flow goes to one registered target (flow hash), so each
 *   target's expected share is the group's share over its target count.
 * - A target group without registered targets has nowhere to send its share. AWS documents fail
 *   open for groups whose targets are all unhealthy, not for empty groups; the evaluator reports
 *   such a share as `no-targets` and callers treat it as a connection that is not answered.
 */
import type { ListenerModel, LoadBalancerModel, TargetGroupModel, TargetModel } from "./model.ts";
import type { ForwardAction, ListenerProtocol } from "./rules.ts";

/** What the client sends: plain TCP, TLS over TCP (a ClientHello first), UDP datagrams, or QUIC over UDP. */
export type NlbClientProtocol = "TCP" | "TLS" | "UDP" | "QUIC";

export interface NlbConnection {
  protocol: NlbClientProtocol;
  port: number;
  /** TLS (and QUIC, whose handshake is TLS 1.3): the server_name of the ClientHello, if sent. */
  sni?: string;
  /** QUIC: the server ID in the packet's destination connection ID, once the target has issued one. */
  quicServerId?: string;
}

/** The transport the connection uses on the wire. */
export function transportOf(protocol: NlbClientProtocol): "tcp" | "udp" {
  return protocol === "TCP" || protocol === "TLS" ? "tcp" : "udp";
}

/** Listener protocols that accept each client protocol. */
const CARRIES: Readonly<Record<ListenerProtocol, readonly NlbClientProtocol[]>> = {
  TCP: ["TCP", "TLS"],
  TLS: ["TCP", "TLS"],
  UDP: ["UDP", "QUIC"],
  TCP_UDP: ["TCP", "TLS", "UDP", "QUIC"],
  QUIC: ["QUIC"],
  TCP_QUIC: ["TCP", "TLS", "QUIC"],
  HTTP: [],
  HTTPS: [],
};

export interface NlbTargetShare {
  target: TargetModel;
  /** The expected fraction of new connections this target receives. */
  share: number;
}

export interface NlbTargetGroupShare {
  targetGroupId: string;
  weight: number;
  /** weight / Σweight: the expected fraction of new connections. */
  share: number;
  /** The group's targets with their shares; empty when the group has no registered targets. */
  targets: NlbTargetShare[];
}

/** How a TLS listener chose the certificate it presents. */
export type CertificateChoice =
  | { by: "sni"; sni: string; candidates: string[] }
  | { by: "default"; arn: string; reason: "no-sni" | "no-match" | "names-unknown" };

export type NlbDropReason =
  /** No listener on the port. */
  | "no-listener"
  /** The port's listener does not carry this protocol (UDP to TCP, TCP to UDP, plain UDP to QUIC). */
  | "protocol-not-carried"
  /** QUIC packet whose server ID no registered target of the listener has. */
  | "unknown-quic-server-id"
  /** Every target group of the forward has weight 0. */
  | "all-weights-zero";

export type NlbOutcome =
  | {
      kind: "forward";
      listenerId: string;
      listenerProtocol: ListenerProtocol;
      /** What reaches the targets: the client's bytes unchanged, or decrypted by a TLS listener. */
      delivered: "as-sent" | "tls-terminated";
      certificate?: CertificateChoice;
      /** Target groups with a share above 0, in the action's order. */
      targetGroups: NlbTargetGroupShare[];
      /** A QUIC packet routed by its server ID: the one target that gets it. */
      quicTarget?: { targetGroupId: string; target: TargetModel };
      /** Target group stickiness of the forward (a client keeps its group across flows). */
      stickiness: boolean;
    }
  | { kind: "dropped"; reason: NlbDropReason; listenerId?: string; detail: string }
  | { kind: "tls-handshake-failed"; listenerId: string; detail: string };

/** Thrown for a model the ELB API would have refused: a listener whose default action is not one forward. */
export class MalformedNlbListener extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedNlbListener";
  }
}

/** The listener a connection to `port` meets: NLB allows one listener per port. */
export function listenerOnPort(model: LoadBalancerModel, port: number): ListenerModel | undefined {
  return model.listeners.find((l) => l.port === port);
}

/** A DNS name against a certificate name: exact, or `*.` covering exactly one leftmost label. */
export function certificateNameCovers(name: string, host: string): boolean {
  const n = name.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, "");
  if (!n.startsWith("*.")) return n === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === n.slice(2);
}

/**
 * The certificate a TLS listener presents. `names` maps a certificate ARN to the DNS names it
 * covers; without an entry for every certificate the choice is reported as unknown beyond the
 * default. When several certificates cover the SNI name AWS picks one by its smart selection
 * (key type, client support), which the model cannot see: all candidates are returned.
 */
export function chooseCertificate(
  arns: readonly string[],
  sni: string | undefined,
  names?: ReadonlyMap<string, readonly string[]>,
): CertificateChoice | undefined {
  const [defaultArn] = arns;
  if (defaultArn === undefined) return undefined;
  if (!sni) return { by: "default", arn: defaultArn, reason: "no-sni" };
  if (!names || arns.some((a) => !names.has(a))) return { by: "default", arn: defaultArn, reason: "names-unknown" };
  const candidates = arns.filter((a) => (names.get(a) ?? []).some((n) => certificateNameCovers(n, sni)));
  return candidates.length > 0
    ? { by: "sni", sni, candidates }
    : { by: "default", arn: defaultArn, reason: "no-match" };
}

function forwardOf(listener: ListenerModel): ForwardAction {
  const [action, ...rest] = listener.defaultActions;
  if (!action || rest.length > 0 || action.type !== "forward" || action.targetGroups.length === 0) {
    throw new MalformedNlbListener(
      `${listener.id}: a Network Load Balancer listener's default action is one forward to one or more target groups`,
    );
  }
  return action;
}

function groupShares(model: LoadBalancerModel, forward: ForwardAction): NlbTargetGroupShare[] {
  const total = forward.targetGroups.reduce((s, t) => s + Math.max(0, t.weight), 0);
  if (total === 0) return [];
  return forward.targetGroups
    .filter((t) => t.weight > 0)
    .map((t) => {
      const share = t.weight / total;
      const targets = model.targetGroups.find((g: TargetGroupModel) => g.id === t.targetGroupId)?.targets ?? [];
      return {
        targetGroupId: t.targetGroupId,
        weight: t.weight,
        share,
        targets: targets.map((target) => ({ target, share: share / targets.length })),
      };
    });
}

export interface NlbEvaluationOptions {
  /** Certificate ARN → DNS names, for SNI certificate selection on TLS listeners. */
  certificateNames?: ReadonlyMap<string, readonly string[]>;
}

/** The outcome of one connection on the load balancer. */
export function evaluateNlbConnection(
  model: LoadBalancerModel,
  connection: NlbConnection,
  options: NlbEvaluationOptions = {},
): NlbOutcome {
  const listener = listenerOnPort(model, connection.port);
  if (!listener) {
    return {
      kind: "dropped",
      reason: "no-listener",
      detail: `no listener on port ${connection.port}: NLB drops unexpected traffic without answering`,
    };
  }
  if (!CARRIES[listener.protocol].includes(connection.protocol)) {
    return {
      kind: "dropped",
      reason: "protocol-not-carried",
      listenerId: listener.id,
      detail: `${listener.id} does not carry ${connection.protocol}: NLB drops unexpected traffic without answering`,
    };
  }
  const forward = forwardOf(listener);
  let certificate: CertificateChoice | undefined;
  if (listener.protocol === "TLS") {
    if (connection.protocol !== "TLS") {
      return {
        kind: "tls-handshake-failed",
        listenerId: listener.id,
        detail: `${listener.id} terminates TLS and the client did not start a TLS handshake`,
      };
    }
    certificate = chooseCertificate(listener.certificates?.arns ?? [], connection.sni, options.certificateNames);
    if (!certificate) {
      return {
        kind: "tls-handshake-failed",
        listenerId: listener.id,
        detail: `${listener.id} has no certificate to present`,
      };
    }
  }
  const targetGroups = groupShares(model, forward);
  if (targetGroups.length === 0) {
    return {
      kind: "dropped",
      reason: "all-weights-zero",
      listenerId: listener.id,
      detail: `${listener.id} forwards with weight 0 to every target group`,
    };
  }
  const base = {
    kind: "forward" as const,
    listenerId: listener.id,
    listenerProtocol: listener.protocol,
    delivered: listener.protocol === "TLS" ? ("tls-terminated" as const) : ("as-sent" as const),
    ...(certificate ? { certificate } : {}),
    stickiness: forward.stickiness?.enabled === true,
  };
  const quicListener = listener.protocol === "QUIC" || listener.protocol === "TCP_QUIC";
  if (connection.protocol === "QUIC" && quicListener && connection.quicServerId !== undefined) {
    const id = connection.quicServerId.toLowerCase();
    // Routing by server ID ignores weights: the connection already lives on that target.
    for (const { targetGroupId } of forward.targetGroups) {
      const group = model.targetGroups.find((g) => g.id === targetGroupId);
      const target = group?.targets.find((t) => t.quicServerId?.toLowerCase() === id);
      if (target) return { ...base, targetGroups, quicTarget: { targetGroupId, target } };
    }
    return {
      kind: "dropped",
      reason: "unknown-quic-server-id",
      listenerId: listener.id,
      detail: `no target of ${listener.id} is registered with QUIC server ID ${connection.quicServerId}`,
    };
  }
  return { ...base, targetGroups };
}
