/**
 * AWS calls per reconcile, counted by the client factory's middleware against moto (started here
 * from the test environment): create, no-op, drift check, one route changed, 100 endpoint
 * changes, delete — for one Gateway with 10 routes × 2 matches = 20 listener rules.
 */

import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { clusterGatewayKey } from "../../shared/keys.ts";
import { type ReconcileOutcome, type ReconcileRequest, reconcileGateway } from "../../shared/reconcile/engine.ts";
import { createMemoryStores } from "../../shared/store/memory/stores.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, TEST_REGION } from "../../test/env/clients.ts";
import { startEnvironment } from "../../test/env/components.ts";
import { ENV } from "../../test/env/variables.ts";
import { gatewayModel, type RouteShape } from "../../test/fixtures/gateway-model.ts";

const DRIFT_INTERVAL = 600_000;

function routes(changed = false): RouteShape[] {
  return Array.from({ length: 10 }, (_, i) => ({
    path: `/svc${i}`,
    header: "canary",
    backends: changed && i === 4 ? { web: 1, api: 1 } : { [["web", "api", "ui"][i % 3] ?? "web"]: 1 },
  }));
}

/** 50 of web's and 50 of api's 100 addresses replaced: 100 endpoint changes over two target groups. */
function endpoints(shifted: boolean): Record<string, string[]> {
  const ips = (svc: number, from: number) =>
    Array.from({ length: 100 }, (_, i) => `10.${svc}.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`);
  return shifted
    ? { web: ips(1, 25), api: ips(2, 25), ui: ips(3, 0) }
    : { web: ips(1, 0), api: ips(2, 0), ui: ips(3, 0) };
}

export async function runReconcileCalls(): Promise<Record<string, string | number>[]> {
  const env = await startEnvironment(["moto"]);
  const endpoint = env.variables[ENV.motoEndpoint] ?? "";
  const factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
  const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
  const stores = createMemoryStores();
  const elb = new AwsElb(factory, target, { clusterId: "bench", gatewayKey: "apps/gw" });
  let clock = 1_000_000;
  const deps = { ...stores, elb, now: () => clock, owner: "bench", driftIntervalMs: DRIFT_INTERVAL };
  const request = (desired: ReconcileRequest["desired"]): ReconcileRequest => ({
    gatewayKey: clusterGatewayKey("bench", "apps", "gw"),
    dataPlane: "alb",
    account: target.account,
    region: target.region,
    desired,
  });
  const rows: Record<string, string | number>[] = [];
  const measure = async (scenario: string, desired: ReconcileRequest["desired"], budget: string) => {
    const before = factory.counter.snapshot();
    const outcome: ReconcileOutcome = await reconcileGateway(request(desired), deps);
    const after = factory.counter.snapshot();
    let reads = 0;
    let writes = 0;
    const ops: string[] = [];
    for (const [op, c] of Object.entries(after)) {
      const n = c.calls - (before[op]?.calls ?? 0);
      if (n === 0) continue;
      if (/:(Describe|Get)/.test(op)) reads += n;
      else writes += n;
      ops.push(`${op.split(":")[1]}×${n}`);
    }
    rows.push({ scenario, outcome: outcome.kind, reads, writes, total: reads + writes, budget, calls: ops.join(" ") });
  };
  try {
    const model = gatewayModel(routes(), { clusterId: "bench", endpoints: endpoints(false) });
    await measure("create (10 routes, 20 rules, 3 TGs, 300 targets)", model, "—");
    clock += 1_000;
    await measure("next reconcile while the load balancer is provisioning (re-reads until active)", model, "—");
    clock += 1_000;
    await measure("no-op", model, "0");
    clock += DRIFT_INTERVAL + 1;
    await measure(
      "drift check (nothing drifted)",
      model,
      "ELBv2 ≤ 3 + 1 listener + 1 rule page = 5; EC2 ≤ 3 + 300/200 interface pages = 5; 0 writes",
    );
    clock += 1_000;
    await measure(
      "one route changed (2 rules)",
      gatewayModel(routes(true), { clusterId: "bench", endpoints: endpoints(false) }),
      "≤ 2 + 2 = 4 writes",
    );
    clock += 1_000;
    await measure(
      "100 endpoint changes",
      gatewayModel(routes(true), { clusterId: "bench", endpoints: endpoints(true) }),
      "≤ 4 target calls + 1 interface lookup",
    );
    clock += 1_000;
    await measure("delete", undefined, "—");
  } finally {
    factory.destroy();
    await env.stop();
  }
  return rows;
}
