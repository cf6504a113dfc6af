/**
 * Desired VPC Lattice models for one Gateway with many routes: resolve + Lattice build (a service
 * per route, precedence-ordered rules, weighted forwards, a target group per route and Service,
 * uniqueness across Gateways). The synthetic fleet's Gateway, of a Lattice class: every route has
 * one hostname, rules of a PathPrefix (two Lattice rules each) and alternate header matches, and
 * two weighted backends out of 50 Services, so many routes forward to the same Service.
 */
import { controllerConfig } from "../../shared/config.ts";
import type { GatewayClass } from "../../shared/gateway-api/types.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { syntheticFleet } from "./synthetic.ts";

export function runLatticeModel(routes: number, rulesPerRoute: number, iterations: number) {
  const objects = syntheticFleet({ gateways: 1, routesPerGateway: routes, rulesPerRoute, servicesPerNamespace: 50 });
  for (const o of objects) {
    if (o.kind === "GatewayClass") {
      const spec = (o as GatewayClass).spec;
      if (spec) spec.controllerName = "switchyard.dev/lattice";
    }
  }
  const snapshot = snapshotOf(objects);
  const config = controllerConfig();
  const options = { clusterId: "bench" };
  const heapBefore = process.memoryUsage().heapUsed;
  let result = translate(snapshot, config, options);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    result = translate(snapshot, config, options);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const build = result.lattice.gateways[0];
  const model = build?.model;
  const services = model?.services ?? [];
  if (services.length !== routes) {
    const refused = [...(build?.routeProblems.entries() ?? [])].slice(0, 3);
    throw new Error(`expected ${routes} Lattice services, built ${services.length}: ${JSON.stringify(refused)}`);
  }
  return {
    scenario: `Lattice model 1gw×${routes}routes×${rulesPerRoute}rules`,
    routes,
    listenerRules: services.reduce((n, s) => n + s.listeners.reduce((m, l) => m + l.rules.length, 0), 0),
    targetGroups: model?.targetGroups.length ?? 0,
    medianMs: Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10,
    minMs: Math.round((times[0] ?? 0) * 10) / 10,
    heapDeltaMiB: Math.round(((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20) * 10) / 10,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
