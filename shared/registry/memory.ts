/**
 * The in-memory cluster registry for pure tests and local mode. It keeps the same items the
 * DynamoDB registry writes, so encoding and validation on read behave identically.
 */
import { type RegisteredCluster, validateCluster } from "./cluster.ts";
import { type ClusterItem, decodeCluster, encodeCluster } from "./cluster-item.ts";
import { ClusterAlreadyRegistered, ClusterNotRegistered, type ClusterRegistry, type PutMode } from "./registry.ts";

export class MemoryClusterRegistry implements ClusterRegistry {
  readonly #controlPlaneAccount: string;
  /** Items by clusterId; exposed for tests that corrupt a stored item. */
  readonly items = new Map<string, ClusterItem>();

  constructor(controlPlaneAccount: string) {
    this.#controlPlaneAccount = controlPlaneAccount;
  }

  async get(clusterId: string): Promise<RegisteredCluster | undefined> {
    const item = this.items.get(clusterId);
    return item === undefined ? undefined : decodeCluster(item, this.#controlPlaneAccount);
  }

  async put(cluster: RegisteredCluster, mode: PutMode): Promise<void> {
    const valid = validateCluster(cluster, this.#controlPlaneAccount);
    const exists = this.items.has(valid.clusterId);
    if (mode === "create" && exists) throw new ClusterAlreadyRegistered(valid.clusterId);
    if (mode === "update" && !exists) throw new ClusterNotRegistered(valid.clusterId);
    this.items.set(valid.clusterId, encodeCluster(valid));
  }

  async list(): Promise<RegisteredCluster[]> {
    return [...this.items.keys()].sort().flatMap((id) => {
      const item = this.items.get(id);
      return item === undefined ? [] : [decodeCluster(item, this.#controlPlaneAccount)];
    });
  }

  async remove(clusterId: string): Promise<boolean> {
    return this.items.delete(clusterId);
  }
}
