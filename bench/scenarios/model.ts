/**
 * Desired ALB model for one Gateway with many routes: resolve + build (precedence ordering,
 * conditions, actions, target groups). The rules-per-listener quota is lifted so the builder does
 * the full work instead of shedding routes.
 */
import { controllerConfig } from "../../shared/config.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { syntheticFleet } from "./synthetic.ts";

export function runModel(routes: number, rulesPerRoute: number, iterations: number) {
  const snapshot = snapshotOf(
    syntheticFleet({ gateways: 1, routesPerGateway: routes, rulesPerRoute, servicesPerNamespace: 50 }),
  );
  const config = controllerConfig();
  const options = { clusterId: "bench", maxRulesPerLoadBalancer: 1_000_000 };
  const heapBefore = process.memoryUsage().heapUsed;
  let result = translate(snapshot, config, options);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    result = translate(snapshot, config, options);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const model = result.loadBalancers[0]?.model;
  return {
    scenario: `ALB model 1gw×${routes}routes×${rulesPerRoute}rules`,
    routes,
    listenerRules: model?.listeners.reduce((n, l) => n + l.rules.length, 0) ?? 0,
    targetGroups: model?.targetGroups.length ?? 0,
    medianMs: Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10,
    minMs: Math.round((times[0] ?? 0) * 10) / 10,
    heapDeltaMiB: Math.round(((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20) * 10) / 10,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
