/**
 * Resolve + status: snapshot → resolved graph → every status the Kubernetes side decides (the
 * semantics core alone; the data-plane build is the alb-model scenario). Run in a fresh child
 * process per size (see bench/run.ts) so peak RSS belongs to this scenario alone.
 */
import { controllerConfig } from "../../shared/config.ts";
import { resolveGraph } from "../../shared/graph/resolve.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { computeStatuses } from "../../shared/status/compute.ts";
import { syntheticFleet } from "./synthetic.ts";

export function runResolve(gateways: number, routesPerGateway: number, rulesPerRoute: number, iterations: number) {
  const snapshot = snapshotOf(syntheticFleet({ gateways, routesPerGateway, rulesPerRoute }));
  const config = controllerConfig();
  const heapBefore = process.memoryUsage().heapUsed;
  const owned = Object.keys(config.controllers);
  const run = () => computeStatuses(resolveGraph(snapshot, config), snapshot, owned);
  run(); // warm-up: JIT and inline caches
  const times: number[] = [];
  let statuses = 0;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const result = run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    statuses = result.length;
  }
  times.sort((a, b) => a - b);
  return {
    scenario: `resolve+status ${gateways}gw×${routesPerGateway}routes×${rulesPerRoute}rules`,
    routes: gateways * routesPerGateway,
    statuses,
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    minMs: times[0] ?? 0,
    heapDeltaMiB: Math.round(((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20) * 10) / 10,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
