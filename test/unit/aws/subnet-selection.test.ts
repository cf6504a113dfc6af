/** Subnet discovery's choice, as the AWS Load Balancer Controller makes it (shared/aws/ec2/subnet-selection.ts). */
import { describe, expect, it } from "vitest";
import {
  type SubnetFacts,
  type SubnetSelectionInput,
  selectSubnets,
} from "../../../shared/aws/ec2/subnet-selection.ts";

function subnet(id: string, zone: string, more: Partial<SubnetFacts> = {}): SubnetFacts {
  return { id, zone, tags: {}, public: false, ...more };
}

const PUBLIC_A = subnet("subnet-pa", "us-east-1a", { public: true });
const PUBLIC_B = subnet("subnet-pb", "us-east-1b", { public: true });
const PRIVATE_A = subnet("subnet-aa", "us-east-1a");
const PRIVATE_B = subnet("subnet-ab", "us-east-1b");

function select(subnets: SubnetFacts[], more: Partial<SubnetSelectionInput> = {}) {
  return selectSubnets({ vpcId: "vpc-1", subnets, scheme: "internal", type: "application", ...more });
}

describe("subnet selection", () => {
  it("an internet-facing load balancer without tagged subnets gets the public ones", () => {
    expect(select([PUBLIC_A, PRIVATE_A, PUBLIC_B, PRIVATE_B], { scheme: "internet-facing" })).toEqual({
      subnets: ["subnet-pa", "subnet-pb"],
    });
  });

  it("an internal load balancer without tagged subnets gets the private ones", () => {
    expect(select([PUBLIC_A, PRIVATE_A, PUBLIC_B, PRIVATE_B])).toEqual({ subnets: ["subnet-aa", "subnet-ab"] });
  });

  it("an internal load balancer in a VPC with only public subnets still gets them (its addresses stay private)", () => {
    expect(select([PUBLIC_A, PUBLIC_B])).toEqual({ subnets: ["subnet-pa", "subnet-pb"] });
  });

  it("subnets with the scheme's role tag (value 1 or empty) come first, whatever their routes", () => {
    const tagged = subnet("subnet-t", "us-east-1c", { tags: { "kubernetes.io/role/elb": "" } });
    const tagged2 = subnet("subnet-u", "us-east-1d", { tags: { "kubernetes.io/role/elb": "1" } });
    const notOne = subnet("subnet-v", "us-east-1e", { tags: { "kubernetes.io/role/elb": "0" }, public: true });
    expect(select([PUBLIC_A, PUBLIC_B, tagged, tagged2, notOne], { scheme: "internet-facing" })).toEqual({
      subnets: ["subnet-t", "subnet-u"],
    });
  });

  it("the internal role tag does not count for an internet-facing load balancer", () => {
    const internal = subnet("subnet-i", "us-east-1c", { tags: { "kubernetes.io/role/internal-elb": "1" } });
    expect(select([PUBLIC_A, PUBLIC_B, internal], { scheme: "internet-facing" })).toEqual({
      subnets: ["subnet-pa", "subnet-pb"],
    });
  });

  it("a selector takes only subnets with one of the listed values for every key", () => {
    const both = subnet("subnet-s", "us-east-1a", { tags: { tier: "edge", team: "a" } });
    const oneKey = subnet("subnet-o", "us-east-1b", { tags: { tier: "edge" } });
    const roleTagged = subnet("subnet-r", "us-east-1c", { tags: { "kubernetes.io/role/internal-elb": "1" } });
    expect(
      select([both, oneKey, roleTagged], { type: "network", selector: { tier: ["edge", "dmz"], team: ["a"] } }),
    ).toEqual({ subnets: ["subnet-s"] });
  });

  it("one subnet per zone: the one tagged for this cluster, else the lowest id", () => {
    const mine = subnet("subnet-z9", "us-east-1a", { tags: { "kubernetes.io/cluster/prod": "shared" } });
    expect(select([PRIVATE_A, mine, PRIVATE_B], { eksClusterName: "prod" })).toEqual({
      subnets: ["subnet-ab", "subnet-z9"],
    });
    expect(select([PRIVATE_A, mine, PRIVATE_B])).toEqual({ subnets: ["subnet-aa", "subnet-ab"] });
  });

  it("subnets tagged for another cluster or with fewer than 8 free addresses are left out, and said", () => {
    const other = subnet("subnet-x", "us-east-1a", { tags: { "kubernetes.io/cluster/other": "owned" } });
    const full = subnet("subnet-f", "us-east-1b", { availableAddresses: 7 });
    const result = select([other, full], { eksClusterName: "prod" });
    expect(result).toEqual({ problem: expect.stringContaining("subnet-x is tagged for another cluster") });
    expect(result).toEqual({ problem: expect.stringContaining("subnet-f has 7 free addresses (ELB needs 8)") });
    expect(select([full, PRIVATE_A], { type: "network" })).toEqual({ subnets: ["subnet-aa"] });
  });

  it("without the cluster's name, cluster tags are not consulted", () => {
    const other = subnet("subnet-x", "us-east-1a", { tags: { "kubernetes.io/cluster/other": "owned" } });
    expect(select([other, PRIVATE_B])).toEqual({ subnets: ["subnet-ab", "subnet-x"] });
  });

  it("an application load balancer needs two zones, a network load balancer one", () => {
    expect(select([PRIVATE_A], { type: "network" })).toEqual({ subnets: ["subnet-aa"] });
    expect(select([PRIVATE_A])).toEqual({
      problem: expect.stringMatching(
        /qualifying subnets in 1 Availability Zone,.*an application load balancer needs 2 Availability Zones/,
      ),
    });
  });

  it("no public subnet for an internet-facing load balancer names the tag and the route that would do", () => {
    expect(select([PRIVATE_A, PRIVATE_B], { scheme: "internet-facing", type: "network" })).toEqual({
      problem:
        "VPC vpc-1 has qualifying subnets in 0 Availability Zones, looking for subnets public (none is tagged kubernetes.io/role/elb, so only subnets routing 0.0.0.0/0 to an internet gateway qualify); " +
        "a network load balancer needs 1 Availability Zone: tag subnets in 1 Availability Zone with kubernetes.io/role/elb=1, or set loadBalancerSubnets",
    });
  });
});
