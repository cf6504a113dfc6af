/**
 * BackendTLSPolicy spec: 1–16 targets (distinct by sectionName when one target repeats), and how
 * to validate the backend's certificate — CA certificate refs or a well-known CA set (one of the
 * two), the hostname to verify, and optional subject alternative names.
 */
import { fieldForDiscriminator } from "./discriminated.ts";
import { hostname, preciseHostname } from "./hostnames.ts";
import { SAN_URI, WELL_KNOWN_CA } from "./patterns.ts";
import { group, kind, localObjectReference, objectName, repeatedReferenceRules, sectionName } from "./references.ts";
import { child, list, map, type ObjectNode, obj, objectRule, type Rule, str } from "./schema.ts";
import { isUnsetString, sizeOf } from "./values.ts";

const hasCARefs = (self: Record<string, unknown>) => (sizeOf(self, "caCertificateRefs") ?? 0) > 0;
const hasWellKnown = (self: Record<string, unknown>) => !isUnsetString(self, "wellKnownCACertificates");

// Two CRD rules on validation: exactly one source of trusted CAs.
const caSourceRules: readonly Rule[] = [
  objectRule("not both CA refs and well-known CAs", (self, at, report) => {
    if (hasCARefs(self) && hasWellKnown(self))
      report(
        child(at, "wellKnownCACertificates"),
        "must not be set together with caCertificateRefs; choose one source of trusted CAs",
      );
  }),
  objectRule("CA refs or well-known CAs", (self, at, report) => {
    if (!hasCARefs(self) && !hasWellKnown(self)) report(at, "must set caCertificateRefs or wellKnownCACertificates");
  }),
];

// Four CRD rules on a subject alternative name: the field matching `type` is set, the other is not.
const sanRules = (): Rule[] => [
  ...fieldForDiscriminator("type", "Hostname", "hostname", { emptyIsUnset: true }),
  ...fieldForDiscriminator("type", "URI", "uri", { emptyIsUnset: true }),
];

export function backendTLSPolicySpec(): ObjectNode {
  return obj(
    {
      options: map(str({ minLength: 0, maxLength: 4096 }), { maxProperties: 16 }),
      targetRefs: list(
        obj(
          { group: group(), kind: kind(), name: objectName(), sectionName: sectionName() },
          { required: ["group", "kind", "name"] },
        ),
        {
          minItems: 1,
          maxItems: 16,
          listType: "atomic",
          rules: repeatedReferenceRules({ noun: "target", namespaced: false, withPort: false }),
        },
      ),
      validation: obj(
        {
          caCertificateRefs: list(localObjectReference(), { maxItems: 8, listType: "atomic" }),
          hostname: preciseHostname(),
          subjectAltNames: list(
            obj(
              {
                hostname: hostname(),
                type: str({ enum: ["Hostname", "URI"] }),
                uri: str({ pattern: SAN_URI, minLength: 1, maxLength: 253 }),
              },
              { required: ["type"], rules: sanRules() },
            ),
            { maxItems: 5, listType: "atomic" },
          ),
          wellKnownCACertificates: str({ pattern: WELL_KNOWN_CA, minLength: 1, maxLength: 253 }),
        },
        { required: ["hostname"], rules: caSourceRules },
      ),
    },
    { required: ["targetRefs", "validation"] },
  );
}
