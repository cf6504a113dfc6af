/**
 * What the reconcile role may do in a target account, as IAM policy documents. The action lists
 * are the calls shared/aws makes (shared/aws/README.md lists the EC2 and load balancer feature
 * actions); every write is limited to resources tagged `switchyard.dev/managed-by=switchyard`
 * (`aws:ResourceTag`), every create to requests carrying that tag (`aws:RequestTag`), and tagging
 * to the create call itself, wherever the service supports those conditions. What cannot be
 * limited by tag is limited by account, resource type or VPC, and named here with the reason.
 */
import { Aws } from "aws-cdk-lib";
import { Effect, PolicyDocument, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { MANAGED_BY, TAG } from "../shared/elb/naming.ts";
import { CLAIM_TAG_PREFIX } from "../shared/elb/security-groups.ts";

export const MANAGED_TAG_KEY = TAG.managedBy;
export const MANAGED_TAG_VALUE = MANAGED_BY;

const OWNED = { StringEquals: { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE } };
const REQUESTED = { StringEquals: { [`aws:RequestTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE } };

export interface ReconcilePermissionsOptions {
  /**
   * VPCs whose security groups switchyard may add rules to when it does not own them (the targets'
   * groups, where a backend rule admits the load balancer).
   * @default every VPC of the account
   */
  readonly vpcIds?: readonly string[];
  /**
   * EKS clusters the status writer may describe (DescribeCluster for the endpoint and CA).
   * @default every cluster of the account
   */
  readonly eksClusterNames?: readonly string[];
}

const elb = (resource: string) => `arn:${Aws.PARTITION}:elasticloadbalancing:*:${Aws.ACCOUNT_ID}:${resource}`;
const ec2 = (resource: string) => `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:${resource}`;
const ELB_RESOURCES = [
  elb("loadbalancer/app/*/*"),
  elb("loadbalancer/net/*/*"),
  elb("targetgroup/*/*"),
  elb("listener/app/*/*/*"),
  elb("listener/net/*/*/*"),
  elb("listener-rule/app/*/*/*/*"),
  elb("listener-rule/net/*/*/*/*"),
];

/**
 * Reads: Describe/List/Get calls of ELBv2, EC2, ACM, WAF, Shield, VPC Lattice and the tagging API
 * support no resource-level restriction (or need every resource: discovery by tags), so they are
 * the one place with `Resource: *`. None of them changes anything.
 */
export const READ_ACTIONS = [
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeListenerCertificates",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  "elasticloadbalancing:DescribeCapacityReservation",
  "ec2:DescribeVpcs",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeAddresses",
  "ec2:DescribeCoipPools",
  "ec2:GetIpamPoolAllocations",
  "acm:DescribeCertificate",
  "acm:ListCertificates",
  "wafv2:GetWebACLForResource",
  "shield:DescribeProtection",
  "tag:GetResources",
  "vpc-lattice:GetServiceNetwork",
  "vpc-lattice:GetService",
  "vpc-lattice:GetListener",
  "vpc-lattice:GetRule",
  "vpc-lattice:GetTargetGroup",
  "vpc-lattice:GetAuthPolicy",
  "vpc-lattice:GetServiceNetworkServiceAssociation",
  "vpc-lattice:GetServiceNetworkVpcAssociation",
  "vpc-lattice:ListServiceNetworks",
  "vpc-lattice:ListServices",
  "vpc-lattice:ListListeners",
  "vpc-lattice:ListRules",
  "vpc-lattice:ListTargetGroups",
  "vpc-lattice:ListTargets",
  "vpc-lattice:ListServiceNetworkServiceAssociations",
  "vpc-lattice:ListServiceNetworkVpcAssociations",
  "vpc-lattice:ListTagsForResource",
] as const;

/** The ELBv2 writes on resources switchyard tagged. */
export const ELB_OWNED_WRITE_ACTIONS = [
  "elasticloadbalancing:DeleteLoadBalancer",
  "elasticloadbalancing:ModifyLoadBalancerAttributes",
  "elasticloadbalancing:SetSecurityGroups",
  "elasticloadbalancing:ModifyCapacityReservation",
  "elasticloadbalancing:ModifyIpPools",
  "elasticloadbalancing:SetWebAcl",
  "elasticloadbalancing:ModifyListener",
  "elasticloadbalancing:ModifyListenerAttributes",
  "elasticloadbalancing:DeleteListener",
  "elasticloadbalancing:AddListenerCertificates",
  "elasticloadbalancing:RemoveListenerCertificates",
  "elasticloadbalancing:ModifyRule",
  "elasticloadbalancing:DeleteRule",
  "elasticloadbalancing:SetRulePriorities",
  "elasticloadbalancing:ModifyTargetGroup",
  "elasticloadbalancing:ModifyTargetGroupAttributes",
  "elasticloadbalancing:DeleteTargetGroup",
  "elasticloadbalancing:RegisterTargets",
  "elasticloadbalancing:DeregisterTargets",
] as const;

/** Every ELBv2 create carries the ownership tags in the call (shared/aws/elbv2/execute.ts). */
export const ELB_CREATE_ACTIONS = [
  "elasticloadbalancing:CreateLoadBalancer",
  "elasticloadbalancing:CreateTargetGroup",
  "elasticloadbalancing:CreateListener",
  "elasticloadbalancing:CreateRule",
] as const;

export const LATTICE_CREATE_ACTIONS = [
  "vpc-lattice:CreateServiceNetwork",
  "vpc-lattice:CreateService",
  "vpc-lattice:CreateListener",
  "vpc-lattice:CreateRule",
  "vpc-lattice:CreateTargetGroup",
  "vpc-lattice:CreateServiceNetworkServiceAssociation",
  "vpc-lattice:CreateServiceNetworkVpcAssociation",
] as const;

export const LATTICE_OWNED_WRITE_ACTIONS = [
  "vpc-lattice:UpdateService",
  "vpc-lattice:UpdateServiceNetwork",
  "vpc-lattice:UpdateListener",
  "vpc-lattice:UpdateRule",
  "vpc-lattice:BatchUpdateRule",
  "vpc-lattice:UpdateTargetGroup",
  "vpc-lattice:RegisterTargets",
  "vpc-lattice:DeregisterTargets",
  "vpc-lattice:DeleteService",
  "vpc-lattice:DeleteServiceNetwork",
  "vpc-lattice:DeleteListener",
  "vpc-lattice:DeleteRule",
  "vpc-lattice:DeleteTargetGroup",
  "vpc-lattice:DeleteServiceNetworkServiceAssociation",
  "vpc-lattice:DeleteServiceNetworkVpcAssociation",
  "vpc-lattice:PutAuthPolicy",
  "vpc-lattice:DeleteAuthPolicy",
  "vpc-lattice:UntagResource",
] as const;

function statement(sid: string, actions: readonly string[], resources: readonly string[], conditions?: object) {
  return new PolicyStatement({
    sid,
    effect: Effect.ALLOW,
    actions: [...actions],
    resources: [...resources],
    ...(conditions ? { conditions: conditions as Record<string, unknown> } : {}),
  });
}

/** Load balancers, listeners, rules and target groups. */
export function elbPolicy(): PolicyDocument {
  return new PolicyDocument({
    statements: [
      statement("CreateTagged", ELB_CREATE_ACTIONS, ELB_RESOURCES, REQUESTED),
      // ELBv2 authorizes tags given in a create call as AddTags; only in that create call.
      statement("TagOnCreate", ["elasticloadbalancing:AddTags"], ELB_RESOURCES, {
        ...REQUESTED,
        StringEquals: {
          ...REQUESTED.StringEquals,
          "elasticloadbalancing:CreateAction": [...ELB_CREATE_ACTIONS].map((a) => a.split(":")[1]),
        },
      }),
      statement("WriteOwned", ELB_OWNED_WRITE_ACTIONS, ELB_RESOURCES, OWNED),
      // Load balancers need their service-linked role the first time in an account.
      statement(
        "ServiceLinkedRoles",
        ["iam:CreateServiceLinkedRole"],
        [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`],
        {
          StringEquals: {
            "iam:AWSServiceName": ["elasticloadbalancing.amazonaws.com", "vpc-lattice.amazonaws.com"],
          },
        },
      ),
    ],
  });
}

