/**
 * The data-plane envelope: what every data plane built from a Gateway shares, whatever it programs
 * (ALB, NLB and VPC Lattice). It holds the Gateway's programmable listeners grouped by
 * port, the certificate gate of TLS-terminating listeners, ownership tags, and the problems found
 * while building, keyed the way status reports them. Builders fill in only what is theirs: rules,
 * target groups and the resource model.
 */

import { type CertificateTarget, certificateArnProblem, listenerCertificates } from "../elb/certificates.ts";
import type { AcmCertificate } from "../elb/context.ts";
import type { ListenerCertificates } from "../elb/model.ts";
import type { ListenerConfiguration } from "../extensions/aws-lbc.ts";
import type { ResolvedGateway, ResolvedListener } from "../graph/model.ts";
import { programmableListeners } from "../graph/model.ts";
import type { StatusProblem } from "../status/conditions.ts";

/** Ownership tags for one role (`load-balancer`, `listener:HTTP:80`, …) of the Gateway's resources. */
export type OwnershipTagger = (role: string) => Record<string, string>;

export interface EnvelopeInput {
  gateway: ResolvedGateway;
  tagsFor: OwnershipTagger;
  /** Certificates of the target account and Region, for discovery by hostname. */
  acmCertificates: readonly AcmCertificate[];
  /** Where the data plane is built: certificates named explicitly must live there. */
  target: CertificateTarget;
}

/** A data-plane listener's certificates, or why it has to wait or cannot be built. */
export interface CertificateGate {
  /** The data-plane listener id, e.g. `HTTPS:443`. */
  listenerId: string;
  gatewayListeners: readonly ResolvedListener[];
  routeHostnames: readonly string[];
  config: ListenerConfiguration | undefined;
  /** Appended to "no certificate for <id>" to tell the user where a certificate can come from. */
  hint?: string;
}

export class DataPlaneEnvelope {
  readonly gateway: ResolvedGateway;
  readonly tagsFor: OwnershipTagger;
  /** Routes (by route key) the data plane cannot express, with the reason for their status. */
  readonly routeProblems = new Map<string, StatusProblem>();
  /** Routes accepted with some matches left out (PartiallyInvalid), with the reason. */
  readonly routePartial = new Map<string, StatusProblem>();
  /** Gateway listener ids that cannot be programmed, with the reason. */
  readonly listenerProblems = new Map<string, string>();
  /** Gateway listener ids held back until something outside switchyard happens (an ACM import). */
  readonly listenerPending = new Map<string, string>();
  /** The Gateway's listeners (and accepted ListenerSets') that the data plane builds. */
  readonly listeners: readonly ResolvedListener[];
  private readonly acm: readonly AcmCertificate[];
  private readonly target: CertificateTarget;

  constructor(input: EnvelopeInput) {
    this.gateway = input.gateway;
    this.tagsFor = input.tagsFor;
    this.acm = input.acmCertificates;
    this.target = input.target;
    this.listeners = programmableListeners(input.gateway);
  }

  /** Usable listeners merged per port, ports ascending. */
  listenersByPort(): [number, ResolvedListener[]][] {
    const byPort = new Map<number, ResolvedListener[]>();
    for (const l of this.listeners) byPort.set(l.port, [...(byPort.get(l.port) ?? []), l]);
    return [...byPort.entries()].sort((a, b) => a[0] - b[0]);
  }

  /**
   * The certificates of a TLS-terminating listener, or `undefined` when it has none yet: AWS
   * creates no such listener without a certificate, so it is held back, pending while a Secret
   * awaits import into ACM and otherwise refused, on every Gateway listener it merges.
   */
  certificates(gate: CertificateGate): ListenerCertificates | undefined {
    // A configured certificate of another account or Region would fail the whole apply.
    const configured = [gate.config?.defaultCertificate, ...(gate.config?.certificates ?? [])];
    const foreign = configured
      .filter((arn): arn is string => !!arn)
      .map((arn) => certificateArnProblem(arn, this.target))
      .find((p) => p !== undefined);
    if (foreign) {
      for (const l of gate.gatewayListeners) {
        this.listenerProblems.set(
          l.id,
          `LoadBalancerConfiguration listenerConfigurations[${gate.listenerId}]: ${foreign}`,
        );
      }
      return undefined;
    }
    const certs = listenerCertificates(gate.gatewayListeners, gate.routeHostnames, gate.config, this.acm);
    if (certs.arns.length > 0) return certs;
    for (const l of gate.gatewayListeners) {
      if (certs.pendingSecrets.length > 0) {
        this.listenerPending.set(l.id, `waiting for Secret ${certs.pendingSecrets.join(", ")} to be imported into ACM`);
      } else {
        this.listenerProblems.set(l.id, `no certificate for ${gate.listenerId}${gate.hint ? `: ${gate.hint}` : ""}`);
      }
    }
    return undefined;
  }
}
