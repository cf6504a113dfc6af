/**
 * Who may send a cluster's events, from the registry: the SenderDirectory ingest asks. Lookups are
 * kept for a short while, since a batch of ten events usually names one cluster ten times and a
 * Lambda instance handles many batches; a revoked sender is refused within `ttlMs`.
 */
import type { SenderDirectory } from "../pipeline/ingest.ts";
import type { ClusterRegistry } from "./registry.ts";

export interface RegistrySendersOptions {
  /** How long a lookup (found or not) is reused. @default 30 000 ms */
  ttlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export function registrySenders(registry: ClusterRegistry, options: RegistrySendersOptions = {}): SenderDirectory {
  const ttl = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { senderId: string | undefined; until: number }>();
  return {
    async principalOf(clusterId: string): Promise<string | undefined> {
      const hit = cache.get(clusterId);
      if (hit !== undefined && hit.until > now()) return hit.senderId;
      const senderId = (await registry.get(clusterId))?.senderId;
      cache.set(clusterId, { senderId, until: now() + ttl });
      return senderId;
    },
  };
}
