/**
 * Which subnets a new load balancer goes into when the configuration names none, the way the AWS
 * Load Balancer Controller discovers them. Pure: the EC2 facts are read by `elbv2/network.ts`.
 *
 * 1. Candidates: with a `loadBalancerSubnetsSelector`, the subnets whose tags match it (every key,
 *    one of its values); otherwise the subnets carrying the scheme's role tag
 *    (`kubernetes.io/role/elb` internet-facing, `kubernetes.io/role/internal-elb` internal, value
 *    `1` or empty); with none tagged, the subnets whose reachability fits the scheme: public ones
 *    (a route 0.0.0.0/0 to an internet gateway) for internet-facing, private ones for internal.
 *    An internal load balancer falls back to public subnets when the VPC has no private one (its
 *    addresses stay private; the controller would give up instead).
 * 2. Filters: subnets tagged for another cluster (`kubernetes.io/cluster/<name>`) and subnets with
 *    fewer than 8 free addresses (ELB's minimum) are left out.
 * 3. One subnet per Availability Zone: the one tagged for this cluster first, then the lowest id.
 * An Application Load Balancer needs two zones, a Network Load Balancer one.
 */

export type Scheme = "internet-facing" | "internal";

export const ROLE_TAG: Readonly<Record<Scheme, string>> = {
  "internet-facing": "kubernetes.io/role/elb",
  internal: "kubernetes.io/role/internal-elb",
};

const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";
/** ELB needs at least eight free addresses in each of its subnets. */
export const MIN_FREE_ADDRESSES = 8;

/** What selection needs to know of one subnet. */
export interface SubnetFacts {
  id: string;
  zone: string;
  tags: Readonly<Record<string, string>>;
  /** Free IPv4 addresses; unknown counts as enough. */
  availableAddresses?: number;
  /** Its route table sends 0.0.0.0/0 to an internet gateway. */
  public: boolean;
}

export interface SubnetSelectionInput {
  vpcId: string;
  subnets: readonly SubnetFacts[];
  scheme: Scheme;
  type: "application" | "network";
  /** LoadBalancerConfiguration `loadBalancerSubnetsSelector`: tag key → accepted values. */
  selector?: Readonly<Record<string, readonly string[]>>;
  /** The EKS cluster's name, for the `kubernetes.io/cluster/<name>` tag; unknown: no cluster filter. */
  eksClusterName?: string;
}

export type SubnetSelection = { subnets: string[] } | { problem: string };

function matchesSelector(s: SubnetFacts, selector: Readonly<Record<string, readonly string[]>>): boolean {
  return Object.entries(selector).every(([key, values]) => {
    const value = s.tags[key];
    return value !== undefined && values.includes(value);
  });
}

function hasRoleTag(s: SubnetFacts, scheme: Scheme): boolean {
  const value = s.tags[ROLE_TAG[scheme]];
  return value === "1" || value === "";
}

function taggedForOtherCluster(s: SubnetFacts, clusterName: string | undefined): boolean {
  if (clusterName === undefined) return false;
  const keys = Object.keys(s.tags).filter((k) => k.startsWith(CLUSTER_TAG_PREFIX));
  return keys.length > 0 && !keys.includes(`${CLUSTER_TAG_PREFIX}${clusterName}`);
}

function taggedForCluster(s: SubnetFacts, clusterName: string | undefined): boolean {
  return clusterName !== undefined && `${CLUSTER_TAG_PREFIX}${clusterName}` in s.tags;
}

interface Candidates {
  subnets: SubnetFacts[];
  /** How they were found, for a message when too few qualify. */
  how: string;
}

function candidates(input: SubnetSelectionInput): Candidates {
  const { subnets, scheme, selector } = input;
  if (selector && Object.keys(selector).length > 0) {
    return {
      subnets: subnets.filter((s) => matchesSelector(s, selector)),
      how: `matching loadBalancerSubnetsSelector ${JSON.stringify(selector)}`,
    };
  }
  const tagged = subnets.filter((s) => hasRoleTag(s, scheme));
  if (tagged.length > 0) return { subnets: tagged, how: `tagged ${ROLE_TAG[scheme]}` };
  if (scheme === "internet-facing") {
    return {
      subnets: subnets.filter((s) => s.public),
      how: `public (none is tagged ${ROLE_TAG[scheme]}, so only subnets routing 0.0.0.0/0 to an internet gateway qualify)`,
    };
  }
  const private_ = subnets.filter((s) => !s.public);
  if (private_.length > 0) return { subnets: private_, how: `private (none is tagged ${ROLE_TAG[scheme]})` };
  return { subnets: [...subnets], how: `untagged (none is tagged ${ROLE_TAG[scheme]} and none is private)` };
}

/** The subnets for a new load balancer, or why none qualify. */
export function selectSubnets(input: SubnetSelectionInput): SubnetSelection {
  const found = candidates(input);
  const excluded: string[] = [];
  const eligible = found.subnets.filter((s) => {
    if (taggedForOtherCluster(s, input.eksClusterName)) {
      excluded.push(`${s.id} is tagged for another cluster`);
      return false;
    }
    if (s.availableAddresses !== undefined && s.availableAddresses < MIN_FREE_ADDRESSES) {
      excluded.push(`${s.id} has ${s.availableAddresses} free addresses (ELB needs ${MIN_FREE_ADDRESSES})`);
      return false;
    }
    return true;
  });
  const byZone = new Map<string, SubnetFacts>();
  const ranked = [...eligible].sort((a, b) => {
    const tagOrder =
      Number(taggedForCluster(b, input.eksClusterName)) - Number(taggedForCluster(a, input.eksClusterName));
    return tagOrder !== 0 ? tagOrder : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  for (const s of ranked) if (!byZone.has(s.zone)) byZone.set(s.zone, s);
  const chosen = [...byZone.values()].map((s) => s.id).sort();
  const needed = input.type === "application" ? 2 : 1;
  if (chosen.length >= needed) return { subnets: chosen };
  const zones = (n: number) => (n === 1 ? "1 Availability Zone" : `${n} Availability Zones`);
  const why = excluded.length > 0 ? ` (left out: ${excluded.join("; ")})` : "";
  const fix = input.selector
    ? "change the selector or the subnets' tags"
    : `tag subnets in ${zones(needed)} with ${ROLE_TAG[input.scheme]}=1, or set loadBalancerSubnets`;
  const article = input.type === "application" ? "an" : "a";
  return {
    problem:
      `VPC ${input.vpcId} has qualifying subnets in ${zones(chosen.length)}, looking for subnets ${found.how}${why}; ` +
      `${article} ${input.type} load balancer needs ${zones(needed)}: ${fix}`,
  };
}
