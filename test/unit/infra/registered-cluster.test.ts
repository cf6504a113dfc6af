/**
 * RegisteredCluster: the registry item the CLI would write, the EKS access entry and Pod Identity
 * association, the forwarder's permissions (events.fifo only), and the cross-account policies.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { statusWriterRbac } from "../../../infra/registered-cluster.ts";
import { decodeCluster } from "../../../shared/registry/cluster-item.ts";
import { STATUS_SUBRESOURCES } from "../../../shared/status/writer/resources.ts";
import {
  actionsOf,
  type BuiltApp,
  buildTestApp,
  CONTROL_PLANE_ACCOUNT,
  EXTERNAL_ID,
  resourcesOf,
  type Statement,
  TARGET_ACCOUNT,
} from "./fixture.ts";

let crossAccount: BuiltApp;
let sameAccount: BuiltApp;
let viaForwarder: BuiltApp;

beforeAll(() => {
  crossAccount = buildTestApp();
  sameAccount = buildTestApp({ "switchyard:targetAccount": CONTROL_PLANE_ACCOUNT });
  viaForwarder = buildTestApp({ "switchyard:statusMode": "via-forwarder" });
}, 300_000);

type Resource = { Properties: Record<string, unknown> };
const resources = (template: Template, type: string) => Object.values(template.findResources(type)) as Resource[];

function forwarderStatements(template: Template): Statement[] {
  const policy = resources(template, "AWS::IAM::Policy").find((p) =>
    JSON.stringify(p.Properties.Roles).includes("ClusterForwarderRole"),
  );
  if (!policy) throw new Error("no forwarder policy");
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

/** A resolved CloudFormation string with the deploy-time values filled in. */
function concrete(value: unknown, fills: Record<string, string>): string {
  if (typeof value === "string") return value;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === "string") return fills[record.Ref] ?? `<${record.Ref}>`;
  const getAtt = record["Fn::GetAtt"];
  if (Array.isArray(getAtt)) return fills[getAtt.join(".")] ?? `<${getAtt.join(".")}>`;
  if (typeof record["Fn::ImportValue"] === "string") return `<import ${record["Fn::ImportValue"]}>`;
  const [separator, parts] = record["Fn::Join"] as [string, unknown[]];
  return parts.map((p) => concrete(p, fills)).join(separator);
}

