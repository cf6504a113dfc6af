/**
 * Checks across the objects of one input, which no single object can fail on its own: the same
 * object written twice, and routes whose parent is not in the input. Loading is per file; this runs
 * once every file is loaded, so it sees a duplicate even when its two copies are in different files.
 */
import { GATEWAY_GROUP } from "../gateway-api/types.ts";
import type { KubeObject } from "../k8s/meta.ts";
import type { ObjectOrigin } from "./parse.ts";
import type { ManifestProblem } from "./problem.ts";
import { identityOf } from "./validate.ts";

export interface LocatedObject {
  object: KubeObject;
  origin: ObjectOrigin;
}

export interface Inventory {
  /** Every object once: the first copy of a duplicated one. */
  objects: KubeObject[];
  /** Later copies of an object already defined, each naming where the first copy is. */
  problems: ManifestProblem[];
  /** Not wrong for the API server, but probably not what was meant: routes whose parent is absent. */
  warnings: ManifestProblem[];
}

const ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
/** Parents switchyard attaches routes to; a route may name other parents (a mesh Service…) freely. */
const PARENT_KINDS = new Set(["Gateway", "ListenerSet"]);

function where(origin: ObjectOrigin): string {
  return `${origin.source}#${origin.document}`;
}

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ""}\u0000${name}`;
}

export function takeInventory(located: readonly LocatedObject[]): Inventory {
  const first = new Map<string, LocatedObject>();
  const inventory: Inventory = { objects: [], problems: [], warnings: [] };
  for (const entry of located) {
    const { kind, metadata } = entry.object;
    const key = keyOf(kind, metadata.namespace, metadata.name);
    const earlier = first.get(key);
    if (earlier) {
      inventory.problems.push({
        ...entry.origin,
        object: identityOf(entry.object),
        field: "metadata.name",
        message: `defined twice: here and at ${where(earlier.origin)}; the copy at ${where(earlier.origin)} is used`,
      });
      continue;
    }
    first.set(key, entry);
    inventory.objects.push(entry.object);
  }
  for (const entry of first.values()) {
    const { object } = entry;
    if (!ROUTE_KINDS.has(object.kind)) continue;
    const spec = object.spec as { parentRefs?: unknown } | undefined;
    const parentRefs = Array.isArray(spec?.parentRefs) ? spec.parentRefs : [];
    parentRefs.forEach((ref: unknown, i) => {
      if (typeof ref !== "object" || ref === null) return;
      const { group, kind, namespace, name } = ref as Record<string, unknown>;
      const parentKind = typeof kind === "string" ? kind : "Gateway";
      const parentGroup = typeof group === "string" ? group : GATEWAY_GROUP;
      if (parentGroup !== GATEWAY_GROUP || !PARENT_KINDS.has(parentKind) || typeof name !== "string") return;
      const parentNamespace = typeof namespace === "string" ? namespace : object.metadata.namespace;
      if (first.has(keyOf(parentKind, parentNamespace, name))) return;
      inventory.warnings.push({
        ...entry.origin,
        object: identityOf(object),
        field: `spec.parentRefs[${i}]`,
        message: `${parentKind} ${parentNamespace ?? ""}/${name} is not in the input; the route attaches to nothing here`,
      });
    });
  }
  return inventory;
}
