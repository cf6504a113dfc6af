/**
 * A ServiceExport's target groups as their own reconcile unit. The exporting cluster owns them (not
 * any Gateway: importing clusters' services forward to them), so they reconcile under a key of
 * their own, `<cluster>/serviceexport.<namespace>/<name>`: a Kubernetes namespace is a DNS label and
 * never holds a dot, so no Gateway's key (and so no Gateway's lease or state record) can be it.
 * Requests for it carry the reason `lattice-export` (shared/pipeline/reconcile-request.ts).
 */
import { type ClusterGatewayKey, clusterGatewayKey, splitClusterGatewayKey } from "../keys.ts";

const UNIT_NAMESPACE_PREFIX = "serviceexport.";

const EXPORT_OWNER_PREFIX = "ServiceExport/";

/** The ownership tags' `gateway` value on a ServiceExport's groups: who may write them. */
export function serviceExportOwner(namespace: string, name: string): string {
  return `${EXPORT_OWNER_PREFIX}${namespace}/${name}`;
}

/** Whether an ownership tag's `gateway` value names a ServiceExport (serviceExportOwner), not a Gateway. */
export function isServiceExportOwner(gatewayTag: string): boolean {
  return gatewayTag.startsWith(EXPORT_OWNER_PREFIX);
}

/** The reconcile unit (lease, state record, request key) of ServiceExport `namespace/name` in `cluster`. */
export function exportUnitKey(cluster: string, namespace: string, name: string): ClusterGatewayKey {
  return clusterGatewayKey(cluster, `${UNIT_NAMESPACE_PREFIX}${namespace}`, name);
}

/** The ServiceExport a unit key stands for, or undefined for a Gateway's key. */
export function parseExportUnitKey(
  key: ClusterGatewayKey,
): { cluster: string; namespace: string; name: string } | undefined {
  const { cluster, namespace, name } = splitClusterGatewayKey(key);
  if (!namespace.startsWith(UNIT_NAMESPACE_PREFIX)) return undefined;
  return { cluster, namespace: namespace.slice(UNIT_NAMESPACE_PREFIX.length), name };
}
