/**
 * Holding a Gateway whose configuration is refused (shared/reconcile/hold.ts and the engine's
 * hold): which Gateways are held, that a hold makes no AWS call and keeps the record, that a hold
 * never creates, that fixing the configuration resumes and deleting the Gateway still deletes, on
 * ELB and on VPC Lattice through the same engine, and what a held outcome means for status.
 */
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import { emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import {
  type EngineDeps,
  modelHash,
  type ReconcileDeps,
  reconcileDataPlane,
  reconcileGateway,
} from "../../../shared/reconcile/engine.ts";
import { configurationHold } from "../../../shared/reconcile/hold.ts";
import {
  LATTICE_DATA_PLANE,
  type LatticeOutcome,
  latticeObservationOf,
} from "../../../shared/reconcile/lattice-plane.ts";
import { observationOf } from "../../../shared/reconcile/observation.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { GatewayStatusUpdate } from "../../../shared/status/compute.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import { MAX_LAST_ERROR_CHARS, type StateStore } from "../../../shared/store/state.ts";
import { MemoryElb, MemoryLattice } from "../../../shared/testing/index.ts";
import { translate } from "../../../shared/translate.ts";
import { gatewayModel } from "../../fixtures/gateway-model.ts";
import { latticeModel } from "../../fixtures/lattice-gateway.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");
const REASON = "UnsupportedValue: LoadBalancerConfiguration apps/lbc spec.listenerConfigurations[0].quicEnabled: …";
const TTL = 60_000;

const model = (paths: readonly string[]): LoadBalancerModel => gatewayModel(paths.map((path) => ({ path })));

function setup() {
  let clock = 1_000_000;
  const stores = createMemoryStores();
  const elb = new MemoryElb(GATEWAY);
  const deps = (states: StateStore = stores.states, owner = "reconciler-a"): ReconcileDeps => ({
    leases: stores.leases,
    states,
    elb,
    now: () => clock,
    owner,
    driftIntervalMs: 600_000,
    logger: { warn: () => undefined },
  });
  const reconcile = (desired: LoadBalancerModel | undefined, hold?: string, states: StateStore = stores.states) =>
    reconcileGateway(
      {
        gatewayKey: GATEWAY,
        dataPlane: "alb",
        account: "111122223333",
        region: "us-east-1",
        desired,
        ...(hold !== undefined ? { hold } : {}),
      },
      deps(states),
    );
  /** AWS calls and reads so far: a hold must leave both where they were. */
  const touched = () => ({ calls: elb.calls.length, reads: elb.reads });
  return { stores, elb, reconcile, touched, now: () => clock, advance: (ms: number) => (clock += ms) };
}

