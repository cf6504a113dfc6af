// LoadBalancerConfiguration features through the ELB port (AwsElb) and the real SDK: planned by
// planElb, run by the executors, read back by the drift check and discovery. On moto where moto
// implements the API (WAFv2, Shield, listener attributes, NLB forward stickiness); where it does
// not (capacity reservation, IPAM pools, pinned subnet addresses, QUIC), the exact request
// switchyard sends, recorded below the SDK's middleware by a RequestRecorder, with a canned AWS
// answer only for the operations moto lacks. "Where moto differs from AWS" pins QUIRKS.md LB1–LB5.

import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeCapacityReservationCommand,
  DescribeLoadBalancersCommand,
  ModifyCapacityReservationCommand,
  ModifyIpPoolsCommand,
  ModifyListenerAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateProtectionCommand } from "@aws-sdk/client-shield";
import { AssociateWebACLCommand, CreateWebACLCommand, GetWebACLForResourceCommand } from "@aws-sdk/client-wafv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { nlbForward } from "../../shared/elb/listener-features.ts";
import type { ListenerModel, LoadBalancerModel, TargetGroupModel } from "../../shared/elb/model.ts";
import { loadBalancerName, ownershipTags, targetGroupName } from "../../shared/elb/naming.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { ElbOperationError } from "../../shared/reconcile/ports.ts";
import { FaultInjectingHandler, queryResponse, RequestRecorder } from "../../shared/testing/index.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { TCP_HEALTH_CHECK } from "../fixtures/health-checks.ts";

const CLUSTER = "prod-eu";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };

let recorder: RequestRecorder;
let factory: AwsClientFactory;
let subnets: string[];

function port(gatewayKey: string, on = factory): AwsElb {
  return new AwsElb(on, target, { clusterId: CLUSTER, gatewayKey });
}

function loadBalancer(gatewayKey: string, overrides: Partial<LoadBalancerModel> = {}): LoadBalancerModel {
  const type = overrides.type ?? "application";
  // Internal: moto's default VPC has no subnet routing to an internet gateway, so internet-facing discovery finds none.
  const scheme = overrides.scheme ?? "internal";
  return {
    gatewayKey,
    type,
    name: loadBalancerName(CLUSTER, gatewayKey, type, scheme),
    scheme,
    ipAddressType: "ipv4",
    subnets: [],
    securityGroups: [],
    attributes: {},
    tags: ownershipTags(CLUSTER, gatewayKey, "load-balancer"),
    listeners: [],
    targetGroups: [],
    ...overrides,
  };
}

function tcpTargetGroup(gatewayKey: string, protocol: "TCP" | "UDP" = "TCP"): TargetGroupModel {
  const id = `apps/db:5432/${protocol}`;
  return {
    id,
    name: targetGroupName(CLUSTER, gatewayKey, id, protocol),
    protocol,
    port: 5432,
    targetType: "ip",
    ipAddressType: "ipv4",
    healthCheck: TCP_HEALTH_CHECK,
    attributes: {},
    tags: ownershipTags(CLUSTER, gatewayKey, `target-group:${id}`),
    targets: [{ id: "10.0.0.5", port: 5432 }],
    backend: "Service apps/db:5432",
  };
}

function httpListener(gatewayKey: string, attributes?: Record<string, string>): ListenerModel {
  return {
    id: "HTTP:80",
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
    rules: [],
    gatewayListeners: ["http"],
    tags: ownershipTags(CLUSTER, gatewayKey, "listener:HTTP:80"),
    ...(attributes ? { attributes } : {}),
  };
}

/** Plans `desired` against `observed` and runs the plan through the port, as the engine would. */
async function converge(elb: AwsElb, desired: LoadBalancerModel | undefined, observed: ObservedElb) {
  const operations = planElb(desired, observed).operations;
  const created = new Map<string, string>();
  let state = observed;
  for (const op of operations) state = await elb.execute(op, state, created);
  return { state, ops: operations.map((o) => o.op) };
}

async function webAcl(name: string): Promise<string> {
  const created = await factory.wafv2(target).send(
    new CreateWebACLCommand({
      Name: name,
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: name },
      Rules: [],
    }),
  );
  const arn = created.Summary?.ARN;
  if (!arn) throw new Error(`CreateWebACL ${name}: no ARN`);
  return arn;
}

