// Rechecks while VPC Lattice settles: the emulator (asyncSteps) keeps a new service network,
// service and target group CREATE_IN_PROGRESS for a few requests, as Lattice does for a while. The
// Gateway's first reconcile leaves them so; only the rechecks it sends (no ingest event, no
// resync) bring it back, until Programmed=True, and then the chain ends. The Service has no
// endpoints yet: the Gateway plane registers targets without waiting for its group to be ACTIVE
// (a ConflictException, retried as any retryable failure), which is not what this test is about.
// SWITCHYARD_COMPONENTS=dynamodb,lattice
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { MemorySnapshotSource, reconcileGatewayRequest } from "../../shared/pipeline/reconcile-gateway.ts";
import type { ReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { control } from "./lattice-fixture.ts";
import {
  CLUSTER,
  latticeReconcilerDeps,
  latticeSuite,
  manifestObjects,
  NET_GATEWAY_YAML,
  registeredClusters,
  WEB_SERVICE,
} from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
const KEY = clusterGatewayKey(CLUSTER, "apps", "net");

const GATEWAY = `${NET_GATEWAY_YAML}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: net}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
---
`;

describe("rechecks while VPC Lattice creates a Gateway's resources", () => {
  it("a Gateway whose Lattice resources are CREATE_IN_PROGRESS turns Programmed through its rechecks alone, and the chain ends", async () => {
    await control().configure({ asyncSteps: 6 });
    const clock = { now: 1_000_000 };
    const queue: ReconcileRequest[] = [];
    const statuses: StatusIntent[] = [];
    const deps = await latticeReconcilerDeps(suite.dynamo, suite.factory(), {
      registry: await registeredClusters([CLUSTER]),
      snapshots: new MemorySnapshotSource({ [CLUSTER]: manifestObjects(GATEWAY + WEB_SERVICE([])) }),
      now: () => clock.now,
      requeue: { send: async (request) => void queue.push(request) },
      statuses: {
        send: async (_cluster, intents) => {
          statuses.push(...intents);
          return { messages: 1, oversized: [] };
        },
      },
    });
    const programmed = () => {
      const gateway = statuses.filter((i) => i.kind === "Gateway" && i.name === "net").at(-1);
      return gateway && "conditions" in gateway ? gateway.conditions.find((c) => c.type === "Programmed") : undefined;
    };

    const first = await reconcileGatewayRequest({ version: 1, gatewayKey: KEY, reason: "change", generation: 0 }, deps);
    expect(first).toMatchObject({ disposition: "done", recheck: { kind: "recheck" } });
    expect(programmed()?.status).toBe("False");

    // Each recheck as reconcile.fifo would deliver it: early (deferred), then at its notBefore.
    const rechecks: ReconcileRequest[] = [];
    for (let step = 0; step < 20 && queue.length > 0; step++) {
      const recheck = queue.shift();
      if (!recheck?.notBefore) throw new Error(`not a recheck: ${JSON.stringify(recheck)}`);
      rechecks.push(recheck);
      expect(await reconcileGatewayRequest(recheck, deps)).toEqual({
        disposition: "deferred",
        until: recheck.notBefore,
      });
      clock.now = recheck.notBefore;
      const report = await reconcileGatewayRequest(recheck, deps);
      expect(report.disposition).toBe("done");
    }
    expect(rechecks.length).toBeGreaterThan(0);
    expect(rechecks.map((r) => r.reason)).toEqual(rechecks.map(() => "recheck"));
    expect(rechecks.map((r) => r.recheck?.attempt)).toEqual(rechecks.map((_, i) => i + 1));
    expect(programmed()?.status).toBe("True");
    // Settled: the last recheck sent nothing more, and nothing is pending for the Gateway.
    expect(queue).toEqual([]);
    expect((await deps.dirty.read(KEY)).pendingSince).toBeUndefined();
  });
});
