// The exporting side of VPC Lattice multi-cluster, through the reconcile pipeline and the Lattice
// emulator: clusters "east" and "west" both export apps/web (federated ServiceExports); each
// cluster's `lattice-export` request reconciles its export unit, which creates the group under the
// deterministic name importers look it up by, with the exporter's identity in its tags and the
// Service's ready endpoints as targets; the exporter then asks the importing cluster's Gateway to
// reconcile, and its route forwards to both exporters' groups without writing either. An endpoint
// change is a target diff; a ServiceExport that goes is drained, then deleted once no importer
// forwards to it; a create whose answer was lost converges without a duplicate.
import {
  DeregisterTargetsCommand,
  GetTargetGroupCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
} from "@aws-sdk/client-vpc-lattice";
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { exportUnitKey } from "../../shared/lattice/exports.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { exportTargetGroupName } from "../../shared/lattice/target-groups.ts";
import { ClusterNotSynced } from "../../shared/mirror/snapshot-source.ts";
import {
  type GatewayReconcileReport,
  type GatewayReconcilerDeps,
  MemorySnapshotSource,
  reconcileGatewayRequest,
} from "../../shared/pipeline/reconcile-gateway.ts";
import type { ReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { latticeControl, TEST_REGION } from "../env/clients.ts";
import { sameAccountCluster } from "../unit/registry/fixtures.ts";
import {
  ACCOUNT,
  CLUSTER,
  counted,
  IMPORTER,
  latticeReconcilerDeps,
  latticeSuite,
  manifestObjects,
  registeredClusters,
  SERVICE_EXPORT,
  VPC,
  WEB_SERVICE,
  writes,
} from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
const control = latticeControl;

const EXPORT = `${SERVICE_EXPORT}
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: web-hc, namespace: apps}
spec:
  targetRef: {group: application-networking.k8s.aws, kind: ServiceExport, name: web}
  healthCheck: {path: /healthz}
---`;

const IMPORTING_GATEWAY = clusterGatewayKey(CLUSTER, "apps", "net");
const GROUP = {
  east: exportTargetGroupName("east", "apps", "web", 8080, "HTTP"),
  west: exportTargetGroupName("west", "apps", "web", 8080, "HTTP"),
};

interface World {
  snapshots: MemorySnapshotSource;
  deps: GatewayReconcilerDeps;
  clock: { now: number };
  /** What the reconciles put back on reconcile.fifo, oldest first; drained by `next`. */
  queue: ReconcileRequest[];
  /** The rechecks the export's reconciles sent while Lattice settled, oldest first. */
  rechecks: ReconcileRequest[];
  /** The status intents sent, per cluster, oldest first. */
  statuses: { cluster: string; intents: readonly StatusIntent[] }[];
  exportRequest(cluster: "east" | "west"): Promise<GatewayReconcileReport>;
}

async function world(options: { maxAttempts?: number } = {}): Promise<World> {
  const snapshots = new MemorySnapshotSource({
    [CLUSTER]: manifestObjects(IMPORTER),
    east: manifestObjects(EXPORT + WEB_SERVICE(["10.7.0.1"])),
    west: manifestObjects(EXPORT + WEB_SERVICE(["10.8.0.1"])),
  });
  const clock = { now: 1_000_000 };
  const queue: ReconcileRequest[] = [];
  const rechecks: ReconcileRequest[] = [];
  const statuses: World["statuses"] = [];
  const deps = await latticeReconcilerDeps(suite.dynamo, suite.factory(options), {
    registry: await registeredClusters([CLUSTER, "east", "west"]),
    snapshots,
    now: () => clock.now,
    requeue: { send: async (request) => void (request.reason === "recheck" ? rechecks : queue).push(request) },
    statuses: {
      send: async (cluster, intents) => {
        statuses.push({ cluster, intents });
        return { messages: 1, oversized: [] };
      },
    },
  });
  return {
    snapshots,
    deps,
    clock,
    queue,
    rechecks,
    statuses,
    exportRequest: (cluster) =>
      reconcileGatewayRequest(
        {
          version: 1,
          gatewayKey: exportUnitKey(cluster, "apps", "web"),
          reason: "lattice-export",
          generation: 1,
        },
        deps,
      ),
  };
}

async function groupsNamed(name: string) {
  return ((await suite.lattice.send(new ListTargetGroupsCommand({}))).items ?? []).filter((g) => g.name === name);
}

async function targetsOf(arn: string): Promise<string[]> {
  const items = (await suite.lattice.send(new ListTargetsCommand({ targetGroupIdentifier: arn }))).items ?? [];
  return items.map((t) => `${t.id}:${t.port}:${t.status}`).sort();
}

/** A target group's id: Lattice echoes a forward with the id, whichever identifier was sent. */
const idOf = (arn: string) => arn.split("/").at(-1);

/** The forward of the importing route's one rule, as target group ids with their weights. */
function forwardOf(report: GatewayReconcileReport): { targetGroupId: string; weight: number }[] {
  if (report.disposition !== "done" || (report.outcome.kind !== "applied" && report.outcome.kind !== "unchanged"))
    throw new Error(`importer reconcile: ${JSON.stringify(report)}`);
  const rule = (report.outcome.observed as ObservedLattice).services[0]?.listeners[0]?.rules[0];
  if (rule?.action.type !== "forward") throw new Error(`no forward: ${JSON.stringify(rule?.action)}`);
  return rule.action.targetGroups.map((t) => ({
    targetGroupId: t.targetGroupId.startsWith("arn:")
      ? (idOf(t.targetGroupId.slice("arn:".length)) ?? "")
      : t.targetGroupId,
    weight: t.weight,
  }));
}

/** A report whose reconcile left Lattice settling and sent a recheck. */
const RECHECKING = { disposition: "done", recheck: { kind: "recheck" } };

/**
 * The export unit's request, then the rechecks it sends, each run at its notBefore, until one
 * sends none (Lattice moves on in between). Only the unit's newest recheck runs: an earlier one
 * (of a request the test sent before) would find the same.
 */
async function converged(w: World, cluster: "east" | "west"): Promise<GatewayReconcileReport> {
  let report = await w.exportRequest(cluster);
  for (let attempt = 0; report.disposition === "done" && report.recheck?.kind === "recheck" && attempt < 5; attempt++) {
    await control().settle();
    const unit = exportUnitKey(cluster, "apps", "web");
    const recheck = w.rechecks.filter((r) => r.gatewayKey === unit).at(-1);
    w.rechecks.splice(0, w.rechecks.length, ...w.rechecks.filter((r) => r.gatewayKey !== unit));
    if (!recheck?.notBefore) throw new Error("a recheck was reported but none sent");
    w.clock.now = Math.max(w.clock.now + 1_000, recheck.notBefore);
    report = await reconcileGatewayRequest(recheck, w.deps);
  }
  return report;
}

/** Runs the requests the reconciles queued, oldest first, and returns the last report. */
async function next(w: World): Promise<GatewayReconcileReport> {
  const request = w.queue.shift();
  if (!request) throw new Error("nothing queued");
  return reconcileGatewayRequest(request, w.deps);
}

describe("a ServiceExport's groups are created by the exporting cluster's reconcile", () => {
  it("east and west each create their group (name, tags, targets, health check); the third cluster's route forwards to both and writes neither", async () => {
    const w = await world();
    const arns: Record<string, string> = {};
    for (const [cluster, ip] of [
      ["east", "10.7.0.1"],
      ["west", "10.8.0.1"],
    ] as const) {
      // The group is created; Lattice takes targets once it is ACTIVE, so the message comes back.
      const created = await counted(() => w.exportRequest(cluster));
      expect(created.result).toMatchObject(RECHECKING);
      expect(writes(created.counts)).toEqual({ CreateTargetGroup: 1 });
      const { result, counts } = await counted(() => converged(w, cluster));
      expect(result).toMatchObject({ disposition: "done", outcome: { kind: "applied" }, requeued: false });
      expect(writes(counts)).toEqual({ RegisterTargets: 1 });
      const [group] = await groupsNamed(GROUP[cluster]);
      if (!group?.arn) throw new Error(`no group of ${cluster}`);
      arns[cluster] = group.arn;
      const tags = (await suite.lattice.send(new ListTagsForResourceCommand({ resourceArn: group.arn }))).tags;
      expect(tags).toMatchObject({
        "switchyard.dev/managed-by": "switchyard",
        "switchyard.dev/cluster": cluster,
        "switchyard.dev/gateway": "ServiceExport/apps/web",
      });
      expect((await targetsOf(group.arn)).map((t) => t.split(":").slice(0, 2).join(":"))).toEqual([`${ip}:8080`]);
      const config = (await suite.lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: group.arn }))).config;
      expect(config?.healthCheck?.path).toBe("/healthz");
    }
    // Each exporter asked the importing cluster's Gateway to look again, and no one else.
    expect(w.queue.map((r) => [r.gatewayKey, r.reason])).toEqual([
      [IMPORTING_GATEWAY, "aws-event"],
      [IMPORTING_GATEWAY, "aws-event"],
    ]);

    const imported = await counted(() => next(w));
    expect(forwardOf(imported.result)).toEqual([
      { targetGroupId: idOf(arns.east ?? ""), weight: 1 },
      { targetGroupId: idOf(arns.west ?? ""), weight: 1 },
    ]);
    // The importer created, registered into, tagged or deleted no target group: they are the exporters'.
    expect(Object.keys(writes(imported.counts)).filter((op) => /TargetGroup|Targets|Tag/.test(op))).toEqual([]);
    const touched = imported.calls.filter(
      (c) => /TargetGroup|Targets|Tag/.test(c.operation) && !/^(Get|List)/.test(c.operation),
    );
    expect(touched).toEqual([]);

    // Converged: each exporter's next request is the claim alone, no Lattice call at all.
    await control().settle();
    w.clock.now += 1_000;
    for (const cluster of ["east", "west"] as const) {
      const again = await counted(() => w.exportRequest(cluster));
      expect(again.result).toMatchObject({ disposition: "done", requeued: false });
      expect(again.calls).toEqual([]);
    }
  });

  it("a registered cluster not synced yet does not hold the export back: the group is made and the synced importer asked", async () => {
    const w = await world();
    await w.deps.registry.put(
      { ...sameAccountCluster("silent"), account: ACCOUNT, region: TEST_REGION, vpcId: VPC },
      "create",
    );
    const load = w.snapshots.load.bind(w.snapshots);
    w.snapshots.load = async (clusterId) => {
      if (clusterId === "silent") throw new ClusterNotSynced("silent", ["GatewayClass", "Gateway"]);
      return load(clusterId);
    };
    expect(await w.exportRequest("east")).toMatchObject(RECHECKING);
    expect(await converged(w, "east")).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(await groupsNamed(GROUP.east)).toHaveLength(1);
    expect(w.queue.map((r) => [r.gatewayKey, r.reason])).toEqual([[IMPORTING_GATEWAY, "aws-event"]]);
  });

  it("an endpoint change is a target diff in that exporter's group alone, and asks no importer to reconcile", async () => {
    const w = await world();
    await converged(w, "east");
    await control().settle();
    w.queue.length = 0;
    w.clock.now += 1_000;
    w.snapshots.set("east", manifestObjects(EXPORT + WEB_SERVICE(["10.7.0.2"])));
    const { result, counts } = await counted(() => w.exportRequest("east"));
    expect(result).toMatchObject({ disposition: "done", outcome: { kind: "applied" }, requeued: false });
    expect(writes(counts)).toEqual({ RegisterTargets: 1, DeregisterTargets: 1 });
    expect(w.queue).toEqual([]);
    const [group] = await groupsNamed(GROUP.east);
    expect(
      (await targetsOf(group?.arn ?? "")).filter((t) => !t.endsWith(":DRAINING")).map((t) => t.split(":")[0]),
    ).toEqual(["10.7.0.2"]);
  });
});

