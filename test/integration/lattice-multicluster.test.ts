// A ServiceImport in one cluster forwarding to two other clusters' ServiceExports, through the real
// Lattice adapter and the Lattice emulator. The exporters' federated ServiceExports reach the
// importing cluster's translation as the pipeline feeds them (registry identity +
// remoteServiceExports); the exporters' groups carry their own cluster's ownership tags; the
// importing reconcile finds them by their deterministic names (AwsLattice.resolve), forwards to
// both with equal weights, and never writes to them.
import {
  CreateTargetGroupCommand,
  GetRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-vpc-lattice";
import { beforeEach, describe, expect, it } from "vitest";
import { controllerConfig } from "../../shared/config.ts";
import type { ServiceExport } from "../../shared/extensions/lattice.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import type { ObservedLattice } from "../../shared/lattice/observed.ts";
import { remoteServiceExports } from "../../shared/lattice/remote-exports.ts";
import { MemorySnapshotSource, reconcileGatewayRequest } from "../../shared/pipeline/reconcile-gateway.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { latticeControl } from "../env/clients.ts";
import {
  ACCOUNT,
  CLUSTER,
  counted,
  IMPORTER,
  type LatticeHarness,
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
let h: LatticeHarness;

beforeEach(async () => {
  h = await suite.harness();
});

const EXPORTER = (ip: string) => SERVICE_EXPORT + WEB_SERVICE([ip]);

/** What the exporting cluster's translation makes of its ServiceExport, created as that cluster would. */
async function exportFrom(clusterId: string, ip: string): Promise<string> {
  const t = translate(snapshotOf(manifestObjects(EXPORTER(ip))), controllerConfig(), { clusterId, accountId: ACCOUNT });
  const group = t.lattice.exports[0]?.targetGroups[0];
  if (!group) throw new Error(`no export group for ${clusterId}`);
  const created = await suite.lattice.send(
    new CreateTargetGroupCommand({
      name: group.name,
      type: "IP",
      config: {
        port: group.port,
        protocol: group.protocol,
        protocolVersion: group.protocolVersion,
        vpcIdentifier: VPC,
      },
      tags: group.tags,
    }),
  );
  await latticeControl().settle();
  await suite.lattice.send(
    new RegisterTargetsCommand({
      targetGroupIdentifier: created.arn,
      targets: group.targets.map((t) => ({ id: t.id, port: t.port })),
    }),
  );
  return created.arn ?? "";
}

const registered = (clusterId: string) => ({
  clusterId,
  account: ACCOUNT,
  vpcId: VPC,
  eks: { clusterName: `${clusterId}-eks` },
});

describe("a ServiceImport served by two other clusters' ServiceExports", () => {
  it("the importing Gateway forwards to both exporters' groups, found by name, with equal weights, and writes none of them", async () => {
    const east = await exportFrom("east", "10.7.0.1");
    const west = await exportFrom("west", "10.8.0.1");
    // Every cluster exports apps/web (what the mirror holds of each cluster's ServiceExport kind).
    const exports = snapshotOf(manifestObjects(EXPORTER("10.0.0.1"))).serviceExports as ServiceExport[];
    const remote = remoteServiceExports(CLUSTER, [
      { cluster: registered("east"), exports },
      { cluster: registered("west"), exports },
      // The importing cluster's own registration is skipped.
      { cluster: registered(CLUSTER), exports },
    ]);
    expect(remote.map((r) => r.clusterId)).toEqual(["east", "west"]);

    const t = translate(snapshotOf(manifestObjects(IMPORTER)), controllerConfig(), {
      clusterId: CLUSTER,
      accountId: ACCOUNT,
      remoteServiceExports: remote,
    });
    const translated = t.lattice.gateways[0]?.model;
    if (!translated) throw new Error("no Lattice model");
    expect(translated.targetGroupReferences.map((r) => [r.clusterId, r.arn])).toEqual([
      ["east", undefined],
      ["west", undefined],
    ]);
    const desired = await h.port.resolve(translated);
    expect(desired.targetGroupReferences.map((r) => r.arn)).toEqual([east, west]);

    const { result, counts } = await counted(() => h.reconcile(desired));
    expect(result.kind).toBe("applied");
    if (result.kind !== "applied") throw new Error("unreachable");
    expect(result.failedRules ?? []).toEqual([]);
    // The importer owns no target group: it created, registered into, tagged or deleted none.
    expect(Object.keys(writes(counts)).filter((op) => /TargetGroup|Targets|TagResource/.test(op))).toEqual([]);
    for (const [arn, ip] of [
      [east, "10.7.0.1"],
      [west, "10.8.0.1"],
    ] as const) {
      const targets = await suite.lattice.send(new ListTargetsCommand({ targetGroupIdentifier: arn }));
      expect((targets.items ?? []).map((t) => `${t.id}:${t.port}`)).toEqual([`${ip}:8080`]);
    }

    const service = result.observed.services[0];
    const listener = service?.listeners[0];
    const rules = (
      await suite.lattice.send(
        new ListRulesCommand({ serviceIdentifier: service?.arn, listenerIdentifier: listener?.arn }),
      )
    ).items?.filter((r) => !r.isDefault);
    const rule = await suite.lattice.send(
      new GetRuleCommand({
        serviceIdentifier: service?.arn,
        listenerIdentifier: listener?.arn,
        ruleIdentifier: rules?.[0]?.arn,
      }),
    );
    const forwarded = (rule.action?.forward?.targetGroups ?? []).map((g) => [g.targetGroupIdentifier, g.weight]);
    const idOf = (arn: string) => arn.split("/").at(-1);
    expect(forwarded.map(([g, w]) => [idOf(String(g)), w])).toEqual([
      [idOf(east), 1],
      [idOf(west), 1],
    ]);
    // Each exporter's group carries its own cluster's identity, not the importer's.
    const clusterTag = async (arn: string) =>
      (await suite.lattice.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags?.["switchyard.dev/cluster"];
    expect([await clusterTag(east), await clusterTag(west)]).toEqual(["east", "west"]);

    // Converged: the next reconcile of the same (resolved) model writes nothing.
    await latticeControl().settle();
    h.clock.now += 1_000;
    const again = await counted(async () => h.reconcile(await h.port.resolve(translated)));
    expect(writes(again.counts)).toEqual({});
    expect(latticeObservationOf(again.result, desired)).toMatchObject({ programmed: true });
  });
});

describe("through the reconcile pipeline: other clusters' exports read from the registry and their snapshots", () => {
  it("the importing cluster's Gateway reconcile forwards to both registered exporters' groups, and its route is Accepted with its refs resolved", async () => {
    const east = await exportFrom("east", "10.7.0.1");
    const west = await exportFrom("west", "10.8.0.1");
    // Three "clusters" in one store: the importer's Gateway and route; each exporter its ServiceExport.
    const snapshots = new MemorySnapshotSource({
      [CLUSTER]: manifestObjects(IMPORTER),
      east: manifestObjects(EXPORTER("10.7.0.1")),
      west: manifestObjects(EXPORTER("10.8.0.1")),
    });
    const intents: StatusIntent[] = [];
    const report = await reconcileGatewayRequest(
      { version: 1, gatewayKey: clusterGatewayKey(CLUSTER, "apps", "net"), reason: "change", generation: 0 },
      await latticeReconcilerDeps(suite.dynamo, h.factory, {
        registry: await registeredClusters([CLUSTER, "east", "west"]),
        snapshots,
        now: () => 1_000_000,
        statuses: {
          send: async (_cluster, sent) => {
            intents.push(...sent);
            return { messages: 1, oversized: [] };
          },
        },
      }),
    );
    expect(report).toMatchObject({ disposition: "done", outcome: { kind: "applied" } });
    if (report.disposition !== "done" || report.outcome.kind !== "applied") throw new Error("unreachable");
    const observed = report.outcome.observed as ObservedLattice;
    const service = observed.services[0];
    const rule = service?.listeners[0]?.rules[0];
    expect(rule?.action).toEqual({
      type: "forward",
      targetGroups: [
        { targetGroupId: `arn:${east}`, weight: 1 },
        { targetGroupId: `arn:${west}`, weight: 1 },
      ],
    });
    const route = intents.filter((i) => i.kind === "HTTPRoute" && i.name === "global").at(-1);
    const parent = route && "parents" in route ? route.parents[0] : undefined;
    expect(parent?.conditions.find((c) => c.type === "ResolvedRefs")?.status).toBe("True");
  });
});
