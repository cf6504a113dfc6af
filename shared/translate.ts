/**
 * The pure heart of switchyard: a snapshot of Kubernetes objects in; the resolved graph, the
 * desired data-plane model of every Gateway and every status owed out. No I/O, no clock: what is
 * known of AWS (ACM certificates, load balancer state) is passed in.
 */
import type { ControllerConfig } from "./config.ts";
import { buildAlb } from "./elb/alb.ts";
import { optionCertificateProblems } from "./elb/certificates.ts";
import type { AcmCertificate, ElbBuild, ElbBuildContext } from "./elb/context.ts";
import { buildNlb } from "./elb/nlb.ts";
import type { RemoteServiceExport } from "./extensions/lattice.ts";
import type { ResolvedGateway } from "./graph/model.ts";
import { gatewayAccepted, type ResolvedGraph } from "./graph/model.ts";
import { resolveGraph } from "./graph/resolve.ts";
import { objectKey } from "./k8s/meta.ts";
import { type LatticeTranslation, translateLattice } from "./lattice/translate.ts";
import type { Snapshot } from "./snapshot.ts";
import { computeStatuses, type DataPlaneObservation, type StatusUpdate } from "./status/compute.ts";
import { Reason } from "./status/conditions.ts";

export interface TranslateOptions {
  /**
   * Registered cluster id, part of AWS names and ownership tags.
   * @default "local"
   */
  clusterId?: string;
  /**
   * AWS account id (12 digits) the Gateways' load balancers are built in. Certificate ARNs named
   * explicitly (the `switchyard.dev/certificate-arn` listener option, LoadBalancerConfiguration
   * listener certificates) must belong to it.
   * @default undefined — unknown, e.g. an offline `plan` without a registry: the account of a
   * certificate ARN is not checked, only its format (and its Region when `region` is given).
   */
  accountId?: string;
  /**
   * AWS Region the Gateways' load balancers are built in; explicitly named certificate ARNs must
   * be in it.
   * @default undefined — unknown: the Region of a certificate ARN is not checked, only its format.
   */
  region?: string;
  /**
   * Issued ACM certificates of the target account and Region, for discovery by hostname.
   * @default [] — no discovery: HTTPS/TLS listeners need certificateRefs or configured ARNs.
   */
  acmCertificates?: readonly AcmCertificate[];
  /**
   * Listener rules per Application Load Balancer across all its listeners, default rules not
   * counted (ALB's adjustable quota); beyond it the newest routes are not programmed.
   * @default 100
   */
  maxRulesPerLoadBalancer?: number;
  /**
   * VPC Lattice quotas of the target account (both adjustable): rules per listener and listeners
   * per service. Beyond them a route is not programmed and its status says why.
   * @default { maxRulesPerListener: 10, maxListenersPerService: 2 }
   */
  latticeQuotas?: { maxRulesPerListener?: number; maxListenersPerService?: number };
  /**
   * Services other registered clusters export to VPC Lattice (ServiceExports seen through the
   * objects mirror): a ServiceImport backend forwards to each exporter's target group.
   * @default [] — only this cluster's own ServiceExports.
   */
  remoteServiceExports?: readonly RemoteServiceExport[];
  /**
   * This cluster's EKS name and VPC, matched by the `aws-eks-cluster-name` and `aws-vpc`
   * ServiceImport annotations against its own exports.
   * @default {} — unknown: those annotations then match other clusters only.
   */
  cluster?: { eksClusterName?: string; vpcId?: string };
  /**
   * What AWS reported per Gateway key (`ns/name`): programmed, address, AWS errors.
   * @default none — every Gateway is Programmed=False, waiting for the data plane.
   */
  observations?: ReadonlyMap<string, DataPlaneObservation>;
}

export interface Translation {
  graph: ResolvedGraph;
  /** Desired load balancer per ALB/NLB Gateway, with what the data plane could not express. */
  loadBalancers: ElbBuild[];
  /** Desired VPC Lattice model per Lattice Gateway, and this cluster's ServiceExport target groups. */
  lattice: LatticeTranslation;
  statuses: StatusUpdate[];
}

