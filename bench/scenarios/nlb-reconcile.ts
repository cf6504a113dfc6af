/**
 * Calls per reconcile of an NLB Gateway, counted like the ALB scenario (reconcile.ts): the client
 * factory's `ApiCallCounter` for the target account and a second counter on the DynamoDB client,
 * against moto and DynamoDB Local started here from the test environment. One Gateway of the
 * `switchyard.dev/nlb` class with 10 TCP listeners (ports 5000–5009), each with one TCPRoute to one
 * of three Services (`web`, `api`, `ui`, 100 ready endpoints each): 10 listeners, 3 target groups,
 * 300 targets — the ALB scenario's shape, with listeners in place of listener rules (an NLB has no
 * rules). Scenarios: create, next reconcile while provisioning, no-op, drift check, one route's
 * backend changed, 10 endpoint changes, delete.
 */

import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { serviceManifests } from "../../test/fixtures/services.ts";
import { DRIFT_INTERVAL, ENDPOINT_CHANGES, endpoints, runElbCallsBench } from "./reconcile-harness.ts";

const LISTENERS = 10;
const SERVICES = ["web", "api", "ui"] as const;

/** The NLB Gateway's model; `rerouted` sends route 4 to `api` as well as its own Service. */
export function nlbModel(options: { rerouted?: boolean; moved?: number }): LoadBalancerModel {
  const addresses = endpoints(options.moved ?? 0);
  const listeners = Array.from({ length: LISTENERS }, (_, i) => `{name: tcp${i}, port: ${5000 + i}, protocol: TCP}`);
  const routes = Array.from({ length: LISTENERS }, (_, i) => {
    const own = SERVICES[i % SERVICES.length] ?? "web";
    const backends =
      i === 4 && options.rerouted
        ? `[{name: ${own}, port: 80, weight: 1}, {name: ${own === "api" ? "ui" : "api"}, port: 80, weight: 1}]`
        : `[{name: ${own}, port: 80}]`;
    return `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t${i}, namespace: apps}
spec: {parentRefs: [{name: gw, sectionName: tcp${i}}], rules: [{backendRefs: ${backends}}]}
`;
  });
  const manifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: switchyard.dev/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: nlb
  listeners: [${listeners.join(", ")}]
${routes.join("")}${SERVICES.map((name) => serviceManifests({ name, addresses: addresses[name] ?? [] })).join("")}`;
  const loaded = loadManifests(manifests, "nlb-bench.yaml");
  if (loaded.rejected.length > 0) throw new Error(`NLB fixture rejected: ${JSON.stringify(loaded.rejected)}`);
  const model = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "bench" }).loadBalancers[0]
    ?.model;
  if (!model) throw new Error("the NLB fixture built no load balancer");
  if (model.listeners.length !== LISTENERS)
    throw new Error(`expected ${LISTENERS} listeners, built ${model.listeners.length}`);
  return model;
}

export function runNlbCalls(): Promise<Record<string, string | number>[]> {
  return runElbCallsBench({ table: "bench-nlb", dataPlane: "nlb" }, async ({ measure, advanceClock }) => {
    await measure("create (10 TCP listeners, 3 TGs, 300 targets)", [nlbModel({})]);
    await measure("next reconcile while the load balancer is provisioning", [nlbModel({})]);
    await measure("no-op", [nlbModel({})]);
    advanceClock(DRIFT_INTERVAL);
    await measure("drift check (nothing drifted)", [nlbModel({})]);
    await measure("one route's backends changed (1 listener)", [nlbModel({ rerouted: true })]);
    await measure(
      `${ENDPOINT_CHANGES} endpoint changes, one reconcile each`,
      Array.from({ length: ENDPOINT_CHANGES }, (_, i) => nlbModel({ rerouted: true, moved: i + 1 })),
    );
    await measure("delete", [undefined]);
  });
}
