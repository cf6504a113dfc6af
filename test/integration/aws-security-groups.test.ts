// Security groups end to end on moto, through the ELB port (AwsElb) the reconcile engine drives:
// plans from translated manifests are executed operation by operation, then read back with plain
// EC2 and ELBv2 calls, not through switchyard. Targets are real network interfaces in moto's
// default VPC, each with one security group standing for a node's.

import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { securityGroupNotes } from "../../shared/elb/security-group-plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import type { ElbOperationError } from "../../shared/reconcile/ports.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { FaultInjectingHandler } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { serviceManifests } from "../fixtures/services.ts";

const CLUSTER = "sg-test";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };

let factory: AwsClientFactory;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let vpcId: string;
/** Node security groups and one target address behind each. */
const nodes: { group: string; ip: string }[] = [];

interface GatewayShape {
  name: string;
  /** LoadBalancerConfiguration spec as YAML flow mapping. */
  config?: string;
  /** Target addresses of the one Service behind the one route. */
  addresses: readonly string[];
  /** `alb` (HTTP route on port 80) or `nlb` (TCP route on port 5432). */
  kind?: "alb" | "nlb";
}

function model(g: GatewayShape): LoadBalancerModel {
  const kind = g.kind ?? "alb";
  const infra = g.config
    ? `  infrastructure: {parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: ${g.name}}}\n`
    : "";
  const listener = kind === "alb" ? "{name: http, port: 80, protocol: HTTP}" : "{name: db, port: 5432, protocol: TCP}";
  const route =
    kind === "alb"
      ? `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${g.name}, namespace: apps}
spec:
  parentRefs: [{name: ${g.name}}]
  rules: [{backendRefs: [{name: ${g.name}, port: 80}]}]`
      : `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: ${g.name}, namespace: apps}
spec:
  parentRefs: [{name: ${g.name}}]
  rules: [{backendRefs: [{name: ${g.name}, port: 80}]}]`;
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ${kind}}
spec: {controllerName: switchyard.dev/${kind}}
---
${g.config ? `apiVersion: gateway.k8s.aws/v1beta1\nkind: LoadBalancerConfiguration\nmetadata: {name: ${g.name}, namespace: apps}\nspec: ${g.config}\n---\n` : ""}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${g.name}, namespace: apps}
spec:
  gatewayClassName: ${kind}
