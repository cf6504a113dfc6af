/** Human-readable NLB explanations: the listener a connection meets and where it goes, or why it is dropped. */
import type { CertificateChoice } from "../../shared/elb/nlb-evaluate.ts";
import type { NlbExplanation } from "../../shared/elb/nlb-explain.ts";

function certificateText(c: CertificateChoice): string {
  if (c.by === "sni") {
    return c.candidates.length === 1
      ? `certificate ${c.candidates[0]} (matches SNI ${c.sni})`
      : `one of ${c.candidates.join(", ")} (each matches SNI ${c.sni}; AWS picks by key type and client support)`;
  }
  const why = {
    "no-sni": "the client sent no SNI",
    "no-match": "no certificate of the listener matches the SNI",
    "names-unknown":
      "the certificates' names are not in the model; a certificate matching the SNI would be chosen instead",
  }[c.reason];
  return `default certificate ${c.arn} (${why})`;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export function renderNlbText(explanations: readonly NlbExplanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(
      `Gateway ${e.gateway} (Network Load Balancer), listener ${e.listener} (Gateway listeners ${e.gatewayListeners.join(", ") || "none"})`,
    );
    const o = e.outcome;
    switch (o.kind) {
      case "forward": {
        if (o.delivered === "tls-terminated") {
          lines.push(`  TLS terminated with ${o.certificate ? certificateText(o.certificate) : "no certificate"}`);
        }
        if (o.sni === "selects the certificate only") {
          lines.push("  the SNI name selects the certificate only: NLB does not route by SNI");
        } else if (o.sni) {
          lines.push("  the SNI name is passed through to the targets unread: NLB does not route by SNI");
        }
        if (o.quicTarget) lines.push(`  QUIC server ID → target ${o.quicTarget.target} of ${o.quicTarget.backend}`);
        const backends = o.backends
          .map(
            (b) =>
              `${b.backend} (${percent(b.share)}, ${b.targets === 0 ? "no targets: not answered" : `${b.targets} target${b.targets === 1 ? "" : "s"}`})`,
          )
          .join(", ");
        lines.push(`  → forward to ${backends}${o.stickiness ? "; target group stickiness on" : ""}`, "");
        break;
      }
      case "dropped":
        lines.push(`  → dropped: ${o.detail}`, "");
        break;
      case "tls-handshake-failed":
        lines.push(`  → TLS handshake fails: ${o.detail}`, "");
        break;
    }
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}
