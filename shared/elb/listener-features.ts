/**
 * Listener settings of a LoadBalancerConfiguration's `listenerConfigurations[]` beyond TLS:
 * listener attributes (ModifyListenerAttributes), target group stickiness of a Network Load
 * Balancer listener's forward action, and QUIC.
 *
 * QUIC: a UDP listener with `quicEnabled` becomes a QUIC listener and a TCP_UDP one a TCP_QUIC
 * listener, forwarding to a target group of the same protocol. The Network Load Balancer routes
 * QUIC packets by the server ID the target writes into its connection IDs, and every target of such
 * a group is registered with one. switchyard derives it from the target's IPv4 address, so a pod
 * can compute its own from `status.podIP` without any injection: `0x` followed by 8 zero digits
 * and the address's 8 hex digits (10.1.0.7 → `0x000000000a010007`), unique per listener because
 * each target group of a listener holds each address once.
 */
import type { ListenerConfiguration } from "../extensions/aws-lbc.ts";
import type { TargetModel } from "./model.ts";
import type { ForwardAction, ListenerProtocol } from "./rules.ts";

/** The protocol a listener is built with once `quicEnabled` is applied (UDP → QUIC, TCP_UDP → TCP_QUIC). */
export function quicListenerProtocol(
  protocol: ListenerProtocol,
  config: ListenerConfiguration | undefined,
): ListenerProtocol {
  if (!config?.quicEnabled) return protocol;
  if (protocol === "UDP") return "QUIC";
  if (protocol === "TCP_UDP") return "TCP_QUIC";
  return protocol;
}

export function isQuic(protocol: string): protocol is "QUIC" | "TCP_QUIC" {
  return protocol === "QUIC" || protocol === "TCP_QUIC";
}

/** The QUIC server ID of a target at `ip`, or undefined for an address that is not IPv4. */
export function quicServerId(ip: string): string | undefined {
  const octets = ip.split(".");
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
  return `0x00000000${octets.map((o) => Number(o).toString(16).padStart(2, "0")).join("")}`;
}

/** Targets with their QUIC server IDs. */
export function withQuicServerIds(targets: readonly TargetModel[]): TargetModel[] {
  return targets.map((t) => {
    const id = quicServerId(t.id);
    return id ? { ...t, quicServerId: id } : { ...t };
  });
}

/** `{ attributes }` for a listener model when the configuration lists any. */
export function listenerAttributes(config: ListenerConfiguration | undefined): { attributes?: Record<string, string> } {
  const list = config?.listenerAttributes ?? [];
  return list.length > 0 ? { attributes: Object.fromEntries(list.map((a) => [a.key, a.value])) } : {};
}

/**
 * A Network Load Balancer listener's forward action. Target group stickiness there has no
 * duration (ELBv2's DurationSeconds is for Application Load Balancers only); `false` is what AWS
 * reports for every forward anyway, so only `true` is content.
 */
export function nlbForward(targetGroupId: string, config: ListenerConfiguration | undefined): ForwardAction {
  return {
    type: "forward",
    targetGroups: [{ targetGroupId, weight: 1 }],
    ...(config?.targetGroupStickiness ? { stickiness: { enabled: true } } : {}),
  };
}
