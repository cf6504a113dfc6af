/**
 * ReferenceGrant spec: 1–16 `from` entries (group, kind, namespace — all required) and 1–16 `to`
 * entries (group, kind, optional name).
 */
import { group, kind, namespaceName, objectName } from "./references.ts";
import { list, type ObjectNode, obj } from "./schema.ts";

export function referenceGrantSpec(): ObjectNode {
  return obj(
    {
      from: list(
        obj({ group: group(), kind: kind(), namespace: namespaceName() }, { required: ["group", "kind", "namespace"] }),
        {
          minItems: 1,
          maxItems: 16,
          listType: "atomic",
        },
      ),
      to: list(obj({ group: group(), kind: kind(), name: objectName() }, { required: ["group", "kind"] }), {
        minItems: 1,
        maxItems: 16,
        listType: "atomic",
      }),
    },
    { required: ["from", "to"] },
  );
}
