/**
 * Which security group admits traffic to a target: the target's address → its network interface
 * (DescribeNetworkInterfaces filtered by private IPv4 or IPv6 address in the VPC) → the
 * interface's groups; an instance target (`i-…`, a node of an instance target group) → its
 * primary network interface (DescribeInstances filtered by instance id in the VPC) → its groups. Like the AWS Load Balancer Controller, one group per interface gets the
 * rule: its only group, else the one tagged `kubernetes.io/cluster/<EKS cluster name>`; when that
 * does not single one out (no cluster name known, none or several tagged), every group of the
 * interface gets it, since the rule admits only switchyard's backend group anyway.
 */
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import { isIpv6Address } from "../../elb/cidr.ts";
import { call } from "../elbv2/executors/context.ts";
import { fromEc2Tags } from "./rules.ts";

/** Values per EC2 filter in one call. */
const FILTER_VALUES = 200;

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** An instance target's id rather than an address. */
export function isInstanceTarget(target: string): boolean {
  return INSTANCE_ID.test(target);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface TargetGroups {
  /** Target address → the security groups that must admit the backend group for it. */
  groups: Map<string, string[]>;
  /** Addresses no network interface in the VPC carries. */
  unresolved: string[];
}

async function interfacesByAddress(
  ec2: EC2Client,
  operation: string,
  vpcId: string,
  addresses: readonly string[],
): Promise<Map<string, string[]>> {
  const byAddress = new Map<string, string[]>();
  const wanted = new Set(addresses);
  const v4 = addresses.filter((a) => !isIpv6Address(a));
  const v6 = addresses.filter(isIpv6Address);
  const queries = [
    ...chunks(v4, FILTER_VALUES).map((values) => ({ Name: "addresses.private-ip-address", Values: values })),
    ...chunks(v6, FILTER_VALUES).map((values) => ({ Name: "ipv6-addresses.ipv6-address", Values: values })),
  ];
  for (const filter of queries) {
    let token: string | undefined;
    do {
      const page = await call(operation, () =>
        ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [{ Name: "vpc-id", Values: [vpcId] }, filter],
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const eni of page?.NetworkInterfaces ?? []) {
        const groups = (eni.Groups ?? []).map((g) => g.GroupId).filter((id): id is string => !!id);
        const carried = [
          eni.PrivateIpAddress,
          ...(eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress),
          ...(eni.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
        ];
        for (const address of carried) if (address && wanted.has(address)) byAddress.set(address, groups);
      }
      token = page?.NextToken;
    } while (token);
  }
  return byAddress;
}

/** The groups of an instance's primary network interface (device index 0), else the instance's. */
function instanceGroups(instance: Instance): string[] {
  const primary = (instance.NetworkInterfaces ?? []).find((eni) => eni.Attachment?.DeviceIndex === 0);
  const groups = primary?.Groups ?? instance.SecurityGroups ?? [];
  return groups.map((g) => g.GroupId).filter((id): id is string => !!id);
}

/**
 * Instances by id in the VPC. A filter rather than InstanceIds: an id that no longer exists is
 * simply not returned, where InstanceIds fails the whole call (InvalidInstanceID.NotFound).
 */
async function instancesById(
  ec2: EC2Client,
  operation: string,
  vpcId: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const byId = new Map<string, string[]>();
  for (const values of chunks(ids, FILTER_VALUES)) {
    let token: string | undefined;
    do {
      const page = await call(operation, () =>
        ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: "vpc-id", Values: [vpcId] },
              { Name: "instance-id", Values: values },
            ],
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const reservation of page?.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (instance.InstanceId && instance.State?.Name !== "terminated") {
            byId.set(instance.InstanceId, instanceGroups(instance));
          }
        }
      }
      token = page?.NextToken;
    } while (token);
  }
  return byId;
}

async function clusterTagged(
  ec2: EC2Client,
  operation: string,
  groupIds: readonly string[],
  tagKey: string,
): Promise<Set<string>> {
  const tagged = new Set<string>();
  for (const ids of chunks(groupIds, FILTER_VALUES)) {
    let token: string | undefined;
    do {
      const page = await call(operation, () =>
        ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [{ Name: "group-id", Values: ids }],
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const g of page?.SecurityGroups ?? []) if (g.GroupId && tagKey in fromEc2Tags(g.Tags)) tagged.add(g.GroupId);
      token = page?.NextToken;
    } while (token);
  }
  return tagged;
}

/**
 * The groups that must admit the backend group for each of `addresses`; failed calls are thrown
 * as AwsOperationErrors of `operation`.
 */
export async function targetSecurityGroups(
  ec2: EC2Client,
  operation: string,
  vpcId: string,
  addresses: readonly string[],
  eksClusterName?: string,
): Promise<TargetGroups> {
  const unique = [...new Set(addresses)];
  const instances = unique.filter(isInstanceTarget);
  const ips = unique.filter((a) => !isInstanceTarget(a));
  const byAddress = new Map([
    ...(ips.length > 0 ? await interfacesByAddress(ec2, operation, vpcId, ips) : []),
    ...(instances.length > 0 ? await instancesById(ec2, operation, vpcId, instances) : []),
  ]);
  const ambiguous = [...new Set([...byAddress.values()].filter((g) => g.length > 1).flat())];
  const tagged =
    eksClusterName && ambiguous.length > 0
      ? await clusterTagged(ec2, operation, ambiguous, `kubernetes.io/cluster/${eksClusterName}`)
      : new Set<string>();
  const groups = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const address of unique) {
    const all = byAddress.get(address);
    if (!all || all.length === 0) {
      unresolved.push(address);
      continue;
    }
    const chosen = all.filter((g) => tagged.has(g));
    groups.set(address, all.length === 1 || chosen.length !== 1 ? all : chosen);
  }
  return { groups, unresolved: unresolved.sort() };
}