function lbArn(observed: ObservedElb): string {
  const arn = observed.loadBalancer?.arn;
  if (!arn) throw new Error("no load balancer");
  return arn;
}

describe("load balancer features through the ELB port", () => {
  beforeAll(async () => {
    await resetMoto();
    const { endpoint } = motoSettings();
    recorder = new RequestRecorder();
    factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS, requestHandler: recorder });
    const found = await factory.ec2(target).send(new DescribeSubnetsCommand({}));
    subnets = (found.Subnets ?? []).map((s) => s.SubnetId ?? "").filter((s) => s !== "");
  });

  afterAll(() => factory?.destroy());

  describe("WAFv2 on moto", () => {
    it("associates the Web ACL with a new ALB, reads it back in a drift check, disassociates it when dropped", async () => {
      const acl = await webAcl("shop");
      const elb = port("apps/waf");
      const desired = loadBalancer("apps/waf", { webAcl: acl });
      const { state, ops } = await converge(elb, desired, emptyObserved());
      expect(ops).toEqual(["CreateLoadBalancer", "AssociateWebACL"]);
      expect(state.loadBalancer?.webAcl).toBe(acl);

      const before = recorder.of("GetWebACLForResource").length;
      const drift = await elb.observe(state);
      expect(recorder.of("GetWebACLForResource").length - before).toBe(1);
      expect(drift.loadBalancer?.webAcl).toBe(acl);
      expect(planElb(desired, drift).operations).toEqual([]);
      // Waiting on a provisioning load balancer re-reads it alone, keeping what switchyard set.
      expect((await elb.refresh(state)).loadBalancer?.webAcl).toBe(acl);

      const dropped = await converge(elb, loadBalancer("apps/waf"), drift);
      expect(dropped.ops).toEqual(["DisassociateWebACL"]);
      const gone = await factory.wafv2(target).send(new GetWebACLForResourceCommand({ ResourceArn: lbArn(state) }));
      expect(gone.WebACL).toBeUndefined();
      // Once switchyard no longer manages an association, a drift check does not ask WAF at all.
      const calls = recorder.of("GetWebACLForResource").length;
      expect((await elb.observe(dropped.state)).loadBalancer?.webAcl).toBeUndefined();
      expect(recorder.of("GetWebACLForResource").length).toBe(calls);
    });

    it("refuses a Web ACL that does not exist as a terminal error with WAFv2's code", async () => {
      const elb = port("apps/no-acl");
      const missing = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/none/00000000-0000-0000-0000-000000000000";
      const error = await converge(elb, loadBalancer("apps/no-acl", { webAcl: missing }), emptyObserved()).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ElbOperationError);
      expect(error).toMatchObject({ operation: "AssociateWebACL", kind: "terminal", code: "WAFNonexistentItem" });
    });

    it("retries an association WAF cannot make yet (WAFUnavailableEntityException, a load balancer just created)", async () => {
      const faults = new FaultInjectingHandler(recorder).inject("AssociateWebACL", {
        status: 400,
        code: "WAFUnavailableEntityException",
        message: "AWS WAF couldn't retrieve the resource that you requested. Retry your request.",
      });
      const faulty = new AwsClientFactory({
        endpoint: motoSettings().endpoint,
        credentials: DUMMY_CREDENTIALS,
        requestHandler: faults,
      });
      try {
        const acl = await webAcl("later");
        const elb = port("apps/waf-later", faulty);
        const desired = loadBalancer("apps/waf-later", { webAcl: acl });
        const error = await converge(elb, desired, emptyObserved()).catch((e: unknown) => e);
        expect(error).toMatchObject({ operation: "AssociateWebACL", kind: "retryable", retryable: true });
        expect(faults.injected).toEqual([{ operation: "AssociateWebACL", code: "WAFUnavailableEntityException" }]);
        // The next attempt, planned afresh from what exists, associates it.
        const again = await converge(elb, desired, await elb.discover());
        expect(again.ops).toEqual(["AssociateWebACL"]);
      } finally {
        faulty.destroy();
      }
    });
  });

  describe("Shield Advanced on moto", () => {
    it("protects the ALB, reads the protection back in a drift check and in discovery, deletes it when disabled", async () => {
      const elb = port("apps/shield");
      const desired = loadBalancer("apps/shield", { shieldProtection: true });
      const { state, ops } = await converge(elb, desired, emptyObserved());
      expect(ops).toEqual(["CreateLoadBalancer", "CreateProtection"]);
      expect(state.loadBalancer?.shieldProtection).toMatchObject({ managed: true });
      expect(recorder.of("CreateProtection").at(-1)?.params).toEqual({
        Name: "managed by switchyard",
        ResourceArn: lbArn(state),
      });

      const drift = await elb.observe(state);
      expect(drift.loadBalancer?.shieldProtection).toEqual(state.loadBalancer?.shieldProtection);
      const discovered = await elb.discover();
      expect(discovered.loadBalancer?.shieldProtection).toEqual(state.loadBalancer?.shieldProtection);
      expect(planElb(desired, discovered).operations).toEqual([]);

      const disabled = await converge(elb, loadBalancer("apps/shield", { shieldProtection: false }), drift);
      expect(disabled.ops).toEqual(["DeleteProtection"]);
      expect((await elb.observe(state)).loadBalancer?.shieldProtection).toBeUndefined();
    });

    it("adopts a protection someone else made without taking it over: disabling keeps it", async () => {
      const elb = port("apps/shield-theirs");
      const { state } = await converge(elb, loadBalancer("apps/shield-theirs"), emptyObserved());
      await factory
        .shield(target)
        .send(new CreateProtectionCommand({ Name: "security team", ResourceArn: lbArn(state) }));
      const enabled = await converge(elb, loadBalancer("apps/shield-theirs", { shieldProtection: true }), state);
      expect(enabled.ops).toEqual(["CreateProtection"]);
      expect(enabled.state.loadBalancer?.shieldProtection).toMatchObject({ managed: false });
      expect(
        planElb(loadBalancer("apps/shield-theirs", { shieldProtection: false }), enabled.state).operations,
      ).toEqual([]);
    });

    it("deletes its protection before the load balancer when the Gateway goes", async () => {
      const elb = port("apps/shield-gone");
      const { state } = await converge(
        elb,
        loadBalancer("apps/shield-gone", { shieldProtection: true }),
        emptyObserved(),
      );
      const gone = await converge(elb, undefined, state);
      expect(gone.ops).toEqual(["DeleteProtection", "DeleteLoadBalancer"]);
    });
  });

  describe("listener attributes and NLB stickiness on moto", () => {
    it("sets listener attributes after CreateListener, reads back only its own keys, and repairs drift of one", async () => {
      const gw = "apps/attrs";
      const elb = port(gw);
      const attributes = { "routing.http.response.server.enabled": "false" };
      const desired = loadBalancer(gw, { listeners: [httpListener(gw, attributes)] });
      const { state, ops } = await converge(elb, desired, emptyObserved());
      expect(ops).toEqual(["CreateLoadBalancer", "CreateListener", "ModifyListenerAttributes"]);
      const drift = await elb.observe(state);
      expect(drift.listeners[0]?.attributes).toEqual(attributes);
      expect(planElb(desired, drift).operations).toEqual([]);

      await factory.elbv2(target).send(
        new ModifyListenerAttributesCommand({
          ListenerArn: drift.listeners[0]?.arn,
          Attributes: [{ Key: "routing.http.response.server.enabled", Value: "true" }],
        }),
      );
      const changed = await elb.observe(drift);
      expect(planElb(desired, changed).operations).toEqual([
        { op: "ModifyListenerAttributes", listenerId: "HTTP:80", attributes },
      ]);
    });

    it("creates an NLB listener forwarding with target group stickiness and reads the same action back", async () => {
      const gw = "apps/sticky";
      const elb = port(gw);
      const tg = tcpTargetGroup(gw);
      const listener: ListenerModel = {
        id: "TCP:5432",
        port: 5432,
        protocol: "TCP",
        defaultActions: [nlbForward(tg.id, { protocolPort: "TCP:5432", targetGroupStickiness: true })],
        rules: [],
        gatewayListeners: ["db"],
        tags: ownershipTags(CLUSTER, gw, "listener:TCP:5432"),
      };
      const desired = loadBalancer(gw, { type: "network", listeners: [listener], targetGroups: [tg] });
      const { state } = await converge(elb, desired, emptyObserved());
      const sent = recorder.of("CreateListener").at(-1)?.params ?? {};
      expect(sent["DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled"]).toBe("true");
      expect(sent["DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds"]).toBeUndefined();
      const drift = await elb.observe(state);
      expect(drift.listeners[0]?.defaultActions).toEqual(listener.defaultActions);
      expect(planElb(desired, drift).operations).toEqual([]);
    });
  });

  describe("APIs moto does not implement: the exact requests switchyard sends", () => {
    it("CreateLoadBalancer sends SubnetMappings with the pinned addresses instead of Subnets, and turns source NAT on", async () => {
      const [a = "", b = ""] = subnets;
      const gw = "apps/pinned";
      await converge(
        port(gw),
        loadBalancer(gw, {
          type: "network",
          ipAddressType: "dualstack",
          subnetMappings: [
            {
              subnetId: a,
              allocationId: "eipalloc-0a",
              ipv6Address: "2001:db8::a",
              sourceNatIpv6Prefix: "auto_assigned",
            },
            {
              subnetId: b,
              allocationId: "eipalloc-0b",
              ipv6Address: "2001:db8::b",
              sourceNatIpv6Prefix: "auto_assigned",
            },
          ],
        }),
        emptyObserved(),
      );
      const params = recorder.of("CreateLoadBalancer").at(-1)?.params ?? {};
      expect(params).toMatchObject({
        Type: "network",
        IpAddressType: "dualstack",
        "SubnetMappings.member.1.SubnetId": a,
        "SubnetMappings.member.1.AllocationId": "eipalloc-0a",
        "SubnetMappings.member.1.IPv6Address": "2001:db8::a",
        "SubnetMappings.member.1.SourceNatIpv6Prefix": "auto_assigned",
        "SubnetMappings.member.2.SubnetId": b,
        "SubnetMappings.member.2.AllocationId": "eipalloc-0b",
        EnablePrefixForIpv6SourceNat: "on",
      });
      expect(Object.keys(params).filter((k) => k.startsWith("Subnets."))).toEqual([]);
    });

    it("CreateLoadBalancer sends the customer-owned IPv4 pool and the IPv4 IPAM pool", async () => {
      const gw = "apps/pools";
      await converge(
        port(gw),
        loadBalancer(gw, { customerOwnedIpv4Pool: "ipv4pool-coip-0123", ipv4IpamPool: "ipam-pool-0123" }),
        emptyObserved(),
      );
      expect(recorder.of("CreateLoadBalancer").at(-1)?.params).toMatchObject({
        CustomerOwnedIpv4Pool: "ipv4pool-coip-0123",
        "IpamPools.Ipv4IpamPoolId": "ipam-pool-0123",
      });
    });

    it("ModifyCapacityReservation sends the units or a reset, and a drift check reads the reservation back", async () => {
      recorder
        .answer(
          "ModifyCapacityReservation",
          queryResponse(
            "ModifyCapacityReservation",
            "<MinimumLoadBalancerCapacity><CapacityUnits>1500</CapacityUnits></MinimumLoadBalancerCapacity>",
          ),
        )
        .answer(
          "DescribeCapacityReservation",
          queryResponse(
            "DescribeCapacityReservation",
            "<MinimumLoadBalancerCapacity><CapacityUnits>1500</CapacityUnits></MinimumLoadBalancerCapacity>" +
              "<DecreaseRequestsRemaining>2</DecreaseRequestsRemaining>",
          ),
        );
      const gw = "apps/capacity";
      const elb = port(gw);
      const desired = loadBalancer(gw, { type: "network", minimumCapacityUnits: 1500 });
      const { state, ops } = await converge(elb, desired, emptyObserved());
      expect(ops).toEqual(["CreateLoadBalancer", "ModifyCapacityReservation"]);
      expect(recorder.of("ModifyCapacityReservation").at(-1)?.params).toEqual({
        Action: "ModifyCapacityReservation",
        Version: "2015-12-01",
        LoadBalancerArn: lbArn(state),
        "MinimumLoadBalancerCapacity.CapacityUnits": "1500",
      });
      const drift = await elb.observe(state);
      expect(recorder.of("DescribeCapacityReservation").at(-1)?.params).toMatchObject({
        LoadBalancerArn: lbArn(state),
      });
      expect(drift.loadBalancer?.minimumCapacityUnits).toBe(1500);
      expect(planElb(desired, drift).operations).toEqual([]);

      const reset = await converge(elb, loadBalancer(gw, { type: "network" }), drift);
      expect(reset.ops).toEqual(["ModifyCapacityReservation"]);
      expect(recorder.of("ModifyCapacityReservation").at(-1)?.params).toMatchObject({
        LoadBalancerArn: lbArn(state),
        ResetCapacityReservation: "true",
      });
      expect(reset.state.loadBalancer?.minimumCapacityUnits).toBeUndefined();
    });

    it("ModifyIpPools sends the new pool, or RemoveIpamPools ipv4 when the configuration drops it", async () => {
      recorder.answer("ModifyIpPools", queryResponse("ModifyIpPools"));
      const gw = "apps/ipam";
      const elb = port(gw);
      const created = await converge(elb, loadBalancer(gw, { ipv4IpamPool: "ipam-pool-1" }), emptyObserved());
      // moto does not report the pool back (LB3): start from the record, as the engine does.
      const moved = await converge(elb, loadBalancer(gw, { ipv4IpamPool: "ipam-pool-2" }), created.state);
      expect(moved.ops).toEqual(["ModifyIpPools"]);
      expect(recorder.of("ModifyIpPools").at(-1)?.params).toMatchObject({
        LoadBalancerArn: lbArn(created.state),
        "IpamPools.Ipv4IpamPoolId": "ipam-pool-2",
      });
      const removed = await converge(elb, loadBalancer(gw), moved.state);
      expect(removed.ops).toEqual(["ModifyIpPools"]);
      expect(recorder.of("ModifyIpPools").at(-1)?.params).toMatchObject({ "RemoveIpamPools.member.1": "ipv4" });
    });

    it("QUIC: the target group and listener are created with protocol QUIC, each target registered with its server ID", async () => {
      const gw = "apps/quic";
      const elb = port(gw);
      const id = "apps/h3:443/QUIC";
      const tg: TargetGroupModel = {
        ...tcpTargetGroup(gw, "UDP"),
        id,
        name: targetGroupName(CLUSTER, gw, id, "QUIC"),
        protocol: "QUIC",
        targets: [{ id: "10.1.0.7", port: 443, quicServerId: "0x000000000a010007" }],
      };
      const quic: ListenerModel = {
        id: "QUIC:443",
        port: 443,
        protocol: "QUIC",
        defaultActions: [nlbForward(id, undefined)],
        rules: [],
        gatewayListeners: ["h3"],
        tags: ownershipTags(CLUSTER, gw, "listener:QUIC:443"),
      };
      const ops = planElb(
        loadBalancer(gw, { type: "network", listeners: [quic], targetGroups: [tg] }),
        emptyObserved(),
      ).operations;
      const created = new Map<string, string>();
      const error = await elb.execute(ops[0] as ElbOperation, emptyObserved(), created).catch((e: unknown) => e);
      // moto refuses the QUIC protocol (LB5); the request is what AWS would get.
      expect(error).toBeInstanceOf(ElbOperationError);
      expect(recorder.of("CreateTargetGroup").at(-1)?.params).toMatchObject({
        Name: tg.name,
        Protocol: "QUIC",
        Port: "5432",
      });
      // The server IDs travel in RegisterTargets (sent here to a UDP group, which moto has).
      const udp = await converge(
        elb,
        loadBalancer(gw, { type: "network", targetGroups: [{ ...tcpTargetGroup(gw, "UDP"), targets: tg.targets }] }),
        emptyObserved(),
      );
      expect(udp.ops).toContain("RegisterTargets");
      expect(recorder.of("RegisterTargets").at(-1)?.params).toMatchObject({
        "Targets.member.1.Id": "10.1.0.7",
        "Targets.member.1.Port": "443",
        "Targets.member.1.QuicServerId": "0x000000000a010007",
      });
      // The listener, forwarding to that group: moto refuses QUIC here too (LB5).
      const listener: ElbOperation = {
        op: "CreateListener",
        listenerId: "QUIC:443",
        port: 443,
        protocol: "QUIC",
        defaultActions: [nlbForward("apps/db:5432/UDP", undefined)],
        tags: quic.tags,
      };
      expect(await elb.execute(listener, udp.state, created).catch((e: unknown) => e)).toBeInstanceOf(
        ElbOperationError,
      );
      expect(recorder.of("CreateListener").at(-1)?.params).toMatchObject({
        LoadBalancerArn: lbArn(udp.state),
        Protocol: "QUIC",
        Port: "443",
      });
    });
  });

  describe("where moto differs from AWS", () => {
    it("LB1: moto keeps the old Web ACL when AssociateWebACL names another (AWS replaces the association)", async () => {
      const first = await webAcl("first");
      const second = await webAcl("second");
      const { state } = await converge(port("apps/waf-swap"), loadBalancer("apps/waf-swap"), emptyObserved());
      const waf = factory.wafv2(target);
      await waf.send(new AssociateWebACLCommand({ ResourceArn: lbArn(state), WebACLArn: first }));
      await waf.send(new AssociateWebACLCommand({ ResourceArn: lbArn(state), WebACLArn: second }));
      const now = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn(state) }));
      expect(now.WebACL?.ARN).toBe(first);
    });

    it("LB2: moto does not implement ModifyCapacityReservation, and DescribeCapacityReservation reports no reservation", async () => {
      const { state } = await converge(port("apps/cap-moto"), loadBalancer("apps/cap-moto"), emptyObserved());
      const plain = new AwsClientFactory({
        endpoint: motoSettings().endpoint,
        credentials: DUMMY_CREDENTIALS,
        maxAttempts: 1,
      });
      try {
        const elbv2 = plain.elbv2(target);
        const refused = await elbv2
          .send(
            new ModifyCapacityReservationCommand({
              LoadBalancerArn: lbArn(state),
              MinimumLoadBalancerCapacity: { CapacityUnits: 100 },
            }),
          )
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(Error);
        const described = await elbv2.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: lbArn(state) }));
        expect(described.MinimumLoadBalancerCapacity).toBeUndefined();
      } finally {
        plain.destroy();
      }
    });

    it("LB3: moto does not implement ModifyIpPools and reports neither the IPAM pool nor the customer-owned pool", async () => {
      const plain = new AwsClientFactory({
        endpoint: motoSettings().endpoint,
        credentials: DUMMY_CREDENTIALS,
        maxAttempts: 1,
      });
      try {
        const elbv2 = plain.elbv2(target);
        const created = await elbv2.send(
          new CreateLoadBalancerCommand({
            Name: "moto-pools",
            Subnets: subnets.slice(0, 2),
            CustomerOwnedIpv4Pool: "ipv4pool-coip-0123",
            IpamPools: { Ipv4IpamPoolId: "ipam-pool-0123" },
          }),
        );
        const arn = created.LoadBalancers?.[0]?.LoadBalancerArn;
        const described = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn ?? ""] }));
        expect(described.LoadBalancers?.[0]?.CustomerOwnedIpv4Pool).toBeUndefined();
        expect(described.LoadBalancers?.[0]?.IpamPools).toBeUndefined();
        const refused = await elbv2
          .send(new ModifyIpPoolsCommand({ LoadBalancerArn: arn, RemoveIpamPools: ["ipv4"] }))
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(Error);
      } finally {
        plain.destroy();
      }
    });

    it("LB4: moto accepts subnet mappings with Elastic IPs and reports no load balancer addresses", async () => {
      const [a = "", b = ""] = subnets;
      const elbv2 = factory.elbv2(target);
      const created = await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: "moto-eips",
          Type: "network",
          SubnetMappings: [
            { SubnetId: a, AllocationId: "eipalloc-0a" },
            { SubnetId: b, AllocationId: "eipalloc-0b" },
          ],
        }),
      );
      const arn = created.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
      const described = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
      const addresses = (described.LoadBalancers?.[0]?.AvailabilityZones ?? []).flatMap(
        (z) => z.LoadBalancerAddresses ?? [],
      );
      expect(addresses).toEqual([]);
    });

    it("LB5: moto refuses the QUIC and TCP_QUIC protocols", async () => {
      const vpcs = await factory.ec2(target).send(new DescribeSubnetsCommand({ SubnetIds: subnets.slice(0, 1) }));
      const refused = await factory
        .elbv2(target)
        .send(
          new CreateTargetGroupCommand({
            Name: "moto-quic",
            Protocol: "QUIC",
            Port: 443,
            TargetType: "ip",
            VpcId: vpcs.Subnets?.[0]?.VpcId,
          }),
        )
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Error);
      expect(String((refused as Error).message)).toContain("QUIC");
    });
  });
});
