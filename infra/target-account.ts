/**
 * A target account: the role the control plane's reconcile and status functions assume (STS
 * AssumeRole with an ExternalId) to own load balancers, security groups and VPC Lattice resources
 * there, and to sign EKS tokens for status. Deploy one per account and Region pair's account that
 * holds clusters, the control plane's own account included.
 */

import { Aws, Duration, Stack, Token } from "aws-cdk-lib";
import { EventBus, Rule } from "aws-cdk-lib/aws-events";
import { EventBus as EventBusTarget } from "aws-cdk-lib/aws-events-targets";
import { ArnPrincipal, CompositePrincipal, ManagedPolicy, Role } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { ACM_DETAIL_TYPES, CLOUDTRAIL_DETAIL_TYPE } from "../functions/resync/aws-events.ts";
import type { ControlPlane } from "./control-plane.ts";
import { DEFAULT_NAME, targetRoleName } from "./names.ts";
import { acknowledge } from "./nag.ts";
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
      throw new Error(`TargetAccount externalId must be 2-1224 of [\\w+=,.@:/-], got ${JSON.stringify(props.externalId)}`);
    }
    this.externalId = props.externalId;
    const controlPlane = props.controlPlane;
    const stack = Stack.of(this);
    const trusted = [controlPlane.reconcileRole.roleArn, controlPlane.statusRole.roleArn].map(
      (arn) => new ArnPrincipal(arn),
    );
    this.roleName = targetRoleName(controlPlane.name ?? DEFAULT_NAME);
    this.role = new Role(this, "ReconcileRole", {
      roleName: this.roleName,
      description: "Assumed by the switchyard control plane's reconcile and status functions",
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
    const policies = {
      LoadBalancers: elbPolicy(),
      SecurityGroups: securityGroupPolicy(options),
      EdgeAndReads: edgePolicy(options),
      Lattice: latticePolicy(),
    };
    for (const [policyId, document] of Object.entries(policies)) {
      new ManagedPolicy(this, policyId, { document, roles: [this.role] });
    }
    acknowledge(this, {
      id: "AwsSolutions-IAM5",
      reason:
        "Resource wildcards are within this account's resources of one type (load balancers, target groups, listeners, rules, security groups, Lattice resources, Shield protections, EKS clusters) and every write carries an aws:ResourceTag or aws:RequestTag switchyard.dev/managed-by condition where the service supports one (infra/reconcile-permissions.ts names each exception). Describe/List/Get actions of ELBv2, EC2, ACM, WAF, Shield and the tagging API accept no resource-level restriction.",
    });

    controlPlane.addTargetAccount?.(stack.account);
    const elsewhere =
      stack.account !== controlPlane.account || stack.region !== controlPlane.region;
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
