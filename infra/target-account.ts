/**
 * A target account: the role the control plane's reconcile and status functions assume (STS
 * AssumeRole with an ExternalId) to own load balancers, security groups and VPC Lattice resources
 * there, and to sign EKS tokens for status. Deploy one per account and Region pair's account that
 * holds clusters, the control plane's own account included.
 */

import { Aws, Duration, Stack, Token } from "aws-cdk-lib";
import { EventBus, Rule } from "aws-cdk-lib/aws-events";
import { EventBus as EventBusTarget } from "aws-cdk-lib/aws-events-targets";
import { ArnPrincipal, CompositePrincipal, ManagedPolicy, type PolicyDocument, Role } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { ACM_DETAIL_TYPES, CLOUDTRAIL_DETAIL_TYPE } from "../functions/resync/aws-events.ts";
import type { ControlPlane } from "./control-plane.ts";
import { acknowledgeWildcardResources } from "./nag.ts";
import { DEFAULT_NAME, targetRoleName } from "./names.ts";
import {
  edgePolicy,
  elbPolicy,
  latticePolicy,
  type ReconcilePermissionsOptions,
  securityGroupPolicy,
} from "./reconcile-permissions.ts";

/** What a target account needs to know of its control plane; a ControlPlane construct is one. */
export interface ControlPlaneIdentity {
  /** Prefix of physical names. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly reconcileRole: { readonly roleArn: string };
  readonly statusRole: { readonly roleArn: string };
  /**
   * The resync function's role, trusted too: its owner lookup reads this account's tags (its
   * sessions carry a policy allowing `tag:GetResources` only).
   * @default not trusted — AWS events about this account's resources find their Gateways through
   * the state records alone
   */
  readonly resyncRole?: { readonly roleArn: string };
  /** Present on a ControlPlane in the same CDK app: lets this account's role and events in. */
  addTargetAccount?(account: string): void;
}

export interface TargetAccountProps extends ReconcilePermissionsOptions {
  /** The control plane whose functions assume the role (a ControlPlane, or its identity from another app). */
  readonly controlPlane: ControlPlane | ControlPlaneIdentity;
  /**
   * The ExternalId the control plane must present (the confused-deputy guard); registered with each
   * cluster of this account. 2–1224 of `[\w+=,.@:/-]`.
   */
  readonly externalId: string;
  /**
   * Forward this account's ACM certificate events and ELBv2 CloudTrail calls to the control plane's
   * default event bus (its resync function reconciles the owning Gateways). Needs CloudTrail
   * management events in this account for the ELBv2 calls.
   * @default true when this account or Region is not the control plane's
   */
  readonly forwardEvents?: boolean;
  /** The role's longest session. @default 1 hour — the session the client factory requests */
  readonly maxSessionDuration?: Duration;
}

const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export class TargetAccount extends Construct {
  readonly role: Role;
  readonly roleName: string;
  readonly externalId: string;

  constructor(scope: Construct, id: string, props: TargetAccountProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.externalId) && !EXTERNAL_ID.test(props.externalId)) {
      throw new Error(
        `TargetAccount externalId must be 2-1224 of [\\w+=,.@:/-], got ${JSON.stringify(props.externalId)}`,
      );
    }
    this.externalId = props.externalId;
    const stack = Stack.of(this);
    const controlPlane = props.controlPlane;
    const trusted = [
      controlPlane.reconcileRole.roleArn,
      controlPlane.statusRole.roleArn,
      ...(controlPlane.resyncRole ? [controlPlane.resyncRole.roleArn] : []),
    ].map((arn) => new ArnPrincipal(arn));
    this.roleName = targetRoleName(controlPlane.name ?? DEFAULT_NAME);
    this.role = new Role(this, "ReconcileRole", {
      roleName: this.roleName,
      description: "Assumed by the switchyard control plane's reconcile, status and resync functions",
      assumedBy: new CompositePrincipal(...trusted).withConditions({
        StringEquals: { "sts:ExternalId": props.externalId },
      }),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    });
    const options: ReconcilePermissionsOptions = {
      ...(props.vpcIds ? { vpcIds: props.vpcIds } : {}),
      ...(props.eksClusterNames ? { eksClusterNames: props.eksClusterNames } : {}),
    };
    // Four customer managed policies: one inline document would pass IAM's 10,240-character limit.
    // Each states why its resource wildcards are as narrow as IAM allows (cdk-nag IAM5).
    const policies: [string, PolicyDocument, string][] = [
      [
        "LoadBalancers",
        elbPolicy(),
        "ELBv2 ARNs end in ids AWS assigns at creation, so the resources are every load balancer, listener, rule and target group of this account; creates need aws:RequestTag switchyard.dev/managed-by=switchyard, tags only inside those creates (elasticloadbalancing:CreateAction), every other write aws:ResourceTag switchyard.dev/managed-by=switchyard. The service-linked role statement is limited by iam:AWSServiceName.",
      ],
      [
        "SecurityGroups",
        securityGroupPolicy(options),
        "Security group and rule ids are assigned by EC2: creates need aws:RequestTag, deletes and rule changes on switchyard's groups aws:ResourceTag; the targets' groups (not switchyard's) get backend rules only inside the named VPCs (ec2:Vpc); claim tags are limited to the switchyard.dev/claim/ prefix (aws:TagKeys); the region is any, as clusters of one account may live in several.",
      ],
      [
        "EdgeAndReads",
        edgePolicy(options),
        "Describe/List/Get of ELBv2, EC2, ACM, WAF, Shield, VPC Lattice and tag:GetResources accept no resource-level restriction (Service Authorization Reference) and change nothing. WAF associations are limited to this account's Web ACLs and ALBs (the ALB side is tag-limited by elasticloadbalancing:SetWebAcl), Shield protections to this account's (they carry no tags), DescribeCluster to the named EKS clusters in any Region.",
      ],
      [
        "Lattice",
        latticePolicy(),
        "VPC Lattice ids are assigned at creation: creates and their tags need aws:RequestTag switchyard.dev/managed-by=switchyard, every update, delete and target change aws:ResourceTag; the resource is this account's VPC Lattice resources.",
      ],
    ];
    for (const [policyId, document, reason] of policies) {
      const policy = new ManagedPolicy(this, policyId, { document, roles: [this.role] });
      const resolved = stack.resolve(document.toJSON()) as { Statement: { Resource: unknown }[] };
      const resources = resolved.Statement.flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));
      acknowledgeWildcardResources(policy, resources, reason);
    }

    controlPlane.addTargetAccount?.(stack.account);
    const elsewhere = stack.account !== controlPlane.account || stack.region !== controlPlane.region;
    if (props.forwardEvents ?? elsewhere) {
      const bus = EventBus.fromEventBusArn(
        this,
        "ControlPlaneBus",
        `arn:${Aws.PARTITION}:events:${controlPlane.region}:${controlPlane.account}:event-bus/default`,
      );
      new Rule(this, "ForwardAcmEvents", {
        eventPattern: { source: ["aws.acm"], detailType: [...ACM_DETAIL_TYPES] },
        targets: [new EventBusTarget(bus)],
      });
      new Rule(this, "ForwardElbChanges", {
        eventPattern: {
          source: ["aws.elasticloadbalancing"],
          detailType: [CLOUDTRAIL_DETAIL_TYPE],
          detail: { eventSource: ["elasticloadbalancing.amazonaws.com"] },
        },
        targets: [new EventBusTarget(bus)],
      });
    }
  }
}
