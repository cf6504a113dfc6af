import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { exportUnitKey, parseExportUnitKey } from "../../../shared/lattice/exports.ts";
import type { LatticeExportModel } from "../../../shared/lattice/model.ts";
import { emptyObservedLattice, type ObservedLattice } from "../../../shared/lattice/observed.ts";
import type { LatticeOperation } from "../../../shared/lattice/operations.ts";
import { planLattice, planLatticeExport } from "../../../shared/lattice/plan.ts";
import { exportTargetGroupName } from "../../../shared/lattice/target-groups.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { LATTICE_EXPORT_DATA_PLANE } from "../../../shared/reconcile/lattice-plane.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { simulateLattice } from "../../../shared/testing/index.ts";
import { translate } from "../../../shared/translate.ts";
import { latticeModel } from "../../fixtures/lattice-gateway.ts";

const exporter = (ips: string[], extra = "") => `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec:
  exportedPorts: [{port: 8080, routeType: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [${ips.map((ip) => `{addresses: [${ip}]}`).join(", ")}]
${extra}`;

const POLICY = `---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: web-hc, namespace: apps}
spec:
  targetRef: {group: application-networking.k8s.aws, kind: ServiceExport, name: web}
  healthCheck: {path: /healthz, intervalSeconds: 10}
`;

function exportModel(yaml: string): LatticeExportModel {
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.problems).toEqual([]);
  const model = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "east" }).lattice.exports[0];
  if (!model) throw new Error("no export model");
  return model;
}

const names = (ops: LatticeOperation[]) => ops.map((o) => o.op);

/** Plans and applies (in the simulator, where a created group is ACTIVE at once) until nothing is left. */
function apply(desired: LatticeExportModel | undefined, from: ObservedLattice = emptyObservedLattice()) {
  let state = from;
  for (let round = 0; round < 3; round++) {
    for (const op of planLatticeExport(desired, state).operations) state = simulateLattice(state, op);
  }
  return state;
}

/** What Lattice lists once deregistered targets are no longer DRAINING. */
function drained(state: ObservedLattice): ObservedLattice {
  return { ...state, targetGroups: state.targetGroups.map(({ draining: _, ...t }) => t) };
}

describe("planLatticeExport: a ServiceExport's target groups, owned by the exporting cluster", () => {
  it("creates each exported port's group under its deterministic name, with the exporter's tags and the policy's health check", () => {
    const desired = exportModel(exporter(["10.0.0.1", "10.0.0.2"], POLICY));
    const plan = planLatticeExport(desired, emptyObservedLattice());
    expect(plan.operations).toEqual([
      expect.objectContaining({
        op: "CreateTargetGroup",
        name: exportTargetGroupName("east", "apps", "web", 8080, "HTTP"),
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        healthCheck: expect.objectContaining({ path: "/healthz", intervalSeconds: 10 }),
        tags: expect.objectContaining({
          "switchyard.dev/managed-by": "switchyard",
          "switchyard.dev/cluster": "east",
          "switchyard.dev/gateway": "ServiceExport/apps/web",
        }),
      }),
    ]);
    // Lattice refuses targets until the group is ACTIVE: they wait for a later reconcile.
    expect(plan.pending).toMatch(/targets registered once ACTIVE/);
  });

  it("a group still CREATE_IN_PROGRESS waits; once ACTIVE its ready endpoints are registered", () => {
    const desired = exportModel(exporter(["10.0.0.1", "10.0.0.2"]));
    const created = simulateLattice(
      emptyObservedLattice(),
      planLatticeExport(desired, emptyObservedLattice()).operations[0] as LatticeOperation,
    );
    const inProgress: ObservedLattice = {
      ...created,
      targetGroups: created.targetGroups.map((t) => ({ ...t, status: "CREATE_IN_PROGRESS" })),
    };
    const waiting = planLatticeExport(desired, inProgress);
    expect(waiting.operations).toEqual([]);
    expect(waiting.pending).toBeDefined();
    const active = planLatticeExport(desired, created);
    expect(active.operations).toEqual([
      {
        op: "RegisterTargets",
        targetGroupId: "export/east/apps/web:8080/HTTP",
        targets: [
          { id: "10.0.0.1", port: 8080 },
          { id: "10.0.0.2", port: 8080 },
        ],
      },
    ]);
    expect(active.pending).toBeUndefined();
    expect(LATTICE_EXPORT_DATA_PLANE.refreshBeforePlan?.(inProgress)).toBe(true);
  });

  it("an applied export plans nothing: a reconcile of an unchanged export makes no call", () => {
    const desired = exportModel(exporter(["10.0.0.1"]));
    expect(planLatticeExport(desired, apply(desired)).operations).toEqual([]);
  });

  it("an endpoint change is a diff: the new one registered, the gone one deregistered, nothing else", () => {
    const before = apply(exportModel(exporter(["10.0.0.1", "10.0.0.2"])));
    const plan = planLatticeExport(exportModel(exporter(["10.0.0.2", "10.0.0.3"])), before);
    expect(plan.operations.map((o) => [o.op, "targets" in o ? o.targets.map((t) => t.id) : []])).toEqual([
      ["RegisterTargets", ["10.0.0.3"]],
      ["DeregisterTargets", ["10.0.0.1"]],
    ]);
    expect(plan.pending).toBeUndefined();
  });

  it("a health check changed by the TargetGroupPolicy is updated in place, not a new group", () => {
    const before = apply(exportModel(exporter(["10.0.0.1"])));
    expect(names(planLatticeExport(exportModel(exporter(["10.0.0.1"], POLICY)), before).operations)).toEqual([
      "UpdateTargetGroup",
    ]);
  });

  it("a ServiceExport that goes drains its group first: targets deregistered, the deletion pending", () => {
    const state = apply(exportModel(exporter(["10.0.0.1", "10.0.0.2"])));
    const plan = planLatticeExport(undefined, state);
    expect(names(plan.operations)).toEqual(["DeregisterTargets"]);
    expect(plan.pending).toMatch(/2 target\(s\) deregistered; deleted once drained/);
  });

  it("a group whose targets are still DRAINING is left alone, pending; once drained it is deleted", () => {
    const group = apply(exportModel(exporter(["10.0.0.1"]))).targetGroups[0];
    if (!group) throw new Error("no group");
    const draining: ObservedLattice = {
      ...emptyObservedLattice(),
      targetGroups: [{ ...group, targets: [], draining: 1 }],
    };
    const waiting = planLatticeExport(undefined, draining);
    expect(waiting.operations).toEqual([]);
    expect(waiting.pending).toMatch(/1 target\(s\) draining; deleted once drained/);
    const done = planLatticeExport(undefined, drained(draining));
    expect(done.operations).toEqual([{ op: "DeleteTargetGroup", targetGroupId: group.id, arn: group.arn }]);
    expect(done.pending).toBeUndefined();
  });

  it("a port no longer exported drains only its own group", () => {
    const two = exporter(["10.0.0.1"]).replace(
      "exportedPorts: [{port: 8080, routeType: HTTP}]",
      "exportedPorts: [{port: 8080, routeType: HTTP}, {port: 8080, routeType: GRPC}]",
    );
    const state = apply(exportModel(two));
    expect(state.targetGroups).toHaveLength(2);
    const plan = planLatticeExport(exportModel(exporter(["10.0.0.1"])), state);
    expect(plan.operations).toEqual([
      {
        op: "DeregisterTargets",
        targetGroupId: "export/east/apps/web:8080/GRPC",
        targets: [{ id: "10.0.0.1", port: 8080 }],
      },
    ]);
  });

  it("the export plane re-reads a record before planning only while some of its targets drain", () => {
    const group = apply(exportModel(exporter(["10.0.0.1"]))).targetGroups[0];
    if (!group) throw new Error("no group");
    const refresh = LATTICE_EXPORT_DATA_PLANE.refreshBeforePlan;
    expect(refresh?.({ ...emptyObservedLattice(), targetGroups: [group] })).toBe(false);
    expect(refresh?.({ ...emptyObservedLattice(), targetGroups: [{ ...group, draining: 2 }] })).toBe(true);
  });
});