describe("a ServiceExport's unit under the scheduled drift check", () => {
  it("a resync request for the unit's key re-reads its group and registers a target removed by hand", async () => {
    const w = await world();
    await converged(w, "east");
    await control().settle();
    const [group] = await groupsNamed(GROUP.east);
    if (!group?.arn) throw new Error("no group");
    await suite.lattice.send(
      new DeregisterTargetsCommand({ targetGroupIdentifier: group.arn, targets: [{ id: "10.7.0.1", port: 8080 }] }),
    );
    await control().settle();
    w.clock.now += 600_000;
    const { result, counts } = await counted(() =>
      reconcileGatewayRequest(
        { version: 1, gatewayKey: exportUnitKey("east", "apps", "web"), reason: "resync", generation: 0 },
        w.deps,
      ),
    );
    expect(result).toMatchObject({ disposition: "done", outcome: { kind: "applied", drift: true } });
    expect(writes(counts)).toEqual({ RegisterTargets: 1 });
  });
});

describe("a ServiceExport that goes: its group drained, then deleted once no importer forwards to it", () => {
  it("targets deregistered first (rechecked while they drain), the importer moved to the remaining exporter, then the group deleted and the record gone", async () => {
    const w = await world();
    await converged(w, "east");
    await converged(w, "west");
    await next(w);
    w.queue.length = 0;
    await control().settle();
    w.clock.now += 1_000;
    const [east] = await groupsNamed(GROUP.east);
    const [west] = await groupsNamed(GROUP.west);
    if (!east?.arn || !west?.arn) throw new Error("exporters' groups missing");

    // east's ServiceExport is deleted; its Service stays.
    w.snapshots.set("east", manifestObjects(WEB_SERVICE(["10.7.0.1"])));
    const drain = await counted(() => w.exportRequest("east"));
    expect(drain.result).toMatchObject(RECHECKING);
    expect(writes(drain.counts)).toEqual({ DeregisterTargets: 1 });
    expect(await targetsOf(east.arn)).toEqual(["10.7.0.1:8080:DRAINING"]);
    expect(w.queue.map((r) => r.gatewayKey)).toEqual([IMPORTING_GATEWAY]);

    // Drained, but the importer still forwards to it: Lattice refuses the deletion; retried.
    await control().settle();
    w.clock.now += 1_000;
    const refused = await w.exportRequest("east");
    expect(refused).toMatchObject({ disposition: "retry", outcome: { kind: "failed", retryable: true } });
    expect(await groupsNamed(GROUP.east)).toHaveLength(1);

    // The importer's reconcile (which the exporter asked for) forwards to west alone.
    expect(forwardOf(await next(w))).toEqual([{ targetGroupId: idOf(west.arn), weight: 1 }]);
    // Converged: the importer's next reconcile writes nothing (its rule is recorded as Lattice echoed it).
    w.clock.now += 1_000;
    const importerAgain = await counted(() =>
      reconcileGatewayRequest(
        { version: 1, gatewayKey: IMPORTING_GATEWAY, reason: "resync", generation: 0 },
        { ...w.deps, engine: { ...w.deps.engine, driftIntervalMs: 0 } },
      ),
    );
    expect(importerAgain.result).toMatchObject({ disposition: "done", outcome: { kind: "unchanged" } });
    expect(importerAgain.counts.ListRules).toBe(1);
    expect(writes(importerAgain.counts)).toEqual({});
    w.clock.now += 1_000;
    const deleted = await counted(() => w.exportRequest("east"));
    expect(deleted.result).toMatchObject({ disposition: "done", outcome: { kind: "deleted" } });
    expect(writes(deleted.counts)).toEqual({ DeleteTargetGroup: 1 });
    await control().settle();
    expect(await groupsNamed(GROUP.east)).toEqual([]);
    expect(await w.deps.lattice?.states.get(exportUnitKey("east", "apps", "web"))).toBeUndefined();
    // west's group is untouched.
    expect(await targetsOf(west.arn)).toEqual(["10.8.0.1:8080:HEALTHY"]);
  });
});

