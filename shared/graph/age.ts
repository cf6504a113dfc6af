/** Older first, then by namespace/name: the order the Gateway API uses to break ties between objects. */
import { objectKey } from "../k8s/meta.ts";

type Aged = { metadata: { creationTimestamp?: string; name: string; namespace?: string } };

export function compareAge(a: Aged, b: Aged): number {
  const ta = a.metadata.creationTimestamp ?? "\uffff";
  const tb = b.metadata.creationTimestamp ?? "\uffff";
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = objectKey(a.metadata);
  const kb = objectKey(b.metadata);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
