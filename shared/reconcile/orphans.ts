/**
 * The orphan sweep: resources tagged as one of this cluster's Gateways in a target account whose
 * Gateway has no state record are deleted. A Gateway being created is never an orphan, because
 * the engine writes its record (with `applying`) before the first resource exists.
 */
import { planElb } from "../elb/plan.ts";
import type { StateStore } from "../store/state.ts";
import type { ElbPort } from "./ports.ts";

export interface SweepTarget {
  cluster: string;
  account: string;
  region: string;
  /** Gateway keys (`namespace/name`) with resources tagged in this account and Region. */
  tagged: ReadonlySet<string>;
  /** An ElbPort bound to one Gateway of this target. */
  port: (gatewayKey: string) => ElbPort;
}

export interface SweepResult {
  orphans: string[];
  deleted: number;
}

export async function sweepOrphans(target: SweepTarget, states: StateStore): Promise<SweepResult> {
  const claimed = new Set<string>();
  for await (const state of states.list()) {
    if (state.account === target.account && state.region === target.region) claimed.add(state.gatewayKey);
  }
  const orphans = [...target.tagged].filter((g) => !claimed.has(`${target.cluster}/${g}`)).sort();
  let deleted = 0;
  for (const gateway of orphans) {
    const port = target.port(gateway);
    let observed = await port.discover(gateway);
    const created = new Map<string, string>();
    for (const op of planElb(undefined, observed).operations) {
      observed = await port.execute(op, observed, created);
      deleted += 1;
    }
  }
  return { orphans, deleted };
}