describe("the ServiceExport reconcile unit", () => {
  it("has a key no Gateway can have (a namespace holds no dot) and parses back to its export", () => {
    const key = exportUnitKey("east", "apps", "web");
    expect(key).toBe("east/serviceexport.apps/web");
    expect(parseExportUnitKey(key)).toEqual({ cluster: "east", namespace: "apps", name: "web" });
    expect(parseExportUnitKey(clusterGatewayKey("east", "apps", "web"))).toBeUndefined();
  });
});

describe("an importing rule forwarding to another cluster's group by ARN", () => {
  it("is unchanged when Lattice answers the forward with the group's id (no BatchUpdateRule on every reconcile)", () => {
    const arn = "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789abcdef0";
    const desired = latticeModel({ gatewayService: false, routes: [{ paths: ["/a"] }] });
    const rule = desired.services[0]?.listeners[0]?.rules[0];
    if (!rule) throw new Error("no rule");
    rule.action = { type: "forward", targetGroups: [{ targetGroupId: "remote", weight: 1 }] };
    desired.targetGroupReferences = [{ id: "remote", backend: "ServiceImport apps/web", arn }];
    desired.targetGroups = [];
    let state = emptyObservedLattice();
    for (const op of planLattice(desired, state).operations) state = simulateLattice(state, op);
    // What a drift read or a BatchUpdateRule answer records: the id Lattice echoes.
    const echoed: ObservedLattice = {
      ...state,
      services: state.services.map((s) => ({
        ...s,
        listeners: s.listeners.map((l) => ({
          ...l,
          rules: l.rules.map((r) => ({
            ...r,
            action: {
              type: "forward" as const,
              targetGroups: [{ targetGroupId: "arn:tg-0123456789abcdef0", weight: 1 }],
            },
          })),
        })),
      })),
    };
    expect(planLattice(desired, echoed).operations).toEqual([]);
    // Another group is still a change.
    const moved = structuredClone(echoed);
    const movedRule = moved.services[0]?.listeners[0]?.rules[0];
    if (movedRule)
      movedRule.action = { type: "forward", targetGroups: [{ targetGroupId: "arn:tg-1111111111abcdef0", weight: 1 }] };
    expect(planLattice(desired, moved).operations.map((o) => o.op)).toEqual(["UpdateRules"]);
  });
});