${infra}  listeners: [${listener}]
---
${route}
${serviceManifests({ name: g.name, addresses: g.addresses })}`;
  const loaded = loadManifests(yaml, `${g.name}.yaml`);
  expect(loaded.rejected).toEqual([]);
  const built = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: CLUSTER }).loadBalancers;
  const lb = built[0]?.model;
  if (!lb) throw new Error(`no load balancer built for ${g.name}`);
  return lb;
}

function port(gatewayKey: string): AwsElb {
  return new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey }, { vpc: { id: vpcId } });
}

/** Plans `desired` against `observed` and runs every operation through the port. */
async function apply(elb: AwsElb, desired: LoadBalancerModel | undefined, observed: ObservedElb) {
  const operations = planElb(desired, observed).operations;
  let state = observed;
  const created = new Map<string, string>();
  for (const op of operations) state = await elb.execute(op, state, created);
  return { state, operations: operations.map((o) => o.op) };
}

async function rulesOf(groupId: string): Promise<SecurityGroupRule[]> {
  const out = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  return (out.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
}

function summary(rules: readonly SecurityGroupRule[]): string[] {
  return rules
    .map(
      (r) =>
        `${r.IpProtocol} ${r.FromPort}-${r.ToPort} from ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId}`,
    )
    .sort();
}

async function groupExists(groupId: string): Promise<boolean> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }));
  return (out.SecurityGroups ?? []).length > 0;
}

async function loadBalancerGroups(arn: string): Promise<string[]> {
  const out = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
  return [...(out.LoadBalancers?.[0]?.SecurityGroups ?? [])].sort();
}

async function node(name: string, ip: string): Promise<{ group: string; ip: string }> {
  const group =
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `node-${name}`, Description: "a node's group", VpcId: vpcId }),
      )
    ).GroupId ?? "";
  const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  const subnet = subnets.Subnets?.find((s) => s.CidrBlock === "172.31.0.0/20")?.SubnetId ?? "";
  await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, PrivateIpAddress: ip, Groups: [group] }));
  return { group, ip };
}

beforeAll(async () => {
  await resetMoto();
  const { endpoint } = motoSettings();
  factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
  ec2 = new EC2Client(motoSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  vpcId =
    (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs?.[0]
      ?.VpcId ?? "";
  nodes.push(
    await node("a", "172.31.1.10"),
    await node("b", "172.31.2.20"),
    await node("c", "172.31.3.30"),
    await node("d", "172.31.4.40"),
  );
});

afterAll(() => {
  factory?.destroy();
  ec2?.destroy();
  elbv2?.destroy();
});

describe("security groups of an Application Load Balancer on moto", () => {
  const gateway = "apps/web";
  const elb = () => port(gateway);
  const config = `{sourceRanges: [10.0.0.0/8, 192.168.0.0/16], enableICMP: true}`;
  let state: ObservedElb = emptyObserved();

  it("creation makes the frontend group with the listener ports from each source range, the backend group, and the targets' rule", async () => {
    const [a] = nodes;
    if (!a) throw new Error("no node");
    const desired = model({ name: "web", config, addresses: [a.ip] });
    ({ state } = await apply(elb(), desired, emptyObserved()));
    const groups = state.securityGroups;
    const frontend = groups?.frontend?.id ?? "";
    const backend = groups?.backend?.id ?? "";
    expect(summary(await rulesOf(frontend))).toEqual([
      "icmp 3-4 from 10.0.0.0/8",
      "icmp 3-4 from 192.168.0.0/16",
      "tcp 80-80 from 10.0.0.0/8",
      "tcp 80-80 from 192.168.0.0/16",
    ]);
    expect(await loadBalancerGroups(state.loadBalancer?.arn ?? "")).toEqual([backend, frontend].sort());
    // The node admits the backend group on the target port (health checks use the traffic port).
    const nodeRules = await rulesOf(a.group);
    expect(summary(nodeRules)).toEqual([`tcp 8080-8080 from ${backend}`]);
    const tags = Object.fromEntries((nodeRules[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ "switchyard.dev/managed-by": "switchyard", "switchyard.dev/cluster": CLUSTER });
    expect(Object.values(tags)).toContain(gateway);
  });

  it("plans nothing once applied, from the record and after a drift check", async () => {
    const [a] = nodes;
    const desired = model({ name: "web", config, addresses: [a?.ip ?? ""] });
    expect(planElb(desired, state).operations).toEqual([]);
    expect(planElb(desired, await elb().observe(state)).operations).toEqual([]);
  });

  it("a crashed reconcile's successor finds every group and rule by tags and plans nothing", async () => {
    const [a] = nodes;
    const desired = model({ name: "web", config, addresses: [a?.ip ?? ""] });
    const found = await elb().discover();
    expect(found.securityGroups?.frontend?.id).toBe(state.securityGroups?.frontend?.id);
    expect(found.securityGroups?.targetRules.map((r) => r.targets)).toEqual([[a?.ip]]);
    expect(planElb(desired, found).operations).toEqual([]);
  });

  it("the drift check puts back a rule someone removed and leaves a rule someone added alone", async () => {
    const [a] = nodes;
    if (!a) throw new Error("no node");
    const desired = model({ name: "web", config, addresses: [a.ip] });
    const frontend = state.securityGroups?.frontend?.id ?? "";
    const removed = (await rulesOf(frontend)).find((r) => r.CidrIpv4 === "10.0.0.0/8" && r.IpProtocol === "tcp");
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: frontend,
        SecurityGroupRuleIds: [removed?.SecurityGroupRuleId ?? ""],
      }),
    );
    const nodeRule = (await rulesOf(a.group))[0];
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: a.group,
        SecurityGroupRuleIds: [nodeRule?.SecurityGroupRuleId ?? ""],
      }),
    );
    // Someone else's rules, in switchyard's group and in the node's.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: frontend,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.7/32" }] }],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: a.group,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 9100, ToPort: 9100, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
      }),
    );

    const drifted = await elb().observe(state);
    const { state: after, operations } = await apply(elb(), desired, drifted);
    expect(operations).toEqual(["AuthorizeSecurityGroupIngress", "AuthorizeTargetIngress"]);
    state = after;
    expect(summary(await rulesOf(frontend))).toEqual([
      "icmp 3-4 from 10.0.0.0/8",
      "icmp 3-4 from 192.168.0.0/16",
      "tcp 22-22 from 203.0.113.7/32",
      "tcp 80-80 from 10.0.0.0/8",
      "tcp 80-80 from 192.168.0.0/16",
    ]);
    expect(summary(await rulesOf(a.group))).toEqual([
      `tcp 8080-8080 from ${state.securityGroups?.backend?.id}`,
      "tcp 9100-9100 from 10.0.0.0/8",
    ]);
    expect(planElb(desired, await elb().observe(state)).operations).toEqual([]);
  });

  it("changed source ranges: the new rules come first, then switchyard's old ones go", async () => {
    const [a] = nodes;
    const desired = model({
      name: "web",
      config: "{sourceRanges: [10.0.0.0/8, 172.16.0.0/12]}",
      addresses: [a?.ip ?? ""],
    });
    const { state: after, operations } = await apply(elb(), desired, state);
    expect(operations).toEqual(["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"]);
    state = after;
    expect(summary(await rulesOf(state.securityGroups?.frontend?.id ?? ""))).toEqual([
      "tcp 22-22 from 203.0.113.7/32",
      "tcp 80-80 from 10.0.0.0/8",
      "tcp 80-80 from 172.16.0.0/12",
    ]);
  });

  it("a target moved to another node: the new node's group admits the backend group, the old node's rule goes", async () => {
    const [a, b] = nodes;
    if (!a || !b) throw new Error("no nodes");
    const desired = model({ name: "web", config: "{sourceRanges: [10.0.0.0/8, 172.16.0.0/12]}", addresses: [b.ip] });
    const { state: after, operations } = await apply(elb(), desired, state);
    expect(operations).toEqual([
      "AuthorizeTargetIngress",
      "RegisterTargets",
      "DeregisterTargets",
      "RevokeTargetIngress",
    ]);
    state = after;
    const backend = state.securityGroups?.backend?.id;
    expect(summary(await rulesOf(b.group))).toEqual([`tcp 8080-8080 from ${backend}`]);
    // Only switchyard's rule left node a; the rule someone else added stays.
    expect(summary(await rulesOf(a.group))).toEqual(["tcp 9100-9100 from 10.0.0.0/8"]);
  });

  it("deleting the Gateway removes its groups and rules once the load balancer is gone, and nothing else", async () => {
    const [a, b] = nodes;
    const frontend = state.securityGroups?.frontend?.id ?? "";
    const backend = state.securityGroups?.backend?.id ?? "";
    const { state: after, operations } = await apply(elb(), undefined, state);
    expect(operations.slice(0, 1)).toEqual(["DeleteLoadBalancer"]);
    expect(operations.slice(-3)).toEqual(["RevokeTargetIngress", "DeleteSecurityGroup", "ReleaseBackendSecurityGroup"]);
    expect(after.securityGroups).toEqual({ targetRules: [] });
    expect(await groupExists(frontend)).toBe(false);
    expect(await groupExists(backend)).toBe(false);
    expect(await rulesOf(b?.group ?? "")).toEqual([]);
    expect(summary(await rulesOf(a?.group ?? ""))).toEqual(["tcp 9100-9100 from 10.0.0.0/8"]);
  });
});

async function claimTags(groupId: string): Promise<string[]> {
  const rules = await rulesOf(groupId);
  return rules.flatMap((r) =>
    (r.Tags ?? []).filter((t) => t.Key?.startsWith("switchyard.dev/claim/")).map((t) => t.Value ?? ""),
  );
}

describe("Gateways of one cluster share the backend group and the rules on a node's group", () => {
  let one: ObservedElb = emptyObserved();
  let two: ObservedElb = emptyObserved();

  it("both load balancers name the one backend group; the node's one rule carries both claims", async () => {
    const c = nodes[2];
    if (!c) throw new Error("no node");
    ({ state: one } = await apply(port("apps/one"), model({ name: "one", addresses: [c.ip] }), emptyObserved()));
    ({ state: two } = await apply(port("apps/two"), model({ name: "two", addresses: [c.ip] }), emptyObserved()));
    const backend = one.securityGroups?.backend?.id ?? "";
    expect(two.securityGroups?.backend?.id).toBe(backend);
    expect(await loadBalancerGroups(two.loadBalancer?.arn ?? "")).toContain(backend);
    expect(summary(await rulesOf(c.group))).toEqual([`tcp 8080-8080 from ${backend}`]);
    expect((await claimTags(c.group)).sort()).toEqual(["apps/one", "apps/two"]);
  });

  it("deleting one Gateway takes its claim off and leaves the rule and the backend group to the other", async () => {
    const c = nodes[2];
    const backend = one.securityGroups?.backend?.id ?? "";
    await apply(port("apps/one"), undefined, one);
    expect(summary(await rulesOf(c?.group ?? ""))).toEqual([`tcp 8080-8080 from ${backend}`]);
    expect(await claimTags(c?.group ?? "")).toEqual(["apps/two"]);
    expect(await groupExists(backend)).toBe(true);
    expect(await groupExists(one.securityGroups?.frontend?.id ?? "")).toBe(false);
  });

  it("deleting the last Gateway removes the rule and the backend group", async () => {
    const c = nodes[2];
    const backend = two.securityGroups?.backend?.id ?? "";
    await apply(port("apps/two"), undefined, two);
    expect(await rulesOf(c?.group ?? "")).toEqual([]);
    expect(await groupExists(backend)).toBe(false);
  });
});

describe("an identical rule someone else added to a node's group", () => {
  it("serves the targets, is not claimed, stays when the Gateway goes, and keeps the backend group it admits", async () => {
    const d = nodes[3];
    if (!d) throw new Error("no node");
    // The backend group exists (another Gateway made it); someone already admits it on 8080.
    const { state: other } = await apply(port("apps/other"), model({ name: "other", addresses: [] }), emptyObserved());
    const backend = other.securityGroups?.backend?.id ?? "";
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: d.group,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: backend }] }],
      }),
    );
    const elb = port("apps/reuse");
    const desired = model({ name: "reuse", addresses: [d.ip] });
    const { state } = await apply(elb, desired, emptyObserved());
    expect(state.securityGroups?.targetRules).toEqual([
      expect.objectContaining({ groupId: d.group, port: 8080, targets: [d.ip], claimed: false }),
    ]);
    expect(await claimTags(d.group)).toEqual([]);
    expect(planElb(desired, await elb.observe(state)).operations).toEqual([]);
    await apply(elb, undefined, state);
    await apply(port("apps/other"), undefined, other);
    expect(summary(await rulesOf(d.group))).toEqual([`tcp 8080-8080 from ${backend}`]);
    // EC2 would never delete a group another group's rule admits: it stays for the next Gateway.
    expect(await groupExists(backend)).toBe(true);
  });
});

describe("security groups the configuration names", () => {
  let userGroup: string;

  beforeAll(async () => {
    userGroup =
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: "platform-lb", Description: "the platform's", VpcId: vpcId }),
        )
      ).GroupId ?? "";
  });

  it("are the load balancer's only groups: no frontend group, no backend group, no rule on the targets", async () => {
    const [a] = nodes;
    const elb = port("apps/named");
    const desired = model({ name: "named", config: `{securityGroups: [${userGroup}]}`, addresses: [a?.ip ?? ""] });
    const { state } = await apply(elb, desired, emptyObserved());
    expect(await loadBalancerGroups(state.loadBalancer?.arn ?? "")).toEqual([userGroup]);
    expect(state.securityGroups).toBeUndefined();
    expect(summary(await rulesOf(a?.group ?? "")).filter((r) => r.includes("8080"))).toEqual([]);
    await apply(elb, undefined, state);
  });

  it("with manageBackendSecurityGroupRules, get the backend group next to them and its rule on the targets", async () => {
    const [, b] = nodes;
    const elb = port("apps/managed");
    const desired = model({
      name: "managed",
      config: `{securityGroups: [${userGroup}], manageBackendSecurityGroupRules: true}`,
      addresses: [b?.ip ?? ""],
    });
    const { state } = await apply(elb, desired, emptyObserved());
    const backend = state.securityGroups?.backend?.id ?? "";
    expect(state.securityGroups?.frontend).toBeUndefined();
    expect(await loadBalancerGroups(state.loadBalancer?.arn ?? "")).toEqual([backend, userGroup].sort());
    expect(summary(await rulesOf(b?.group ?? ""))).toEqual([`tcp 8080-8080 from ${backend}`]);
    await apply(elb, undefined, state);
    expect(await groupExists(userGroup)).toBe(true);
    expect(await rulesOf(b?.group ?? "")).toEqual([]);
  });
});

describe("security groups of a Network Load Balancer", () => {
  it("are named at creation, with the PrivateLink setting right after it", async () => {
    const [a] = nodes;
    const elb = port("apps/db");
    const desired = model({
      name: "db",
      kind: "nlb",
      config: `{sourceRanges: [10.0.0.0/8], enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off"}`,
      addresses: [a?.ip ?? ""],
    });
    const { state, operations } = await apply(elb, desired, emptyObserved());
    expect(
      operations.slice(operations.indexOf("CreateLoadBalancer"), operations.indexOf("CreateLoadBalancer") + 2),
    ).toEqual(["CreateLoadBalancer", "SetSecurityGroups"]);
    const groups = state.securityGroups;
    expect(await loadBalancerGroups(state.loadBalancer?.arn ?? "")).toEqual(
      [groups?.frontend?.id ?? "", groups?.backend?.id ?? ""].sort(),
    );
    expect(state.loadBalancer?.enforceInboundRulesOnPrivateLinkTraffic).toBe("off");
    expect(summary(await rulesOf(groups?.frontend?.id ?? ""))).toEqual(["tcp 5432-5432 from 10.0.0.0/8"]);
    await apply(elb, undefined, state);
  });

  it("with disableSecurityGroup has none, and asking for groups later is reported, never attempted", async () => {
    const [a] = nodes;
    const elb = port("apps/bare");
    const bare = model({ name: "bare", kind: "nlb", config: "{disableSecurityGroup: true}", addresses: [a?.ip ?? ""] });
    const { state } = await apply(elb, bare, emptyObserved());
    expect(await loadBalancerGroups(state.loadBalancer?.arn ?? "")).toEqual([]);
    expect(state.securityGroups).toBeUndefined();
    const wanting = model({ name: "bare", kind: "nlb", addresses: [a?.ip ?? ""] });
    expect(planElb(wanting, await elb.observe(state)).operations).toEqual([]);
    expect(securityGroupNotes(wanting, state)).toContain("was created without security groups");
    await apply(elb, undefined, state);
  });
});

