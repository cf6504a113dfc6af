/**
 * Why a connection ends where it does on a Network Load Balancer: on each NLB Gateway with a
 * listener on the connection's port, the listener that takes it, what TLS does there (terminated
 * with the certificate SNI selects, or passed through), and the backends with their shares — or
 * why NLB drops it. Pure: the desired model and a connection in, an explanation out;
 * `switchyard explain` renders it. The evaluation is shared/elb/nlb-evaluate.ts.
 */
import type { ElbBuild } from "./context.ts";
import {
  type CertificateChoice,
  evaluateNlbConnection,
  listenerOnPort,
  type NlbConnection,
  type NlbDropReason,
  type NlbEvaluationOptions,
} from "./nlb-evaluate.ts";

export type NlbExplainedOutcome =
  | {
      kind: "forward";
      delivered: "as-sent" | "tls-terminated";
      certificate?: CertificateChoice;
      /**
       * What the SNI name does here: it selects the certificate of a TLS listener, and is passed
       * to the targets unread by any other listener. It never selects a backend.
       */
      sni?: "selects the certificate only" | "passed through to the targets unread";
      backends: { backend: string; share: number; targets: number }[];
      /** QUIC routed by server ID to one target. */
      quicTarget?: { backend: string; target: string };
      stickiness: boolean;
    }
  | { kind: "dropped"; reason: NlbDropReason; detail: string }
  | { kind: "tls-handshake-failed"; detail: string };

export interface NlbExplanation {
  dataPlane: "nlb";
  gateway: string;
  listener: string;
  /** The Gateway listeners merged into this NLB listener. */
  gatewayListeners: string[];
  outcome: NlbExplainedOutcome;
}

const SINK = "(no backend: invalid references)";

/** One explanation per NLB Gateway with a listener on the connection's port, in build order. */
export function explainNlbConnection(
  builds: readonly ElbBuild[],
  connection: NlbConnection,
  options: NlbEvaluationOptions = {},
): NlbExplanation[] {
  const out: NlbExplanation[] = [];
  for (const build of builds) {
    const { model } = build;
    if (model.type !== "network") continue;
    const listener = listenerOnPort(model, connection.port);
    if (!listener) continue;
    const backendOf = (id: string) => model.targetGroups.find((g) => g.id === id)?.backend || SINK;
    const result = evaluateNlbConnection(model, connection, options);
    let outcome: NlbExplainedOutcome;
    switch (result.kind) {
      case "forward":
        outcome = {
          kind: "forward",
          delivered: result.delivered,
          ...(result.certificate ? { certificate: result.certificate } : {}),
          ...(connection.sni
            ? {
                sni:
                  result.delivered === "tls-terminated"
                    ? ("selects the certificate only" as const)
                    : ("passed through to the targets unread" as const),
              }
            : {}),
          backends: result.targetGroups.map((g) => ({
            backend: backendOf(g.targetGroupId),
            share: g.share,
            targets: g.targets.length,
          })),
          ...(result.quicTarget
            ? {
                quicTarget: {
                  backend: backendOf(result.quicTarget.targetGroupId),
                  target: result.quicTarget.target.id,
                },
              }
            : {}),
          stickiness: result.stickiness,
        };
        break;
      case "dropped":
        outcome = { kind: "dropped", reason: result.reason, detail: result.detail };
        break;
      case "tls-handshake-failed":
        outcome = { kind: "tls-handshake-failed", detail: result.detail };
        break;
    }
    out.push({
      dataPlane: "nlb",
      gateway: model.gatewayKey,
      listener: listener.id,
      gatewayListeners: listener.gatewayListeners,
      outcome,
    });
  }
  return out;
}
