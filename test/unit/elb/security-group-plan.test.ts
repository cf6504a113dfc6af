/**
 * Planning security groups with the load balancer (shared/elb/security-group-plan.ts), run against
 * the simulator: what is created first, what goes last, what a Network Load Balancer cannot do,
 * and that rules switchyard did not add are never revoked.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { securityGroupNotes } from "../../../shared/elb/security-group-plan.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { simulate } from "../../../shared/testing/index.ts";
import { translate } from "../../../shared/translate.ts";
import { serviceManifests } from "../../fixtures/services.ts";

/** One Gateway `apps/gw` of class `kind` with one route to Service `web` (targets `addresses`). */
function model(
  kind: "alb" | "nlb",
  config: string | undefined,
  addresses = ["10.0.0.1", "10.0.0.2"],
): LoadBalancerModel {
  const listener = kind === "alb" ? "{name: http, port: 80, protocol: HTTP}" : "{name: tcp, port: 5432, protocol: TCP}";
  const route =
    kind === "alb"
      ? "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute"
      : "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute";
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: switchyard.dev/${kind}}
---
${config ? `apiVersion: gateway.k8s.aws/v1beta1\nkind: LoadBalancerConfiguration\nmetadata: {name: lbc, namespace: apps}\nspec: ${config}\n---\n` : ""}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: c
${config ? "  infrastructure: {parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: lbc}}\n" : ""}  listeners: [${listener}]
---
${route}
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
${serviceManifests({ name: "web", addresses })}`;
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.rejected).toEqual([]);
  const lb = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "test" }).loadBalancers[0]?.model;
  if (!lb) throw new Error("no load balancer built");
  return lb;
}

function run(observed: ObservedElb, ops: readonly ElbOperation[]): ObservedElb {
  const created = new Map<string, string>();
  return ops.reduce((state, op) => simulate(state, op, created), observed);
}

function apply(desired: LoadBalancerModel | undefined, from: ObservedElb = emptyObserved()) {
  const operations = planElb(desired, from).operations;
  return { operations, state: run(from, operations) };
}

const names = (ops: readonly ElbOperation[]) => ops.map((o) => o.op);

describe("planning a load balancer's security groups", () => {
  it("the groups and their rules come before the target groups, and the load balancer names both groups", () => {
    const { operations, state } = apply(model("alb", undefined));
    expect(names(operations).slice(0, 5)).toEqual([
      "CreateSecurityGroup",
      "AuthorizeSecurityGroupIngress",
      "CreateSecurityGroup",
      "AuthorizeTargetIngress",
      "CreateTargetGroup",
    ]);
    expect(operations.find((o) => o.op === "CreateLoadBalancer")).toMatchObject({
      securityGroups: [],
      managedSecurityGroups: ["frontend", "backend"],
    });
    const groups = state.securityGroups;
    expect(state.loadBalancer?.securityGroups).toEqual([groups?.frontend?.id, groups?.backend?.id]);
    expect(planElb(model("alb", undefined), state).operations).toEqual([]);
  });

  it("switching to configured groups names them first, then releases what switchyard made", () => {
    const { state } = apply(model("alb", undefined));
    const ops = planElb(model("alb", "{securityGroups: [sg-0123456789abcdef0]}"), state).operations;
    expect(names(ops)).toEqual([
      "SetSecurityGroups",
      "RevokeTargetIngress",
      "DeleteSecurityGroup",
      "ReleaseBackendSecurityGroup",
    ]);
    expect(ops[0]).toEqual({ op: "SetSecurityGroups", securityGroups: ["sg-0123456789abcdef0"] });
    expect(run(state, ops).securityGroups).toEqual({ targetRules: [] });
  });

  it("a changed source range adds the new rule first and revokes switchyard's old one last", () => {
    const { state } = apply(model("alb", "{sourceRanges: [10.0.0.0/8]}"));
    const ops = planElb(model("alb", "{sourceRanges: [192.168.0.0/16]}"), state).operations;
    expect(ops).toEqual([
      expect.objectContaining({
        op: "AuthorizeSecurityGroupIngress",
        ingress: [expect.objectContaining({ cidrIpv4: "192.168.0.0/16" })],
      }),
      expect.objectContaining({
        op: "RevokeSecurityGroupIngress",
        rules: [expect.objectContaining({ cidrIpv4: "10.0.0.0/8" })],
      }),
    ]);
  });

  it("a rule switchyard did not add is never revoked, and one that already admits what is needed is not added again", () => {
    const { state } = apply(model("alb", "{sourceRanges: [10.0.0.0/8]}"));
    const frontend = state.securityGroups?.frontend;
    if (!frontend) throw new Error("no frontend group");
    const theirs = {
      ruleId: "sgr-theirs",
      owned: false,
      protocol: "tcp" as const,
      fromPort: 22,
      toPort: 22,
      cidrIpv4: "203.0.113.7/32",
    };
    const alsoNeeded = {
      ruleId: "sgr-same",
      owned: false,
      protocol: "tcp" as const,
      fromPort: 80,
      toPort: 80,
      cidrIpv4: "172.16.0.0/12",
    };
    frontend.ingress.push(theirs, alsoNeeded);
    expect(planElb(model("alb", "{sourceRanges: [10.0.0.0/8, 172.16.0.0/12]}"), state).operations).toEqual([]);
  });

  it("a target no longer there is released; a rule some targets still need keeps them", () => {
    const { state } = apply(model("alb", undefined, ["10.0.0.1", "10.0.0.2"]));
    const ops = planElb(model("alb", undefined, ["10.0.0.1"]), state).operations;
    expect(ops.at(-1)).toEqual({
      op: "RevokeTargetIngress",
      rules: [expect.objectContaining({ port: 8080, staleTargets: ["10.0.0.2"] })],
    });
    expect(run(state, ops).securityGroups?.targetRules).toEqual([expect.objectContaining({ targets: ["10.0.0.1"] })]);
  });

  it("targets without a network interface are reported, not retried by every plan, and forgotten once gone", () => {
    const { state } = apply(model("alb", undefined, ["10.0.0.1", "10.0.0.2"]));
    const groups = state.securityGroups;
    if (!groups) throw new Error("no groups");
    groups.targetRules = [];
    groups.unresolvedTargets = ["10.0.0.1", "10.0.0.2"];
    const desired = model("alb", undefined, ["10.0.0.1", "10.0.0.3"]);
    const ops = planElb(desired, state).operations;
    expect(ops.find((o) => o.op === "AuthorizeTargetIngress")).toMatchObject({ access: [{ ip: "10.0.0.3" }] });
    expect(ops.at(-1)).toEqual({ op: "RevokeTargetIngress", rules: [], forget: ["10.0.0.2"] });
    expect(securityGroupNotes(desired, state)).toBe(
      "no network interface in the VPC has the target address 10.0.0.1: the load balancer's backend security group could not be admitted to it",
    );
  });

  it("an instance target no instance in the VPC answers for is reported as a node", () => {
    const node = "i-0123456789abcdef0";
    const { state } = apply(model("alb", undefined, [node]));
    const groups = state.securityGroups;
    if (!groups) throw new Error("no groups");
    groups.targetRules = [];
    groups.unresolvedTargets = [node];
    expect(securityGroupNotes(model("alb", undefined, [node]), state)).toBe(
      `no instance in the VPC (terminated ones aside) is the node ${node}: the load balancer's backend security group could not be admitted to it`,
    );
  });

  it("a Gateway's deletion revokes its target rules and releases its groups after its load balancer", () => {
    const { state } = apply(model("alb", undefined));
    expect(names(planElb(undefined, state).operations)).toEqual([
      "DeleteLoadBalancer",
      "DeleteTargetGroup",
      "RevokeTargetIngress",
      "DeleteSecurityGroup",
      "ReleaseBackendSecurityGroup",
    ]);
  });

  it("a model built before switchyard managed security groups leaves them alone", () => {
    const { state } = apply(model("alb", undefined));
    const { managedSecurityGroups: _none, ...legacy } = model("alb", undefined);
    expect(planElb(legacy, state).operations).toEqual([]);
  });
});