describe("a Gateway whose configuration is refused is held, not deleted", () => {
  it("a held Gateway keeps its load balancer: no AWS call, not even a read, and the outcome is what the record holds", async () => {
    const { stores, elb, reconcile, touched, advance } = setup();
    const desired = model(["/a", "/b"]);
    await reconcile(desired);
    const before = await stores.states.get(GATEWAY);
    const world = structuredClone(elb.world);
    const was = touched();
    advance(60_000);
    const outcome = await reconcile(undefined, REASON);
    expect(outcome).toEqual({ kind: "held", observed: before?.applied, reason: REASON });
    expect(touched()).toEqual(was);
    expect(elb.world).toEqual(world);
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("the record is kept as it was, with only how the reconcile ended (held, and why) and the lease released", async () => {
    const { stores, reconcile, now, advance } = setup();
    await reconcile(model(["/a"]));
    const before = await stores.states.get(GATEWAY);
    if (!before) throw new Error("no record");
    advance(60_000);
    await reconcile(undefined, REASON);
    const after = await stores.states.get(GATEWAY);
    expect(after).toEqual({
      ...before,
      fencingToken: before.fencingToken + 1,
      lastReconcile: { at: now(), outcome: "held", error: REASON },
    });
    expect(after?.applying).toBeUndefined();
    // Released in the same write: another reconciler takes the lease at once.
    expect(await stores.leases.acquire(GATEWAY, "reconciler-b", now(), TTL)).toBeDefined();
  });

  it("the reason the record keeps is bounded like any other", async () => {
    const { stores, reconcile } = setup();
    await reconcile(model(["/a"]));
    await reconcile(undefined, "x".repeat(MAX_LAST_ERROR_CHARS + 100));
    const error = (await stores.states.get(GATEWAY))?.lastReconcile?.error ?? "";
    expect(Array.from(error)).toHaveLength(MAX_LAST_ERROR_CHARS);
    expect(error.endsWith("…")).toBe(true);
  });

  it("a Gateway never programmed creates nothing and leaves no record: a hold never creates", async () => {
    const { stores, elb, reconcile, touched, now } = setup();
    const outcome = await reconcile(undefined, REASON);
    expect(outcome).toEqual({ kind: "held", observed: emptyObserved(), reason: REASON });
    expect(touched()).toEqual({ calls: 0, reads: 0 });
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(await stores.states.get(GATEWAY)).toBeUndefined();
    expect(await stores.leases.acquire(GATEWAY, "reconciler-b", now(), TTL)).toBeDefined();
  });

  it("a hold with a desired model is no hold: the model is applied", async () => {
    const { elb, reconcile } = setup();
    const outcome = await reconcile(model(["/a"]), REASON);
    expect(outcome.kind).toBe("applied");
    expect(elb.world.loadBalancer).toBeDefined();
  });

  it("without a hold, the same request deletes everything (the behaviour a hold replaces)", async () => {
    const { stores, elb, reconcile } = setup();
    await reconcile(model(["/a"]));
    expect((await reconcile(undefined)).kind).toBe("deleted");
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(await stores.states.get(GATEWAY)).toBeUndefined();
  });

  it("fixing the configuration back resumes with zero AWS calls; a changed configuration is applied", async () => {
    const { elb, reconcile, touched, advance } = setup();
    const desired = model(["/a"]);
    await reconcile(desired);
    advance(1_000);
    await reconcile(undefined, REASON);
    const was = touched();
    advance(1_000);
    expect((await reconcile(desired)).kind).toBe("unchanged");
    expect(touched()).toEqual(was);
    const changed = model(["/a", "/b"]);
    expect(await reconcile(changed)).toMatchObject({
      kind: "applied",
      operations: expect.arrayContaining(["CreateRule"]),
    });
    expect(planElb(changed, elb.world).operations).toEqual([]);
  });

  it("the first reconcile after the fix records that the hold is over; the next no-op writes nothing", async () => {
    const { stores, reconcile, touched, now, advance } = setup();
    const desired = model(["/a"]);
    await reconcile(desired);
    advance(1_000);
    await reconcile(undefined, REASON);
    const held = await stores.states.get(GATEWAY);
    const was = touched();
    advance(1_000);
    expect((await reconcile(desired)).kind).toBe("unchanged");
    expect(touched()).toEqual(was);
    const resumed = await stores.states.get(GATEWAY);
    expect(resumed).toEqual({
      ...held,
      fencingToken: (held?.fencingToken ?? 0) + 1,
      lastReconcile: { at: now(), outcome: "unchanged" },
    });
    advance(1_000);
    expect((await reconcile(desired)).kind).toBe("unchanged");
    expect(await stores.states.get(GATEWAY)).toEqual(resumed);
  });

  it("deleting a held Gateway still deletes everything it owns and its record", async () => {
    const { stores, elb, reconcile } = setup();
    await reconcile(model(["/a", "/b"]));
    await reconcile(undefined, REASON);
    expect((await reconcile(undefined)).kind).toBe("deleted");
    expect(elb.world.loadBalancer).toBeUndefined();
    expect(elb.world.targetGroups).toEqual([]);
    expect(await stores.states.get(GATEWAY)).toBeUndefined();
  });

  it("drift while held is neither read nor repaired; the drift check due meanwhile repairs it after the fix", async () => {
    const { elb, reconcile, touched, advance } = setup();
    const desired = model(["/a", "/b"]);
    await reconcile(desired);
    const tampered = structuredClone(elb.world);
    const rule = tampered.listeners[0]?.rules[0];
    if (!rule) throw new Error("no rule");
    rule.actions = [{ type: "fixed-response", statusCode: "503" }];
    elb.accounts.set(GATEWAY, tampered);
    advance(600_001);
    const was = touched();
    expect((await reconcile(undefined, REASON)).kind).toBe("held");
    expect(touched()).toEqual(was);
    expect(elb.world).toEqual(tampered);
    expect(await reconcile(desired)).toMatchObject({ kind: "applied", drift: true, operations: ["ModifyRule"] });
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("an interrupted apply's marker survives a hold, so the fix re-discovers by tags", async () => {
    const { stores, elb, reconcile, advance } = setup();
    const desired = model(["/a"]);
    await reconcile(desired);
    elb.failAfter = () => new Error("Lambda timed out");
    await expect(reconcile(model(["/a", "/b"]))).rejects.toThrow("Lambda timed out");
    elb.failAfter = () => undefined;
    const marker = (await stores.states.get(GATEWAY))?.applying;
    expect(marker).toBeDefined();
    advance(TTL);
    await reconcile(undefined, REASON);
    expect((await stores.states.get(GATEWAY))?.applying).toEqual(marker);
    const reads = elb.reads;
    const outcome = await reconcile(desired);
    expect(outcome.kind === "applied" || outcome.kind === "unchanged").toBe(true);
    expect(elb.reads).toBeGreaterThan(reads);
    expect(planElb(desired, elb.world).operations).toEqual([]);
  });

  it("a held Gateway whose lease another reconciler holds is busy, and its record is untouched", async () => {
    const { stores, reconcile, now } = setup();
    await reconcile(model(["/a"]));
    const before = await stores.states.get(GATEWAY);
    expect(await stores.leases.acquire(GATEWAY, "reconciler-b", now(), TTL)).toBeDefined();
    expect(await reconcile(undefined, REASON)).toEqual({ kind: "busy" });
    expect(await stores.states.get(GATEWAY)).toEqual(before);
  });

  it("a hold holds the lease until its record is written: another reconciler meanwhile finds the Gateway busy", async () => {
    const { stores, reconcile, now } = setup();
    await reconcile(model(["/a"]));
    let meanwhile: unknown = "not tried";
    const watching: StateStore = {
      claim: (request) => stores.states.claim(request),
      get: (key) => stores.states.get(key),
      put: async (state, lease, options) => {
        meanwhile = await stores.leases.acquire(GATEWAY, "reconciler-b", now() + TTL - 1, TTL);
        return stores.states.put(state, lease, options);
      },
      delete: (key, lease, options) => stores.states.delete(key, lease, options),
      list: () => stores.states.list(),
    };
    expect((await reconcile(undefined, REASON, watching)).kind).toBe("held");
    expect(meanwhile).toBeUndefined();
  });

  it("a record write that fails releases the lease and surfaces; its marker lets the next reconcile run at once", async () => {
    const { stores, reconcile, now } = setup();
    await reconcile(model(["/a"]));
    const failing: StateStore = {
      claim: (request) => stores.states.claim(request),
      get: (key) => stores.states.get(key),
      put: async () => {
        throw new Error("DynamoDB unavailable");
      },
      delete: (key, lease, options) => stores.states.delete(key, lease, options),
      list: () => stores.states.list(),
    };
    await expect(reconcile(undefined, REASON, failing)).rejects.toThrow("DynamoDB unavailable");
    // The claim's marker says no call of the hold can land after it started.
    expect((await stores.states.get(GATEWAY))?.applying).toEqual({
      startedAt: now(),
      desiredHash: modelHash(undefined),
      callsLandBy: now(),
    });
    const next = await reconcile(undefined, REASON);
    expect(next.kind).toBe("held");
  });

  it("a record that fails to go away for a Gateway never programmed releases the lease and surfaces", async () => {
    const { stores, reconcile, now } = setup();
    const failing: StateStore = {
      claim: (request) => stores.states.claim(request),
      get: (key) => stores.states.get(key),
      put: (state, lease, options) => stores.states.put(state, lease, options),
      delete: async () => {
        throw new Error("DynamoDB unavailable");
      },
      list: () => stores.states.list(),
    };
    await expect(reconcile(undefined, REASON, failing)).rejects.toThrow("DynamoDB unavailable");
    expect(await stores.leases.acquire(GATEWAY, "reconciler-b", now(), TTL)).toBeDefined();
    // What the claim started the record from, left behind: empty, for this Gateway's account.
    expect(await stores.states.get(GATEWAY)).toMatchObject({
      dataPlane: "alb",
      account: "111122223333",
      region: "us-east-1",
      applied: emptyObserved(),
      applying: { callsLandBy: now() },
    });
  });
});

describe("the same hold over VPC Lattice", () => {
  const NETWORK = clusterGatewayKey("test", "apps", "net");

  function lattice() {
    const stores = createMemoryStores();
    const states = stores.states as unknown as StateStore<ObservedLattice>;
    const memory = new MemoryLattice();
    const deps: EngineDeps<ObservedLattice> = {
      leases: stores.leases,
      states,
      now: () => 1_000_000,
      owner: "reconciler-a",
      logger: { warn: () => undefined },
    };
    const reconcile = (desired: LatticeModel | undefined, hold?: string) =>
      reconcileDataPlane(
        LATTICE_DATA_PLANE,
        memory,
        {
          gatewayKey: NETWORK,
          dataPlane: "lattice",
          account: "111122223333",
          region: "us-east-1",
          desired,
          ...(hold !== undefined ? { hold } : {}),
        },
        deps,
      );
    return { memory, states, reconcile };
  }

  it("a held Lattice Gateway keeps its services with no call; deleting it then deletes them", async () => {
    const { memory, states, reconcile } = lattice();
    // Two route services and the Gateway service, whose DNS name stays the address while held.
    await reconcile(latticeModel({ routes: [{ paths: ["/a"] }, { paths: ["/b"] }] }));
    const world = structuredClone(memory.world);
    const calls = memory.calls.length;
    const reads = memory.reads;
    const outcome = await reconcile(undefined, REASON);
    expect(outcome).toEqual({ kind: "held", observed: (await states.get(NETWORK))?.applied, reason: REASON });
    expect(memory.calls.length).toBe(calls);
    expect(memory.reads).toBe(reads);
    expect(memory.world).toEqual(world);
    expect(latticeObservationOf(outcome, undefined)).toEqual({
      programmed: false,
      address: world.services.find((s) => s.name.startsWith("gw-net-apps-"))?.dnsName?.toLowerCase(),
      held: `service network ${world.serviceNetwork?.name} with 3 service(s) keep serving the last accepted configuration, unchanged until the configuration is fixed or the Gateway is deleted`,
    });
    expect((await reconcile(undefined)).kind).toBe("deleted");
    expect(memory.world.services).toEqual([]);
  });
});

describe("what a held outcome means for status", () => {
  it("ELB: the load balancer's address and that it keeps serving the last accepted configuration", () => {
    const observed: ObservedElb = {
      ...emptyObserved(),
      loadBalancer: {
        arn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/gw/1",
        name: "gw",
        type: "application",
        scheme: "internal",
        ipAddressType: "ipv4",
        dnsName: "GW-1.us-east-1.elb.amazonaws.com",
        state: "active",
        subnets: [],
        securityGroups: [],
        attributes: {},
      },
    };
    expect(observationOf({ kind: "held", observed, reason: REASON })).toEqual({
      programmed: false,
      address: "gw-1.us-east-1.elb.amazonaws.com",
      held: "load balancer gw keeps serving the last accepted configuration, unchanged until the configuration is fixed or the Gateway is deleted",
    });
  });

  it("ELB: a load balancer the record saw provisioning is not said to serve", () => {
    const lb = {
      arn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/gw/1",
      name: "gw",
      type: "application" as const,
      scheme: "internal" as const,
      ipAddressType: "ipv4" as const,
      state: "provisioning",
      subnets: [],
      securityGroups: [],
      attributes: {},
    };
    expect(observationOf({ kind: "held", observed: { ...emptyObserved(), loadBalancer: lb }, reason: REASON })).toEqual(
      {
        programmed: false,
        held: "load balancer gw (last seen provisioning) is kept as the last accepted configuration left it, unchanged until the configuration is fixed or the Gateway is deleted",
      },
    );
    const impaired = { ...lb, state: "active_impaired" };
    expect(
      observationOf({ kind: "held", observed: { ...emptyObserved(), loadBalancer: impaired }, reason: REASON })?.held,
    ).toMatch(/^load balancer gw keeps serving/);
    const { state: _unknown, ...stateless } = lb;
    expect(
      observationOf({ kind: "held", observed: { ...emptyObserved(), loadBalancer: stateless }, reason: REASON })?.held,
    ).toMatch(/^load balancer gw keeps serving/);
  });

  it("ELB: nothing was ever created says nothing (the status of any Gateway not accepted)", () => {
    expect(observationOf({ kind: "held", observed: emptyObserved(), reason: REASON })).toBeUndefined();
  });

  it("Lattice: nothing was ever created says nothing; services without a network are still named", () => {
    const held = (observed: ObservedLattice): LatticeOutcome => ({ kind: "held", observed, reason: REASON });
    expect(latticeObservationOf(held(emptyObservedLattice()), undefined)).toBeUndefined();
    const service = { id: "HTTPRoute/apps/r0", arn: "arn:svc", name: "r0", dnsName: "R0.lattice.aws", listeners: [] };
    const observation = latticeObservationOf(held({ ...emptyObservedLattice(), services: [service] }), undefined);
    expect(observation).toStrictEqual({
      programmed: false,
      address: "r0.lattice.aws",
      held: "1 service(s) keep serving the last accepted configuration, unchanged until the configuration is fixed or the Gateway is deleted",
    });
  });
});

const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
`;

function gatewayWith(extra: string, listeners = "  - {name: http, port: 80, protocol: HTTP}\n") {
  const manifests = `${CLASS}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps, generation: 4}
spec:
  gatewayClassName: alb
${extra}  listeners:
${listeners}`;
  const loaded = loadManifests(manifests, "hold.yaml");
  if (loaded.rejected.length > 0) throw new Error(JSON.stringify(loaded.rejected));
  const translation = translate(snapshotOf(loaded.objects), controllerConfig({ acceptAwsControllerNames: false }));
  return { translation, gateway: translation.graph.gateways.find((g) => g.key === "apps/gw") };
}

const LBC_REF = `  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: lbc}
`;

describe("which Gateways are held", () => {
  it("a parametersRef to a missing LoadBalancerConfiguration is held, with the status reason and message", () => {
    const { gateway } = gatewayWith(LBC_REF);
    expect(configurationHold(gateway)).toBe(
      "InvalidParameters: spec.infrastructure.parametersRef: LoadBalancerConfiguration apps/lbc not found",
    );
  });

  it("a Gateway field switchyard refuses is held", () => {
    const { gateway } = gatewayWith("  addresses: [{type: IPAddress, value: 10.0.0.1}]\n");
    expect(configurationHold(gateway)).toMatch(/^UnsupportedAddress: spec\.addresses/);
  });

  it("an accepted Gateway, a Gateway whose listeners are all invalid, and a Gateway that is gone are not held", () => {
    expect(configurationHold(gatewayWith("").gateway)).toBeUndefined();
    const allInvalid = gatewayWith("", "  - {name: ftp, port: 21, protocol: FTP}\n").gateway;
    expect(allInvalid).toBeDefined();
    expect(configurationHold(allInvalid)).toBeUndefined();
    expect(configurationHold(undefined)).toBeUndefined();
  });

  it("the status of a held Gateway: Accepted=False as before, Programmed=False Invalid saying what serves, the address kept", () => {
    const held = "load balancer gw keeps serving the last accepted configuration";
    const { translation } = gatewayWith(LBC_REF);
    const status = translate(
      snapshotOf(
        loadManifests(
          `${CLASS}---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: apps, generation: 4}\nspec:\n  gatewayClassName: alb\n${LBC_REF}  listeners:\n  - {name: http, port: 80, protocol: HTTP}\n`,
          "hold.yaml",
        ).objects,
      ),
      controllerConfig({ acceptAwsControllerNames: false }),
      { observations: new Map([["apps/gw", { programmed: false, address: "gw-1.elb.amazonaws.com", held }]]) },
    ).statuses.find((s): s is GatewayStatusUpdate => s.kind === "Gateway");
    const before = translation.statuses.find((s): s is GatewayStatusUpdate => s.kind === "Gateway");
    expect(status?.conditions.find((c) => c.type === "Accepted")).toEqual(
      before?.conditions.find((c) => c.type === "Accepted"),
    );
    expect(status?.conditions.find((c) => c.type === "Programmed")).toEqual({
      type: "Programmed",
      status: "False",
      reason: "Invalid",
      message: `the Gateway is not accepted; ${held}`,
      observedGeneration: 4,
    });
    expect(before?.conditions.find((c) => c.type === "Programmed")?.message).toBe("the Gateway is not accepted");
    expect(status?.addresses).toEqual([{ type: "Hostname", value: "gw-1.elb.amazonaws.com" }]);
  });
});
