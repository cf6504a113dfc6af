/**
 * Gateways that own ELB resources in an account but have no state record: what a lost record or a
 * deleted Gateway whose cleanup never ran leaves behind. One GetResources listing per account and
 * Region finds them by switchyard's ownership tags; nothing untagged or of another cluster is
 * ever considered.
 */
import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { MANAGED_BY, TAG } from "../../elb/naming.ts";
import { AwsOperationError, classifyAwsError } from "../errors.ts";

/** Gateway keys (`namespace/name`) that carry this cluster's tags in the account and Region. */
export async function taggedGateways(client: ResourceGroupsTaggingAPIClient, cluster: string): Promise<Set<string>> {
  const gateways = new Set<string>();
  let token: string | undefined;
  do {
    let page: GetResourcesCommandOutput;
    try {
      page = await client.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: TAG.managedBy, Values: [MANAGED_BY] },
            { Key: TAG.cluster, Values: [cluster] },
          ],
          ResourceTypeFilters: ["elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup"],
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
    } catch (error) {
      throw new AwsOperationError("GetResources", classifyAwsError(error), error);
    }
    for (const r of (page as { ResourceTagMappingList?: { Tags?: { Key?: string; Value?: string }[] }[] })
      .ResourceTagMappingList ?? []) {
      const tags = new Map((r.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
      const gateway = tags.get(TAG.gateway);
      if (tags.get(TAG.managedBy) === MANAGED_BY && tags.get(TAG.cluster) === cluster && gateway) gateways.add(gateway);
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return gateways;
}