describe("registry entry", () => {
  const call = (app: BuiltApp, phase: "Create" | "Update" | "Delete") => {
    const resource = resources(app.targetTemplate, "Custom::AWS")[0];
    const forwarderRoleId = Object.keys(app.targetTemplate.findResources("AWS::IAM::Role")).find((id) =>
      id.startsWith("ClusterForwarderRole"),
    );
    return JSON.parse(
      concrete(resource?.Properties[phase], {
        "AWS::Partition": "aws",
        [`${forwarderRoleId}.RoleId`]: "AROAFORWARDER0000000001",
      }),
    ) as {
      action: string;
      parameters: {
        TableName: string;
        Item?: Record<string, AttributeValue>;
        ConditionExpression?: string;
        Key?: unknown;
      };
      assumedRoleArn?: string;
    };
  };

  it("creates the item the cluster registry reads back, with the forwarder role's unique id as sender", () => {
    const create = call(crossAccount, "Create");
    expect(create.action).toBe("putItem");
    expect(create.parameters.TableName).toBe("switchyard");
    expect(create.parameters.ConditionExpression).toBe("attribute_not_exists(#pk)");
    const cluster = decodeCluster(create.parameters.Item ?? {}, CONTROL_PLANE_ACCOUNT);
    expect(cluster).toEqual({
      clusterId: "prod-a",
      account: TARGET_ACCOUNT,
      region: "eu-west-1",
      vpcId: "vpc-0123456789abcdef0",
      eks: { clusterName: "prod-a-eks" },
      reconcileRoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/switchyard-reconcile`,
      externalId: EXTERNAL_ID,
      senderPrincipal: `arn:aws:iam::${TARGET_ACCOUNT}:role/switchyard-forwarder-prod-a`,
      senderId: "AROAFORWARDER0000000001",
      statusMode: "direct",
    });
  });

  it("deletes exactly that item when the cluster is removed", () => {
    expect(call(crossAccount, "Delete").parameters.Key).toEqual({ pk: { S: "CLUSTER#prod-a" }, sk: { S: "CLUSTER" } });
  });

  it("from another account, writes through the control plane's registrar role, which may touch CLUSTER# items only", () => {
    expect(call(crossAccount, "Create").assumedRoleArn).toBe(
      `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/switchyard-registrar`,
    );
    const registrar = resources(crossAccount.controlPlaneTemplate, "AWS::IAM::Role").find(
      (r) => r.Properties.RoleName === "switchyard-registrar",
    );
    expect(JSON.stringify(registrar?.Properties.AssumeRolePolicyDocument)).toContain(`:iam::${TARGET_ACCOUNT}:root`);
    crossAccount.controlPlaneTemplate.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: [
          {
            Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CLUSTER#*"] } },
            Effect: "Allow",
            Resource: Match.anyValue(),
          },
        ],
      },
    });
  });

  it("in the control plane's account, writes directly and creates no registrar", () => {
    const create = call(sameAccount, "Create");
    expect(create.assumedRoleArn).toBeUndefined();
    expect(create.parameters.TableName).toMatch(/^<import switchyard-control-plane:ExportsOutputRefControlPlaneTable/);
    expect(
      resources(sameAccount.controlPlaneTemplate, "AWS::IAM::Role").some(
        (r) => r.Properties.RoleName === "switchyard-registrar",
      ),
    ).toBe(false);
  });

  it("a registration the registry would refuse fails at synth", () => {
    expect(() => buildTestApp({ "switchyard:vpcId": "vpc-nothex" })).toThrow(/vpcId/);
  }, 120_000);
});

describe("forwarder", () => {
  it("is trusted by EKS Pod Identity for its own cluster, namespace and service account only", () => {
    const role = resources(crossAccount.targetTemplate, "AWS::IAM::Role").find(
      (r) => r.Properties.RoleName === "switchyard-forwarder-prod-a",
    );
    if (!role) throw new Error("no forwarder role");
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(trust[0]).toMatchObject({
      Action: "sts:AssumeRole",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Condition: {
        StringEquals: {
          "aws:SourceAccount": TARGET_ACCOUNT,
          "aws:RequestTag/eks-cluster-name": "prod-a-eks",
          "aws:RequestTag/kubernetes-namespace": "switchyard",
          "aws:RequestTag/kubernetes-service-account": "switchyard-forwarder",
        },
      },
    });
    crossAccount.targetTemplate.hasResourceProperties("AWS::EKS::PodIdentityAssociation", {
      ClusterName: "prod-a-eks",
      Namespace: "switchyard",
      ServiceAccount: "switchyard-forwarder",
    });
  });

  it("may send to events.fifo and to no other queue", () => {
    const sqs = forwarderStatements(crossAccount.targetTemplate).filter((s) =>
      actionsOf(s).some((a) => a.startsWith("sqs:")),
    );
    expect(sqs).toHaveLength(1);
    expect(actionsOf(sqs[0] as Statement).sort()).toEqual(["sqs:GetQueueAttributes", "sqs:SendMessage"]);
    expect(JSON.stringify(resourcesOf(sqs[0] as Statement))).toMatch(
      /:sqs:eu-west-1:111111111111:switchyard-events\.fifo"/,
    );
  });

  it("may put claim checks under its own cluster's prefix only", () => {
    const s3 = forwarderStatements(crossAccount.targetTemplate).filter((s) =>
      actionsOf(s).some((a) => a.startsWith("s3:")),
    );
    expect(s3.flatMap(actionsOf)).toEqual(["s3:PutObject"]);
    expect(JSON.stringify(s3.flatMap(resourcesOf))).toMatch(/\/events\/prod-a\/\*"/);
  });

  it("in another account, the events queue and the bucket admit that role by ARN, and only it", () => {
    const forwarderArn = `:iam::${TARGET_ACCOUNT}:role/switchyard-forwarder-prod-a`;
    const queuePolicies = JSON.stringify(resources(crossAccount.controlPlaneTemplate, "AWS::SQS::QueuePolicy"));
    expect(queuePolicies).toContain(forwarderArn);
    const statement = resources(crossAccount.controlPlaneTemplate, "AWS::SQS::QueuePolicy")
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .find((s) => JSON.stringify(s).includes(forwarderArn));
    expect(statement).toMatchObject({
      Effect: "Allow",
      Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
      Principal: { AWS: expect.anything() },
    });
    expect(JSON.stringify(statement?.Principal)).toContain(`:iam::${TARGET_ACCOUNT}:root`);
    expect(JSON.stringify(statement?.Condition)).toContain(forwarderArn);
    expect(JSON.stringify(statement?.Resource)).toContain("ControlPlaneEventsQueue");
    expect(JSON.stringify(resources(crossAccount.controlPlaneTemplate, "AWS::S3::BucketPolicy"))).toContain(
      forwarderArn,
    );
  });

  it("in the control plane's account, no queue policy names it (its identity policy suffices)", () => {
    expect(JSON.stringify(resources(sameAccount.controlPlaneTemplate, "AWS::SQS::QueuePolicy"))).not.toContain(
      "switchyard-forwarder",
    );
  });

  it("gets the chart's values for this cluster as an output", () => {
    const outputs = JSON.stringify(crossAccount.targetTemplate.findOutputs("*"));
    for (const key of ["clusterId", "eventsQueueUrl", "claimCheckBucket", "statusMode"]) expect(outputs).toContain(key);
  });
});

describe("status writer access", () => {
  it("direct mode maps the target role to the status writers' group, with no EKS access policy", () => {
    const entries = resources(crossAccount.targetTemplate, "AWS::EKS::AccessEntry");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.Properties).toMatchObject({
      ClusterName: "prod-a-eks",
      Type: "STANDARD",
      KubernetesGroups: ["switchyard:status-writers"],
    });
    expect(entries[0]?.Properties.AccessPolicies).toBeUndefined();
    expect(JSON.stringify(entries[0]?.Properties.PrincipalArn)).toContain("TargetAccountReconcileRole");
  });

  it("the group's RBAC is get and patch on the status subresources switchyard writes (Gateway API kinds, ServiceExport, the Lattice policies), nothing else", () => {
    const [role, binding] = statusWriterRbac();
    expect(role).toMatchObject({
      kind: "ClusterRole",
      rules: [
        { apiGroups: ["gateway.networking.k8s.io"], resources: [...STATUS_SUBRESOURCES], verbs: ["get", "patch"] },
        {
          apiGroups: ["application-networking.k8s.aws"],
          resources: [
            "serviceexports/status",
            "targetgrouppolicies/status",
            "vpcassociationpolicies/status",
            "accesslogpolicies/status",
            "iamauthpolicies/status",
          ],
          verbs: ["get", "patch"],
        },
      ],
    });
    for (const resource of STATUS_SUBRESOURCES) expect(resource).toMatch(/\/status$/);
    expect(binding).toMatchObject({
      kind: "ClusterRoleBinding",
      subjects: [{ kind: "Group", name: "switchyard:status-writers" }],
    });
  });

  it("via-forwarder mode makes no access entry, but a status queue only that forwarder may read", () => {
    expect(resources(viaForwarder.targetTemplate, "AWS::EKS::AccessEntry")).toHaveLength(0);
    const queue = resources(viaForwarder.controlPlaneTemplate, "AWS::SQS::Queue").find(
      (q) => q.Properties.QueueName === "switchyard-status-prod-a",
    );
    expect(queue).toBeDefined();
    const pull = forwarderStatements(viaForwarder.targetTemplate).find((s) => s.Sid === "PullStatus");
    expect(actionsOf(pull as Statement)).toContain("sqs:ReceiveMessage");
    expect(JSON.stringify(resourcesOf(pull as Statement))).toContain("switchyard-status-prod-a");
  });
});