describe("a group still in use when it is deleted", () => {
  it("DependencyViolation (the load balancer's interfaces linger for minutes in AWS) is retryable", async () => {
    const faults = new FaultInjectingHandler();
    const faulty = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      requestHandler: faults,
    });
    try {
      const elb = new AwsElb(faulty, target, { clusterId: CLUSTER, gatewayKey: "apps/linger" }, { vpc: { id: vpcId } });
      const { state } = await apply(elb, model({ name: "linger", addresses: [] }), emptyObserved());
      const remove = planElb(undefined, state).operations;
      faults.inject("DeleteSecurityGroup", {
        status: 400,
        code: "DependencyViolation",
        message: "resource sg-0 has a dependent object",
      });
      let current = state;
      const created = new Map<string, string>();
      let failure: unknown;
      for (const op of remove) {
        try {
          current = await elb.execute(op, current, created);
        } catch (error) {
          failure = error;
          break;
        }
      }
      expect(failure).toMatchObject({
        kind: "retryable",
        code: "DependencyViolation",
        operation: "DeleteSecurityGroup",
      });
      expect((failure as ElbOperationError).retryable).toBe(true);
      // The next attempt, re-planned from what exists, finishes the job.
      const { state: after } = await apply(elb, undefined, await elb.discover());
      expect(after.securityGroups?.frontend).toBeUndefined();
      expect(await groupExists(state.securityGroups?.frontend?.id ?? "")).toBe(false);
    } finally {
      faulty.destroy();
    }
  });
});
