/**
 * GatewayClass spec: the controller that owns the class (a domain-prefixed path) and an optional
 * parameters reference. The CRD's only CEL rule, controllerName immutability, compares an update
 * with the stored object and has no meaning for a manifest on its own.
 */
import { CONTROLLER_NAME } from "./patterns.ts";
import { group, kind, namespaceName, objectName } from "./references.ts";
import { type ObjectNode, obj, str } from "./schema.ts";

export function gatewayClassSpec(): ObjectNode {
  return obj(
    {
      controllerName: str({ pattern: CONTROLLER_NAME, minLength: 1, maxLength: 253 }),
      description: str({ maxLength: 64 }),
      parametersRef: obj(
        { group: group(), kind: kind(), name: objectName(), namespace: namespaceName() },
        { required: ["group", "kind", "name"] },
      ),
    },
    { required: ["controllerName"] },
  );
}
