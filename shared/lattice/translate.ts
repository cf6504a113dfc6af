/**
 * The VPC Lattice branch of translation: every accepted Lattice Gateway's model, this cluster's
 * ServiceExport target groups, and the problems a route's owning Gateway found, carried to its
 * other Lattice parents so each parent's status tells the same story.
 */
import type { CertificateTarget } from "../elb/certificates.ts";
import type { AcmCertificate } from "../elb/context.ts";
import {
  type AccessLogPolicy,
  type IAMAuthPolicy,
  LATTICE_FEDERATION,
  LatticeAnnotation,
  type LatticePolicy,
  type RemoteServiceExport,
  type TargetGroupPolicy,
  type VpcAssociationPolicy,
} from "../extensions/lattice.ts";
import { indexEndpointSlices, resolveBackend } from "../graph/backends.ts";
import type { ResolvedGateway, ResolvedGraph } from "../graph/model.ts";
import { referenceIndex } from "../graph/reference-grants.ts";
import { objectKey } from "../k8s/meta.ts";
import type { Snapshot } from "../snapshot.ts";
import { problem, Reason } from "../status/conditions.ts";
import { type AcceptedLatticePolicies, buildLattice, type LatticeBuild, pruneTargetGroups } from "./build.ts";
import { networkServices } from "./explain.ts";
import { addGatewayService, isGatewayServiceId, removeGatewayService } from "./gateway-service.ts";
import { latticeLimits } from "./limits.ts";
import type { LatticeExportModel } from "./model.ts";
import { latticePolicyProblem } from "./policies.ts";
import { exportTargetGroups } from "./target-groups.ts";

export interface LatticeTranslateOptions {
  clusterId: string;
  accountId?: string;
  acmCertificates?: readonly AcmCertificate[];
  target?: CertificateTarget;
  quotas?: { maxRulesPerListener?: number; maxListenersPerService?: number };
  remoteExports: readonly RemoteServiceExport[];
  cluster?: { eksClusterName?: string; vpcId?: string };
}

export interface LatticeTranslation {
  gateways: LatticeBuild[];
  exports: LatticeExportModel[];
}

function acceptedPolicies(graph: ResolvedGraph): AcceptedLatticePolicies {
  // A policy Lattice would refuse applies nothing; its status says why (status/compute.ts).
  const ok = graph.policies.filter(
    (p) =>
      !p.problem &&
      (p.kind === "TargetGroupConfiguration" ||
        p.kind === "BackendTLSPolicy" ||
        !latticePolicyProblem(p.object as LatticePolicy)),
  );
  const of = <T>(kind: string) => ok.filter((p) => p.kind === kind).map((p) => p.object as T);
  return {
    targetGroup: of<TargetGroupPolicy>("TargetGroupPolicy"),
    vpcAssociation: of<VpcAssociationPolicy>("VpcAssociationPolicy"),
    accessLog: of<AccessLogPolicy>("AccessLogPolicy"),
    iamAuth: of<IAMAuthPolicy>("IAMAuthPolicy"),
  };
}

