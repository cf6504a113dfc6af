/**
 * ReferenceGrant checks: a reference from one namespace into another is allowed only when a grant
 * in the target namespace names the source (group, kind, namespace) and the target (group, kind and,
 * when given, name). Deleting the grant revokes the access on the next snapshot.
 */
import type { ReferenceGrant } from "../gateway-api/types.ts";

export interface ReferenceIndex {
  allows(
    from: { group: string; kind: string; namespace: string },
    to: { group: string; kind: string; namespace: string; name: string },
  ): boolean;
}

export function referenceIndex(grants: readonly ReferenceGrant[]): ReferenceIndex {
  const byNamespace = new Map<string, ReferenceGrant[]>();
  for (const grant of grants) {
    const ns = grant.metadata.namespace ?? "";
    const list = byNamespace.get(ns);
    if (list) list.push(grant);
    else byNamespace.set(ns, [grant]);
  }
  return {
    allows(from, to) {
      if (from.namespace === to.namespace) return true;
      return (byNamespace.get(to.namespace) ?? []).some(
        (grant) =>
          (grant.spec?.from ?? []).some(
            (f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace,
          ) &&
          (grant.spec?.to ?? []).some(
            (t) =>
              t.group === to.group &&
              t.kind === to.kind &&
              (t.name === undefined || t.name === "" || t.name === to.name),
          ),
      );
    },
  };
}
