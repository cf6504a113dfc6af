/**
 * From a registered cluster to a status writer for it: the API server's endpoint and CA (from the
 * registry, or EKS DescribeCluster when the registry names an EKS cluster) and a cached EKS token
 * for the identity the caller chooses. One connection per cluster is kept, so tokens are reused
 * across writes.
 */
import { DescribeClusterCommand, type EKSClient } from "@aws-sdk/client-eks";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { RegisteredCluster } from "../../registry/cluster.ts";
import type { ClusterRegistry } from "../../registry/registry.ts";
import { HttpsKubeApi, type KubeApi, type KubeEndpoint } from "./kube-api.ts";
import { EksTokenSource } from "./token-source.ts";
import { StatusWriter, type StatusWriterOptions } from "./writer.ts";

export class ClusterUnreachable extends Error {
  readonly clusterId: string;
  constructor(clusterId: string, why: string) {
    super(`cluster ${clusterId}: ${why}`);
    this.name = "ClusterUnreachable";
    this.clusterId = clusterId;
  }
}

/**
 * The `x-k8s-aws-id` a token for this cluster carries: the EKS name, or for a cluster registered
 * by endpoint (its authenticator configured by hand) the registry's cluster id.
 */
export function tokenClusterName(cluster: RegisteredCluster): string {
  return "clusterName" in cluster.eks ? cluster.eks.clusterName : cluster.clusterId;
}

/** The endpoint and CA of a cluster, asking EKS only when the registry does not have them. */
export async function resolveEndpoint(
  cluster: RegisteredCluster,
  eksFor: (cluster: RegisteredCluster) => EKSClient,
): Promise<KubeEndpoint> {
  if (!("clusterName" in cluster.eks)) {
    return { server: cluster.eks.endpoint, caPem: Buffer.from(cluster.eks.caData, "base64").toString("utf8") };
  }
  const { cluster: described } = await eksFor(cluster).send(
    new DescribeClusterCommand({ name: cluster.eks.clusterName }),
  );
  const endpoint = described?.endpoint;
  const caData = described?.certificateAuthority?.data;
  if (endpoint === undefined || caData === undefined) {
    // A cluster still CREATING has neither yet.
    throw new ClusterUnreachable(cluster.clusterId, `EKS cluster ${cluster.eks.clusterName} has no endpoint or CA yet`);
  }
  return { server: endpoint, caPem: Buffer.from(caData, "base64").toString("utf8") };
}

export interface StatusConnectionsOptions {
  registry: ClusterRegistry;
  /** An EKS client in the cluster's account and Region (DescribeCluster). */
  eksFor: (cluster: RegisteredCluster) => EKSClient;
  /** The identity whose token the cluster maps to a status writer. */
  credentialsFor: (cluster: RegisteredCluster) => AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** STS endpoint override for tokens (tests); default the cluster's regional STS endpoint. */
  stsEndpoint?: string;
  writer?: StatusWriterOptions;
  /** How requests reach the API server; default HttpsKubeApi. Tests wrap it to count or interleave. */
  api?: (endpoint: KubeEndpoint, token: () => Promise<string>) => KubeApi;
  now?: () => Date;
}

export class StatusConnections {
  readonly #options: StatusConnectionsOptions;
  readonly #writers = new Map<string, Promise<StatusWriter>>();

  constructor(options: StatusConnectionsOptions) {
    this.#options = options;
  }

  /** The writer for a registered cluster in direct mode. */
  async writerFor(clusterId: string): Promise<StatusWriter> {
    let writer = this.#writers.get(clusterId);
    if (writer === undefined) {
      writer = this.#connect(clusterId);
      this.#writers.set(clusterId, writer);
      // A failed resolution is not cached: the next write asks again.
      writer.catch(() => this.#writers.delete(clusterId));
    }
    return await writer;
  }

  /** Forgets a cluster's connection, e.g. after its registration changed. */
  forget(clusterId: string): void {
    this.#writers.delete(clusterId);
  }

  async #connect(clusterId: string): Promise<StatusWriter> {
    const cluster = await this.#options.registry.get(clusterId);
    if (cluster === undefined) throw new ClusterUnreachable(clusterId, "not registered");
    if (cluster.statusMode !== "direct") {
      throw new ClusterUnreachable(clusterId, "status mode is via-forwarder: status goes through its queue");
    }
    const endpoint = await resolveEndpoint(cluster, this.#options.eksFor);
    const tokens = new EksTokenSource({
      clusterName: tokenClusterName(cluster),
      region: cluster.region,
      credentials: this.#options.credentialsFor(cluster),
      ...(this.#options.stsEndpoint === undefined ? {} : { stsEndpoint: this.#options.stsEndpoint }),
      ...(this.#options.now === undefined ? {} : { now: this.#options.now }),
    });
    const token = () => tokens.token();
    const api =
      this.#options.api?.(endpoint, token) ??
      new HttpsKubeApi(endpoint, { token, onUnauthorized: () => tokens.invalidate() });
    return new StatusWriter(api, this.#options.writer);
  }
}