describe("a ServiceExport reconcile under a fault injected after AWS accepted the create", () => {
  it("the lost answer of CreateTargetGroup fails the reconcile as retryable; the next finds the group by its tags: one group, its targets registered", async () => {
    const w = await world({ maxAttempts: 1 });
    await control().injectFault({ operation: "CreateTargetGroup", error: "InternalServerException", when: "after" });
    const failed = await w.exportRequest("east");
    expect(failed).toMatchObject({ disposition: "retry", outcome: { kind: "failed", retryable: true } });
    expect(await groupsNamed(GROUP.east)).toHaveLength(1);

    // The interrupted apply's calls may land until its deadline: busy until then.
    const busy = await w.exportRequest("east");
    expect(busy).toMatchObject({ disposition: "retry", outcome: { kind: "busy" } });
    if (busy.disposition !== "retry" || busy.outcome.kind !== "busy" || busy.outcome.until === undefined)
      throw new Error("expected busy until a moment");
    w.clock.now = busy.outcome.until + 1;
    await control().settle();

    const { result, counts } = await counted(() => w.exportRequest("east"));
    expect(result).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    expect(writes(counts)).toEqual({ RegisterTargets: 1 });
    const groups = await groupsNamed(GROUP.east);
    expect(groups).toHaveLength(1);
    expect((await targetsOf(groups[0]?.arn ?? "")).map((t) => t.split(":")[0])).toEqual(["10.7.0.1"]);
  });
});

