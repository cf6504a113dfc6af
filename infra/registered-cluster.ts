/**
 * A cluster registered with a control plane, deployed in the cluster's own account: the registry
 * entry (the item the CLI's `cluster register` writes, written by a custom resource), the EKS access
 * entry that maps the status writer to a Kubernetes group allowed only the Gateway API kinds'
 * status subresources, the forwarder's role with its EKS Pod Identity association, and — when the
 * cluster lives in another account than the control plane — the queue and bucket policy statements
 * that let that role in.
 */

import { Aws, CfnOutput, Stack, Token } from "aws-cdk-lib";
import { CfnAccessEntry, CfnPodIdentityAssociation } from "aws-cdk-lib/aws-eks";
import { Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import {
  type RegisteredCluster as ClusterRegistration,
  type StatusMode,
  validateCluster,
} from "../shared/registry/cluster.ts";
import { clusterKey, encodeCluster } from "../shared/registry/cluster-item.ts";
import { STATUS_RBAC_RULES } from "../shared/status/writer/resources.ts";
import { CLUSTER_PREFIX, PARTITION_KEY } from "../shared/store/dynamodb/table-keys.ts";
import type { ControlPlane } from "./control-plane.ts";
import { acknowledge, acknowledgeWildcardResources } from "./nag.ts";
import { forwarderRoleName, STATUS_WRITERS_GROUP } from "./names.ts";
import { MANAGED_TAG_KEY, MANAGED_TAG_VALUE } from "./reconcile-permissions.ts";
import type { TargetAccount } from "./target-account.ts";

export interface RegisteredClusterProps {
  readonly controlPlane: ControlPlane;
  /** The TargetAccount of the cluster's account: its role reconciles and writes status, with its ExternalId. */
  readonly targetAccount: TargetAccount;
  /** The id in the registry: lower-case alphanumerics and `-`, at most 43 (it is part of the forwarder role's name). */
  readonly clusterId: string;
  /** The EKS cluster's name, in this stack's account and Region. */
  readonly eksClusterName: string;
  /** The cluster's VPC, where its load balancers go. */
  readonly vpcId: string;
  /** How status reaches the cluster. @default "direct" */
  readonly statusMode?: StatusMode;
  /** The forwarder's namespace. @default "switchyard" */
  readonly forwarderNamespace?: string;
  /** The forwarder's service account (the Helm chart's `serviceAccount.name`). @default "switchyard-forwarder" */
  readonly forwarderServiceAccount?: string;
  /** Whether the forwarder imports listener certificate Secrets into ACM (the chart's `acmImport`). @default true */
  readonly acmImport?: boolean;
}

/** The Kubernetes RBAC that gives the status writers' group the status subresources and nothing else. */
export function statusWriterRbac(group = STATUS_WRITERS_GROUP): Record<string, unknown>[] {
  const name = "switchyard-status-writer";
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name },
      rules: STATUS_RBAC_RULES.map((rule) => ({
        apiGroups: [rule.apiGroup],
        resources: [...rule.resources],
        verbs: ["get", "patch"],
      })),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    },
  ];
}

/** Shapes that stand in for deploy-time values when the registration is validated at synth. */
const PLACEHOLDER_UNIQUE_ID = "AROAPLACEHOLDER000000";

export class RegisteredCluster extends Construct {
  readonly clusterId: string;
  readonly forwarderRole: Role;
  /** The registry item as written (tokens for the forwarder role's id). */
  readonly registration: ClusterRegistration;
  /** The forwarder chart's values for this cluster (`helm install -f`). */
  readonly helmValues: Record<string, unknown>;
  readonly accessEntry: CfnAccessEntry | undefined;

  constructor(scope: Construct, id: string, props: RegisteredClusterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { controlPlane, targetAccount } = props;
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error("RegisteredCluster needs a stack with an explicit account and Region (env)");
    }
    if (props.clusterId.length > 43) throw new Error(`clusterId ${props.clusterId}: at most 43 characters`);
    const account = stack.account;
    const crossAccount = account !== controlPlane.account;
    const namespace = props.forwarderNamespace ?? "switchyard";
    const serviceAccount = props.forwarderServiceAccount ?? "switchyard-forwarder";
    const statusMode = props.statusMode ?? "direct";
    this.clusterId = props.clusterId;

