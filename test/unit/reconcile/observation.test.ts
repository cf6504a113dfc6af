import { describe, expect, it } from "vitest";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import { observationOf } from "../../../shared/reconcile/observation.ts";
import { ElbOperationError } from "../../../shared/reconcile/ports.ts";

function observed(state: string, dnsName = "Sy-Apps-GW-123.eu-west-1.elb.amazonaws.com"): ObservedElb {
  return {
    loadBalancer: {
      arn: "arn:lb",
      name: "sy-apps-gw-123",
      type: "application",
      scheme: "internet-facing",
      ipAddressType: "ipv4",
      dnsName,
      state,
      subnets: [],
      securityGroups: [],
      attributes: {},
    },
    listeners: [],
    targetGroups: [],
    strayLoadBalancers: [],
  };
}

describe("status from a reconcile outcome", () => {
  it("an active load balancer is Programmed with its lower-cased DNS name as the address", () => {
    expect(observationOf({ kind: "unchanged", observed: observed("active") })).toEqual({
      programmed: true,
      address: "sy-apps-gw-123.eu-west-1.elb.amazonaws.com",
      message: "load balancer sy-apps-gw-123 is active",
    });
  });

  it("a provisioning load balancer is not Programmed yet, and says why", () => {
    const o = observationOf({
      kind: "applied",
      observed: observed("provisioning"),
      operations: ["CreateLoadBalancer"],
      drift: false,
    });
    expect(o?.programmed).toBe(false);
    expect(o?.message).toContain("waiting until it is active");
  });

  it("a replacement is named in the message while it happens", () => {
    const o = observationOf({
      kind: "applied",
      observed: observed("provisioning"),
      operations: ["DeleteLoadBalancer", "CreateLoadBalancer"],
      drift: false,
      replacement: "scheme changes from internet-facing to internal",
    });
    expect(o?.message).toContain("replaced load balancer (scheme changes from internet-facing to internal)");
  });

  it("an AWS error is surfaced with its operation and code, and whether switchyard retries", () => {
    const error = new ElbOperationError("quota", "TooManyLoadBalancers", "CreateLoadBalancer", "limit of 50 reached");
    const o = observationOf({
      kind: "failed",
      observed: { listeners: [], targetGroups: [], strayLoadBalancers: [] },
      error,
      retryable: false,
    });
    expect(o).toEqual({
      programmed: false,
      message: "CreateLoadBalancer failed: TooManyLoadBalancers: limit of 50 reached",
    });
  });

  it("a busy Gateway says nothing new", () => {
    expect(observationOf({ kind: "busy" })).toBeUndefined();
  });

  it("rules AWS refused are named by route in the message; the rest of the Gateway is Programmed", () => {
    const outcome = observationOf({
      kind: "applied",
      observed: observed("active"),
      operations: ["CreateRule"],
      drift: false,
      failedRules: [
        { operation: "CreateRule", listenerId: "HTTP:80", route: "apps/r1", code: "ValidationError", message: "bad" },
      ],
    });
    expect(outcome).toMatchObject({
      programmed: true,
      message: "load balancer sy-apps-gw-123 is active; AWS refused CreateRule for apps/r1 (ValidationError: bad)",
    });
  });

  it("no qualifying subnet is Programmed=False NoResources, naming what is missing", () => {
    const error = new ElbOperationError(
      "terminal",
      "NoQualifyingSubnets",
      "CreateLoadBalancer",
      "VPC vpc-1 has qualifying subnets in 0 Availability Zones, looking for subnets public",
    );
    const o = observationOf({ kind: "failed", observed: emptyObserved(), error, retryable: false });
    expect(o).toEqual({
      programmed: false,
      reason: "NoResources",
      message:
        "CreateLoadBalancer failed: NoQualifyingSubnets: VPC vpc-1 has qualifying subnets in 0 Availability Zones, looking for subnets public",
    });
  });

  it("a Network Load Balancer created without security groups says it cannot gain the ones configured", () => {
    const nlb = observed("active");
    const lb = nlb.loadBalancer;
    if (!lb) throw new Error("no load balancer");
    lb.type = "network";
    const desired: LoadBalancerModel = {
      gatewayKey: "apps/gw",
      type: "network",
      name: lb.name,
      scheme: "internet-facing",
      ipAddressType: "ipv4",
      subnets: [],
      securityGroups: [],
      managedSecurityGroups: {
        backend: { name: "sy-backend-c-0000000000", description: "", tags: {}, ruleTags: {} },
      },
      attributes: {},
      tags: {},
      listeners: [],
      targetGroups: [],
    };
    const o = observationOf({ kind: "unchanged", observed: nlb }, desired);
    expect(o?.programmed).toBe(true);
    expect(o?.message).toBe(
      "load balancer sy-apps-gw-123 is active; network load balancer sy-apps-gw-123 was created without security groups and a Network Load Balancer cannot gain them later: " +
        "its source ranges are not enforced and no rule is added to the targets' security groups; delete and re-create the Gateway to get security groups",
    );
    expect(observationOf({ kind: "unchanged", observed: nlb })?.message).toBe("load balancer sy-apps-gw-123 is active");
  });

  it("a load balancer still provisioning says its state; one recorded without a state is taken as active", () => {
    expect(
      observationOf({ kind: "applied", observed: observed("provisioning"), operations: ["CreateRule"], drift: false })
        ?.message,
    ).toBe("load balancer sy-apps-gw-123 is provisioning; waiting until it is active");
    const noState = observed("active");
    if (noState.loadBalancer) delete noState.loadBalancer.state;
    expect(observationOf({ kind: "unchanged", observed: noState })).toMatchObject({
      programmed: true,
      message: "load balancer sy-apps-gw-123 is active",
    });
  });

  it("no load balancer yet is not Programmed, and says so", () => {
    expect(observationOf({ kind: "unchanged", observed: emptyObserved() })).toEqual({
      programmed: false,
      message: "no load balancer exists yet",
    });
  });

  it("a failure keeps the load balancer's address, and says switchyard retries when it does", () => {
    const error = new ElbOperationError("retryable", "ServiceUnavailable", "CreateRule", "try later");
    expect(observationOf({ kind: "failed", observed: observed("active"), error, retryable: true })).toEqual({
      programmed: false,
      address: "sy-apps-gw-123.eu-west-1.elb.amazonaws.com",
      message: "CreateRule failed: ServiceUnavailable: try later; switchyard retries",
    });
  });

  it("several refused rules are listed one after the other", () => {
    const refused = (route: string) => ({
      operation: "CreateRule",
      listenerId: "HTTP:80",
      route,
      code: "ValidationError",
      message: "bad",
    });
    const o = observationOf({
      kind: "applied",
      observed: observed("active"),
      operations: ["CreateRule"],
      drift: false,
      failedRules: [refused("apps/r1"), refused("apps/r2")],
    });
    expect(o?.message).toBe(
      "load balancer sy-apps-gw-123 is active; AWS refused CreateRule for apps/r1 (ValidationError: bad), CreateRule for apps/r2 (ValidationError: bad)",
    );
  });

  it("a VPC that does not exist is NoResources too", () => {
    const error = new ElbOperationError("terminal", "VpcNotFound", "CreateLoadBalancer", "no VPC vpc-1");
    expect(observationOf({ kind: "failed", observed: emptyObserved(), error, retryable: false })).toMatchObject({
      programmed: false,
      reason: "NoResources",
    });
  });
});