/** The conditions of the last ServiceExport status `cluster`'s reconciles sent, by type. */
function lastExportStatus(
  w: World,
  cluster: string,
): Record<string, { status: string; reason: string; message: string }> {
  const sent = w.statuses.filter((s) => s.cluster === cluster).flatMap((s) => s.intents);
  const last = sent.at(-1);
  if (last?.kind !== "ServiceExport")
    throw new Error(`no ServiceExport status from ${cluster}: ${JSON.stringify(sent)}`);
  return Object.fromEntries(
    last.conditions.map((c) => [c.type, { status: c.status, reason: c.reason, message: c.message }]),
  );
}

describe("a federated ServiceExport's status, sent by its export unit's reconciles", () => {
  it("Ready=False (Pending) while the group is created, then Valid, Ready (Exported) and no Conflict with west, for the ServiceExport as translated (generation, uid)", async () => {
    const w = await world();
    w.snapshots.set(
      "east",
      manifestObjects(
        EXPORT.replace(
          "metadata: {name: web, namespace: apps,",
          "metadata: {name: web, namespace: apps, generation: 4, uid: east-web-uid,",
        ) + WEB_SERVICE(["10.7.0.1"]),
      ),
    );
    const created = await w.exportRequest("east");
    expect(created).toMatchObject(RECHECKING);
    expect(w.statuses).toHaveLength(1);
    const [first] = w.statuses;
    expect(first?.cluster).toBe("east");
    expect(first?.intents).toHaveLength(1);
    expect(first?.intents[0]).toMatchObject({
      kind: "ServiceExport",
      namespace: "apps",
      name: "web",
      observedGeneration: 4,
      uid: "east-web-uid",
    });
    expect(lastExportStatus(w, "east").Ready).toMatchObject({ status: "False", reason: "Pending" });

    const done = await converged(w, "east");
    expect(done).toMatchObject({ disposition: "done", intents: 1 });
    const status = lastExportStatus(w, "east");
    expect(status.Valid).toEqual({
      status: "True",
      reason: "Valid",
      message: "Service apps/web exports port(s) 8080/HTTP",
    });
    expect(status.Ready).toEqual({
      status: "True",
      reason: "Exported",
      message: `target group(s) ${GROUP.east} (1 target(s)) ACTIVE`,
    });
    // west (registered, synced) exports the same port as HTTP too; the importing cluster exports nothing.
    expect(status.Conflict).toEqual({
      status: "False",
      reason: "NoConflicts",
      message: "no conflict with the export(s) of cluster(s) west",
    });
    // Every status the unit sent was east's ServiceExport's, and only its.
    expect(
      new Set(
        w.statuses.flatMap((s) =>
          s.intents.map((i) => `${s.cluster} ${i.kind} ${"namespace" in i ? i.namespace : ""}/${i.name}`),
        ),
      ),
    ).toEqual(new Set(["east ServiceExport apps/web"]));
  });

  it("Valid=False (PortNotFound) names the port the Service lacks; the valid port's group is still exported", async () => {
    const w = await world();
    w.snapshots.set(
      "east",
      manifestObjects(
        EXPORT.replace(
          "exportedPorts: [{port: 8080, routeType: HTTP}]",
          "exportedPorts: [{port: 8080, routeType: HTTP}, {port: 9090, routeType: GRPC}]",
        ) + WEB_SERVICE(["10.7.0.1"]),
      ),
    );
    await converged(w, "east");
    const status = lastExportStatus(w, "east");
    expect(status.Valid).toEqual({
      status: "False",
      reason: "PortNotFound",
      message: "spec.exportedPorts[1]: port 9090 is not a port of Service apps/web (its ports: 8080)",
    });
    // The 9090 group exists (the export asks for it) but has no endpoint to register.
    expect(status.Ready).toMatchObject({ status: "False", reason: "NoReadyEndpoints" });
    expect(await groupsNamed(GROUP.east)).toHaveLength(1);
  });

  it("Conflict=True (PortConflict) when west exports the same port as GRPC", async () => {
    const w = await world();
    w.snapshots.set(
      "west",
      manifestObjects(EXPORT.replace("routeType: HTTP", "routeType: GRPC") + WEB_SERVICE(["10.8.0.1"])),
    );
    await converged(w, "east");
    expect(lastExportStatus(w, "east").Conflict).toEqual({
      status: "True",
      reason: "PortConflict",
      message:
        "port 8080 is exported as HTTP here but as GRPC by cluster west: an importing route forwards only to the exports of its own route type",
    });
  });

  it("an AWS refusal of CreateTargetGroup is Ready=False (Failed) with AWS's error, and the reconcile does not throw", async () => {
    const w = await world({ maxAttempts: 1 });
    await control().injectFault({ operation: "CreateTargetGroup", error: "ServiceQuotaExceededException" });
    const refused = await w.exportRequest("east");
    expect(refused).toMatchObject({ outcome: { kind: "failed" }, intents: 1 });
    const ready = lastExportStatus(w, "east").Ready;
    expect(ready).toMatchObject({ status: "False", reason: "Failed" });
    expect(ready?.message).toMatch(/^CreateTargetGroup failed: ServiceQuotaExceeded/);
  });

  it("a ServiceExport without the federation annotation gets no status from switchyard, nor one that loses it while its groups drain", async () => {
    const w = await world();
    const unfederated = () =>
      manifestObjects(
        EXPORT.replace(", annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}", "") +
          WEB_SERVICE(["10.7.0.1"]),
      );
    w.snapshots.set("east", unfederated());
    expect(await w.exportRequest("east")).toMatchObject({ disposition: "done", intents: 0 });
    expect(w.statuses).toEqual([]);
    expect(await groupsNamed(GROUP.east)).toEqual([]);

    // Federated, exported, then the annotation removed: the groups drain, and the status stays as it was.
    w.snapshots.set("east", manifestObjects(EXPORT + WEB_SERVICE(["10.7.0.1"])));
    await converged(w, "east");
    const sent = w.statuses.length;
    expect(sent).toBeGreaterThan(0);
    w.snapshots.set("east", unfederated());
    await control().settle();
    w.clock.now += 1_000;
    const drain = await counted(() => w.exportRequest("east"));
    expect(writes(drain.counts)).toEqual({ DeregisterTargets: 1 });
    expect(w.statuses).toHaveLength(sent);
  });

  it("without VPC Lattice in the control plane the request is rejected, and the status says so", async () => {
    const w = await world();
    const { lattice: _lattice, ...withoutLattice } = w.deps;
    const report = await reconcileGatewayRequest(
      { version: 1, gatewayKey: exportUnitKey("east", "apps", "web"), reason: "lattice-export", generation: 1 },
      withoutLattice,
    );
    expect(report).toMatchObject({ disposition: "rejected" });
    expect(lastExportStatus(w, "east").Ready).toMatchObject({ status: "False", reason: "Failed" });
    expect(lastExportStatus(w, "east").Ready?.message).toContain("VPC Lattice is not configured");
  });

  it("a ServiceExport deleted gets no status while its groups drain and go", async () => {
    const w = await world();
    await converged(w, "east");
    const before = w.statuses.length;
    w.snapshots.set("east", manifestObjects(WEB_SERVICE(["10.7.0.1"])));
    await control().settle();
    w.clock.now += 1_000;
    expect(await w.exportRequest("east")).toMatchObject(RECHECKING);
    expect(w.statuses).toHaveLength(before);
  });
});
