/**
 * Resolve + status: snapshot → resolved graph → every status. Run in a fresh child process per size
 * (see bench/run.ts) so peak RSS belongs to this scenario alone.
 */
import { controllerConfig } from "../../shared/config.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { syntheticFleet } from "./synthetic.ts";

export function runResolve(gateways: number, routesPerGateway: number, rulesPerRoute: number, iterations: number) {
  const snapshot = snapshotOf(syntheticFleet({ gateways, routesPerGateway, rulesPerRoute }));
  const config = controllerConfig();
  const heapBefore = process.memoryUsage().heapUsed;
  translate(snapshot, config); // warm-up: JIT and inline caches
  const times: number[] = [];
  let statuses = 0;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const result = translate(snapshot, config);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    statuses = result.statuses.length;
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
