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
import type { AwsTarget } from "../../shared/aws/target-credentials.ts";
import { taggedOwner } from "../../shared/elb/naming.ts";
import type { ClusterGatewayKey } from "../../shared/keys.ts";
import type { ClusterRegistry } from "../../shared/registry/registry.ts";
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

/** Where a resource's tags are read: the registered targets and a tagging client for each. */
export interface TaggingReach {
  /** The targets (account, Region, role) switchyard manages; read at most once per lookup object. */
  targets(): Promise<readonly AwsTarget[]>;
  /** The Resource Groups Tagging API client of one target (its assumed role's credentials). */
  client(target: AwsTarget): ResourceGroupsTaggingAPIClient;
}

/** Told of a target whose tags could not be read; the lookup carries on with the others. */
export type LookupWarning = (message: string, context: Record<string, unknown>) => void;

/** The account and Region an ARN names (`arn:partition:service:region:account:resource`). */
export function arnLocation(arn: string): { account: string; region: string } | undefined {
  const [prefix, , , region, account] = arn.split(":");
  if (prefix !== "arn" || !region || !account) return undefined;
  return { account, region };
}

/**
 * Owners from the resource's ownership tags, read with the Resource Groups Tagging API in the
 * resource's own account and Region (which the ARN names) through the role of every registered
 * target there: load balancers live in target accounts, where the control plane's own credentials
 * see nothing. A resource in an account and Region no registered cluster uses has no owner here.
 * Finds a resource switchyard created but whose apply never recorded it. Tag values shortened with
 * a hash (over-long Gateway names, `shared/elb/naming.ts`) cannot be turned back into a key and
 * are skipped; the state-record lookup covers those. A target whose tags cannot be read (a role
 * not deployed yet, AccessDenied, throttling past the SDK's retries) is reported to `warn` and
 * skipped: the state-record lookup and the scheduled drift checks still cover its Gateways.
 */
export function taggingOwnerLookup(reach: TaggingReach, warn: LookupWarning = () => undefined): OwnerLookup {
  let targets: Promise<readonly AwsTarget[]> | undefined;
  return {
    async gatewaysOwning(arn) {
      const location = arnLocation(arn);
      if (location === undefined) return [];
      targets ??= reach.targets();
      const there = (await targets).filter((t) => t.account === location.account && t.region === location.region);
      const found = new Set<ClusterGatewayKey>();
      for (const target of there) {
        try {
          for (const key of await taggedOwners(reach.client(target), arn)) found.add(key);
        } catch (error) {
          warn("owner lookup by tags skipped a target", {
            arn,
            account: target.account,
            region: target.region,
            ...(target.cluster ? { cluster: target.cluster } : {}),
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
        }
      }
      return [...found].sort();
    },
  };
}

/** The Gateways the ownership tags of `arn` (or of the listener or load balancer it belongs to) name. */
async function taggedOwners(client: ResourceGroupsTaggingAPIClient, arn: string): Promise<ClusterGatewayKey[]> {
  const found: ClusterGatewayKey[] = [];
  for (const candidate of elbArnLineage(arn)) {
    const page: GetResourcesCommandOutput = await client.send(
      new GetResourcesCommand({ ResourceARNList: [candidate] }),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      const owner = taggedOwner(mapping.Tags ?? []);
      // A shortened Gateway key names no Gateway to reconcile.
      if (owner !== undefined && "key" in owner) found.push(owner.key);
    }
  }
  return found;
}

/**
 * The targets of the registered clusters, as the reconciler reaches them (the same account,
 * Region, role and ExternalId), one per distinct target however many clusters share it.
 */
export async function registeredTargets(registry: Pick<ClusterRegistry, "list">): Promise<AwsTarget[]> {
  const targets = new Map<string, AwsTarget>();
  for (const cluster of await registry.list()) {
    const key = [cluster.account, cluster.region, cluster.reconcileRoleArn ?? "", cluster.externalId ?? ""].join("|");
    if (targets.has(key)) continue;
    targets.set(key, {
      account: cluster.account,
      region: cluster.region,
      ...(cluster.reconcileRoleArn ? { roleArn: cluster.reconcileRoleArn } : {}),
      ...(cluster.externalId ? { externalId: cluster.externalId } : {}),
      cluster: cluster.clusterId,
    });
  }
  return [...targets.values()];
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

/** The registered targets, each reached through the client factory (AssumeRole + ExternalId). */
export function registryTaggingReach(
  registry: Pick<ClusterRegistry, "list">,
  factory: { tagging(target: AwsTarget): ResourceGroupsTaggingAPIClient },
): TaggingReach {
  return { targets: () => registeredTargets(registry), client: (target) => factory.tagging(target) };
}

/**
 * The session policy of the resync function's assumed sessions: the target role also serves the
 * reconciler and may write, the owner lookup only reads tags.
 */
export const OWNER_LOOKUP_SESSION_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "tag:GetResources", Resource: "*" }],
});
