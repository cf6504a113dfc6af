/**
 * Shape-level schemas for the VPC Lattice controller's kinds (application-networking.k8s.aws, and
 * the multicluster SIG's ServiceExport/ServiceImport): required fields, enums and ranges from
 * shared/design/reference/vpc-lattice-controller.md §3. Unknown fields are accepted, as those CRDs
 * evolve outside this project.
 *
 * A policy's targetRef kind is not checked here: a policy aimed at the wrong kind is accepted by
 * the API server and reported in the policy's status (Accepted=False), not refused.
 */
import { definePattern } from "./patterns.ts";
import { group, kind, namespaceName, objectName, portNumber } from "./references.ts";
import { bool, int, list, type ObjectNode, obj, type SchemaNode, str } from "./schema.ts";

function open(properties: Record<string, SchemaNode>, required: string[] = []): ObjectNode {
  return obj(properties, { openFields: true, ...(required.length > 0 ? { required } : {}) });
}

const SECURITY_GROUP_ID = definePattern("a security group id (sg-…)", "^sg-[0-9a-z]+$");
const ARN = definePattern(
  "an ARN (arn:partition:service:region:account:resource)",
  "^arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:([^/].*)?",
);

/** Gateway API policy attachment: group, kind and name of the target, optionally its namespace. */
function targetRef(): ObjectNode {
  return open({ group: group(), kind: kind(), name: objectName(), namespace: namespaceName() }, [
    "group",
    "kind",
    "name",
  ]);
}

export function targetGroupPolicySpec(): ObjectNode {
  return open(
    {
      targetRef: targetRef(),
      protocol: str({ enum: ["HTTP", "HTTPS", "TCP"] }),
      protocolVersion: str({ enum: ["HTTP1", "HTTP2", "GRPC"] }),
      healthCheck: open({
        enabled: bool(),
        intervalSeconds: int({ minimum: 5, maximum: 300 }),
        timeoutSeconds: int({ minimum: 1, maximum: 120 }),
        healthyThresholdCount: int({ minimum: 2, maximum: 10 }),
        unhealthyThresholdCount: int({ minimum: 2, maximum: 10 }),
        statusMatch: str(),
        path: str(),
        port: portNumber(),
        protocol: str({ enum: ["HTTP", "HTTPS"] }),
        protocolVersion: str({ enum: ["HTTP1", "HTTP2"] }),
      }),
    },
    ["targetRef"],
  );
}

export function vpcAssociationPolicySpec(): ObjectNode {
  return open(
    {
      targetRef: targetRef(),
      securityGroupIds: list(str({ pattern: SECURITY_GROUP_ID, minLength: 3, maxLength: 32 }), { minItems: 1 }),
      associateWithVpc: bool(),
    },
    ["targetRef"],
  );
}

/**
 * The upstream CRD leaves destinationArn optional, but a policy without a destination does
 * nothing and `AccessLogPolicySpec` in shared/extensions declares it required, so it is required.
 */
export function accessLogPolicySpec(): ObjectNode {
  return open({ targetRef: targetRef(), destinationArn: str({ pattern: ARN }) }, ["targetRef", "destinationArn"]);
}

export function iamAuthPolicySpec(): ObjectNode {
  return open({ targetRef: targetRef(), policy: str() }, ["targetRef", "policy"]);
}

export function serviceExportSpec(): ObjectNode {
  return open({
    exportedPorts: list(
      open({ port: portNumber(), routeType: str({ enum: ["HTTP", "GRPC", "TLS"] }) }, ["port", "routeType"]),
    ),
  });
}

export function serviceImportSpec(): ObjectNode {
  return open(
    {
      ports: list(
        open(
          {
            name: str(),
            protocol: str({ enum: ["TCP", "UDP", "SCTP"] }),
            appProtocol: str(),
            port: int({ format: "int32" }),
          },
          ["port"],
        ),
        { listType: "atomic" },
      ),
      ips: list(str(), { maxItems: 1 }),
      type: str({ enum: ["ClusterSetIP", "Headless"] }),
      sessionAffinity: str(),
      sessionAffinityConfig: open({}),
    },
    ["ports", "type"],
  );
}