export function translateLattice(
  graph: ResolvedGraph,
  snapshot: Snapshot,
  gateways: readonly ResolvedGateway[],
  options: LatticeTranslateOptions,
): LatticeTranslation {
  const policies = acceptedPolicies(graph);
  const ctx = {
    clusterId: options.clusterId,
    policies,
    exports: {
      localClusterId: options.clusterId,
      ...(options.accountId ? { localAccountId: options.accountId } : {}),
      ...(options.cluster?.eksClusterName ? { localEksClusterName: options.cluster.eksClusterName } : {}),
      ...(options.cluster?.vpcId ? { localVpcId: options.cluster.vpcId } : {}),
      local: snapshot.serviceExports,
      remote: options.remoteExports,
    },
    limits: latticeLimits(options.quotas),
    ...(options.acmCertificates ? { acmCertificates: options.acmCertificates } : {}),
    ...(options.target ? { target: options.target } : {}),
  };
  const builds = gateways.map((g) => buildLattice(g, ctx));
  enforceUniqueness(builds, graph);
  // A route's service is built by its first Lattice parent; a refusal there holds for every parent.
  const byGateway = new Map(builds.map((b) => [b.model.gatewayKey, b]));
  for (const route of graph.routes) {
    const lattice = route.parents.filter((p) => p.dataPlane === "lattice" && !p.acceptedProblem);
    const owner = lattice
      .map((p) => byGateway.get(p.gatewayKey))
      .find((b) => b?.model.services.some((s) => s.id === route.key) || b?.routeProblems.has(route.key));
    const refused = owner?.routeProblems.get(route.key);
    const partial = owner?.routePartial.get(route.key);
    for (const p of lattice) {
      const build = byGateway.get(p.gatewayKey);
      if (!build || build === owner) continue;
      if (refused) {
        build.routeProblems.set(route.key, refused);
        build.model.serviceAssociations = build.model.serviceAssociations.filter((k) => k !== route.key);
      }
      if (partial) build.routePartial.set(route.key, partial);
      // Associated by the owner's service name: this Gateway holds no ARN for the service.
      const shared = owner?.model.services.find((s) => s.id === route.key);
      if (shared && build.model.serviceAssociations.includes(route.key)) {
        const ref = {
          id: shared.id,
          name: shared.name,
          ...(shared.customDomainName ? { customDomainName: shared.customDomainName } : {}),
        };
        build.model.sharedServices = [...(build.model.sharedServices ?? []), ref].sort((a, b) =>
          a.id < b.id ? -1 : 1,
        );
      }
    }
  }
  // The Gateway service merges only routes no parent refuses: added once every refusal is known.
  for (const [i, build] of builds.entries()) {
    const gateway = gateways[i];
    if (gateway) addGatewayService(gateway, build, ctx);
  }
  enforceGatewayServiceNames(builds);
  for (const build of builds) build.model.addressService = addressService(build, builds, graph);
  return { gateways: builds, exports: localExports(snapshot, options.clusterId, policies) };
}

function routeAge(graph: ResolvedGraph): (routeKey: string) => string {
  const routes = new Map(graph.routes.map((r) => [r.key, r]));
  return (key) => routes.get(key)?.object.metadata.creationTimestamp ?? "";
}

function networkKey(model: LatticeBuild["model"]): string {
  const ref = model.serviceNetwork.ref;
  return ref.kind === "name" ? `name:${ref.name}` : ref.kind === "id" ? `id:${ref.id}` : `arn:${ref.arn}`;
}

/**
 * What Lattice keeps unique across Gateways: service names within the account, custom domain
 * names within a service network (two Gateways may name one network). The oldest route keeps a
 * name; a newer one's service is not built and its status says which route holds the name.
 */
function enforceUniqueness(builds: readonly LatticeBuild[], graph: ResolvedGraph): void {
  const created = routeAge(graph);
  const all = builds
    .flatMap((build) => build.model.services.map((service) => ({ build, service })))
    .sort((a, b) => {
      const ta = created(a.service.id);
      const tb = created(b.service.id);
      return ta < tb ? -1 : ta > tb ? 1 : a.service.id < b.service.id ? -1 : a.service.id > b.service.id ? 1 : 0;
    });
  const names = new Map<string, string>();
  const domains = new Map<string, string>();
  for (const { build, service } of all) {
    const domainKey = service.customDomainName ? `${networkKey(build.model)}|${service.customDomainName}` : undefined;
    const nameOwner = names.get(service.name);
    const domainOwner = domainKey ? domains.get(domainKey) : undefined;
    const refusal =
      nameOwner && nameOwner !== service.id
        ? `VPC Lattice service name ${service.name} is already used by the service of ${nameOwner} (service names are unique in an account); set annotation ${LatticeAnnotation.serviceNameOverride}`
        : domainOwner && domainOwner !== service.id
          ? `hostname ${service.customDomainName} is the custom domain name of the VPC Lattice service of the older ${domainOwner}; VPC Lattice gives each route its own service and a custom domain name belongs to one service per service network, so routes cannot share a hostname`
          : undefined;
    if (refusal) {
      build.model.services = build.model.services.filter((s) => s !== service);
      build.model.serviceAssociations = build.model.serviceAssociations.filter((k) => k !== service.id);
      build.routeProblems.set(service.id, problem(Reason.UnsupportedValue, refusal));
      pruneTargetGroups(build.model);
      continue;
    }
    names.set(service.name, service.id);
    if (domainKey) domains.set(domainKey, service.id);
  }
}

