/**
 * The EC2 calls behind switchyard's security groups: find a group by tags or name, read a group's
 * inbound rules, find-or-create a group (never adopting one that is not switchyard's). Failures
 * are thrown as classified AwsOperationErrors naming the operation they served.
 */
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type Filter,
  type SecurityGroup,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { TAG } from "../../elb/naming.ts";
import { call } from "../elbv2/executors/context.ts";
import { AwsOperationError } from "../errors.ts";
import { ec2Description, fromEc2Tags, ownedBy, tagSpecification } from "./rules.ts";

export async function describeGroups(ec2: EC2Client, operation: string, filters: Filter[]): Promise<SecurityGroup[]> {
  const groups: SecurityGroup[] = [];
  let token: string | undefined;
  do {
    const page = await call(operation, () =>
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) })),
    );
    groups.push(...(page?.SecurityGroups ?? []));
    token = page?.NextToken;
  } while (token);
  return groups.sort((a, b) => (a.GroupId ?? "").localeCompare(b.GroupId ?? ""));
}

export async function describeRules(
  ec2: EC2Client,
  operation: string,
  filters: Filter[],
): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let token: string | undefined;
  do {
    const page = await call(operation, () =>
      ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) })),
    );
    rules.push(...(page?.SecurityGroupRules ?? []));
    token = page?.NextToken;
  } while (token);
  return rules;
}

/** Inbound rules of the groups `groupIds`. */
export async function ingressRules(
  ec2: EC2Client,
  operation: string,
  groupIds: readonly string[],
): Promise<SecurityGroupRule[]> {
  if (groupIds.length === 0) return [];
  const rules = await describeRules(ec2, operation, [{ Name: "group-id", Values: [...groupIds] }]);
  return rules.filter((r) => r.IsEgress !== true);
}

export interface GroupIdentity {
  name: string;
  description: string;
  vpcId: string;
  tags: Record<string, string>;
  /** Whose a group of this name must be to be taken as this one. */
  owner: { cluster: string; gateway?: string; role: string };
}

function isOwned(group: SecurityGroup, owner: GroupIdentity["owner"]): boolean {
  const tags = fromEc2Tags(group.Tags);
  return ownedBy(tags, owner) && tags[TAG.role] === owner.role;
}

/**
 * The group's id: an existing one of this name that is switchyard's (a retried create, or the
 * cluster's backend group made by another Gateway), else a new one. A group of this name that is
 * not switchyard's is a collision, reported, never taken over.
 */
export async function findOrCreateGroup(
  ec2: EC2Client,
  operation: string,
  group: GroupIdentity,
): Promise<{ id: string; created: boolean }> {
  const byName = async () =>
    (
      await describeGroups(ec2, operation, [
        { Name: "vpc-id", Values: [group.vpcId] },
        { Name: "group-name", Values: [group.name] },
      ])
    )[0];
  const existing = await byName();
  if (!existing) {
    try {
      const created = await call(operation, () =>
        ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: group.name,
            Description: ec2Description(group.description),
            VpcId: group.vpcId,
            TagSpecifications: tagSpecification("security-group", group.tags),
          }),
        ),
      );
      if (created?.GroupId) return { id: created.GroupId, created: true };
      throw new AwsOperationError(operation, {
        kind: "retryable",
        reason: "ResponseDecodeError",
        message: `CreateSecurityGroup answered without a GroupId for ${group.name}`,
      });
    } catch (error) {
      // Created meanwhile (another Gateway's reconcile making the shared backend group): read it.
      if (!(error instanceof AwsOperationError && error.reason === "InvalidGroup.Duplicate")) throw error;
    }
  }
  const found = existing ?? (await byName());
  if (!found?.GroupId) {
    throw new AwsOperationError(operation, {
      kind: "retryable",
      reason: "InvalidGroup.Duplicate",
      message: `security group ${group.name} exists in ${group.vpcId} but could not be read back`,
    });
  }
  if (!isOwned(found, group.owner)) {
    throw new AwsOperationError(operation, {
      kind: "conflict",
      reason: "ForeignNameCollision",
      message: `security group ${group.name} (${found.GroupId}) in ${group.vpcId} exists and is not switchyard's ${group.owner.role}${group.owner.gateway ? ` of Gateway ${group.owner.gateway}` : ""}; switchyard will not take it over: rename or delete it`,
    });
  }
  return { id: found.GroupId, created: false };
}