export function translate(snapshot: Snapshot, config: ControllerConfig, options: TranslateOptions = {}): Translation {
  const graph = resolveGraph(snapshot, config);
  const maxRules = options.maxRulesPerLoadBalancer;
  const ctx: ElbBuildContext = {
    clusterId: options.clusterId ?? "local",
    snapshot,
    ruleConfigs: new Map(snapshot.listenerRuleConfigurations.map((c) => [objectKey(c.metadata), c])),
    targetGroupConfigs: snapshot.targetGroupConfigurations.filter(
      (c) => !graph.policies.some((p) => p.object === c && p.problem),
    ),
    ...(options.acmCertificates ? { acmCertificates: options.acmCertificates } : {}),
    ...(maxRules ? { maxRulesPerLoadBalancer: maxRules } : {}),
    ...(options.cluster?.vpcId ? { clusterVpcId: options.cluster.vpcId } : {}),
    target: {
      ...(options.accountId ? { accountId: options.accountId } : {}),
      ...(options.region ? { region: options.region } : {}),
    },
  };
  const loadBalancers: ElbBuild[] = [];
  const observations = new Map(options.observations ?? []);
  const latticeGateways: ResolvedGateway[] = [];
  for (const gateway of graph.gateways) {
    if (gateway.dataPlane === "lattice") {
      latticeGateways.push(gateway);
      continue;
    }
    // A certificate option of another account or Region is an invalid certificate reference: the
    // listener is not built, as for any other unresolvable certificate.
    for (const [listener, refused] of optionCertificateProblems(gateway, ctx.target ?? {})) {
      if (!listener.resolvedRefsProblem || listener.resolvedRefsProblem.reason === Reason.InvalidRouteKinds) {
        listener.resolvedRefsProblem = refused;
      }
    }
    if (!gatewayAccepted(gateway)) continue;
    const build = gateway.dataPlane === "alb" ? buildAlb(gateway, ctx) : buildNlb(gateway, ctx);
    if (build.refused) {
      gateway.problem = build.refused;
      continue;
    }
    loadBalancers.push(build);
    observations.set(gateway.key, withBuildProblems(observations.get(gateway.key), build));
  }
  const lattice = translateLattice(graph, snapshot, latticeGateways.filter(gatewayAccepted), {
    clusterId: ctx.clusterId,
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.acmCertificates ? { acmCertificates: options.acmCertificates } : {}),
    target: ctx.target ?? {},
    ...(options.latticeQuotas ? { quotas: options.latticeQuotas } : {}),
    remoteExports: options.remoteServiceExports ?? [],
    ...(options.cluster ? { cluster: options.cluster } : {}),
  });
  for (const build of lattice.gateways) {
    observations.set(
      build.model.gatewayKey,
      withBuildProblems(observations.get(build.model.gatewayKey), build, build.gatewayService?.notes),
    );
  }
  const statuses = computeStatuses(graph, snapshot, Object.keys(config.controllers), { observations });
  return { graph, loadBalancers, lattice, statuses };
}

/** Problems found while building the model join what AWS reported, for status. */
function withBuildProblems(
  observation: DataPlaneObservation | undefined,
  build: Pick<ElbBuild, "listenerProblems" | "listenerPending" | "routeProblems" | "routePartial">,
  notes: readonly string[] = [],
): DataPlaneObservation {
  return {
    ...(notes.length > 0 ? { notes } : {}),
    programmed: observation?.programmed ?? false,
    ...(observation?.address ? { address: observation.address } : {}),
    ...(observation?.message ? { message: observation.message } : {}),
    ...(observation?.reason ? { reason: observation.reason } : {}),
    listenerProblems: { ...observation?.listenerProblems, ...Object.fromEntries(build.listenerProblems) },
    listenerPending: { ...observation?.listenerPending, ...Object.fromEntries(build.listenerPending ?? []) },
    routeProblems: { ...observation?.routeProblems, ...Object.fromEntries(build.routeProblems) },
    routePartial: { ...observation?.routePartial, ...Object.fromEntries(build.routePartial ?? []) },
    ...(observation?.policyProblems ? { policyProblems: observation.policyProblems } : {}),
  };
}
