/**
 * The orphan check's AWS side: which Gateways the ownership tags of switchyard's resources in one
 * target name, and on which data plane — load balancers (ELB) or VPC Lattice services, service
 * networks and target groups — read with the Resource Groups Tagging API (the resync's read-only
 * sessions). The resync compares them with the state records and enqueues a reconcile for each
 * Gateway that has tagged resources and no record (resync.ts › `orphanCheck`), naming the plane; the
 * reconcile deletes them under the Gateway's lease when its Gateway is gone, as for any deleted
 * Gateway.
 */
import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import type { AwsTarget } from "../../shared/aws/clients.ts";
import { MANAGED_BY, TAG, taggedOwner } from "../../shared/elb/naming.ts";
import type { ClusterGatewayKey } from "../../shared/keys.ts";
import { isServiceExportOwner } from "../../shared/lattice/exports.ts";
import type { OrphanPlane } from "../../shared/pipeline/reconcile-request.ts";

/** A Gateway named by tagged resources, and the data planes they are on (sorted: `elb`, `lattice`). */
export interface TaggedGateway {
  key: ClusterGatewayKey;
  planes: OrphanPlane[];
}

/** Gateways named by switchyard's tagged resources in one target. */
export interface TaggedGateways {
  gateways: TaggedGateway[];
  /** Tag values shortened with a hash (over-long names): no key to reconcile, left to a person. */
  shortened: string[];
  /** GetResources calls made: one per 100 tagged resources (per client, where the planes have two). */
  calls: number;
}

export interface TaggedGatewayScan {
  taggedGateways(target: AwsTarget): Promise<TaggedGateways>;
}

/**
 * The resource types read, as GetResources' `ResourceTypeFilters` name them (the service and the
 * resource type embedded in the ARN): the resources a Gateway's deletion starts from. Listeners,
 * rules and associations go with them (discovery finds them from these).
 */
export const ORPHAN_RESOURCE_TYPES: Readonly<Record<OrphanPlane, readonly string[]>> = {
  elb: ["elasticloadbalancing:loadbalancer"],
  lattice: ["vpc-lattice:service", "vpc-lattice:servicenetwork", "vpc-lattice:targetgroup"],
};

/** At most 100 resources per GetResources page (the API's maximum). */
const PAGE = 100;

/** The plane of a resource by its ARN's service (`arn:aws:vpc-lattice:…`), or undefined for neither. */
export function planeOfArn(arn: string | undefined): OrphanPlane | undefined {
  const service = arn?.split(":")[2];
  if (service === "elasticloadbalancing") return "elb";
  if (service === "vpc-lattice") return "lattice";
  return undefined;
}

/** The tagging client of one target: for ELB, and for Lattice where it is another (tests only). */
export interface OrphanTaggingClients {
  elb(target: AwsTarget): ResourceGroupsTaggingAPIClient;
  /**
   * The client for the Lattice resource types. Production reads both planes through the one client
   * of the target, in one listing; tests point this one at the Lattice emulator, whose resources
   * moto's tagging API does not know.
   * @default the `elb` client
   */
  lattice?(target: AwsTarget): ResourceGroupsTaggingAPIClient;
}

/**
 * The scan through each target's tagging client (the same role and ExternalId as the owner lookup):
 * one listing of every resource type when one client serves both planes, so the calls stay
 * ⌈tagged resources / 100⌉ per tick. ServiceExport groups name an export, not a Gateway: skipped.
 */
export function taggingGatewayScan(
  clients: OrphanTaggingClients | ((target: AwsTarget) => ResourceGroupsTaggingAPIClient),
): TaggedGatewayScan {
  const { elb, lattice } = typeof clients === "function" ? { elb: clients, lattice: undefined } : clients;
  return {
    async taggedGateways(target) {
      const planes = new Map<ClusterGatewayKey, Set<OrphanPlane>>();
      const shortened = new Set<string>();
      let calls = 0;
      const elbClient = elb(target);
      const latticeClient = lattice?.(target) ?? elbClient;
      const listings =
        latticeClient === elbClient
          ? [{ client: elbClient, types: [...ORPHAN_RESOURCE_TYPES.elb, ...ORPHAN_RESOURCE_TYPES.lattice] }]
          : [
              { client: elbClient, types: [...ORPHAN_RESOURCE_TYPES.elb] },
              { client: latticeClient, types: [...ORPHAN_RESOURCE_TYPES.lattice] },
            ];
      for (const { client, types } of listings) {
        let token: string | undefined;
        do {
          const page: GetResourcesCommandOutput = await client.send(
            new GetResourcesCommand({
              TagFilters: [{ Key: TAG.managedBy, Values: [MANAGED_BY] }],
              ResourceTypeFilters: types,
              ResourcesPerPage: PAGE,
              ...(token ? { PaginationToken: token } : {}),
            }),
          );
          calls += 1;
          for (const mapping of page.ResourceTagMappingList ?? []) {
            const plane = planeOfArn(mapping.ResourceARN);
            if (plane === undefined || isServiceExportOwned(mapping.Tags ?? [])) continue;
            const owner = taggedOwner(mapping.Tags ?? []);
            if (owner === undefined) continue;
            if ("key" in owner) planes.set(owner.key, (planes.get(owner.key) ?? new Set()).add(plane));
            else shortened.add(owner.shortened);
          }
          token = page.PaginationToken || undefined;
        } while (token);
      }
      const gateways = [...planes.keys()].sort().map((key) => ({ key, planes: [...(planes.get(key) ?? [])].sort() }));
      return { gateways, shortened: [...shortened].sort(), calls };
    },
  };
}

/** A ServiceExport's groups carry `ServiceExport/<ns>/<name>` as their owner: a unit of its own. */
function isServiceExportOwned(tags: readonly { Key?: string; Value?: string }[]): boolean {
  const owner = tags.find((t) => t.Key === TAG.gateway)?.Value;
  return owner !== undefined && isServiceExportOwner(owner);
}