/**
 * Gateway service names follow the uniqueness rule of the others (unique in an account): one whose
 * name a route's service already holds is not built, and the Gateway's status says so.
 */
function enforceGatewayServiceNames(builds: readonly LatticeBuild[]): void {
  const owners = new Map<string, string>();
  for (const build of builds) {
    for (const s of build.model.services) if (s.id !== build.gatewayService?.serviceId) owners.set(s.name, s.id);
  }
  for (const build of builds) {
    const id = build.gatewayService?.serviceId;
    const service = build.model.services.find((s) => s.id === id);
    if (!id || !service) continue;
    const owner = owners.get(service.name);
    if (owner) {
      removeGatewayService(
        build,
        `no Gateway service: its VPC Lattice service name ${service.name} is already used by the service of ${owner} (service names are unique in an account)`,
      );
      continue;
    }
    owners.set(service.name, id);
  }
}

/**
 * The service whose DNS name stands for the Gateway's address: its Gateway service, which merges
 * every hostname-less route; without one, among the services in its network (built here or by
 * another parent) without a custom domain name, the oldest route's.
 */
function addressService(
  build: LatticeBuild,
  builds: readonly LatticeBuild[],
  graph: ResolvedGraph,
): string | undefined {
  if (build.gatewayService?.serviceId) return build.gatewayService.serviceId;
  const network = networkServices(build.model, builds).filter(
    (s) => s.customDomainName === undefined && !isGatewayServiceId(s.id),
  );
  const created = routeAge(graph);
  return network
    .map((s) => s.id)
    .sort((a, b) => (created(a) < created(b) ? -1 : created(a) > created(b) ? 1 : a < b ? -1 : 1))[0];
}

/** Target groups of this cluster's ServiceExports that carry the federation annotation. */
function localExports(snapshot: Snapshot, clusterId: string, policies: AcceptedLatticePolicies): LatticeExportModel[] {
  const exported = snapshot.serviceExports.filter(
    (e) => e.metadata.annotations?.[LatticeAnnotation.federation] === LATTICE_FEDERATION,
  );
  if (exported.length === 0) return [];
  const backendCtx = {
    services: new Map(snapshot.services.map((s) => [objectKey(s.metadata), s])),
    serviceImports: new Map(),
    endpointSlices: indexEndpointSlices(snapshot.endpointSlices),
    references: referenceIndex(snapshot.referenceGrants),
  };
  return exported
    .map((e) => {
      const namespace = e.metadata.namespace ?? "default";
      const policy = policies.targetGroup.find(
        (p) =>
          p.spec?.targetRef.kind === "ServiceExport" &&
          p.spec.targetRef.name === e.metadata.name &&
          (p.metadata.namespace ?? "default") === namespace,
      );
      const backendOf = (port: number) => {
        const backend = resolveBackend(
          { kind: "HTTPRoute", namespace },
          { name: e.metadata.name, port },
          0,
          backendCtx,
        );
        return backend.problem ? undefined : backend;
      };
      return {
        export: `ServiceExport/${namespace}/${e.metadata.name}`,
        targetGroups: exportTargetGroups(clusterId, e, backendOf, policy),
      };
    })
    .sort((a, b) => (a.export < b.export ? -1 : 1));
}
