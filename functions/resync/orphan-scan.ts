/**
 * The orphan check's AWS side: which Gateways the ownership tags of switchyard's load balancers in
 * one target name, read with the Resource Groups Tagging API (the resync's read-only sessions).
 * The resync compares them with the state records and enqueues a reconcile for each Gateway that
 * has tagged load balancers and no record (resync.ts › `orphanCheck`); the reconcile deletes them
 * under the Gateway's lease when its Gateway is gone, as for any deleted Gateway.
 */
import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import type { AwsTarget } from "../../shared/aws/clients.ts";
import { MANAGED_BY, TAG, taggedOwner } from "../../shared/elb/naming.ts";
import type { ClusterGatewayKey } from "../../shared/keys.ts";

/** Gateways named by switchyard's load balancers in one target. */
export interface TaggedGateways {
  keys: ClusterGatewayKey[];
  /** Tag values shortened with a hash (over-long names): no key to reconcile, left to a person. */
  shortened: string[];
  /** GetResources calls made: one per 100 tagged load balancers. */
  calls: number;
}

export interface TaggedGatewayScan {
  taggedGateways(target: AwsTarget): Promise<TaggedGateways>;
}

/** At most 100 resources per GetResources page (the API's maximum). */
const PAGE = 100;

/** The scan through each target's tagging client (the same role and ExternalId as the owner lookup). */
export function taggingGatewayScan(client: (target: AwsTarget) => ResourceGroupsTaggingAPIClient): TaggedGatewayScan {
  return {
    async taggedGateways(target) {
      const keys = new Set<ClusterGatewayKey>();
      const shortened = new Set<string>();
      let calls = 0;
      let token: string | undefined;
      do {
        const page: GetResourcesCommandOutput = await client(target).send(
          new GetResourcesCommand({
            TagFilters: [{ Key: TAG.managedBy, Values: [MANAGED_BY] }],
            ResourceTypeFilters: ["elasticloadbalancing:loadbalancer"],
            ResourcesPerPage: PAGE,
            ...(token ? { PaginationToken: token } : {}),
          }),
        );
        calls += 1;
        for (const mapping of page.ResourceTagMappingList ?? []) {
          const owner = taggedOwner(mapping.Tags ?? []);
          if (owner === undefined) continue;
          if ("key" in owner) keys.add(owner.key);
          else shortened.add(owner.shortened);
        }
        token = page.PaginationToken || undefined;
      } while (token);
      return { keys: [...keys].sort(), shortened: [...shortened].sort(), calls };
    },
  };
}
