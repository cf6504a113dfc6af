/**
 * Other registered clusters' ServiceExports as an importing cluster's translation sees them
 * (`TranslateOptions.remoteServiceExports`): each federated export (annotation
 * `application-networking.k8s.aws/federation: amazon-vpc-lattice`) with its cluster's identity from
 * the registry, so a ServiceImport forwards to every exporter's group and the `aws-eks-cluster-name`,
 * `aws-vpc` and account filters can apply.
 */
import {
  LATTICE_FEDERATION,
  LatticeAnnotation,
  type RemoteServiceExport,
  type ServiceExport,
} from "../extensions/lattice.ts";
import type { RegisteredCluster } from "../registry/cluster.ts";

export interface ClusterExports {
  cluster: Pick<RegisteredCluster, "clusterId" | "account" | "vpcId" | "eks">;
  exports: readonly ServiceExport[];
}

export function remoteServiceExports(
  localClusterId: string,
  clusters: readonly ClusterExports[],
): RemoteServiceExport[] {
  const out: RemoteServiceExport[] = [];
  for (const { cluster, exports } of clusters) {
    if (cluster.clusterId === localClusterId) continue;
    for (const e of exports) {
      if (e.metadata.annotations?.[LatticeAnnotation.federation] !== LATTICE_FEDERATION) continue;
      out.push({
        clusterId: cluster.clusterId,
        ...("clusterName" in cluster.eks ? { eksClusterName: cluster.eks.clusterName } : {}),
        vpcId: cluster.vpcId,
        accountId: cluster.account,
        namespace: e.metadata.namespace ?? "default",
        name: e.metadata.name,
        ports: e.spec?.exportedPorts ?? [],
      });
    }
  }
  return out.sort((a, b) =>
    a.clusterId !== b.clusterId
      ? a.clusterId < b.clusterId
        ? -1
        : 1
      : `${a.namespace}/${a.name}` < `${b.namespace}/${b.name}`
        ? -1
        : 1,
  );
}
