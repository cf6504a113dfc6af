/**
 * The VPC and subnets a load balancer and its target groups go into when the model names none:
 * the VPC given by id or by its Name tag (from the cluster registry), else the account's default
 * VPC; in it, the subnets the AWS Load Balancer Controller would choose (role tags, selector,
 * reachability; see shared/aws/ec2/subnet-selection.ts), one per Availability Zone.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type RouteTable,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { type SubnetFacts, selectSubnets } from "../ec2/subnet-selection.ts";

export interface VpcSelector {
  /** A VPC id; wins over `name`. */
  id?: string;
  /** The value of the VPC's `Name` tag. */
  name?: string;
}

export class NetworkDiscoveryError extends Error {
  /** The status reason code: `VpcNotFound`, `NoQualifyingSubnets`. */
  readonly reason: string;

  constructor(message: string, reason = "VpcNotFound") {
    super(message);
    this.name = "NetworkDiscoveryError";
    this.reason = reason;
  }
}

export async function resolveVpcId(ec2: EC2Client, selector: VpcSelector = {}): Promise<string> {
  if (selector.id) return selector.id;
  const filters = selector.name
    ? [{ Name: "tag:Name", Values: [selector.name] }]
    : [{ Name: "is-default", Values: ["true"] }];
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: filters }))).Vpcs ?? [];
  const ids = vpcs.map((v) => v.VpcId).filter((id): id is string => !!id);
  const what = selector.name ? `a VPC named ${JSON.stringify(selector.name)}` : "a default VPC";
  if (ids.length === 0) {
    throw new NetworkDiscoveryError(
      `found no ${what.replace(/^a /, "")} in the account: register the cluster's VPC id, or set subnets in the LoadBalancerConfiguration`,
    );
  }
  if (ids.length > 1) throw new NetworkDiscoveryError(`${ids.length} VPCs match ${what}: ${ids.join(", ")}`);
  return ids[0] ?? "";
}

/** Options of subnet discovery beyond VPC, scheme and type. */
export interface SubnetDiscoveryOptions {
  /** LoadBalancerConfiguration `loadBalancerSubnetsSelector`. */
  selector?: Readonly<Record<string, readonly string[]>>;
  /** The EKS cluster's name: subnets tagged for other clusters are left out, its own come first. */
  eksClusterName?: string;
}

async function allSubnets(ec2: EC2Client, vpcId: string): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken: token }),
    );
    subnets.push(...(page.Subnets ?? []));
    token = page.NextToken;
  } while (token);
  return subnets;
}

async function allRouteTables(ec2: EC2Client, vpcId: string): Promise<RouteTable[]> {
  const tables: RouteTable[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken: token }),
    );
    tables.push(...(page.RouteTables ?? []));
    token = page.NextToken;
  } while (token);
  return tables;
}

/** Whether the route table sends the IPv4 default route to an internet gateway. */
function routesToInternet(table: RouteTable | undefined): boolean {
  return (table?.Routes ?? []).some((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId?.startsWith("igw-"));
}

/** Each subnet's selection facts: its tags, free addresses and whether its route table is public. */
export function subnetFacts(subnets: readonly Subnet[], tables: readonly RouteTable[]): SubnetFacts[] {
  const main = tables.find((t) => t.Associations?.some((a) => a.Main));
  const explicit = new Map<string, RouteTable>();
  for (const t of tables) for (const a of t.Associations ?? []) if (a.SubnetId) explicit.set(a.SubnetId, t);
  return subnets
    .filter((s): s is Subnet & { SubnetId: string } => !!s.SubnetId)
    .map((s) => ({
      id: s.SubnetId,
      zone: s.AvailabilityZone ?? s.AvailabilityZoneId ?? "",
      tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      ...(s.AvailableIpAddressCount !== undefined ? { availableAddresses: s.AvailableIpAddressCount } : {}),
      public: routesToInternet(explicit.get(s.SubnetId) ?? main),
    }));
}

/**
 * Subnets for a new load balancer (selection rules in shared/aws/ec2/subnet-selection.ts): two
 * Describe calls (subnets, route tables) per page. Throws NetworkDiscoveryError, naming what is
 * missing, when too few qualify.
 */
export async function discoverSubnets(
  ec2: EC2Client,
  vpcId: string,
  scheme: "internet-facing" | "internal",
  type: "application" | "network",
  options: SubnetDiscoveryOptions = {},
): Promise<string[]> {
  const [subnets, tables] = await Promise.all([allSubnets(ec2, vpcId), allRouteTables(ec2, vpcId)]);
  const selection = selectSubnets({
    vpcId,
    subnets: subnetFacts(subnets, tables),
    scheme,
    type,
    ...(options.selector ? { selector: options.selector } : {}),
    ...(options.eksClusterName ? { eksClusterName: options.eksClusterName } : {}),
  });
  if ("problem" in selection) throw new NetworkDiscoveryError(selection.problem, "NoQualifyingSubnets");
  return selection.subnets;
}

/** A subnet id, as opposed to a subnet's Name tag. */
export const SUBNET_ID = /^subnet-[0-9a-f]+$/;

/**
 * LoadBalancerConfiguration `loadBalancerSubnets[].identifier` values as subnet ids: an id stays,
 * a name is the `Name` tag of exactly one subnet in the VPC (one DescribeSubnets call for all the
 * names, as the AWS Load Balancer Controller resolves them). A name no subnet or several subnets
 * carry throws NetworkDiscoveryError (`SubnetNotFound`, `AmbiguousSubnetName`) naming them.
 */
export async function resolveSubnetIdentifiers(
  ec2: EC2Client,
  vpcId: string,
  identifiers: readonly string[],
): Promise<Map<string, string>> {
  const names = [...new Set(identifiers.filter((i) => !SUBNET_ID.test(i)))];
  const resolved = new Map(identifiers.filter((i) => SUBNET_ID.test(i)).map((i) => [i, i]));
  if (names.length === 0) return resolved;
  const byName = new Map<string, string[]>(names.map((n) => [n, []]));
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "tag:Name", Values: names },
        ],
        NextToken: token,
      }),
    );
    for (const subnet of page.Subnets ?? []) {
      const name = subnet.Tags?.find((t) => t.Key === "Name")?.Value;
      if (subnet.SubnetId && name !== undefined) byName.get(name)?.push(subnet.SubnetId);
    }
    token = page.NextToken;
  } while (token);
  const missing = names.filter((n) => (byName.get(n) ?? []).length === 0);
  if (missing.length > 0) {
    throw new NetworkDiscoveryError(
      `no subnet in VPC ${vpcId} is named ${missing.map((n) => JSON.stringify(n)).join(", ")} (loadBalancerSubnets identifiers are subnet ids or Name tags)`,
      "SubnetNotFound",
    );
  }
  const ambiguous = names.filter((n) => (byName.get(n) ?? []).length > 1);
  if (ambiguous.length > 0) {
    throw new NetworkDiscoveryError(
      ambiguous
        .map(
          (n) =>
            `${(byName.get(n) ?? []).length} subnets in VPC ${vpcId} are named ${JSON.stringify(n)} (${(byName.get(n) ?? []).join(", ")})`,
        )
        .join("; ")
        .concat(": name each loadBalancerSubnets entry by its subnet id"),
      "AmbiguousSubnetName",
    );
  }
  for (const n of names) resolved.set(n, byName.get(n)?.[0] ?? n);
  return resolved;
}
