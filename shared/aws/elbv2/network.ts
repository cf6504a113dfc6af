/**
 * The VPC and subnets a load balancer and its target groups go into when the model names none:
 * the VPC given by id or by its Name tag (from the cluster registry), else the account's default
 * VPC; in it, the subnets tagged for the scheme the way the AWS Load Balancer Controller tags them
 * (`kubernetes.io/role/elb` for internet-facing, `kubernetes.io/role/internal-elb` for internal),
 * else every subnet, one per Availability Zone.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client, type Subnet } from "@aws-sdk/client-ec2";

export interface VpcSelector {
  /** A VPC id; wins over `name`. */
  id?: string;
  /** The value of the VPC's `Name` tag. */
  name?: string;
}

export class NetworkDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkDiscoveryError";
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

const ROLE_TAG = { "internet-facing": "kubernetes.io/role/elb", internal: "kubernetes.io/role/internal-elb" } as const;

/** One subnet per Availability Zone, in zone order, preferring the lowest subnet id for stability. */
function onePerZone(subnets: readonly Subnet[]): string[] {
  const byZone = new Map<string, string>();
  for (const s of [...subnets].sort((a, b) => (a.SubnetId ?? "").localeCompare(b.SubnetId ?? ""))) {
    const zone = s.AvailabilityZone ?? s.AvailabilityZoneId ?? "";
    if (s.SubnetId && !byZone.has(zone)) byZone.set(zone, s.SubnetId);
  }
  return [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, id]) => id);
}

/**
 * Subnets for a new load balancer. An Application Load Balancer needs subnets in at least two
 * Availability Zones; a Network Load Balancer at least one.
 */
export async function discoverSubnets(
  ec2: EC2Client,
  vpcId: string,
  scheme: "internet-facing" | "internal",
  type: "application" | "network",
): Promise<string[]> {
  const subnets: Subnet[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken: token }),
    );
    subnets.push(...(page.Subnets ?? []));
    token = page.NextToken;
  } while (token);
  const roleTag = ROLE_TAG[scheme];
  const tagged = subnets.filter((s) => s.Tags?.some((t) => t.Key === roleTag && (t.Value === "1" || t.Value === "")));
  const chosen = onePerZone(tagged.length > 0 ? tagged : subnets);
  const needed = type === "application" ? 2 : 1;
  if (chosen.length < needed) {
    throw new NetworkDiscoveryError(
      `VPC ${vpcId} has subnets in ${chosen.length} Availability Zone(s) (${tagged.length > 0 ? `tagged ${roleTag}` : "untagged"}); ` +
        `an ${type} load balancer needs ${needed}: tag subnets with ${roleTag}=1 or set subnets explicitly`,
    );
  }
  return chosen;
}
