/**
 * The orphan sweep: resources tagged as one of this cluster's Gateways in a target account whose
 * Gateway has no state record are deleted.
 *
 * The listing of records is only a shortlist: a Gateway may be created between it and the
 * deletion. So each candidate is swept under that Gateway's own lease, after re-reading its
 * record: a Gateway being reconciled (lease held) or created meanwhile (record written, which
 * the engine does with `applying` before its first resource exists) keeps its resources.
 */
import { tagValue } from "../elb/naming.ts";
import type { ObservedElb } from "../elb/observed.ts";
import { planElb } from "../elb/plan.ts";
import {
  clusterGatewayKey,
  type GatewayKey,
  InvalidGatewayKey,
  parseGatewayKey,
  splitClusterGatewayKey,
} from "../keys.ts";
import { type EngineDeps, keepLease, leaseTiming, releaseLease } from "./engine.ts";
import type { ElbPort } from "./ports.ts";

export interface SweepTarget {
  cluster: string;
  account: string;
  region: string;
  /**
   * Gateway tag values with resources tagged in this account and Region: `namespace/name`, or for
   * a key too long for a tag, its shortened form (see `tagValue`).
   */
  tagged: ReadonlySet<string>;
  /** An ElbPort bound to one Gateway of this target. */
  port: (gatewayKey: string) => ElbPort;
}

export interface SweepResult {
  /** Gateways found without a record in the listing. */
  orphans: string[];
  /**
   * Of those, the ones left alone: a record appeared or their lease was held when re-checked, or
   * the tag holds a shortened key, whose Gateway (and so whose lease) cannot be named.
   */
  spared: string[];
  deleted: number;
}

export async function sweepOrphans(target: SweepTarget, deps: EngineDeps<ObservedElb>): Promise<SweepResult> {
  const timing = leaseTiming(deps);
  // Compared as tag values: a record whose key had to be shortened in its tags still claims them.
  const claimed = new Set<string>();
  for await (const state of deps.states.list()) {
    const { cluster, gatewayKey } = splitClusterGatewayKey(state.gatewayKey);
    if (cluster === target.cluster && state.account === target.account && state.region === target.region) {
      claimed.add(tagValue(gatewayKey));
    }
  }
  const orphans = [...target.tagged].filter((g) => !claimed.has(g)).sort();
  const spared: string[] = [];
  let deleted = 0;
  for (const gateway of orphans) {
    const key = gatewayKeyOfTag(gateway);
    if (key === undefined) {
      // Without the Gateway's real key there is no lease to take, so a Gateway created meanwhile
      // could not be told apart: leave these to a person (the tags name the resources).
      (deps.logger ?? console).warn("orphan sweep: a shortened Gateway key in the tags; not swept", { tag: gateway });
      spared.push(gateway);
      continue;
    }
    const gatewayKey = clusterGatewayKey(target.cluster, key);
    let lease = await deps.leases.acquire(gatewayKey, deps.owner, deps.now(), timing.ttl);
    if (!lease) {
      spared.push(gateway);
      continue;
    }
    try {
      if ((await deps.states.get(gatewayKey)) !== undefined) {
        spared.push(gateway);
        continue;
      }
      const port = target.port(gateway);
      let observed = await port.discover(gateway);
      const created = new Map<string, string>();
      for (const op of planElb(undefined, observed).operations) {
        lease = await keepLease(lease, deps, timing);
        observed = await port.execute(op, observed, created);
        deleted += 1;
      }
    } finally {
      await releaseLease(lease, deps);
    }
  }
  return { orphans, spared, deleted };
}

/** The Gateway key a tag value names, or undefined when the value is a shortened key. */
function gatewayKeyOfTag(value: string): GatewayKey | undefined {
  try {
    return parseGatewayKey(value);
  } catch (err) {
    if (err instanceof InvalidGatewayKey) return undefined;
    throw err;
  }
}
