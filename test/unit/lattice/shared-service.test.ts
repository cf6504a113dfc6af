/**
 * A route with two Lattice parents: the first builds the service, the other associates it by name
 * (shared/lattice/README.md, "Shared services"). When the owner replaces it (a new custom domain
 * name or name), the other parent drops its association of the old one first, so the owner can
 * delete it, and associates the new one once it exists.
 */
import { describe, expect, it } from "vitest";
import type { LatticeModel } from "../../../shared/lattice/model.ts";
import { emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import { planLattice } from "../../../shared/lattice/plan.ts";
import { convergeLattice } from "../../../shared/testing/index.ts";
import { latticeModels, otherGateway, type PolicyShape } from "../../fixtures/lattice-policies.ts";

const R0 = "HTTPRoute/apps/r0";

function shared(hostname?: string): { net: LatticeModel; other: LatticeModel } {
  const shape: PolicyShape = {
    routes: [{ paths: ["/a"], ...(hostname ? { hostname } : {}) }],
    extra: [otherGateway()],
    alsoOnOther: ["r0"],
  };
  const models = latticeModels(shape);
  const net = models.get("apps/net");
  const other = models.get("apps/other");
  if (!net || !other) throw new Error("both Gateways have a model");
  return { net, other };
}

function applied(desired: LatticeModel, from: ObservedLattice = emptyObservedLattice()): ObservedLattice {
  return convergeLattice(desired, from);
}

describe("a service another Gateway owns", () => {
  it("is named in the other parent's model with the owner's name and custom domain name", () => {
    const { net, other } = shared("a.example.com");
    const service = net.services.find((s) => s.id === R0);
    expect(other.sharedServices).toEqual([{ id: R0, name: service?.name, customDomainName: "a.example.com" }]);
    expect(shared().other.sharedServices).toEqual([{ id: R0, name: service?.name }]);
  });

  it("is associated by name and custom domain name, and the record remembers both", () => {
    const { other } = shared("a.example.com");
    const ops = planLattice(other, emptyObservedLattice()).operations;
    const name = other.sharedServices?.[0]?.name;
    expect(ops).toContainEqual(
      expect.objectContaining({
        op: "CreateServiceAssociation",
        serviceId: R0,
        serviceName: name,
        customDomainName: "a.example.com",
      }),
    );
    const state = applied(other);
    expect(state.serviceAssociations).toEqual([
      expect.objectContaining({ serviceId: R0, sharedService: { name, customDomainName: "a.example.com" } }),
    ]);
    expect(planLattice(other, state).operations).toEqual([]);
  });

  it("replaced by its owner: the other parent drops its association of the old one, then associates the new", () => {
    const state = applied(shared("a.example.com").other);
    const { other } = shared("b.example.com");
    const old = state.serviceAssociations[0];
    const ops = planLattice(other, state).operations;
    expect(ops.map((o) => o.op)).toEqual(["DeleteServiceAssociation", "CreateServiceAssociation"]);
    expect(ops[0]).toMatchObject({ serviceId: R0, arn: old?.arn });
    expect(ops[1]).toMatchObject({ serviceId: R0, customDomainName: "b.example.com" });
  });

  it("an association another owner made is left alone; one recorded before names were kept is kept", () => {
    const state = applied(shared("a.example.com").other);
    const { other } = shared("b.example.com");
    const foreign = {
      ...state,
      serviceAssociations: state.serviceAssociations.map((a) => ({ ...a, owned: false })),
    };
    expect(planLattice(other, foreign).operations).toEqual([]);
    const legacy = {
      ...state,
      serviceAssociations: state.serviceAssociations.map(({ sharedService: _s, ...a }) => a),
    };
    expect(planLattice(other, legacy).operations).toEqual([]);
  });
});
