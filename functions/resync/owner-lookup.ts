/**
 * Which Gateways own an AWS resource. The port is one question; the state-record implementation
 * answers it from what switchyard itself recorded (every ARN each Gateway's last apply claimed,
 * certificates included), the tagging one from the resource's ownership tags.
 */
import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { MANAGED_BY, TAG } from "../../shared/elb/naming.ts";
import { type ClusterGatewayKey, InvalidGatewayKey, parseClusterGatewayKey } from "../../shared/keys.ts";
import type { StateStore, StoredGatewayState } from "../../shared/store/state.ts";
import { elbArnLineage } from "./aws-events.ts";

export interface OwnerLookup {
  /** The Gateways whose resources include `arn` (or the listener or load balancer it belongs to). */
  gatewaysOwning(arn: string): Promise<ClusterGatewayKey[]>;
}

/** Every ARN a state record claims: load balancers, listeners, rules, target groups, certificates. */
export function claimedArns(state: StoredGatewayState): string[] {
  const { applied } = state;
  return [
    ...(applied.loadBalancer ? [applied.loadBalancer.arn] : []),
    ...applied.strayLoadBalancers,
    ...applied.listeners.flatMap((l) => [l.arn, ...l.rules.map((r) => r.arn), ...(l.certificates?.arns ?? [])]),
    ...applied.targetGroups.map((t) => t.arn),
  ];
}

/**
 * Owners from the state records, read once per lookup object (one Scan per invocation, however many
 * ARNs an event names). A certificate may be shared by listeners of several Gateways: all are owners.
 */
export function stateRecordOwnerLookup(states: StateStore): OwnerLookup {
  let index: Promise<Map<string, Set<ClusterGatewayKey>>> | undefined;
  const build = async () => {
    const owners = new Map<string, Set<ClusterGatewayKey>>();
    for await (const state of states.list()) {
      for (const arn of claimedArns(state)) {
        const set = owners.get(arn) ?? new Set();
        set.add(state.gatewayKey);
        owners.set(arn, set);
      }
    }
    return owners;
  };
  return {
    async gatewaysOwning(arn) {
      index ??= build();
      const owners = await index;
      const found = new Set<ClusterGatewayKey>();
      for (const candidate of elbArnLineage(arn)) for (const key of owners.get(candidate) ?? []) found.add(key);
      return [...found].sort();
    },
  };
}

/**
 * Owners from the resource's ownership tags (Resource Groups Tagging API in the resource's account
 * and Region). Finds a resource switchyard created but whose apply never recorded it. Tag values
 * shortened with a hash (over-long Gateway names, `shared/elb/naming.ts`) cannot be turned back into
 * a key and are skipped; the state-record lookup covers those.
 */
export function taggingOwnerLookup(client: ResourceGroupsTaggingAPIClient): OwnerLookup {
  return {
    async gatewaysOwning(arn) {
      const found = new Set<ClusterGatewayKey>();
      for (const candidate of elbArnLineage(arn)) {
        const page: GetResourcesCommandOutput = await client.send(
          new GetResourcesCommand({ ResourceARNList: [candidate] }),
        );
        for (const mapping of page.ResourceTagMappingList ?? []) {
          const tags = new Map((mapping.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
          const cluster = tags.get(TAG.cluster);
          const gateway = tags.get(TAG.gateway);
          if (tags.get(TAG.managedBy) !== MANAGED_BY || cluster === undefined || gateway === undefined) continue;
          try {
            found.add(parseClusterGatewayKey(`${cluster}/${gateway}`));
          } catch (error) {
            if (!(error instanceof InvalidGatewayKey)) throw error;
          }
        }
      }
      return [...found].sort();
    },
  };
}

/** The union of several lookups' answers. */
export function combinedOwnerLookup(...lookups: OwnerLookup[]): OwnerLookup {
  return {
    async gatewaysOwning(arn) {
      const answers = await Promise.all(lookups.map((l) => l.gatewaysOwning(arn)));
      return [...new Set(answers.flat())].sort();
    },
  };
}
