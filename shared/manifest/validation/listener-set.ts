/**
 * ListenerSet spec: a parent Gateway (defaulting to kind Gateway in the Gateway API group) and
 * 1–64 listeners under the same rules as a Gateway's.
 */
import { GATEWAY_GROUP } from "../../gateway-api/types.ts";
import { listeners } from "./listeners.ts";
import { group, kind, namespaceName, objectName } from "./references.ts";
import { type ObjectNode, obj } from "./schema.ts";

export function listenerSetSpec(): ObjectNode {
  return obj(
    {
      listeners: listeners(),
      parentRef: obj(
        { group: group(GATEWAY_GROUP), kind: kind("Gateway"), name: objectName(), namespace: namespaceName() },
        { required: ["name"] },
      ),
    },
    { required: ["listeners", "parentRef"] },
  );
}
