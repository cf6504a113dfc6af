/**
 * The cluster registry port: one DynamoDB implementation (`dynamodb.ts`) and an in-memory twin
 * (`memory.ts`), both held to `test/unit/registry/contract.ts`.
 */
import type { RegisteredCluster } from "./cluster.ts";

/** `create` refuses an id already registered; `update` refuses one that is not. */
export type PutMode = "create" | "update";

export interface ClusterRegistry {
  get(clusterId: string): Promise<RegisteredCluster | undefined>;
  /** Validates, then writes; ClusterAlreadyRegistered / ClusterNotRegistered by `mode`. */
  put(cluster: RegisteredCluster, mode: PutMode): Promise<void>;
  /** Every registered cluster, ordered by clusterId. */
  list(): Promise<RegisteredCluster[]>;
  /** Whether a cluster was removed; removing an unknown id is not an error (idempotent deregistration). */
  remove(clusterId: string): Promise<boolean>;
}

export class ClusterAlreadyRegistered extends Error {
  readonly clusterId: string;
  constructor(clusterId: string) {
    super(`cluster ${clusterId} is already registered`);
    this.name = "ClusterAlreadyRegistered";
    this.clusterId = clusterId;
  }
}

export class ClusterNotRegistered extends Error {
  readonly clusterId: string;
  constructor(clusterId: string) {
    super(`cluster ${clusterId} is not registered`);
    this.name = "ClusterNotRegistered";
    this.clusterId = clusterId;
  }
}
