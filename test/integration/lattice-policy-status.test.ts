// The VPC Lattice policies' own status.conditions through the Gateway reconcile
// (reconcileGatewayRequest over the Lattice emulator, records in DynamoDB Local): the status
// intents a Lattice Gateway's reconcile sends carry the Accepted condition of each policy whose
// target is switchyard's alone, and AWS's refusal of a policy turns it False with AWS's error.
import { GetAuthPolicyCommand, ListServicesCommand } from "@aws-sdk/client-vpc-lattice";
import { describe, expect, it } from "vitest";
import type { Condition } from "../../shared/k8s/meta.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { NO_PACING } from "../../shared/pipeline/endpoint-pacing.ts";
import { MemorySnapshotSource, reconcileGatewayRequest } from "../../shared/pipeline/reconcile-gateway.ts";
import type { StatusIntent } from "../../shared/pipeline/status-intent.ts";
import { latticeControl } from "../env/clients.ts";
import {
  CLUSTER,
  latticeReconcilerDeps,
  latticeSuite,
  manifestObjects,
  registeredClusters,
  WEB_SERVICE,
} from "./lattice-reconcile-support.ts";

const suite = latticeSuite();
const control = latticeControl;
const GATEWAY = clusterGatewayKey(CLUSTER, "apps", "net");

const ALLOW = (id: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Id: id,
    Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*" }],
  });

/** Gateway net, route r0 to Service web; an IAMAuthPolicy on r0; one on another controller's Gateway. */
const objects = (document: string, generation: number) =>
  manifestObjects(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: theirs}
spec: {controllerName: example.com/other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: net
  namespace: apps
  annotations: {switchyard.dev/service-network: net, switchyard.dev/create-service-network: "true"}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: theirs, namespace: apps}
spec:
  gatewayClassName: theirs
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r0, namespace: apps, generation: 1}
spec:
  parentRefs: [{name: net}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: r0-auth, namespace: apps, generation: ${generation}, uid: uid-r0-auth}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: r0}
  policy: '${document}'
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: their-auth, namespace: apps, generation: 1}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: theirs}
  policy: '${ALLOW("theirs")}'
---
${WEB_SERVICE(["10.1.0.1"])}`);

function policyConditions(intents: readonly StatusIntent[], name: string): Condition[] | undefined {
  const intent = intents.find((i) => i.kind === "IAMAuthPolicy" && i.name === name);
  return intent && "conditions" in intent ? intent.conditions : undefined;
}

describe("a Lattice policy's status from the Gateway reconcile", () => {
  it("Accepted=True once applied; AWS's refusal of a changed document is Accepted=False with AWS's error", async () => {
    const snapshots = new MemorySnapshotSource({ [CLUSTER]: objects(ALLOW("first"), 1) });
    const clock = { now: 1_000_000 };
    const sent: StatusIntent[][] = [];
    const base = await latticeReconcilerDeps(suite.dynamo, suite.factory(), {
      registry: await registeredClusters([CLUSTER]),
      snapshots,
      now: () => clock.now,
      statuses: {
        send: async (_cluster, intents) => {
          sent.push([...intents]);
          return { messages: 1, oversized: [] };
        },
      },
    });
    // Each reconcile here stands for a spec change: none waits for endpoint pacing.
    const deps = { ...base, pacing: NO_PACING };
    const reconcile = async () => {
      clock.now += 1_000;
      sent.length = 0;
      const report = await reconcileGatewayRequest(
        { version: 1, gatewayKey: GATEWAY, reason: "change", generation: clock.now },
        deps,
      );
      return { report, intents: sent.flat() };
    };

    // Lattice creates asynchronously: reconcile, let it finish, until the Gateway has nothing left to do.
    let settled = await reconcile();
    for (let round = 0; round < 5 && settled.report.disposition !== "done"; round++) {
      await control().settle();
      settled = await reconcile();
    }
    expect(settled.report).toMatchObject({ disposition: "done" });
    expect(policyConditions(settled.intents, "r0-auth")).toEqual([
      { type: "Accepted", status: "True", reason: "Accepted", message: "accepted", observedGeneration: 1 },
    ]);
    expect(settled.intents.find((i) => i.kind === "IAMAuthPolicy" && i.name === "r0-auth")).toMatchObject({
      namespace: "apps",
      observedGeneration: 1,
      uid: "uid-r0-auth",
    });
    // On another controller's Gateway: not switchyard's to write.
    expect(policyConditions(settled.intents, "their-auth")).toBeUndefined();

    // The document changes; AWS, which took every call so far, refuses the new one.
    snapshots.set(CLUSTER, objects(ALLOW("second"), 2));
    await control().injectFault({
      operation: "PutAuthPolicy",
      error: "ValidationException",
      message: "Policy document is not valid for this resource",
    });
    const refused = await reconcile();
    expect(policyConditions(refused.intents, "r0-auth")).toEqual([
      {
        type: "Accepted",
        status: "False",
        reason: "Invalid",
        message: expect.stringMatching(
          /^VPC Lattice refused PutAuthPolicy on HTTPRoute\/apps\/r0: AuthPolicyRefused: .*Policy document is not valid for this resource$/,
        ),
        observedGeneration: 2,
      },
    ]);
    // What AWS holds is the document it accepted before.
    const services = (await suite.lattice.send(new ListServicesCommand({}))).items ?? [];
    const [service] = services;
    if (!service?.arn) throw new Error("no Lattice service");
    const held = await suite.lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: service.arn }));
    expect(JSON.parse(held.policy ?? "{}").Id).toBe("first");

    // AWS takes it at the next reconcile: Accepted again, for generation 2.
    const again = await reconcile();
    expect(policyConditions(again.intents, "r0-auth")).toEqual([
      { type: "Accepted", status: "True", reason: "Accepted", message: "accepted", observedGeneration: 2 },
    ]);
  });
});