/** Security groups: switchyard's own, and backend rules on the targets' groups. */
export function securityGroupPolicy(options: ReconcilePermissionsOptions): PolicyDocument {
  const inVpcs =
    options.vpcIds && options.vpcIds.length > 0
      ? { ArnEquals: { "ec2:Vpc": options.vpcIds.map((id) => ec2(`vpc/${id}`)) } }
      : undefined;
  const vpcs =
    options.vpcIds && options.vpcIds.length > 0 ? options.vpcIds.map((id) => ec2(`vpc/${id}`)) : [ec2("vpc/*")];
  return new PolicyDocument({
    statements: [
      statement("CreateTaggedGroup", ["ec2:CreateSecurityGroup"], [ec2("security-group/*")], REQUESTED),
      // CreateSecurityGroup is also authorized against the VPC, which carries no switchyard tag.
      statement("CreateGroupInVpc", ["ec2:CreateSecurityGroup"], vpcs),
      statement("TagOnCreate", ["ec2:CreateTags"], [ec2("security-group/*"), ec2("security-group-rule/*")], {
        StringEquals: { "ec2:CreateAction": ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress"] },
      }),
      statement(
        "WriteOwnedGroups",
        ["ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        [ec2("security-group/*")],
        OWNED,
      ),
      // The targets' groups are not switchyard's: a backend rule is added to (and its last claim
      // revokes it from) a group only found at run time. Limited to the cluster VPCs when named.
      statement(
        "BackendRulesOnTargetGroups",
        ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        [ec2("security-group/*")],
        inVpcs,
      ),
      // The rule itself is a resource of these calls too (for its tags); it has no VPC key.
      statement(
        "SecurityGroupRules",
        ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        [ec2("security-group-rule/*")],
      ),
      // A claim on a rule someone else added is a tag of switchyard's claim prefix, and only that.
      statement("ClaimTags", ["ec2:CreateTags", "ec2:DeleteTags"], [ec2("security-group-rule/*")], {
        "ForAllValues:StringLike": { "aws:TagKeys": [`${CLAIM_TAG_PREFIX}*`] },
      }),
    ],
  });
}

/** WAF and Shield on switchyard's load balancers, ACM reads, EKS DescribeCluster for status. */
export function edgePolicy(options: ReconcilePermissionsOptions): PolicyDocument {
  const clusters =
    options.eksClusterNames && options.eksClusterNames.length > 0
      ? options.eksClusterNames.map((name) => `arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/${name}`)
      : [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`];
  return new PolicyDocument({
    statements: [
      statement("Reads", READ_ACTIONS, ["*"]),
      // WAF authorizes the Web ACL and the load balancer; SetWebAcl (tag-limited above) is the ALB's side.
      statement(
        "WebAclAssociation",
        ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
        [`arn:${Aws.PARTITION}:wafv2:*:${Aws.ACCOUNT_ID}:regional/webacl/*/*`, elb("loadbalancer/app/*/*")],
      ),
      // Shield protections carry no tags: limited to this account's protections; switchyard deletes
      // only the one it named (shared/aws/shield/protection.ts).
      statement(
        "ShieldProtection",
        ["shield:CreateProtection", "shield:DeleteProtection"],
        [`arn:${Aws.PARTITION}:shield::${Aws.ACCOUNT_ID}:protection/*`],
      ),
      statement("DescribeCluster", ["eks:DescribeCluster"], clusters),
    ],
  });
}

/** VPC Lattice service networks, services, listeners, rules and target groups. */
export function latticePolicy(): PolicyDocument {
  const lattice = `arn:${Aws.PARTITION}:vpc-lattice:*:${Aws.ACCOUNT_ID}:*`;
  return new PolicyDocument({
    statements: [
      statement("CreateTagged", LATTICE_CREATE_ACTIONS, [lattice], REQUESTED),
      statement("TagOnCreate", ["vpc-lattice:TagResource"], [lattice], REQUESTED),
      statement("WriteOwned", LATTICE_OWNED_WRITE_ACTIONS, [lattice], OWNED),
    ],
  });
}
