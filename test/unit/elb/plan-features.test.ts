/**
 * Planning the load balancer features: creation settings go into CreateLoadBalancer and a change
 * of one replaces the load balancer (with the reason); add-ons are changed by their own calls, and
 * one switchyard set is undone when the configuration drops it; listener attributes are set when
 * they differ. Every plan converges on the in-memory ELB.
 */
import { describe, expect, it } from "vitest";
import type { ListenerModel, LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { type CreatedRules, simulate } from "../../../shared/testing/index.ts";
import { bareAlbModel } from "../../fixtures/gateway-model.ts";

const ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/shop/1";
const OTHER_ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/other/2";

const lb = bareAlbModel;

function listener(attributes?: Record<string, string>): ListenerModel {
  return {
    id: "HTTP:80",
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
    rules: [],
    gatewayListeners: ["http"],
    tags: {},
    ...(attributes ? { attributes } : {}),
  };
}

function apply(observed: ObservedElb, ops: readonly ElbOperation[]): ObservedElb {
  const created: CreatedRules = new Map();
  return ops.reduce((state, op) => simulate(state, op, created), observed);
}

/** What exists after building `model` from nothing. */
function built(model: LoadBalancerModel): ObservedElb {
  return apply(emptyObserved(), planElb(model, emptyObserved()).operations);
}

/** Plans `next` over what `prev` built, applies it, and checks nothing is left to do. */
function change(prev: LoadBalancerModel, next: LoadBalancerModel) {
  const plan = planElb(next, built(prev));
  const after = apply(built(prev), plan.operations);
  expect(planElb(next, after).operations).toEqual([]);
  return { ...plan, ops: plan.operations.map((o) => o.op), after };
}

describe("creation settings", () => {
  it("are sent in CreateLoadBalancer, subnet mappings in place of subnets", () => {
    const model = lb({
      type: "network",
      subnetMappings: [
        { subnetId: "subnet-a", allocationId: "eipalloc-a" },
        { subnetId: "subnet-b", allocationId: "eipalloc-b" },
      ],
    });
    const create = planElb(model, emptyObserved()).operations.find((o) => o.op === "CreateLoadBalancer");
    expect(create).toMatchObject({ subnetMappings: model.subnetMappings });
    expect(planElb(model, built(model)).operations).toEqual([]);
  });

  it("replace the load balancer when an Elastic IP changes, saying which", () => {
    const before = lb({ type: "network", subnetMappings: [{ subnetId: "subnet-a", allocationId: "eipalloc-a" }] });
    const after = lb({ type: "network", subnetMappings: [{ subnetId: "subnet-a", allocationId: "eipalloc-c" }] });
    const { replacement, ops } = change(before, after);
    expect(replacement).toBe("the Elastic IP of subnet-a changes from eipalloc-a to eipalloc-c");
    expect(ops).toEqual(["DeleteLoadBalancer", "CreateLoadBalancer"]);
  });

  it("replace the load balancer when a pinned address is added to one that has AWS-assigned addresses", () => {
    const { replacement } = change(
      lb({ type: "network", scheme: "internal" }),
      lb({
        type: "network",
        scheme: "internal",
        subnetMappings: [{ subnetId: "subnet-a", privateIPv4Address: "10.0.0.5" }],
      }),
    );
    expect(replacement).toBe("the private IPv4 address of subnet-a changes from an AWS-assigned address to 10.0.0.5");
  });

  it("replace the load balancer when the customer-owned IPv4 pool changes", () => {
    const { replacement } = change(lb({ customerOwnedIpv4Pool: "pool-1" }), lb({ customerOwnedIpv4Pool: "pool-2" }));
    expect(replacement).toBe("customer-owned IPv4 pool changes from pool-1 to pool-2");
  });

  it("do not replace the load balancer when the configuration stops pinning an address", () => {
    const before = lb({ type: "network", subnetMappings: [{ subnetId: "subnet-a", allocationId: "eipalloc-a" }] });
    expect(planElb(lb({ type: "network" }), built(before)).operations).toEqual([]);
  });

  it("compare IPv6 addresses and source NAT prefixes in canonical form; auto_assigned takes any prefix", () => {
    const model = lb({
      type: "network",
      ipAddressType: "dualstack",
      subnetMappings: [
        { subnetId: "subnet-a", ipv6Address: "2001:db8::1", sourceNatIpv6Prefix: "2001:db8:0:0:1::/80" },
        { subnetId: "subnet-b", sourceNatIpv6Prefix: "auto_assigned" },
      ],
    });
    const observed = built(model);
    const reported: ObservedElb = {
      ...observed,
      loadBalancer: observed.loadBalancer && {
        ...observed.loadBalancer,
        subnetMappings: [
          { subnetId: "subnet-a", ipv6Address: "2001:0db8:0::1", sourceNatIpv6Prefix: "2001:db8::1:0:0:0/80" },
          { subnetId: "subnet-b", sourceNatIpv6Prefix: "2001:db8:2:0:7::/80" },
        ],
      },
    };
    expect(planElb(model, reported).operations).toEqual([]);
  });

  it("leave subnets the load balancer does not use to subnet planning", () => {
    const before = lb({ type: "network" });
    const after = lb({ type: "network", subnetMappings: [{ subnetId: "subnet-z", allocationId: "eipalloc-z" }] });
    expect(planElb(after, built(before)).replacement).toBeUndefined();
  });
});

describe("add-ons", () => {
  it("associate the Web ACL, then change it with one AssociateWebACL, then disassociate it when dropped", () => {
    expect(change(lb(), lb({ webAcl: ACL })).operations).toEqual([{ op: "AssociateWebACL", webAclArn: ACL }]);
    expect(change(lb({ webAcl: ACL }), lb({ webAcl: OTHER_ACL })).operations).toEqual([
      { op: "AssociateWebACL", webAclArn: OTHER_ACL },
    ]);
    expect(change(lb({ webAcl: ACL }), lb()).operations).toEqual([{ op: "DisassociateWebACL", webAclArn: ACL }]);
  });

  it("leave a Web ACL alone that switchyard did not associate", () => {
    // A drift check re-reads only what the record says switchyard set: a Firewall Manager
    // association never appears in the observed state, so nothing is planned against it.
    expect(planElb(lb(), built(lb())).operations).toEqual([]);
  });

  it("create a Shield protection, and delete only one switchyard created", () => {
    expect(change(lb(), lb({ shieldProtection: true })).ops).toEqual(["CreateProtection"]);
    expect(change(lb({ shieldProtection: true }), lb({ shieldProtection: false })).operations).toEqual([
      { op: "DeleteProtection", protectionId: "protection-sy-apps-gw" },
    ]);
    expect(change(lb({ shieldProtection: true }), lb()).ops).toEqual(["DeleteProtection"]);
    const foreign = built(lb());
    if (foreign.loadBalancer) foreign.loadBalancer.shieldProtection = { id: "p-theirs", managed: false };
    expect(planElb(lb({ shieldProtection: false }), foreign).operations).toEqual([]);
    expect(planElb(lb({ shieldProtection: true }), foreign).operations).toEqual([]);
  });

  it("reserve capacity, change the reservation, and reset it when dropped", () => {
    expect(change(lb(), lb({ minimumCapacityUnits: 100 })).operations).toEqual([
      { op: "ModifyCapacityReservation", minimumCapacityUnits: 100 },
    ]);
    expect(change(lb({ minimumCapacityUnits: 100 }), lb({ minimumCapacityUnits: 300 })).operations).toEqual([
      { op: "ModifyCapacityReservation", minimumCapacityUnits: 300 },
    ]);
    expect(change(lb({ minimumCapacityUnits: 100 }), lb()).operations).toEqual([{ op: "ModifyCapacityReservation" }]);
  });

  it("set the IPAM pool at creation, change it and remove it with ModifyIpPools", () => {
    expect(planElb(lb({ ipv4IpamPool: "ipam-1" }), emptyObserved()).operations.map((o) => o.op)).not.toContain(
      "ModifyIpPools",
    );
    expect(change(lb({ ipv4IpamPool: "ipam-1" }), lb({ ipv4IpamPool: "ipam-2" })).operations).toEqual([
      { op: "ModifyIpPools", ipv4IpamPool: "ipam-2" },
    ]);
    expect(change(lb({ ipv4IpamPool: "ipam-1" }), lb()).operations).toEqual([{ op: "ModifyIpPools" }]);
  });

  it("come right after the new load balancer, before its listeners", () => {
    const model = lb({ webAcl: ACL, shieldProtection: true, minimumCapacityUnits: 50, listeners: [listener()] });
    expect(planElb(model, emptyObserved()).operations.map((o) => o.op)).toEqual([
      "CreateLoadBalancer",
      "ModifyCapacityReservation",
      "AssociateWebACL",
      "CreateProtection",
      "CreateListener",
    ]);
  });

  it("delete switchyard's Shield protection before the load balancer it protects, on deletion and on replacement", () => {
    const protectedLb = built(lb({ shieldProtection: true }));
    expect(planElb(undefined, protectedLb).operations.map((o) => o.op)).toEqual([
      "DeleteProtection",
      "DeleteLoadBalancer",
    ]);
    const replaced = planElb(lb({ shieldProtection: true, scheme: "internal" }), protectedLb);
    expect(replaced.operations.map((o) => o.op)).toEqual([
      "DeleteProtection",
      "DeleteLoadBalancer",
      "CreateLoadBalancer",
      "CreateProtection",
    ]);
  });
});

describe("listener attributes", () => {
  it("are set after the listener is created, then only the keys that changed", () => {
    const first = lb({ listeners: [listener({ "routing.http.response.server.enabled": "false" })] });
    expect(planElb(first, emptyObserved()).operations.map((o) => o.op)).toEqual([
      "CreateLoadBalancer",
      "CreateListener",
      "ModifyListenerAttributes",
    ]);
    const second = lb({
      listeners: [
        listener({
          "routing.http.response.server.enabled": "false",
          "routing.http.response.strict_transport_security.header_value": "max-age=31536000",
        }),
      ],
    });
    expect(change(first, second).operations).toEqual([
      {
        op: "ModifyListenerAttributes",
        listenerId: "HTTP:80",
        attributes: { "routing.http.response.strict_transport_security.header_value": "max-age=31536000" },
      },
    ]);
  });

  it("keep a key the configuration no longer lists, as load balancer attributes do", () => {
    const first = lb({ listeners: [listener({ "routing.http.response.server.enabled": "false" })] });
    expect(planElb(lb({ listeners: [listener()] }), built(first)).operations).toEqual([]);
  });
});
