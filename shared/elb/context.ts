/** Inputs and outputs of the pure ELB builders (ALB and NLB). */
import type { ListenerRuleConfiguration, TargetGroupConfiguration } from "../extensions/aws-lbc.ts";
import type { Snapshot } from "../snapshot.ts";
import type { StatusProblem } from "../status/conditions.ts";
import type { CertificateTarget } from "./certificates.ts";
import type { LoadBalancerModel } from "./model.ts";

/** An ACM certificate as discovery sees it (from ListCertificates/DescribeCertificate). */
export interface AcmCertificate {
  arn: string;
  domainName: string;
  subjectAlternativeNames?: string[];
  status?: "ISSUED" | "PENDING_VALIDATION" | "EXPIRED" | "REVOKED" | "FAILED" | "INACTIVE" | "VALIDATION_TIMED_OUT";
  /** RFC 3339; the newest issued certificate wins among equals. */
  issuedAt?: string;
}

export interface ElbBuildContext {
  /** Registered cluster id: part of names and ownership tags. */
  clusterId: string;
  snapshot: Snapshot;
  /** TargetGroupConfigurations whose status is Accepted (a refused one applies nothing). */
  targetGroupConfigs: readonly TargetGroupConfiguration[];
  /** ListenerRuleConfigurations by `namespace/name`. */
  ruleConfigs: ReadonlyMap<string, ListenerRuleConfiguration>;
  /** Certificates of the target account and region, for discovery by hostname. */
  acmCertificates?: readonly AcmCertificate[];
  /**
   * The account and Region the load balancers are built in; certificate ARNs named explicitly
   * must belong to them.
   * @default {} (unknown: only the ARN's format is checked)
   */
  target?: CertificateTarget;
  /**
   * Listener rules per Application Load Balancer across all its listeners, default rules not
   * counted (an adjustable quota); beyond it the newest routes are not programmed.
   * @default 100
   */
  maxRulesPerLoadBalancer?: number;
  /**
   * Scheme when no LoadBalancerConfiguration sets one.
   * @default "internal", as the AWS Load Balancer Controller: a load balancer is reachable from
   * the internet only when a LoadBalancerConfiguration says `scheme: internet-facing`.
   */
  defaultScheme?: "internet-facing" | "internal";
  /**
   * The VPC the cluster is registered with, where switchyard builds its load balancers: a
   * LoadBalancerConfiguration `vpcId` naming another VPC is refused.
   * @default undefined (unknown, as in `switchyard plan`: only the id's format is checked)
   */
  clusterVpcId?: string;
}

export interface ElbBuild {
  model: LoadBalancerModel;
  /** Routes (by route key) the data plane cannot express, with the reason for their status. */
  routeProblems: Map<string, StatusProblem>;
  /** Routes accepted with some matches left out (PartiallyInvalid), with the reason. */
  routePartial?: Map<string, StatusProblem>;
  /** Gateway listener ids that cannot be programmed, with the reason. */
  listenerProblems: Map<string, string>;
  /** Gateway listener ids held back until something outside switchyard happens (an ACM import). */
  listenerPending?: Map<string, string>;
  /**
   * LoadBalancerConfiguration settings AWS cannot apply to this load balancer (UnsupportedValue):
   * the Gateway is not accepted and nothing is built, as for any other refused configuration.
   */
  refused?: StatusProblem;
}