describe("a Network Load Balancer's security groups", () => {
  it("are named at creation; the PrivateLink setting follows in a SetSecurityGroups", () => {
    const desired = model("nlb", '{enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off"}');
    const { operations, state } = apply(desired);
    const create = names(operations).indexOf("CreateLoadBalancer");
    expect(operations[create + 1]).toEqual({
      op: "SetSecurityGroups",
      securityGroups: [],
      managedSecurityGroups: ["frontend", "backend"],
      enforceInboundRulesOnPrivateLinkTraffic: "off",
    });
    expect(state.loadBalancer?.enforceInboundRulesOnPrivateLinkTraffic).toBe("off");
    expect(planElb(desired, state).operations).toEqual([]);
    const on = planElb(model("nlb", '{enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "on"}'), state).operations;
    expect(on).toEqual([
      expect.objectContaining({ op: "SetSecurityGroups", enforceInboundRulesOnPrivateLinkTraffic: "on" }),
    ]);
  });

  it("created without groups gets none later: nothing is planned and the status says why", () => {
    const { state } = apply(model("nlb", "{disableSecurityGroup: true}"));
    expect(state.loadBalancer?.securityGroups).toEqual([]);
    const wanting = model("nlb", "{sourceRanges: [10.0.0.0/8]}");
    expect(planElb(wanting, state).operations).toEqual([]);
    expect(securityGroupNotes(wanting, state)).toMatch(
      /^network load balancer sy-apps-gw-\w+ was created without security groups and a Network Load Balancer cannot gain them later/,
    );
  });

  it("created with groups keeps them when disableSecurityGroup is set later, rules on the targets included", () => {
    const { state } = apply(model("nlb", undefined, ["10.0.0.1"]));
    const bare = model("nlb", "{disableSecurityGroup: true}", ["10.0.0.1", "10.0.0.9"]);
    const ops = planElb(bare, state).operations;
    expect(names(ops)).toEqual(["AuthorizeTargetIngress", "RegisterTargets"]);
    expect(securityGroupNotes(bare, state)).toContain("cannot drop all of them");
  });

  it("without groups from the start has neither groups nor rules", () => {
    const { operations, state } = apply(model("nlb", "{disableSecurityGroup: true}"));
    expect(operations.filter((o) => /SecurityGroup|Ingress/.test(o.op))).toEqual([]);
    expect(state.securityGroups).toBeUndefined();
    expect(securityGroupNotes(model("nlb", "{disableSecurityGroup: true}"), state)).toBeUndefined();
  });
});