    const roleName = forwarderRoleName(controlPlane.name, props.clusterId);
    const forwarderRoleArn = `arn:${Aws.PARTITION}:iam::${account}:role/${roleName}`;
    this.forwarderRole = new Role(this, "ForwarderRole", {
      roleName,
      description: `switchyard forwarder of cluster ${props.clusterId} (EKS Pod Identity)`,
      assumedBy: new ServicePrincipal("pods.eks.amazonaws.com").withConditions({
        StringEquals: {
          "aws:SourceAccount": account,
          "aws:RequestTag/eks-cluster-name": props.eksClusterName,
          "aws:RequestTag/kubernetes-namespace": namespace,
          "aws:RequestTag/kubernetes-service-account": serviceAccount,
        },
      }),
    });
    this.forwarderRole.assumeRolePolicy?.addStatements(
      new PolicyStatement({
        actions: ["sts:TagSession"],
        principals: [new ServicePrincipal("pods.eks.amazonaws.com")],
        conditions: { StringEquals: { "aws:SourceAccount": account } },
      }),
    );
    this.forwarderRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "SendEvents",
        actions: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
        resources: [controlPlane.events.queue.queueArn],
      }),
    );
    this.forwarderRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "ClaimChecks",
        actions: ["s3:PutObject"],
        resources: [`arn:${Aws.PARTITION}:s3:::${controlPlane.claimCheckBucketName}/events/${props.clusterId}/*`],
      }),
    );
    if (controlPlane.encryptionKey) {
      this.forwarderRole.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [controlPlane.encryptionKey.keyArn],
        }),
      );
    }
    if (props.acmImport ?? true) this.#allowAcmImport(props.clusterId);
    if (crossAccount) controlPlane.allowForwarder(account, forwarderRoleArn);

    let statusQueueUrl: string | undefined;
    if (statusMode === "via-forwarder") {
      const queue = controlPlane.addForwarderStatusQueue(props.clusterId, account, forwarderRoleArn);
      statusQueueUrl = queue.queue.queueUrl;
      this.forwarderRole.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "PullStatus",
          actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
          resources: [queue.queue.queueArn],
        }),
      );
    } else {
      // The status function signs its EKS token as the target account's role (it assumes it).
      this.accessEntry = new CfnAccessEntry(this, "StatusWriterAccess", {
        clusterName: props.eksClusterName,
        principalArn: targetAccount.role.roleArn,
        type: "STANDARD",
        kubernetesGroups: [STATUS_WRITERS_GROUP],
      });
    }

    new CfnPodIdentityAssociation(this, "ForwarderPodIdentity", {
      clusterName: props.eksClusterName,
      namespace,
      serviceAccount,
      roleArn: this.forwarderRole.roleArn,
    });

    this.registration = {
      clusterId: props.clusterId,
      account,
      region: stack.region,
      vpcId: props.vpcId,
      eks: { clusterName: props.eksClusterName },
      reconcileRoleArn: `arn:${Aws.PARTITION}:iam::${account}:role/${targetAccount.roleName}`,
      externalId: targetAccount.externalId,
      senderPrincipal: forwarderRoleArn,
      senderId: this.forwarderRole.roleId,
      statusMode,
    };
    this.#validate(controlPlane);
    this.#registryEntry(controlPlane, crossAccount);

    this.helmValues = {
      clusterId: props.clusterId,
      eventsQueueUrl: controlPlane.events.queue.queueUrl,
      region: controlPlane.region,
      claimCheckBucket: controlPlane.claimCheckBucketName,
      acmImport: props.acmImport ?? true,
      statusMode,
      ...(statusQueueUrl ? { statusQueueUrl } : {}),
      serviceAccount: { name: serviceAccount },
    };
    const policy = this.forwarderRole.node.tryFindChild("DefaultPolicy");
    if (policy instanceof Policy) {
      const resolved = stack.resolve(policy.document.toJSON()) as { Statement: { Resource: unknown }[] };
      acknowledgeWildcardResources(
        policy,
        resolved.Statement.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource])),
        "Claim checks: only this cluster's prefix of the bucket (events/<clusterId>/), object keys being content hashes. ACM: certificate ARNs are assigned at import, so imports and tags are limited by tag instead (aws:RequestTag switchyard.dev/managed-by and switchyard.dev/cluster = this cluster on a new import, aws:ResourceTag switchyard.dev/cluster on a re-import); acm:ListCertificates supports no resource-level permission, and ListTagsForCertificate of every certificate is how a restarted forwarder finds the ones it imported.",
      );
    }
    new CfnOutput(this, "ForwarderHelmValues", {
      description: `helm install switchyard-forwarder forwarder/deploy/chart -n ${namespace} -f <these values>`,
      value: stack.toJsonString(this.helmValues),
    });
  }

  /** The same validator as `switchyard cluster register`, with deploy-time values in valid shapes. */
  #validate(controlPlane: ControlPlane): void {
    const concrete = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const partitionFree = (arn: string) => arn.replace(Aws.PARTITION, "aws");
    validateCluster(
      {
        ...this.registration,
        reconcileRoleArn: partitionFree(this.registration.reconcileRoleArn ?? ""),
        senderPrincipal: partitionFree(this.registration.senderPrincipal),
        senderId: concrete(this.registration.senderId ?? "", PLACEHOLDER_UNIQUE_ID),
        externalId: concrete(this.registration.externalId ?? "", "placeholder"),
      },
      Token.isUnresolved(controlPlane.account) ? "000000000000" : controlPlane.account,
    );
  }

  #registryEntry(controlPlane: ControlPlane, crossAccount: boolean): void {
    const assumedRoleArn = crossAccount ? controlPlane.allowRegistrationFrom(this.registration.account) : undefined;
    const call = (action: "putItem" | "deleteItem", parameters: Record<string, unknown>): AwsSdkCall => ({
      service: "DynamoDB",
      action,
      parameters: { TableName: controlPlane.table.tableName, ...parameters },
      physicalResourceId: PhysicalResourceId.of(`${CLUSTER_PREFIX}${this.clusterId}`),
      ...(assumedRoleArn ? { assumedRoleArn } : {}),
    });
    const item = encodeCluster(this.registration);
    const entry = new AwsCustomResource(this, "RegistryEntry", {
      // A create never overwrites a registration someone else made (the CLI's create is as strict).
      onCreate: call("putItem", {
        Item: item,
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": PARTITION_KEY },
      }),
      onUpdate: call("putItem", { Item: item }),
      onDelete: call("deleteItem", { Key: clusterKey(this.clusterId) }),
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements(
        assumedRoleArn
          ? [new PolicyStatement({ actions: ["sts:AssumeRole"], resources: [assumedRoleArn] })]
          : [
              new PolicyStatement({
                actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                resources: [controlPlane.table.tableArn],
                conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${CLUSTER_PREFIX}*`] } },
              }),
            ],
      ),
    });
    entry.node.addDependency(this.forwarderRole);
    // aws-cdk-lib's provider function for every AwsCustomResource of the stack (one per stack).
    const provider = Stack.of(this).node.tryFindChild("AWS679f53fac002430cb0da5b7982bd2287");
    if (provider) {
      acknowledge(provider, {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "aws-cdk-lib's AwsCustomResource provider logs with AWSLambdaBasicExecutionRole (CloudWatch Logs only); its other permissions are the registry entry's PutItem/DeleteItem of CLUSTER# items, or AssumeRole of the control plane's registrar role, given here.",
      });
    }
  }

  /** ACM import of listener certificates: tagged imports, re-imports and tags of this cluster's certificates only. */
  #allowAcmImport(clusterId: string): void {
    const certificates = `arn:${Aws.PARTITION}:acm:*:${Aws.ACCOUNT_ID}:certificate/*`;
    this.forwarderRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "ImportNewCertificates",
        actions: ["acm:ImportCertificate", "acm:AddTagsToCertificate"],
        resources: [certificates],
        conditions: {
          StringEquals: {
            [`aws:RequestTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE,
            "aws:RequestTag/switchyard.dev/cluster": clusterId,
          },
        },
      }),
    );
    this.forwarderRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "ReimportOwnCertificates",
        actions: ["acm:ImportCertificate", "acm:AddTagsToCertificate"],
        resources: [certificates],
        conditions: { StringEquals: { "aws:ResourceTag/switchyard.dev/cluster": clusterId } },
      }),
    );
    this.forwarderRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "FindImportedCertificates",
        actions: ["acm:ListCertificates", "acm:ListTagsForCertificate"],
        resources: ["*"],
      }),
    );
  }
}
